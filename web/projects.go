package web

import (
	"net/url"
	"sort"
	"strconv"

	"github.com/gofiber/fiber/v2"

	"finzone"
	"finzone/server"
	"finzone/usecase"
)

// An enterprise's projects: its list, the project form, the changes of
// status, and a project's page.

// projectNames maps the core's project field names to the project form's,
// whose money is in 万元 and rates in percent.
var projectNames = map[string]string{
	"amount_yuan": "amount_wan", "total_investment_yuan": "total_investment_wan",
	"rate_ceiling_bps": "rate_ceiling_pct",
}

// projectLayout is the project form's fields in page order, for the error
// summary.
var projectLayout = []string{"title", "project_type", "amount_wan", "term_months", "purpose", "collateral",
	"rate_ceiling_pct", "total_investment_wan", "region_code", "cluster_id", "industry_code", "green", "tech",
	"wants_insurance"}

// projectsPage is an enterprise's own projects with how many institutions
// hold a live slot and the nearest deadline among them; staff search
// projects instead.
func (p *pages) projectsPage(c *fiber.Ctx, v *View) error {
	a := server.Actor(c)
	if a.IsStaff() {
		return c.Redirect("/search", fiber.StatusSeeOther)
	}
	rows, err := p.uc.MyProjects(c.UserContext(), a)
	if err != nil {
		return err
	}
	v.Title, v.Data = "projects.title", rows
	return p.render(c, fiber.StatusOK, "projects", v)
}

type projectFormData struct{ Action, Cancel string }

var newProjectForm = projectFormData{Action: "/projects/new", Cancel: "/projects"}

func editProjectForm(id string) projectFormData {
	return projectFormData{Action: "/projects/" + id + "/edit", Cancel: "/projects/" + id}
}

func (p *pages) newProjectPage(c *fiber.Ctx, v *View) error {
	a := server.Actor(c)
	if !a.IsEnterprise() {
		return forbid("only enterprises post projects")
	}
	// Region, cluster and industry start as the enterprise's own.
	v.Form.Values = projectFormValues(finzone.Project{RegionCode: a.Org.RegionCode, ClusterID: a.Org.ClusterID,
		IndustryCode: a.Org.IndustryCode})
	return p.projectForm(c, v, fiber.StatusOK, "project_form.new_title", newProjectForm)
}

func (p *pages) newProjectPost(c *fiber.Ctx, v *View) error {
	pr, err := p.uc.CreateProject(c.UserContext(), server.Actor(c), readProjectForm(c, v))
	if err != nil {
		return p.projectFormFailed(c, v, err, "project_form.new_title", newProjectForm)
	}
	return redirectFlash(c, "/projects/"+pr.ID, "flash.project_saved")
}

func (p *pages) editProjectPage(c *fiber.Ctx, v *View) error {
	pr, err := p.uc.EditableProject(c.UserContext(), server.Actor(c), c.Params("id"))
	if err != nil {
		return err
	}
	v.Form.Values = projectFormValues(pr)
	return p.projectForm(c, v, fiber.StatusOK, "project_form.edit_title", editProjectForm(pr.ID))
}

func (p *pages) editProjectPost(c *fiber.Ctx, v *View) error {
	id := c.Params("id")
	pr, err := p.uc.EditProject(c.UserContext(), server.Actor(c), id, readProjectForm(c, v))
	if err != nil {
		return p.projectFormFailed(c, v, err, "project_form.edit_title", editProjectForm(id))
	}
	return redirectFlash(c, "/projects/"+pr.ID, "flash.project_saved")
}

// projectFormFailed shows the form again with its field problems; other
// errors are pages.
func (p *pages) projectFormFailed(c *fiber.Ctx, v *View, err error, title string, d projectFormData) error {
	status, ok := formError(v, err, projectNames)
	if !ok {
		return err
	}
	return p.projectForm(c, v, status, title, d)
}

func (p *pages) projectForm(c *fiber.Ctx, v *View, status int, title string, d projectFormData) error {
	if err := p.withClusters(c, v); err != nil {
		return err
	}
	v.Title, v.Data = title, d
	return p.render(c, status, "project_form", v)
}

// submitProjectPost sends a draft into matching; an incomplete one goes
// back to its form.
func (p *pages) submitProjectPost(c *fiber.Ctx, v *View) error {
	id := c.Params("id")
	pr, err := p.uc.SubmitProject(c.UserContext(), server.Actor(c), id)
	if finzone.IsCode(err, finzone.ECValidation) || finzone.IsCode(err, finzone.ECUnknownRegion) {
		return redirectFlash(c, "/projects/"+id+"/edit", "flash.fix_before_submit")
	}
	if err != nil {
		return err
	}
	if pr.Status == finzone.ProjectScreening {
		return redirectFlash(c, "/projects/"+pr.ID, "flash.project_screening")
	}
	return redirectFlash(c, "/projects/"+pr.ID, "flash.project_submitted")
}

func (p *pages) withdrawProjectPost(c *fiber.Ctx, v *View) error {
	pr, err := p.uc.WithdrawProject(c.UserContext(), server.Actor(c), c.Params("id"))
	if err != nil {
		return err
	}
	return redirectFlash(c, "/projects/"+pr.ID, "flash.project_withdrawn")
}

func (p *pages) deleteProjectPost(c *fiber.Ctx, v *View) error {
	if err := p.uc.DeleteProject(c.UserContext(), server.Actor(c), c.Params("id")); err != nil {
		return err
	}
	return redirectFlash(c, "/projects", "flash.project_deleted")
}

// projectFormValues is a project as its form shows it; every field round-trips.
func projectFormValues(p finzone.Project) url.Values {
	f := url.Values{}
	f.Set("title", p.Title)
	f.Set("project_type", string(p.Type))
	if p.AmountYuan != 0 {
		f.Set("amount_wan", WanPlain(p.AmountYuan))
	}
	if p.TermMonths != 0 {
		f.Set("term_months", strconv.Itoa(p.TermMonths))
	}
	f.Set("purpose", p.Purpose)
	for _, c := range p.Collateral {
		f.Add("collateral", string(c))
	}
	if p.RateCeilingBps != 0 {
		f.Set("rate_ceiling_pct", PercentPlain(int64(p.RateCeilingBps)))
	}
	if p.TotalInvestmentYuan != 0 {
		f.Set("total_investment_wan", WanPlain(p.TotalInvestmentYuan))
	}
	f.Set("region_code", p.RegionCode)
	f.Set("cluster_id", p.ClusterID)
	f.Set("industry_code", p.IndustryCode)
	if p.Green {
		f.Set("green", "on")
	}
	if p.Tech {
		f.Set("tech", "on")
	}
	if p.WantsInsurance {
		f.Set("wants_insurance", "on")
	}
	return f
}

// readProjectForm reads the posted project form; every field is given.
func readProjectForm(c *fiber.Ctx, v *View) usecase.ProjectInput {
	f, n := postedForm(c, v, projectLayout, projectNames)
	in := usecase.ProjectInput{
		Title:               ptr(f.Get("title")),
		Type:                ptr(finzone.ProjectType(f.Get("project_type"))),
		AmountYuan:          n.wan("amount_wan", true),
		TermMonths:          n.int("term_months", true),
		Purpose:             ptr(f.Get("purpose")),
		Collateral:          ptr(typed[finzone.Collateral](f.Values["collateral"])),
		RateCeilingBps:      n.pct("rate_ceiling_pct", false),
		TotalInvestmentYuan: n.wan("total_investment_wan", false),
		RegionCode:          ptr(f.Get("region_code")),
		ClusterID:           ptr(f.Get("cluster_id")),
		IndustryCode:        ptr(f.Get("industry_code")),
		Green:               ptr(f.Get("green") == "on"),
		Tech:                ptr(f.Get("tech") == "on"),
		WantsInsurance:      ptr(f.Get("wants_insurance") == "on"),
	}
	in.Malformed = n.malformed
	return in
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
	// Matches are the lenders (the 1+10); Enhancers the guarantee firms and
	// insurers beside them, which never count as financing; Offers the
	// lenders' offers, open ones first.
	Matches   []MatchRow
	Enhancers []MatchRow
	Offers    []MatchRow
	Accepted  int64
	Room      int64
	Events    []eventRow
	Syndicate *syndicateView
	// Attention is the notice shown when the waitlist ran dry: the owner's
	// text, the coordinators' text, or "" (institutions are not told).
	Attention string
	// Returned is the coordinators' note on a draft returned at screening.
	Returned *finzone.ProjectEvent
	// EnterpriseVerified: a coordinator verified the project's owner.
	EnterpriseVerified bool
	// The coordinators' forms: screening a project waiting for it, and
	// assigning one of Institutions to a project still open to money.
	CanCoordinate bool
	CanScreen     bool
	CanAssign     bool
	Institutions  []Option
	// ShowViews shows the enterprise who viewed its project: the latest
	// visits (Views) of ViewCount recorded.
	ShowViews bool
	Views     []viewRow
	ViewCount int64
}

func (p *pages) projectPage(c *fiber.Ctx, v *View) error {
	return p.showProject(c, v, fiber.StatusOK)
}

// showProject shows a project to its owner, to coordinators covering it
// and to the institutions it was pushed to: its details, each institution
// with role, stage, last step, deadline and the score parts that explain
// the choice (an institution sees only its own), the offers to answer, the
// event timeline and any syndicate; coordinators get their forms.
func (p *pages) showProject(c *fiber.Ctx, v *View, status int) error {
	a := server.Actor(c)
	pd, err := p.uc.ProjectDetail(c.UserContext(), a, c.Params("id"))
	if err != nil {
		return err
	}
	if err := p.withClusters(c, v); err != nil {
		return err
	}
	d := newProjectPageData(v, a, pd)
	if d.EnterpriseVerified, err = p.ownerVerified(c, pd.Project.OwnerOrgID); err != nil {
		return err
	}
	if d.Syndicate, err = p.syndicateSection(c, v, pd.Syndicate, pd.Names, pd.Mandatable, c.Path()); err != nil {
		return err
	}
	if d.CanAssign {
		if d.Institutions, err = p.assignOptions(c, a, pd.Matches); err != nil {
			return err
		}
	}
	if a.CanChangeProject(pd.Project) {
		l, err := p.uc.ProjectViews(c.UserContext(), a, pd.Project.ID)
		if err != nil {
			return err
		}
		d.ShowViews, d.Views, d.ViewCount = true, viewRows(v, &l), l.Count
	}
	if st := pd.Project.Status; len(pd.Matches) == 0 && (st == finzone.ProjectSubmitted || st == finzone.ProjectMatching) {
		v.Refresh = 3 // the pipeline is choosing institutions: show them as soon as they are pushed
	}
	v.TitleText, v.Data = pd.Project.Title, d
	return p.render(c, status, "project", v)
}

func newProjectPageData(v *View, a finzone.Actor, pd usecase.ProjectDetail) projectPageData {
	pr := pd.Project
	d := projectPageData{P: pr, CanChange: a.CanChangeProject(pr), Editable: pr.Editable(), Withdrawable: pr.Withdrawable(),
		Back: "/projects", BackLabel: "projects.title",
		Accepted: pr.AcceptedYuan(), Room: max(pr.AmountYuan-pr.AcceptedYuan(), 0), CanCoordinate: a.CanCoordinate(pr)}
	// A need held for its enterprise's verification is released by
	// verifying the enterprise, not screened.
	d.CanScreen = d.CanCoordinate && pr.Status == finzone.ProjectScreening && !pr.HeldForVerification()
	d.CanAssign = d.CanCoordinate && d.Withdrawable && !pr.NeedMet()
	if !a.IsEnterprise() {
		d.Back, d.BackLabel = "/search", "search.title"
	}
	if pr.NeedsAttention {
		switch {
		case a.IsEnterprise():
			d.Attention = "project.attention_owner"
		case a.IsStaff():
			d.Attention = "project.attention_staff"
		}
	}
	for _, m := range pd.Matches {
		row := matchRow(m, v.Now, pd.Names)
		if m.Role.Lends() {
			d.Matches = append(d.Matches, row)
		} else {
			d.Enhancers = append(d.Enhancers, row)
		}
		if m.Role.Lends() && m.Offer.Status != finzone.OfferNone {
			d.Offers = append(d.Offers, row)
		}
		for _, e := range m.Events {
			d.Events = append(d.Events, newEventRow(v, e, orgName(pd.Names, m.InstitutionID)))
		}
	}
	d.Events = append(d.Events, projectEventRows(v, pr, pd.Names, &d.Returned)...)
	sortProjectRows(&d)
	return d
}

// sortProjectRows puts the lead first, then by rank; open offers first; the
// newest event first.
func sortProjectRows(d *projectPageData) {
	byRole := func(rows []MatchRow) {
		sort.SliceStable(rows, func(i, j int) bool {
			if rows[i].M.Role != rows[j].M.Role {
				return rows[i].M.Role == finzone.RoleLead
			}
			return rows[i].M.Rank < rows[j].M.Rank
		})
	}
	byRole(d.Matches)
	byRole(d.Enhancers)
	byRole(d.Offers)
	sort.SliceStable(d.Offers, func(i, j int) bool {
		return d.Offers[i].M.Offer.Status == finzone.OfferPending && d.Offers[j].M.Offer.Status != finzone.OfferPending
	})
	sort.SliceStable(d.Events, func(i, j int) bool { return d.Events[i].E.At.After(d.Events[j].E.At) })
}

// projectEventRows are what coordinators and the platform did to the
// project itself, for the timeline; returned is set to the note of a
// return at screening while the project is a draft again.
func projectEventRows(v *View, pr finzone.Project, names map[string]string, returned **finzone.ProjectEvent) []eventRow {
	var out []eventRow
	for i, e := range pr.Events {
		r := eventRow{E: finzone.Event{At: e.At, Actor: e.Actor, Action: e.Action, Note: e.Note}, Who: v.T("event.by_coordinator"), Note: e.Note}
		switch {
		case e.Actor == "system" || e.Actor == "":
			r.Who = v.T("event.by_platform")
		case e.Action == "submit_for_screening":
			r.Who, r.Note = v.T("event.by_enterprise"), v.Enum("screen", e.Note)
		case e.Action == finzone.EventAssign:
			r.Note = orgName(names, e.InstitutionID) + joinNote(e.Note)
		}
		if e.Action == "screen_return" && i == len(pr.Events)-1 && pr.Status == finzone.ProjectDraft {
			*returned = &pr.Events[i]
		}
		out = append(out, r)
	}
	return out
}

// joinNote appends a note after a name.
func joinNote(note string) string {
	if note == "" {
		return ""
	}
	return ": " + note
}
