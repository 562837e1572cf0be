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

// The coordinators' and platform admins' pages: review queues, project
// search and the administration overview. The dashboard is in
// pages_dashboard.go.

func requireStaff(a finzone.Actor) error {
	if !a.IsCoordinator() && !a.IsPlatformAdmin() {
		return forbid("coordinators and platform admins only")
	}
	return nil
}

// scopeRegions is the division codes a coordinator sees, narrowed to one
// region asked for; nil means everything (platform admins).
func scopeRegions(a finzone.Actor, region string) []string {
	var out []string
	if !a.IsPlatformAdmin() {
		out = finzone.ExpandRegions(a.User.Regions)
	}
	if region != "" {
		if _, ok := finzone.LookupRegion(region); ok {
			want := finzone.ExpandRegions([]string{region})
			if out == nil {
				return want
			}
			return intersect(out, want)
		}
	}
	return out
}

// regionOptions lists what a staff member may filter by: the cities in
// scope, or a city's counties.
func regionOptions(a finzone.Actor) []web.Option {
	scopes := a.User.Regions
	if a.IsPlatformAdmin() {
		scopes = []string{finzone.ProvinceCode}
	}
	var out []web.Option
	seen := map[string]bool{}
	for _, r := range finzone.Regions() {
		for _, s := range scopes {
			ok := false
			switch sr, _ := finzone.LookupRegion(s); sr.Kind {
			case finzone.RegionProvince:
				ok = r.Kind == finzone.RegionCity
			case finzone.RegionCity:
				ok = r.Code == s || r.CityCode == s && r.Kind != finzone.RegionCity
			default:
				ok = r.Code == s
			}
			if ok && !seen[r.Code] {
				seen[r.Code] = true
				label := r.Name
				if r.Kind != finzone.RegionCity {
					label = r.CityName + " " + r.Name
				}
				out = append(out, web.Option{Value: r.Code, Label: label})
			}
		}
	}
	return out
}

type searchData struct {
	Q, Status, Region string
	Statuses          []finzone.ProjectStatus
	Regions           []web.Option
	Rows              []finzone.Project
	Next              string
}

// searchPage finds projects in the coordinator's scope by words in the
// title, status and region.
func (ps *pageServer) searchPage(c *fiber.Ctx, v *web.View) error {
	a := actor(c)
	if err := requireStaff(a); err != nil {
		return err
	}
	d := searchData{Q: strings.TrimSpace(c.Query("q")), Status: c.Query("status"), Region: c.Query("region"),
		Statuses: finzone.ProjectStatuses, Regions: regionOptions(a)}
	f := finzone.ProjectFilter{Regions: scopeRegions(a, d.Region)}
	if finzone.ProjectStatus(d.Status).Valid() {
		f.Status = finzone.ProjectStatus(d.Status)
	} else {
		d.Status = ""
	}
	pg := finzone.Page{Limit: 50, Cursor: c.Query("cursor")}
	if d.Q == "" {
		rows, next, err := ps.store.ListProjects(c.UserContext(), f, pg)
		if err != nil {
			return err
		}
		d.Rows = rows
		if next != "" {
			d.Next = "/search?" + queryWith(c, "cursor", next)
		}
	} else {
		// The store has no text index: scan newest first and keep matches.
		q := strings.ToLower(d.Q)
		pg.Limit = finzone.MaxPageLimit
		for scanned := 0; scanned < 2000 && len(d.Rows) < 50; {
			rows, next, err := ps.store.ListProjects(c.UserContext(), f, pg)
			if err != nil {
				return err
			}
			scanned += len(rows)
			for _, p := range rows {
				if strings.Contains(strings.ToLower(p.Title), q) || p.ID == d.Q {
					d.Rows = append(d.Rows, p)
				}
			}
			if next == "" {
				break
			}
			pg.Cursor = next
		}
	}
	v.Title = "search.title"
	v.Data = d
	return ps.render(c, fiber.StatusOK, "search", v)
}

func queryWith(c *fiber.Ctx, key, val string) string {
	q := c.Request().URI().QueryArgs()
	args := fiber.AcquireArgs()
	defer fiber.ReleaseArgs(args)
	q.CopyTo(args)
	args.Set(key, val)
	return args.String()
}

type reviewRow struct {
	P     finzone.Product
	Owner string
}

func (ps *pageServer) reviewProductsPage(c *fiber.Ctx, v *web.View) error {
	a := actor(c)
	if err := requireStaff(a); err != nil {
		return err
	}
	f := finzone.ProductFilter{Status: finzone.ReviewPending}
	if !a.IsPlatformAdmin() {
		f.ScopeRegions = finzone.ProductScopeRegions(a.User.Regions)
	}
	items, _, err := ps.store.ListProducts(c.UserContext(), f, finzone.Page{Limit: finzone.MaxPageLimit, Sort: "updated_at"})
	if finzone.IsCode(err, finzone.ECValidation) {
		items, _, err = ps.store.ListProducts(c.UserContext(), f, finzone.Page{Limit: finzone.MaxPageLimit})
	}
	if err != nil {
		return err
	}
	names := ps.orgNames(c)
	rows := make([]reviewRow, 0, len(items))
	for _, p := range items {
		if a.CanReviewProduct(p) {
			rows = append(rows, reviewRow{P: p, Owner: names.name(p.OwnerOrgID)})
		}
	}
	v.Title = "review.products_title"
	v.Data = rows
	return ps.render(c, fiber.StatusOK, "review_products", v)
}

// reviewProductPost approves or rejects the version in review; a rejection
// must say why, and the owner sees the note.
func (ps *pageServer) reviewProductPost(c *fiber.Ctx, v *web.View) error {
	a := actor(c)
	head, err := ps.store.Product(c.UserContext(), c.Params("id"))
	if err != nil {
		return err
	}
	if !a.CanReviewProduct(head) {
		if a.CanSeeProduct(head) {
			return forbid("only coordinators review, never the owner")
		}
		return finzone.Errorf(finzone.ECNotFound, "product hidden from actor")
	}
	if head.Status != finzone.ReviewPending {
		return finzone.Errorf(finzone.ECInvalidState, "version %d is %s, not pending review", head.Version, head.Status)
	}
	note := strings.TrimSpace(c.FormValue("note"))
	v.Form.Values.Set("note", note)
	switch c.FormValue("decision") {
	case "approve":
		head.Status = finzone.ReviewPublished
	case "reject":
		head.Status = finzone.ReviewRejected
		if note == "" {
			v.Form.Fail("note", v.T("review.note_required"))
		}
	default:
		v.Form.Fail("note", v.T("err.invalid_value"))
	}
	if len([]rune(note)) > 1000 {
		v.Form.Fail("note", v.T("err.too_long", "max", 1000))
	}
	if v.Form.Invalid() {
		versions, err := ps.store.ProductVersions(c.UserContext(), head.ID)
		if err != nil {
			return err
		}
		p, _ := ps.store.Product(c.UserContext(), head.ID)
		d := productPageData{P: p, CanReview: true, Editable: p.Editable(), Back: "/review/products", BackLabel: "review.products_title"}
		for i := len(versions) - 1; i >= 0; i-- {
			d.Versions = append(d.Versions, versions[i])
		}
		v.TitleText, v.Data = p.Name, d
		return ps.render(c, fiber.StatusBadRequest, "product", v)
	}
	head.ReviewedBy, head.ReviewNote, head.ReviewedAt = a.User.ID, note, ps.now()
	p, err := ps.store.SetProductReview(c.UserContext(), head, finzone.ReviewPending)
	if err != nil {
		return err
	}
	if p.Status == finzone.ReviewPublished {
		ps.notify(c, "catalogue", func(pl finzone.Pipeline) error { return pl.CatalogueChanged(c.UserContext()) })
		return ps.redirectFlash(c, "/review/products", "flash.product_approved")
	}
	return ps.redirectFlash(c, "/review/products", "flash.product_rejected")
}

func (ps *pageServer) reviewInstitutionsPage(c *fiber.Ctx, v *web.View) error {
	a := actor(c)
	if err := requireStaff(a); err != nil {
		return err
	}
	no := false
	f := finzone.OrgFilter{Kinds: institutionKinds, Verified: &no}
	if !a.IsPlatformAdmin() {
		f.Regions = finzone.ExpandRegions(a.User.Regions)
	}
	items, _, err := ps.store.ListOrgs(c.UserContext(), f, finzone.Page{Limit: finzone.MaxPageLimit})
	if err != nil {
		return err
	}
	v.Title = "review.institutions_title"
	v.Data = items
	return ps.render(c, fiber.StatusOK, "review_institutions", v)
}

func (ps *pageServer) verifyInstitutionPost(c *fiber.Ctx, v *web.View) error {
	a := actor(c)
	if err := requireStaff(a); err != nil {
		return err
	}
	o, err := ps.store.Org(c.UserContext(), c.Params("id"))
	if err != nil {
		return err
	}
	if !a.CanVerifyInstitution(o) {
		return finzone.Errorf(finzone.ECNotFound, "institution outside the coordinator's regions")
	}
	if _, err := ps.store.VerifyOrg(c.UserContext(), o.ID, a.User.ID, ps.now()); err != nil {
		return err
	}
	ps.notify(c, "catalogue", func(pl finzone.Pipeline) error { return pl.CatalogueChanged(c.UserContext()) })
	return ps.redirectFlash(c, "/review/institutions", "flash.institution_verified")
}

type adminData struct {
	Health []web.Option
	// Queues is set when the server was given a way to read them;
	// QueuesDown when reading failed.
	Queues       []finzone.QueueStat
	HasQueues    bool
	QueuesDown   bool
	Coordinators []finzone.Organization
	Institutions []finzone.Organization
	More         bool
}

// adminPage is the platform admin's overview: dependency health, the
// coordinators' offices and the institutions.
func (ps *pageServer) adminPage(c *fiber.Ctx, v *web.View) error {
	a := actor(c)
	if !a.IsPlatformAdmin() {
		return forbid("platform admins only")
	}
	ctx := c.UserContext()
	var d adminData
	check := func(name string, f func(ctx context.Context) error) {
		cctx, cancel := context.WithTimeout(ctx, 2*time.Second)
		defer cancel()
		state := "ok"
		if err := f(cctx); err != nil {
			state = "down"
		}
		d.Health = append(d.Health, web.Option{Value: name, Label: state})
	}
	check("mongodb", ps.store.Ping)
	names := make([]string, 0, len(ps.ready))
	for n := range ps.ready {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		check(n, ps.ready[n])
	}
	if ps.queues != nil {
		d.HasQueues = true
		qctx, cancel := context.WithTimeout(ctx, 2*time.Second)
		qs, err := ps.queues(qctx)
		cancel()
		if err != nil {
			ps.log.Warn("queue stats", append(logAttrs(c), "err", err)...)
			d.QueuesDown = true
		}
		d.Queues = qs
	}
	var err error
	if d.Coordinators, _, err = ps.store.ListOrgs(ctx, finzone.OrgFilter{Kinds: []finzone.OrgKind{finzone.KindCoordinator}},
		finzone.Page{Limit: finzone.MaxPageLimit}); err != nil {
		return err
	}
	var next string
	if d.Institutions, next, err = ps.store.ListOrgs(ctx, finzone.OrgFilter{Kinds: institutionKinds},
		finzone.Page{Limit: finzone.MaxPageLimit}); err != nil {
		return err
	}
	d.More = next != ""
	v.Title = "admin.title"
	v.Data = d
	return ps.render(c, fiber.StatusOK, "admin", v)
}
