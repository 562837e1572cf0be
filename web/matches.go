package web

import (
	"strconv"
	"time"

	"github.com/gofiber/fiber/v2"

	"finzone"
	"finzone/server"
)

// A match's page: the project's details, the institution's stage and the
// action forms its stage allows.

// matchRow is a match as lists show it; names (nil: unnamed) names its
// institution.
func matchRow(m finzone.Match, now time.Time, names map[string]string) MatchRow {
	r := MatchRow{M: m, ProjectTitle: m.ProjectTitle, ProjectRegion: m.RegionCode, ProjectAmount: m.ProjectAmountYuan,
		Overdue: m.Overdue(now)}
	if names != nil {
		r.InstitutionName = orgName(names, m.InstitutionID)
	}
	if n := len(m.Events); n > 0 {
		r.Last = m.Events[n-1]
	}
	return r
}

// orgName is an organization's name, or its ID when it has none.
func orgName(names map[string]string, id string) string {
	if n, ok := names[id]; ok {
		return n
	}
	return id
}

type eventRow struct {
	E    finzone.Event
	Who  string
	Note string
}

// newEventRow shows an event by who took it; the platform's own steps say
// so, and the pipeline's push note, a role code, is translated.
func newEventRow(v *View, e finzone.Event, institution string) eventRow {
	r := eventRow{E: e, Who: institution, Note: e.Note}
	if e.Actor == "system" || e.Actor == "" {
		r.Who = v.T("event.by_platform")
	}
	if e.Action == "push" && e.Note != "" {
		r.Note = v.Enum("role", e.Note)
	}
	return r
}

type matchPageData struct {
	Row       MatchRow
	P         finzone.Project
	CanAct    bool
	Actions   []finzone.Action
	Events    []eventRow
	Syndicate *syndicateView
	Back      string
	BackLabel string
}

func (p *pages) matchPage(c *fiber.Ctx, v *View) error {
	return p.showMatch(c, v, fiber.StatusOK, false)
}

// showMatch draws the match page; keepForm keeps a posted form's values.
func (p *pages) showMatch(c *fiber.Ctx, v *View, status int, keepForm bool) error {
	a := server.Actor(c)
	md, err := p.uc.MatchDetail(c.UserContext(), a, c.Params("id"))
	if err != nil {
		return err
	}
	if err := p.withClusters(c, v); err != nil {
		return err
	}
	m, pr := md.Match, md.Project
	d := matchPageData{P: pr, CanAct: a.CanActOnMatch(m), Back: "/inbox", BackLabel: "inbox.title",
		Row: matchRow(m, v.Now, md.Names), Syndicate: newSyndicateView(a, md.Syndicate, md.Names)}
	if !a.IsInstitution() {
		d.Back, d.BackLabel = "/projects/"+pr.ID, "project.back"
	}
	if d.CanAct {
		d.Actions = m.Actions()
	}
	for i := len(m.Events) - 1; i >= 0; i-- {
		d.Events = append(d.Events, newEventRow(v, m.Events[i], d.Row.InstitutionName))
	}
	if !keepForm {
		// Sensible starting values for the forms that take numbers.
		v.Form.Values.Set("approved_amount_wan", WanPlain(pr.AmountYuan))
		v.Form.Values.Set("approved_term_months", strconv.Itoa(pr.TermMonths))
		if left := m.Offer.AmountYuan - m.DisbursedYuan(); left > 0 {
			v.Form.Values.Set("tranche_wan", WanPlain(left))
		}
		v.Form.Values.Set("tranche_date", DateInput(v.Now))
	}
	v.TitleText, v.Data = pr.Title, d
	return p.render(c, status, "match", v)
}

// actionNames maps the core's action fields to the match page's forms.
func actionNames(action finzone.Action) map[string]string {
	return map[string]string{"note": "note_" + string(action), "reason_code": "decline_reason",
		"amount_yuan": "approved_amount_wan", "rate_bps": "approved_rate_pct", "term_months": "approved_term_months",
		"tranche_amount_yuan": "tranche_wan", "tranche_date": "tranche_date", "action": "note_" + string(action)}
}

// matchActionPost applies one of the stage's action forms. Numbers the form
// cannot read are shown at once, without asking the core.
func (p *pages) matchActionPost(c *fiber.Ctx, v *View) error {
	v.Form.Values = formValues(c)
	if in, ok := readAction(v); ok {
		id := c.Params("id")
		_, err := p.uc.ActOnMatch(c.UserContext(), server.Actor(c), id, in)
		if err == nil {
			return redirectFlash(c, "/matches/"+id, "flash.action_done")
		}
		if !putProblems(v, err, actionNames(in.Action)) {
			return err
		}
	}
	return p.showMatch(c, v, fiber.StatusBadRequest, true)
}

// readAction reads the posted action form; ok is false when a number in it
// cannot be read.
func readAction(v *View) (in finzone.ActionInput, ok bool) {
	f := v.Form
	in.Action = finzone.Action(f.Get("action"))
	in.Note = f.Get("note_" + string(in.Action))
	n := numbers{v: v, names: actionNames(in.Action)}
	switch in.Action {
	case finzone.ActionDecline:
		in.ReasonCode = f.Get("decline_reason")
	case finzone.ActionApprove:
		in.AmountYuan = n.wan("approved_amount_wan", true)
		in.RateBps = n.pct("approved_rate_pct", true)
		in.TermMonths = n.int("approved_term_months", true)
	case finzone.ActionDisburse:
		in.TrancheAmountYuan = n.wan("tranche_wan", true)
		if t := n.date("tranche_date"); t != nil && !t.IsZero() {
			in.TrancheDate = t // none given: today
		}
	}
	return in, len(n.malformed) == 0
}
