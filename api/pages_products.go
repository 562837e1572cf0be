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

var productRename = map[string]string{
	"name":            "product_name",
	"amount_min_yuan": "amount_min_wan", "amount_max_yuan": "amount_max_wan", "max_ticket_yuan": "max_ticket_wan",
	"capacity_yuan": "capacity_wan", "rate_floor_bps": "rate_floor_pct", "rate_ceiling_bps": "rate_cap_pct",
}

// productsPage lists an institution's products, newest version of each.
func (ps *pageServer) productsPage(c *fiber.Ctx, v *web.View) error {
	a := actor(c)
	if !a.IsInstitution() {
		if a.IsCoordinator() || a.IsPlatformAdmin() {
			return c.Redirect("/review/products", fiber.StatusSeeOther)
		}
		return forbid("only institutions own products")
	}
	items, _, err := ps.store.ListProducts(c.UserContext(), finzone.ProductFilter{OwnerOrgID: a.Org.ID, HeadOnly: true},
		finzone.Page{Limit: finzone.MaxPageLimit})
	if err != nil {
		return err
	}
	v.Title = "products.title"
	v.Data = items
	return ps.render(c, fiber.StatusOK, "products", v)
}

type productFormData struct {
	Action, Cancel string
	NewVersion     bool
}

func (ps *pageServer) newProductPage(c *fiber.Ctx, v *web.View) error {
	a := actor(c)
	if !a.IsInstitution() {
		return forbid("only institutions list products")
	}
	now := ps.now()
	v.Form.Values = productFormValues(finzone.Product{Regions: []string{a.Org.RegionCode}, ValidFrom: now,
		ValidTo: now.AddDate(1, 0, 0)})
	v.Title = "product_form.new_title"
	v.Data = productFormData{Action: "/products/new", Cancel: "/products"}
	return ps.render(c, fiber.StatusOK, "product_form", v)
}

func (ps *pageServer) newProductPost(c *fiber.Ctx, v *web.View) error {
	a := actor(c)
	if !a.IsInstitution() {
		return forbid("only institutions list products")
	}
	p := finzone.Product{OwnerOrgID: a.Org.ID, Status: finzone.ReviewDraft}
	v.Form.Values = formValues(c)
	v.Form.Layout = productLayout
	readProductForm(v, &p)
	p.Normalize()
	if err := p.Validate(); err != nil && !showProblems(v, err, productRename) {
		return err
	}
	if v.Form.Invalid() {
		v.Title = "product_form.new_title"
		v.Data = productFormData{Action: "/products/new", Cancel: "/products"}
		return ps.render(c, fiber.StatusBadRequest, "product_form", v)
	}
	if err := ps.store.CreateProduct(c.UserContext(), &p); err != nil {
		return err
	}
	return ps.redirectFlash(c, "/products/"+p.ID, "flash.product_saved")
}

type productPageData struct {
	P         finzone.Product
	Back      string
	BackLabel string
	CanChange bool
	CanReview bool
	Editable  bool
	Versions  []finzone.Product
}

// productPage shows a product version with its review notes; the owner
// sees every version and may edit or send for review, reviewers may decide.
func (ps *pageServer) productPage(c *fiber.Ctx, v *web.View) error {
	p, err := ps.loadProduct(c)
	if err != nil {
		return err
	}
	a := actor(c)
	d := productPageData{P: p, CanChange: a.CanChangeProduct(p), Back: "/products", BackLabel: "products.title"}
	d.CanReview = a.CanReviewProduct(p) && p.Status == finzone.ReviewPending
	d.Editable = p.Editable()
	if !a.IsInstitution() {
		d.Back, d.BackLabel = "/review/products", "review.products_title"
	}
	if p.OwnerOrgID == a.Org.ID || a.CanReviewProduct(p) {
		vs, err := ps.store.ProductVersions(c.UserContext(), p.ID)
		if err != nil {
			return err
		}
		for i := len(vs) - 1; i >= 0; i-- {
			d.Versions = append(d.Versions, vs[i])
		}
	}
	v.TitleText = p.Name
	v.Data = d
	return ps.render(c, fiber.StatusOK, "product", v)
}

func (ps *pageServer) editProductPage(c *fiber.Ctx, v *web.View) error {
	head, err := ps.loadOwnProductHead(c)
	if err != nil {
		return err
	}
	if head.Status == finzone.ReviewPending {
		return finzone.Errorf(finzone.ECInvalidState, "a version in review cannot be edited")
	}
	v.Form.Values = productFormValues(head)
	v.Title = "product_form.edit_title"
	v.Data = productFormData{Action: "/products/" + head.ID + "/edit", Cancel: "/products/" + head.ID, NewVersion: !head.Editable()}
	return ps.render(c, fiber.StatusOK, "product_form", v)
}

// editProductPost changes a draft or rejected version in place; a published
// version is never overwritten: the edit becomes a new draft version and
// the published one stays live until the new one is approved.
func (ps *pageServer) editProductPost(c *fiber.Ctx, v *web.View) error {
	head, err := ps.loadOwnProductHead(c)
	if err != nil {
		return err
	}
	p := head
	v.Form.Values = formValues(c)
	v.Form.Layout = productLayout
	readProductForm(v, &p)
	p.Normalize()
	newVersion := false
	switch head.Status {
	case finzone.ReviewDraft, finzone.ReviewRejected:
		p.Status = finzone.ReviewDraft
	case finzone.ReviewPublished, finzone.ReviewSuperseded:
		newVersion = true
		p.Version, p.Status = head.Version+1, finzone.ReviewDraft
		p.ReviewedBy, p.ReviewNote, p.ReviewedAt = "", "", timeZero
		p.CreatedAt, p.UpdatedAt = timeZero, timeZero
	default:
		return finzone.Errorf(finzone.ECInvalidState, "a version in review cannot be edited")
	}
	if err := p.Validate(); err != nil && !showProblems(v, err, productRename) {
		return err
	}
	if v.Form.Invalid() {
		v.Title = "product_form.edit_title"
		v.Data = productFormData{Action: "/products/" + head.ID + "/edit", Cancel: "/products/" + head.ID, NewVersion: newVersion}
		return ps.render(c, fiber.StatusBadRequest, "product_form", v)
	}
	if newVersion {
		if err := ps.store.CreateProduct(c.UserContext(), &p); err != nil {
			if finzone.IsCode(err, finzone.ECConflict) {
				return finzone.Errorf(finzone.ECConflict, "another edit made version %d first", p.Version)
			}
			return err
		}
		return ps.redirectFlash(c, "/products/"+p.ID, "flash.product_new_version")
	}
	if _, err := ps.store.UpdateProduct(c.UserContext(), p, []finzone.ReviewStatus{head.Status}); err != nil {
		return err
	}
	return ps.redirectFlash(c, "/products/"+p.ID, "flash.product_saved")
}

func (ps *pageServer) publishProductPost(c *fiber.Ctx, v *web.View) error {
	head, err := ps.loadOwnProductHead(c)
	if err != nil {
		return err
	}
	if !head.Editable() {
		return finzone.Errorf(finzone.ECInvalidState, "a %s version cannot be sent for review", head.Status)
	}
	if err := head.Validate(); err != nil {
		return ps.redirectFlash(c, "/products/"+head.ID+"/edit", "flash.fix_before_submit")
	}
	from := head.Status
	head.Status = finzone.ReviewPending
	if _, err := ps.store.SetProductReview(c.UserContext(), head, from); err != nil {
		return err
	}
	return ps.redirectFlash(c, "/products/"+head.ID, "flash.product_sent")
}

// productLayout is the product form's fields in page order, for the error
// summary.
var productLayout = []string{"product_name", "category", "description", "amount_min_wan", "amount_max_wan",
	"term_min_months", "term_max_months", "rate_floor_pct", "rate_cap_pct", "project_types", "regions",
	"industry_include", "industry_exclude", "collateral", "sizes", "can_lead_syndicate", "max_ticket_wan",
	"capacity_wan", "valid_from", "valid_to"}

// productFormValues is a product as its form shows it; every field round-trips.
func productFormValues(p finzone.Product) url.Values {
	f := url.Values{}
	f.Set("product_name", p.Name)
	f.Set("category", string(p.Category))
	f.Set("description", p.Description)
	setWan := func(k string, n int64) {
		if n != 0 {
			f.Set(k, web.WanPlain(n))
		}
	}
	setWan("amount_min_wan", p.AmountMinYuan)
	setWan("amount_max_wan", p.AmountMaxYuan)
	setWan("max_ticket_wan", p.MaxTicketYuan)
	setWan("capacity_wan", p.CapacityYuan)
	if p.TermMinMonths != 0 {
		f.Set("term_min_months", strconv.Itoa(p.TermMinMonths))
	}
	if p.TermMaxMonths != 0 {
		f.Set("term_max_months", strconv.Itoa(p.TermMaxMonths))
	}
	if p.RateFloorBps != 0 {
		f.Set("rate_floor_pct", web.PercentPlain(int64(p.RateFloorBps)))
	}
	if p.RateCeilingBps != 0 {
		f.Set("rate_cap_pct", web.PercentPlain(int64(p.RateCeilingBps)))
	}
	for _, t := range p.ProjectTypes {
		f.Add("project_types", string(t))
	}
	for _, r := range p.Regions {
		f.Add("regions", r)
	}
	f.Set("industry_include", strings.Join(p.IndustryInclude, ", "))
	f.Set("industry_exclude", strings.Join(p.IndustryExclude, ", "))
	for _, c := range p.Collateral {
		f.Add("collateral", string(c))
	}
	for _, s := range p.Sizes {
		f.Add("sizes", string(s))
	}
	if p.CanLeadSyndicate {
		f.Set("can_lead_syndicate", "on")
	}
	f.Set("valid_from", web.DateInput(p.ValidFrom))
	f.Set("valid_to", web.DateInput(p.ValidTo))
	return f
}

func readProductForm(v *web.View, p *finzone.Product) {
	f := v.Form
	p.Name = f.Get("product_name")
	p.Category = finzone.ProductCategory(f.Get("category"))
	p.Description = f.Get("description")
	p.AmountMinYuan = wanField(v, "amount_min_wan", true)
	p.AmountMaxYuan = wanField(v, "amount_max_wan", true)
	p.TermMinMonths = int(intField(v, "term_min_months", true))
	p.TermMaxMonths = int(intField(v, "term_max_months", true))
	p.RateFloorBps = pctField(v, "rate_floor_pct")
	p.RateCeilingBps = pctField(v, "rate_cap_pct")
	p.ProjectTypes = nil
	for _, t := range f.Values["project_types"] {
		p.ProjectTypes = append(p.ProjectTypes, finzone.ProjectType(t))
	}
	p.Regions = append([]string(nil), f.Values["regions"]...)
	p.IndustryInclude = codeList(f.Get("industry_include"))
	p.IndustryExclude = codeList(f.Get("industry_exclude"))
	p.Collateral = nil
	for _, c := range f.Values["collateral"] {
		p.Collateral = append(p.Collateral, finzone.Collateral(c))
	}
	p.Sizes = nil
	for _, s := range f.Values["sizes"] {
		p.Sizes = append(p.Sizes, finzone.Size(s))
	}
	p.CanLeadSyndicate = f.Get("can_lead_syndicate") == "on"
	p.MaxTicketYuan = wanField(v, "max_ticket_wan", false)
	p.CapacityYuan = wanField(v, "capacity_wan", false)
	p.ValidFrom = dateField(v, "valid_from")
	p.ValidTo = dateField(v, "valid_to")
}

// codeList splits "C13, C14 C15" into codes.
func codeList(s string) []string {
	fields := strings.FieldsFunc(s, func(r rune) bool { return r == ',' || r == '，' || r == ' ' || r == ';' })
	if len(fields) == 0 {
		return nil
	}
	return fields
}

func dateField(v *web.View, name string) (t time.Time) {
	s := strings.TrimSpace(v.Form.Get(name))
	if s == "" {
		return t
	}
	t, ok := web.ParseDateInput(s)
	if !ok {
		v.Form.Fail(name, v.T("err.date"))
	}
	return t
}
