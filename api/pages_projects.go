package api

import (
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"

	"finzone"
	"finzone/web"
)

// projectRename maps domain field names to the project form's, whose money
// is in 万元 and rates in percent.
var projectRename = map[string]string{
	"amount_yuan": "amount_wan", "total_investment_yuan": "total_investment_wan",
	"rate_ceiling_bps": "rate_ceiling_pct",
}

type projectRow struct {
	P          finzone.Project
	HasMatches bool
	Live       int
	NextDue    time.Time
	Overdue    bool
}

type projectsData struct{ Rows []projectRow }

// projectsPage is an enterprise's list of its own projects with how many
// institutions hold a live slot and the nearest deadline among them.
func (ps *pageServer) projectsPage(c *fiber.Ctx, v *web.View) error {
	a := actor(c)
	if !a.IsEnterprise() {
		if a.IsCoordinator() || a.IsPlatformAdmin() {
			return c.Redirect("/search", fiber.StatusSeeOther)
		}
		return forbid("only enterprises have projects")
	}
	var rows []projectRow
	pg := finzone.Page{Limit: finzone.MaxPageLimit}
	for {
		items, next, err := ps.store.ListProjects(c.UserContext(), finzone.ProjectFilter{OwnerOrgID: a.Org.ID}, pg)
		if err != nil {
			return err
		}
		for _, p := range items {
			row := projectRow{P: p}
			if p.Status != finzone.ProjectDraft {
				ms, err := ps.ledgerMatches(c, p)
				if err != nil {
					return err
				}
				row.HasMatches = true
				for _, m := range ms {
					if m.Stage.Live() {
						row.Live++
					}
					if m.Stage.Open() && !m.DueAt.IsZero() && (row.NextDue.IsZero() || m.DueAt.Before(row.NextDue)) {
						row.NextDue = m.DueAt
						row.Overdue = m.Overdue(ps.now())
					}
				}
			}
			rows = append(rows, row)
		}
		if next == "" || len(rows) >= 500 {
			break
		}
		pg.Cursor = next
	}
	v.Title = "projects.title"
	v.Data = projectsData{Rows: rows}
	return ps.render(c, fiber.StatusOK, "projects", v)
}

type projectFormData struct{ Action, Cancel string }

func (ps *pageServer) newProjectPage(c *fiber.Ctx, v *web.View) error {
	a := actor(c)
	if !a.IsEnterprise() {
		return forbid("only enterprises post projects")
	}
	if err := ps.withClusters(c, v); err != nil {
		return err
	}
	// Region, cluster and industry start as the enterprise's own.
	v.Form.Values = projectFormValues(finzone.Project{RegionCode: a.Org.RegionCode, ClusterID: a.Org.ClusterID,
		IndustryCode: a.Org.IndustryCode})
	v.Title = "project_form.new_title"
	v.Data = projectFormData{Action: "/projects/new", Cancel: "/projects"}
	return ps.render(c, fiber.StatusOK, "project_form", v)
}

func (ps *pageServer) newProjectPost(c *fiber.Ctx, v *web.View) error {
	a := actor(c)
	if !a.IsEnterprise() {
		return forbid("only enterprises post projects")
	}
	p := finzone.Project{OwnerOrgID: a.Org.ID, EnterpriseSize: a.Org.Size, Status: finzone.ProjectDraft}
	v.Form.Values = formValues(c)
	v.Form.Layout = projectLayout
	readProjectForm(v, &p)
	if err := ps.validateProject(c, &p); err != nil && !showProblems(v, err, projectRename) {
		return err
	}
	if v.Form.Invalid() {
		if err := ps.withClusters(c, v); err != nil {
			return err
		}
		v.Title = "project_form.new_title"
		v.Data = projectFormData{Action: "/projects/new", Cancel: "/projects"}
		return ps.render(c, fiber.StatusBadRequest, "project_form", v)
	}
	if err := ps.store.CreateProject(c.UserContext(), &p); err != nil {
		return err
	}
	return ps.redirectFlash(c, "/projects/"+p.ID, "flash.project_saved")
}

func (ps *pageServer) editProjectPage(c *fiber.Ctx, v *web.View) error {
	p, err := ps.loadOwnProject(c)
	if err != nil {
		return err
	}
	if !p.Editable() {
		return finzone.Errorf(finzone.ECInvalidState, "only drafts can be edited")
	}
	if err := ps.withClusters(c, v); err != nil {
		return err
	}
	v.Form.Values = projectFormValues(p)
	v.Title = "project_form.edit_title"
	v.Data = projectFormData{Action: "/projects/" + p.ID + "/edit", Cancel: "/projects/" + p.ID}
	return ps.render(c, fiber.StatusOK, "project_form", v)
}

func (ps *pageServer) editProjectPost(c *fiber.Ctx, v *web.View) error {
	p, err := ps.loadOwnProject(c)
	if err != nil {
		return err
	}
	if !p.Editable() {
		return finzone.Errorf(finzone.ECInvalidState, "only drafts can be edited")
	}
	v.Form.Values = formValues(c)
	v.Form.Layout = projectLayout
	readProjectForm(v, &p)
	if err := ps.validateProject(c, &p); err != nil && !showProblems(v, err, projectRename) {
		return err
	}
	if v.Form.Invalid() {
		if err := ps.withClusters(c, v); err != nil {
			return err
		}
		v.Title = "project_form.edit_title"
		v.Data = projectFormData{Action: "/projects/" + p.ID + "/edit", Cancel: "/projects/" + p.ID}
		return ps.render(c, fiber.StatusBadRequest, "project_form", v)
	}
	if _, err := ps.store.UpdateProject(c.UserContext(), p, finzone.ProjectDraft); err != nil {
		return err
	}
	return ps.redirectFlash(c, "/projects/"+p.ID, "flash.project_saved")
}

// submitProjectPost sends a draft into matching, exactly as the API does.
func (ps *pageServer) submitProjectPost(c *fiber.Ctx, v *web.View) error {
	p, err := ps.loadOwnProject(c)
	if err != nil {
		return err
	}
	if p.Status != finzone.ProjectDraft {
		return finzone.Errorf(finzone.ECInvalidState, "only drafts can be submitted")
	}
	if err := ps.validateProject(c, &p); err != nil {
		if finzone.IsCode(err, finzone.ECValidation) || finzone.IsCode(err, finzone.ECUnknownRegion) {
			return ps.redirectFlash(c, "/projects/"+p.ID+"/edit", "flash.fix_before_submit")
		}
		return err
	}
	p, err = ps.store.SetProjectStatus(c.UserContext(), p.ID, []finzone.ProjectStatus{finzone.ProjectDraft},
		finzone.ProjectSubmitted, ps.now())
	if err != nil {
		return err
	}
	ps.notify(c, "submitted", func(pl finzone.Pipeline) error { return pl.ProjectSubmitted(c.UserContext(), p.ID) })
	return ps.redirectFlash(c, "/projects/"+p.ID, "flash.project_submitted")
}

func (ps *pageServer) withdrawProjectPost(c *fiber.Ctx, v *web.View) error {
	p, err := ps.loadOwnProject(c)
	if err != nil {
		return err
	}
	if !p.Withdrawable() {
		return finzone.Errorf(finzone.ECInvalidState, "a %s project cannot be withdrawn", p.Status)
	}
	p, err = ps.store.SetProjectStatus(c.UserContext(), p.ID, []finzone.ProjectStatus{finzone.ProjectSubmitted,
		finzone.ProjectMatching, finzone.ProjectInProgress, finzone.ProjectPartiallyFunded}, finzone.ProjectWithdrawn, ps.now())
	if err != nil {
		return err
	}
	ps.notify(c, "withdrawn", func(pl finzone.Pipeline) error { return pl.ProjectWithdrawn(c.UserContext(), p.ID) })
	return ps.redirectFlash(c, "/projects/"+p.ID, "flash.project_withdrawn")
}

func (ps *pageServer) deleteProjectPost(c *fiber.Ctx, v *web.View) error {
	p, err := ps.loadOwnProject(c)
	if err != nil {
		return err
	}
	if !p.Editable() {
		return finzone.Errorf(finzone.ECInvalidState, "only drafts can be deleted")
	}
	if err := ps.store.DeleteProject(c.UserContext(), p.ID, finzone.ProjectDraft); err != nil {
		return err
	}
	return ps.redirectFlash(c, "/projects", "flash.project_deleted")
}

func (ps *pageServer) withClusters(c *fiber.Ctx, v *web.View) error {
	cl, err := ps.store.Clusters(c.UserContext())
	v.Clusters = cl
	return err
}

// projectLayout is the project form's fields in page order, for the error
// summary.
var projectLayout = []string{"title", "project_type", "amount_wan", "term_months", "purpose", "collateral",
	"rate_ceiling_pct", "total_investment_wan", "region_code", "cluster_id", "industry_code", "green", "tech"}

// projectFormValues is a project as its form shows it; every field round-trips.
func projectFormValues(p finzone.Project) url.Values {
	f := url.Values{}
	f.Set("title", p.Title)
	f.Set("project_type", string(p.Type))
	if p.AmountYuan != 0 {
		f.Set("amount_wan", web.WanPlain(p.AmountYuan))
	}
	if p.TermMonths != 0 {
		f.Set("term_months", strconv.Itoa(p.TermMonths))
	}
	f.Set("purpose", p.Purpose)
	for _, c := range p.Collateral {
		f.Add("collateral", string(c))
	}
	if p.RateCeilingBps != 0 {
		f.Set("rate_ceiling_pct", web.PercentPlain(int64(p.RateCeilingBps)))
	}
	if p.TotalInvestmentYuan != 0 {
		f.Set("total_investment_wan", web.WanPlain(p.TotalInvestmentYuan))
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
	return f
}

// readProjectForm copies the form into p, noting numbers that do not parse.
func readProjectForm(v *web.View, p *finzone.Project) {
	f := v.Form
	p.Title = f.Get("title")
	p.Type = finzone.ProjectType(f.Get("project_type"))
	p.AmountYuan = wanField(v, "amount_wan", true)
	p.TermMonths = int(intField(v, "term_months", true))
	p.Purpose = f.Get("purpose")
	p.Collateral = nil
	for _, c := range f.Values["collateral"] {
		p.Collateral = append(p.Collateral, finzone.Collateral(c))
	}
	p.RateCeilingBps = pctField(v, "rate_ceiling_pct")
	p.TotalInvestmentYuan = wanField(v, "total_investment_wan", false)
	p.RegionCode = f.Get("region_code")
	p.ClusterID = f.Get("cluster_id")
	p.IndustryCode = f.Get("industry_code")
	p.Green = f.Get("green") == "on"
	p.Tech = f.Get("tech") == "on"
}

// wanField reads a 万元 amount; an empty optional field is 0.
func wanField(v *web.View, name string, required bool) int64 {
	s := strings.TrimSpace(v.Form.Get(name))
	if s == "" {
		if required {
			v.Form.Fail(name, v.T("err.required"))
		}
		return 0
	}
	n, ok := web.ParseWan(s)
	if !ok {
		v.Form.Fail(name, v.T("err.wan"))
	}
	return n
}

func intField(v *web.View, name string, required bool) int64 {
	s := strings.TrimSpace(v.Form.Get(name))
	if s == "" {
		if required {
			v.Form.Fail(name, v.T("err.required"))
		}
		return 0
	}
	n, err := strconv.ParseInt(s, 10, 32)
	if err != nil {
		v.Form.Fail(name, v.T("err.integer"))
	}
	return n
}

func pctField(v *web.View, name string) int {
	s := strings.TrimSpace(v.Form.Get(name))
	if s == "" {
		return 0
	}
	n, ok := web.ParsePercent(s)
	if !ok {
		v.Form.Fail(name, v.T("err.percent"))
	}
	return n
}
