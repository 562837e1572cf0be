package api

import (
	"encoding/json"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"

	"finzone"
	"finzone/web"
)

// The pipeline's pages: an institution's inbox, match page and webhook
// settings, and the coordinator's board. Every change goes through the
// API's own logic (applyAction, respondShare, signFor, or a handler run by
// viaAPI), so pages and API apply one set of rules.

func (ps *pageServer) mountMatchPages(app *fiber.App) {
	app.Get("/inbox", ps.page(true, ps.inboxPage))
	app.Get("/matches/:id", ps.page(true, ps.matchPage))
	app.Post("/matches/:id/action", ps.page(true, ps.matchActionPost))
	// A page drawn by a POST (a form with field messages) links its language
	// switch to its own address; these lead back to the page itself.
	app.Get("/matches/:id/action", func(c *fiber.Ctx) error {
		return c.Redirect("/matches/"+url.PathEscape(c.Params("id")), fiber.StatusSeeOther)
	})
	app.Get("/review/products/:id", func(c *fiber.Ctx) error {
		return c.Redirect("/products/"+url.PathEscape(c.Params("id")), fiber.StatusSeeOther)
	})
	app.Post("/projects/:id/syndicate/respond", ps.page(true, ps.syndicateRespondPost))
	app.Post("/projects/:id/syndicate/sign", ps.page(true, ps.syndicateSignPost))
	app.Get("/pipeline", ps.page(true, ps.pipelinePage))
	app.Get("/webhooks", ps.page(true, ps.webhooksPage))
	app.Post("/webhooks", ps.page(true, ps.webhooksPost))
}

// viaAPI runs an API handler on this request with body as its JSON input
// and drops its JSON answer: the page gets exactly the API's permission
// checks, validation and side effects, and renders the outcome itself.
func viaAPI(c *fiber.Ctx, h fiber.Handler, body any) error {
	b, err := json.Marshal(body)
	if err != nil {
		return err
	}
	c.Request().Header.SetContentType(fiber.MIMEApplicationJSON)
	c.Request().SetBody(b)
	err = h(c)
	c.Response().ResetBody()
	c.Status(fiber.StatusOK)
	return err
}

type inboxData struct {
	Rows    []web.MatchRow
	ShowAll bool
	Unread  int
}

// inboxPage lists the projects pushed to an institution, soonest deadline
// first, overdue ones in red and unread ones marked.
func (ps *pageServer) inboxPage(c *fiber.Ctx, v *web.View) error {
	a := actor(c)
	if !a.IsInstitution() {
		return forbid("the inbox is for institutions")
	}
	d := inboxData{ShowAll: c.Query("show") == "all"}
	pg := finzone.Page{Limit: finzone.MaxPageLimit, Sort: "due_at"}
	for read := 0; read < 1000; {
		ms, next, err := ps.store.ListMatches(c.UserContext(), finzone.MatchFilter{InstitutionID: a.Org.ID}, pg)
		if err != nil {
			return err
		}
		read += len(ms)
		for _, m := range ms {
			if !m.Read {
				d.Unread++
			}
			if d.ShowAll || m.Stage.Open() {
				d.Rows = append(d.Rows, ps.matchRow(m, nil))
			}
		}
		if next == "" {
			break
		}
		pg.Cursor = next
	}
	// Deadlines first, soonest on top; matches without one after them.
	sort.SliceStable(d.Rows, func(i, j int) bool {
		di, dj := d.Rows[i].M.DueAt, d.Rows[j].M.DueAt
		if di.IsZero() != dj.IsZero() {
			return !di.IsZero()
		}
		return di.Before(dj)
	})
	v.Title = "inbox.title"
	v.Data = d
	return ps.render(c, fiber.StatusOK, "inbox", v)
}

type matchPageData struct {
	Row       web.MatchRow
	P         finzone.Project
	CanAct    bool
	Actions   []finzone.Action
	Events    []eventRow
	Syndicate *syndicateView
	Back      string
	BackLabel string
}

// matchPage shows one match: the project's details, the institution's stage
// and the actions this stage allows.
func (ps *pageServer) matchPage(c *fiber.Ctx, v *web.View) error {
	return ps.showMatch(c, v, fiber.StatusOK, "")
}

func (ps *pageServer) showMatch(c *fiber.Ctx, v *web.View, status int, failed finzone.Action) error {
	m, p, err := ps.loadMatch(c)
	if err != nil {
		return err
	}
	a := actor(c)
	d := matchPageData{P: p, CanAct: a.CanActOnMatch(m), Back: "/inbox", BackLabel: "inbox.title"}
	if !a.IsInstitution() {
		d.Back, d.BackLabel = "/projects/"+p.ID, "project.back"
	}
	if d.CanAct && !m.Read && c.Method() == fiber.MethodGet {
		if err := ps.store.SetMatchRead(c.UserContext(), m.ID, true); err != nil {
			return err
		}
		m.Read = true
	}
	names := ps.orgNames(c)
	d.Row = ps.matchRow(m, names)
	if d.CanAct {
		d.Actions = m.Stage.Actions()
	}
	for i := len(m.Events) - 1; i >= 0; i-- {
		e := m.Events[i]
		who := d.Row.InstitutionName
		if e.Actor == "system" || e.Actor == "" {
			who = v.T("event.by_platform")
		}
		d.Events = append(d.Events, newEventRow(v, e, who))
	}
	if d.Syndicate, err = ps.syndicateView(c, p, names); err != nil {
		return err
	}
	if err := ps.withClusters(c, v); err != nil {
		return err
	}
	if failed == "" {
		// Sensible starting values for the forms that take numbers.
		v.Form.Values.Set("approved_amount_wan", web.WanPlain(p.AmountYuan))
		v.Form.Values.Set("approved_term_months", itoa(p.TermMonths))
		if left := m.ApprovedAmountYuan - m.DisbursedYuan(); left > 0 {
			v.Form.Values.Set("tranche_wan", web.WanPlain(left))
		}
		v.Form.Values.Set("tranche_date", web.DateInput(ps.now()))
	}
	v.TitleText = p.Title
	v.Data = d
	return ps.render(c, status, "match", v)
}

// matchRename maps the API's action fields to the match page's forms.
func matchRename(action finzone.Action) map[string]string {
	return map[string]string{"note": "note_" + string(action), "reason_code": "decline_reason",
		"amount_yuan": "approved_amount_wan", "rate_bps": "approved_rate_pct", "term_months": "approved_term_months",
		"tranche_amount_yuan": "tranche_wan", "tranche_date": "tranche_date", "action": "note_" + string(action)}
}

// matchActionPost reads one of the stage's action forms and applies it
// with the API's own applyAction: the same permission check, validation,
// conditional move and pipeline notice.
func (ps *pageServer) matchActionPost(c *fiber.Ctx, v *web.View) error {
	m, p, err := ps.loadMatch(c)
	if err != nil {
		return err
	}
	v.Form.Values = formValues(c)
	action := finzone.Action(v.Form.Get("action"))
	in := actionInput{Action: action, Note: v.Form.Get("note_" + string(action))}
	switch action {
	case finzone.ActionDecline:
		in.ReasonCode = v.Form.Get("decline_reason")
	case finzone.ActionApprove:
		amount := wanField(v, "approved_amount_wan", true)
		if strings.TrimSpace(v.Form.Get("approved_rate_pct")) == "" {
			v.Form.Fail("approved_rate_pct", v.T("err.required"))
		}
		rate := pctField(v, "approved_rate_pct")
		term := int(intField(v, "approved_term_months", true))
		in.AmountYuan, in.RateBps, in.TermMonths = &amount, &rate, &term
	case finzone.ActionDisburse:
		amount := wanField(v, "tranche_wan", true)
		in.TrancheAmountYuan = &amount
		if t := dateField(v, "tranche_date"); !t.IsZero() {
			in.TrancheDate = &t
		}
	}
	if !v.Form.Invalid() {
		_, err := ps.applyAction(c, actor(c), m, p, in)
		if err == nil {
			return ps.redirectFlash(c, "/matches/"+m.ID, "flash.action_done")
		}
		if !showProblems(v, err, matchRename(action)) {
			return err
		}
	}
	return ps.showMatch(c, v, fiber.StatusBadRequest, action)
}

// syndicateRespondPost accepts or declines the institution's share.
func (ps *pageServer) syndicateRespondPost(c *fiber.Ctx, v *web.View) error {
	p, err := ps.loadProject(c)
	if err != nil {
		return err
	}
	if _, err := ps.respondShare(c, actor(c), p, c.FormValue("decision")); err != nil {
		return err
	}
	return ps.redirectFlash(c, localPath(c.FormValue("back")), "flash.share_answered")
}

// syndicateSignPost lets the lead arranger mark a committed syndicate signed.
func (ps *pageServer) syndicateSignPost(c *fiber.Ctx, v *web.View) error {
	p, err := ps.loadProject(c)
	if err != nil {
		return err
	}
	if _, err := ps.signFor(c, actor(c), p); err != nil {
		return err
	}
	return ps.redirectFlash(c, localPath(c.FormValue("back")), "flash.syndicate_signed")
}

type pipelineData struct {
	Q, Stage string
	Stages   []finzone.Stage
	Region   string
	Regions  []web.Option
	Columns  []pipelineColumn
	Overdue  []web.MatchRow
	Total    int
	Capped   bool
	AsOf     time.Time
}

type pipelineColumn struct {
	Stage finzone.Stage
	Rows  []web.MatchRow
	More  int
}

// pipelinePage is the coordinator's board: every match in scope by stage,
// and the overdue list to chase.
func (ps *pageServer) pipelinePage(c *fiber.Ctx, v *web.View) error {
	a := actor(c)
	if err := requireStaff(a); err != nil {
		return err
	}
	d := pipelineData{Region: c.Query("region"), Regions: regionOptions(a), Q: strings.TrimSpace(c.Query("q")),
		Stage: c.Query("stage"), Stages: finzone.Stages}
	if !finzone.Stage(d.Stage).Valid() {
		d.Stage = ""
	}
	all, at, err := ps.scopeMatches(c, scopeRegions(a, ""))
	if err != nil {
		return err
	}
	d.AsOf = at
	in := regionSet(scopeRegions(a, d.Region))
	names := ps.orgNames(c)
	q := strings.ToLower(d.Q)
	var ms []finzone.Match
	for _, m := range all {
		switch {
		case in != nil && !in[m.RegionCode]:
		case d.Stage != "" && string(m.Stage) != d.Stage:
		case q != "" && !strings.Contains(strings.ToLower(m.ProjectTitle), q) &&
			!strings.Contains(strings.ToLower(names.name(m.InstitutionID)), q):
		default:
			ms = append(ms, m)
		}
	}
	d.Capped = len(all) >= reportMatchLimit
	sort.SliceStable(ms, func(i, j int) bool {
		di, dj := ms[i].DueAt, ms[j].DueAt
		if di.IsZero() != dj.IsZero() {
			return !di.IsZero()
		}
		return di.Before(dj)
	})
	byStage := map[finzone.Stage][]web.MatchRow{}
	for _, m := range ms {
		d.Total++
		byStage[m.Stage] = append(byStage[m.Stage], ps.matchRow(m, nil))
		if m.Overdue(ps.now()) && len(d.Overdue) < 500 {
			d.Overdue = append(d.Overdue, ps.matchRow(m, names))
		}
	}
	for _, s := range append(append([]finzone.Stage{}, pipelineStages...), finzone.StageDeclined, finzone.StageExpired) {
		if d.Stage != "" && string(s) != d.Stage {
			continue
		}
		col := pipelineColumn{Stage: s, Rows: byStage[s]}
		if len(col.Rows) > 25 {
			col.More, col.Rows = len(col.Rows)-25, col.Rows[:25]
		}
		for i := range col.Rows {
			col.Rows[i].InstitutionName = names.name(col.Rows[i].M.InstitutionID)
		}
		d.Columns = append(d.Columns, col)
	}
	v.Title = "pipeline.title"
	v.Data = d
	return ps.render(c, fiber.StatusOK, "pipeline", v)
}

type webhooksData struct {
	URL        string
	SecretSet  bool
	UpdatedAt  time.Time
	Deliveries []finzone.Delivery
}

// webhooksPage shows an institution's webhook and its delivery log.
func (ps *pageServer) webhooksPage(c *fiber.Ctx, v *web.View) error {
	return ps.showWebhooks(c, v, fiber.StatusOK)
}

func (ps *pageServer) showWebhooks(c *fiber.Ctx, v *web.View, status int) error {
	a := actor(c)
	if err := webhookAdmin(a); err != nil {
		return err
	}
	var d webhooksData
	wh, err := ps.store.Webhook(c.UserContext(), a.Org.ID)
	switch {
	case err == nil:
		d.URL, d.SecretSet, d.UpdatedAt = wh.URL, wh.Secret != "", wh.UpdatedAt
	case !finzone.IsCode(err, finzone.ECNotFound):
		return err
	}
	if d.Deliveries, _, err = ps.store.ListDeliveries(c.UserContext(), a.Org.ID, finzone.Page{Limit: 50}); err != nil {
		return err
	}
	if status == fiber.StatusOK {
		v.Form.Values.Set("webhook_url", d.URL)
	}
	v.Title = "webhooks.title"
	v.Data = d
	return ps.render(c, status, "webhooks", v)
}

func (ps *pageServer) webhooksPost(c *fiber.Ctx, v *web.View) error {
	v.Form.Values = formValues(c)
	secret := v.Form.Get("webhook_secret")
	v.Form.Values.Del("webhook_secret")
	err := viaAPI(c, ps.putWebhook, map[string]string{"url": strings.TrimSpace(v.Form.Get("webhook_url")), "secret": secret})
	if err == nil {
		return ps.redirectFlash(c, "/webhooks", "flash.webhook_saved")
	}
	if !showProblems(v, err, map[string]string{"url": "webhook_url", "secret": "webhook_secret"}) {
		return err
	}
	return ps.showWebhooks(c, v, fiber.StatusBadRequest)
}

func itoa(n int) string { return strconv.Itoa(n) }
