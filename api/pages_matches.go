package api

import (
	"context"
	"sort"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"

	"finzone"
	"finzone/web"
)

// ledgerMatches reads a project's matches through its ledger: lookups by
// ID only, the fast path on FerretDB.
func (ps *pageServer) ledgerMatches(c *fiber.Ctx, p finzone.Project) ([]finzone.Match, error) {
	return ps.ledgerMatchesCtx(c.UserContext(), p)
}

func (ps *pageServer) ledgerMatchesCtx(ctx context.Context, p finzone.Project) ([]finzone.Match, error) {
	l, err := ps.store.Ledger(ctx, p.ID)
	if err != nil {
		return nil, err
	}
	ids := make([]string, len(l.Entries))
	for i, e := range l.Entries {
		ids[i] = finzone.MatchID(p.ID, e.InstitutionID)
	}
	return ps.store.MatchesByID(ctx, ids)
}

// scopeMatches returns every match in an actor's scope (nil regions: the
// whole province), remembered for a short while: the dashboard and the
// board filter them in memory, so changing a filter costs nothing. On
// FerretDB each page of a filtered match list is a scan of the collection,
// so this read is the reports' main cost.
func (ps *pageServer) scopeMatches(c *fiber.Ctx, regions []string) ([]finzone.Match, time.Time, error) {
	key := "all"
	if regions != nil {
		key = strings.Join(regions, ",")
	}
	now := ps.now()
	ps.cacheMu.Lock()
	if e, ok := ps.cache[key]; ok && now.Sub(e.at) < reportCacheTTL {
		ps.cacheMu.Unlock()
		return e.matches, e.at, nil
	}
	ps.cacheMu.Unlock()
	var out []finzone.Match
	pg := finzone.Page{Limit: finzone.MaxPageLimit}
	for len(out) < reportMatchLimit {
		ms, next, err := ps.store.ListMatches(c.UserContext(), finzone.MatchFilter{Regions: regions}, pg)
		if err != nil {
			return nil, now, err
		}
		out = append(out, ms...)
		if next == "" {
			break
		}
		pg.Cursor = next
	}
	ps.cacheMu.Lock()
	if len(ps.cache) > 1000 {
		ps.cache = map[string]cachedMatches{} // scopes are few; this only bounds a pathological case
	}
	ps.cache[key] = cachedMatches{matches: out, at: now}
	ps.cacheMu.Unlock()
	return out, now, nil
}

// Reports read at most reportMatchLimit matches and reuse them for
// reportCacheTTL.
const (
	reportMatchLimit = 20000
	reportCacheTTL   = 30 * time.Second
)

type cachedMatches struct {
	matches []finzone.Match
	at      time.Time
}

// orgNames looks organizations up by ID once per page.
type orgNames struct {
	ps    *pageServer
	c     *fiber.Ctx
	names map[string]string
}

func (ps *pageServer) orgNames(c *fiber.Ctx) *orgNames {
	return &orgNames{ps: ps, c: c, names: map[string]string{}}
}

func (o *orgNames) name(id string) string {
	if n, ok := o.names[id]; ok {
		return n
	}
	org, err := o.ps.store.Org(o.c.UserContext(), id)
	n := id
	if err == nil {
		n = org.Name
	}
	o.names[id] = n
	return n
}

func (ps *pageServer) matchRow(m finzone.Match, names *orgNames) web.MatchRow {
	r := web.MatchRow{M: m, ProjectTitle: m.ProjectTitle, ProjectRegion: m.RegionCode, ProjectAmount: m.ProjectAmountYuan,
		Overdue: m.Overdue(ps.now())}
	if names != nil {
		r.InstitutionName = names.name(m.InstitutionID)
	}
	if n := len(m.Events); n > 0 {
		r.Last = m.Events[n-1]
	}
	return r
}

type eventRow struct {
	E    finzone.Event
	Who  string
	Note string
}

// newEventRow shows an event's note; the pipeline's push note is a role
// code, which is translated.
func newEventRow(v *web.View, e finzone.Event, who string) eventRow {
	r := eventRow{E: e, Who: who, Note: e.Note}
	if e.Action == "push" && e.Note != "" {
		r.Note = v.Enum("role", e.Note)
	}
	return r
}

type projectPageData struct {
	P         finzone.Project
	Back      string
	BackLabel string
	CanChange bool
	// Editable and Withdrawable are the project's (pointer-receiver) rules,
	// which templates cannot call on a copy.
	Editable     bool
	Withdrawable bool
	Matches      []web.MatchRow
	Events       []eventRow
	Syndicate    *syndicateView
	// Attention is the notice shown when the waitlist ran dry: the owner's
	// text, the coordinators' text, or "" (institutions are not told).
	Attention string
}

// projectPage shows a project to its owner and to coordinators covering it:
// its details, every institution it was pushed to with role, stage, last
// step, deadline and the score parts that explain the choice, the event
// timeline and any syndicate.
func (ps *pageServer) projectPage(c *fiber.Ctx, v *web.View) error {
	p, err := ps.loadProject(c)
	if err != nil {
		return err
	}
	a := actor(c)
	if err := ps.withClusters(c, v); err != nil {
		return err
	}
	d := projectPageData{P: p, CanChange: a.CanChangeProject(p), Editable: p.Editable(), Withdrawable: p.Withdrawable(),
		Back: "/projects", BackLabel: "projects.title"}
	if !a.IsEnterprise() {
		d.Back, d.BackLabel = "/search", "search.title"
	}
	if p.NeedsAttention {
		switch {
		case a.IsEnterprise():
			d.Attention = "project.attention_owner"
		case a.IsCoordinator() || a.IsPlatformAdmin():
			d.Attention = "project.attention_staff"
		}
	}
	if p.Status != finzone.ProjectDraft {
		ms, err := ps.ledgerMatches(c, p)
		if err != nil {
			return err
		}
		names := ps.orgNames(c)
		for _, m := range ms {
			if !a.CanSeeProject(p) && m.InstitutionID != a.Org.ID {
				continue // an institution sees its own match, never its competitors'
			}
			d.Matches = append(d.Matches, ps.matchRow(m, names))
			for _, e := range m.Events {
				who := names.name(m.InstitutionID)
				if e.Actor == "system" || e.Actor == "" {
					who = v.T("event.by_platform")
				}
				d.Events = append(d.Events, newEventRow(v, e, who))
			}
		}
		sort.SliceStable(d.Matches, func(i, j int) bool {
			if d.Matches[i].M.Role != d.Matches[j].M.Role {
				return d.Matches[i].M.Role == finzone.RoleLead
			}
			return d.Matches[i].M.Rank < d.Matches[j].M.Rank
		})
		sort.SliceStable(d.Events, func(i, j int) bool { return d.Events[i].E.At.After(d.Events[j].E.At) })
		if d.Syndicate, err = ps.syndicateView(c, p, names); err != nil {
			return err
		}
	}
	if len(d.Matches) == 0 && (p.Status == finzone.ProjectSubmitted || p.Status == finzone.ProjectMatching) {
		v.Refresh = 3 // the pipeline is choosing institutions: show them as soon as they are pushed
	}
	v.TitleText = p.Title
	v.Data = d
	return ps.render(c, fiber.StatusOK, "project", v)
}

// syndicateView is a project's syndicate as the pages show it.
type syndicateView struct {
	S       finzone.Syndicate
	Members []syndicateMemberView
	// CanSign offers the lead arranger the sign button once every share
	// is accepted (the state signFor checks).
	CanSign bool
}

type syndicateMemberView struct {
	M    finzone.SyndicateMember
	Name string
	// Mine marks the viewer's own share, which it may accept or decline.
	Mine bool
}

func (ps *pageServer) syndicateView(c *fiber.Ctx, p finzone.Project, names *orgNames) (*syndicateView, error) {
	s, err := ps.store.Syndicate(c.UserContext(), p.ID)
	if finzone.IsCode(err, finzone.ECNotFound) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	if len(s.Members) == 0 {
		return nil, nil
	}
	a := actor(c)
	sv := &syndicateView{S: s, CanSign: a.IsInstitution() && syndicateLead(s) == a.Org.ID && s.State == finzone.SyndicateCommitted}
	for _, m := range s.Members {
		sv.Members = append(sv.Members, syndicateMemberView{M: m, Name: names.name(m.InstitutionID), Mine: m.InstitutionID == a.Org.ID})
	}
	return sv, nil
}
