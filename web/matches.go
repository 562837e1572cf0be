package web

import (
	"strconv"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"

	"finzone"
	"finzone/server"
	"finzone/usecase"
)

// A match's page: the project's details, the institution's stage and the
// action forms its stage allows, the offer or cover it recorded, a paused
// clock, escalation and urging, and the coordinators' extend and urge forms.

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
// so, coordinators' extensions and urging are theirs, and the pipeline's
// push note, a role code, is translated.
func newEventRow(v *View, e finzone.Event, institution string) eventRow {
	r := eventRow{E: e, Who: institution, Note: e.Note}
	switch {
	case e.Actor == "system" || e.Actor == "":
		r.Who = v.T("event.by_platform")
	case e.Action == "extend" || e.Action == "urge":
		r.Who = v.T("event.by_coordinator")
	case strings.HasPrefix(e.Action, "offer_"):
		r.Who = v.T("event.by_enterprise")
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
	// Leasing offers record a lease mode instead of a repayment method.
	Leasing bool
	LPR     finzone.LPR
	// CanCoordinate shows the coordinators' forms; CanExtend and CanUrge
	// say whether the match allows them now.
	CanCoordinate bool
	CanExtend     bool
	CanUrge       bool
	// EnterpriseVerified: a coordinator verified the project's owner.
	EnterpriseVerified bool
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
	d := newMatchPageData(v, a, md)
	d.LPR = p.uc.LPR()
	if d.Syndicate, err = p.syndicateSection(c, v, md.Syndicate, md.Names, nil, "/matches/"+md.Match.ID); err != nil {
		return err
	}
	if d.EnterpriseVerified, err = p.ownerVerified(c, md.Project.OwnerOrgID); err != nil {
		return err
	}
	if !keepForm {
		matchFormDefaults(v, md.Match, md.Project)
	}
	v.TitleText, v.Data = md.Project.Title, d
	return p.render(c, status, "match", v)
}

func newMatchPageData(v *View, a finzone.Actor, md usecase.MatchDetail) matchPageData {
	m, pr := md.Match, md.Project
	d := matchPageData{P: pr, CanAct: a.CanActOnMatch(m), Back: "/inbox", BackLabel: "inbox.title",
		Row:     matchRow(m, v.Now, md.Names),
		Leasing: m.Category == finzone.CategoryLeasing, CanCoordinate: a.CanCoordinate(pr)}
	if !a.IsInstitution() {
		d.Back, d.BackLabel = "/projects/"+pr.ID, "project.back"
	}
	if d.CanAct {
		d.Actions = m.Actions()
	}
	if d.CanCoordinate {
		d.CanUrge = m.Stage.Open()
		d.CanExtend = m.Stage.Open() && !m.DueAt.IsZero() && m.ExtendedIn != m.Stage
	}
	for i := len(m.Events) - 1; i >= 0; i-- {
		d.Events = append(d.Events, newEventRow(v, m.Events[i], d.Row.InstitutionName))
	}
	return d
}

// matchFormDefaults are sensible starting values for the forms that take
// numbers: an offer of what the project still needs, on its term and its
// first guarantee mode; a cover of the whole amount; the rest of the offer
// to disburse, today.
func matchFormDefaults(v *View, m finzone.Match, pr finzone.Project) {
	f := v.Form.Values
	room := pr.AmountYuan - pr.AcceptedYuan()
	if room <= 0 {
		room = pr.AmountYuan
	}
	f.Set("approved_amount_wan", WanPlain(room))
	f.Set("approved_term_months", strconv.Itoa(pr.TermMonths))
	if len(pr.Collateral) > 0 {
		f.Set("guarantee_mode", string(pr.Collateral[0]))
	}
	f.Set("cover_wan", WanPlain(pr.AmountYuan))
	if left := m.Offer.AmountYuan - m.DisbursedYuan(); left > 0 {
		f.Set("tranche_wan", WanPlain(left))
	}
	f.Set("tranche_date", DateInput(v.Now))
}

// actionNames maps the core's action fields to the match page's forms.
func actionNames(action finzone.Action) map[string]string {
	return map[string]string{"note": "note_" + string(action), "reason_code": "decline_reason",
		"amount_yuan": "approved_amount_wan", "rate_bps": "approved_rate_pct", "lpr_spread_bps": "lpr_spread_bp",
		"term_months": "approved_term_months", "cover_yuan": "cover_wan", "fee_bps": "fee_pct",
		"tranche_amount_yuan": "tranche_wan", "tranche_date": "tranche_date", "action": "note_" + string(action)}
}

// matchActionPost applies one of the stage's action forms. Numbers the form
// cannot read are shown at once, without asking the core.
func (p *pages) matchActionPost(c *fiber.Ctx, v *View) error {
	v.Form.Values = formValues(c)
	in, ok := readAction(v)
	return p.matchFormPost(c, v, ok, actionNames(in.Action), "flash.action_done", func() error {
		_, err := p.uc.ActOnMatch(c.UserContext(), server.Actor(c), c.Params("id"), in)
		return err
	})
}

// matchFormPost runs a match form's operation when the form could be read
// (ok), and goes back to the match with a flash; field problems show on
// the match page, other errors as a page.
func (p *pages) matchFormPost(c *fiber.Ctx, v *View, ok bool, names map[string]string, flash string, call func() error) error {
	status := fiber.StatusBadRequest
	if ok {
		err := call()
		if err == nil {
			return redirectFlash(c, "/matches/"+c.Params("id"), flash)
		}
		if status, ok = formError(v, err, names); !ok {
			return err
		}
	}
	return p.showMatch(c, v, status, true)
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
		in.TermMonths = n.int("approved_term_months", true)
		// A fixed rate or a spread over the LPR: the core says when both or
		// neither is given.
		if given(f, "approved_rate_pct") {
			in.RateBps = n.pct("approved_rate_pct", true)
		}
		if given(f, "lpr_spread_bp") {
			in.LPRSpreadBps = n.int("lpr_spread_bp", true)
		}
		in.GuaranteeMode = finzone.Collateral(f.Get("guarantee_mode"))
		in.RepaymentMethod = finzone.RepaymentMethod(f.Get("repayment_method"))
		in.LeaseMode = finzone.LeaseMode(f.Get("lease_mode"))
	case finzone.ActionCommit:
		in.CoverYuan = n.wan("cover_wan", true)
		in.FeeBps = n.pct("fee_pct", true)
		in.RiskSharePct = n.int("risk_share_pct", true)
	case finzone.ActionDisburse:
		in.TrancheAmountYuan = n.wan("tranche_wan", true)
		if t := n.date("tranche_date"); t != nil && !t.IsZero() {
			in.TrancheDate = t // none given: today
		}
	}
	return in, len(n.malformed) == 0
}

// given reports whether a form field holds more than blanks.
func given(f *Form, name string) bool { return strings.TrimSpace(f.Get(name)) != "" }

// extendNames and urgeNames map the coordinators' inputs to their forms.
var (
	extendNames = map[string]string{"days": "extend_days", "note": "note_extend"}
	urgeNames   = map[string]string{"note": "note_urge"}
)

// extendPost is a coordinator moving a match's running deadline by a few
// working days, once per stage.
func (p *pages) extendPost(c *fiber.Ctx, v *View) error {
	v.Form.Values = formValues(c)
	n := numbers{v: v, names: extendNames}
	days := n.int("extend_days", true)
	return p.matchFormPost(c, v, len(n.malformed) == 0, extendNames, "flash.extended", func() error {
		_, err := p.uc.ExtendMatch(c.UserContext(), server.Actor(c), c.Params("id"),
			usecase.ExtendInput{Days: *days, Note: v.Form.Get("note_extend")})
		return err
	})
}

// urgePost is a coordinator's 督办: the institution is told, and the match
// shows it.
func (p *pages) urgePost(c *fiber.Ctx, v *View) error {
	v.Form.Values = formValues(c)
	return p.matchFormPost(c, v, true, urgeNames, "flash.urged", func() error {
		_, err := p.uc.UrgeMatch(c.UserContext(), server.Actor(c), c.Params("id"), v.Form.Get("note_urge"))
		return err
	})
}
