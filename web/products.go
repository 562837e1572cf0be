package web

import (
	"net/url"
	"strconv"
	"strings"

	"github.com/gofiber/fiber/v2"

	"finzone"
	"finzone/server"
	"finzone/usecase"
)

// An institution's products: its list, the product form, sending a version
// for review, and a product's page, which reviewers decide on.

// productNames maps the core's product field names to the product form's.
var productNames = map[string]string{
	"name":            "product_name",
	"amount_min_yuan": "amount_min_wan", "amount_max_yuan": "amount_max_wan", "max_ticket_yuan": "max_ticket_wan",
	"capacity_yuan": "capacity_wan", "rate_floor_bps": "rate_floor_pct", "rate_ceiling_bps": "rate_cap_pct",
}

// productLayout is the product form's fields in page order, for the error
// summary.
var productLayout = []string{"product_name", "category", "description", "amount_min_wan", "amount_max_wan",
	"term_min_months", "term_max_months", "rate_floor_pct", "rate_cap_pct", "project_types", "regions",
	"industry_include", "industry_exclude", "collateral", "sizes", "can_lead_syndicate", "max_ticket_wan",
	"capacity_wan", "valid_from", "valid_to"}

// maxLimit asks a list operation for its longest page.
var maxLimit = usecase.ListInput{Limit: strconv.Itoa(finzone.MaxPageLimit)}

// productsPage lists an institution's products, newest version of each;
// staff review products instead.
func (p *pages) productsPage(c *fiber.Ctx, v *View) error {
	a := server.Actor(c)
	if a.IsStaff() {
		return c.Redirect("/review/products", fiber.StatusSeeOther)
	}
	items, _, err := p.uc.ListProducts(c.UserContext(), a, usecase.ProductQuery{Owner: "me", ListInput: maxLimit})
	if err != nil {
		return err
	}
	v.Title, v.Data = "products.title", items
	return p.render(c, fiber.StatusOK, "products", v)
}

type productFormData struct {
	Action, Cancel string
	NewVersion     bool
}

var newProductForm = productFormData{Action: "/products/new", Cancel: "/products"}

func editProductForm(id string, newVersion bool) productFormData {
	return productFormData{Action: "/products/" + id + "/edit", Cancel: "/products/" + id, NewVersion: newVersion}
}

func (p *pages) newProductPage(c *fiber.Ctx, v *View) error {
	a := server.Actor(c)
	if !a.IsInstitution() {
		return forbid("only institutions list products")
	}
	// It serves the institution's own region for a year from today.
	v.Form.Values = productFormValues(finzone.Product{Regions: []string{a.Org.RegionCode}, ValidFrom: v.Now,
		ValidTo: v.Now.AddDate(1, 0, 0)})
	return p.productForm(c, v, fiber.StatusOK, "product_form.new_title", newProductForm)
}

func (p *pages) newProductPost(c *fiber.Ctx, v *View) error {
	pr, err := p.uc.CreateProduct(c.UserContext(), server.Actor(c), readProductForm(c, v))
	if err != nil {
		status, ok := formError(v, err, productNames)
		if !ok {
			return err
		}
		return p.productForm(c, v, status, "product_form.new_title", newProductForm)
	}
	return redirectFlash(c, "/products/"+pr.ID, "flash.product_saved")
}

func (p *pages) editProductPage(c *fiber.Ctx, v *View) error {
	head, newVersion, err := p.uc.EditableProduct(c.UserContext(), server.Actor(c), c.Params("id"))
	if err != nil {
		return err
	}
	v.Form.Values = productFormValues(head)
	return p.productForm(c, v, fiber.StatusOK, "product_form.edit_title", editProductForm(head.ID, newVersion))
}

// editProductPost changes a draft or rejected version in place; an edit of
// a published version becomes a new draft version.
func (p *pages) editProductPost(c *fiber.Ctx, v *View) error {
	ctx, a, id := c.UserContext(), server.Actor(c), c.Params("id")
	pr, newVersion, err := p.uc.EditProduct(ctx, a, id, readProductForm(c, v))
	if err != nil {
		status, ok := formError(v, err, productNames)
		if !ok {
			return err
		}
		// The form says whether saving makes a new version.
		_, newVersion, err := p.uc.EditableProduct(ctx, a, id)
		if err != nil {
			return err
		}
		return p.productForm(c, v, status, "product_form.edit_title", editProductForm(id, newVersion))
	}
	if newVersion {
		return redirectFlash(c, "/products/"+pr.ID, "flash.product_new_version")
	}
	return redirectFlash(c, "/products/"+pr.ID, "flash.product_saved")
}

func (p *pages) productForm(c *fiber.Ctx, v *View, status int, title string, d productFormData) error {
	v.Title, v.Data = title, d
	return p.render(c, status, "product_form", v)
}

// publishProductPost sends the newest version for review; an incomplete one
// goes back to its form.
func (p *pages) publishProductPost(c *fiber.Ctx, v *View) error {
	id := c.Params("id")
	pr, err := p.uc.SendProductForReview(c.UserContext(), server.Actor(c), id)
	if finzone.IsCode(err, finzone.ECValidation) {
		return redirectFlash(c, "/products/"+id+"/edit", "flash.fix_before_submit")
	}
	if err != nil {
		return err
	}
	return redirectFlash(c, "/products/"+pr.ID, "flash.product_sent")
}

type productPageData struct {
	P         finzone.Product
	Back      string
	BackLabel string
	CanChange bool
	CanReview bool
	Editable  bool
	// Versions are newest first.
	Versions []finzone.Product
}

// productPage shows a product version (?version=N, or the one the viewer
// should see) with its review notes; the owner sees every version and may
// edit or send for review, reviewers may decide.
func (p *pages) productPage(c *fiber.Ctx, v *View) error {
	return p.showProduct(c, v, fiber.StatusOK, c.Query("version"))
}

func (p *pages) showProduct(c *fiber.Ctx, v *View, status int, version string) error {
	a := server.Actor(c)
	pv, err := p.uc.Product(c.UserContext(), a, c.Params("id"), version)
	if err != nil {
		return err
	}
	pr := pv.Product
	d := productPageData{P: pr, CanChange: a.CanChangeProduct(pr), Editable: pr.Editable(), Back: "/products",
		BackLabel: "products.title", CanReview: a.CanReviewProduct(pr) && pr.Status == finzone.ReviewPending}
	if !a.IsInstitution() {
		d.Back, d.BackLabel = "/review/products", "review.products_title"
	}
	for i := len(pv.Versions) - 1; i >= 0; i-- {
		d.Versions = append(d.Versions, pv.Versions[i])
	}
	v.TitleText, v.Data = pr.Name, d
	return p.render(c, status, "product", v)
}

// productFormValues is a product as its form shows it; every field round-trips.
func productFormValues(p finzone.Product) url.Values {
	f := url.Values{}
	f.Set("product_name", p.Name)
	f.Set("category", string(p.Category))
	f.Set("description", p.Description)
	setWan := func(k string, n int64) {
		if n != 0 {
			f.Set(k, WanPlain(n))
		}
	}
	setWan("amount_min_wan", p.AmountMinYuan)
	setWan("amount_max_wan", p.AmountMaxYuan)
	setWan("max_ticket_wan", p.MaxTicketYuan)
	setWan("capacity_wan", p.CapacityYuan)
	setInt := func(k string, n int, format func(int64) string) {
		if n != 0 {
			f.Set(k, format(int64(n)))
		}
	}
	months := func(n int64) string { return strconv.FormatInt(n, 10) }
	setInt("term_min_months", p.TermMinMonths, months)
	setInt("term_max_months", p.TermMaxMonths, months)
	setInt("rate_floor_pct", p.RateFloorBps, PercentPlain)
	setInt("rate_cap_pct", p.RateCeilingBps, PercentPlain)
	f["project_types"] = strs(p.ProjectTypes)
	f["regions"] = p.Regions
	f.Set("industry_include", strings.Join(p.IndustryInclude, ", "))
	f.Set("industry_exclude", strings.Join(p.IndustryExclude, ", "))
	f["collateral"] = strs(p.Collateral)
	f["sizes"] = strs(p.Sizes)
	if p.CanLeadSyndicate {
		f.Set("can_lead_syndicate", "on")
	}
	f.Set("valid_from", DateInput(p.ValidFrom))
	f.Set("valid_to", DateInput(p.ValidTo))
	return f
}

// readProductForm reads the posted product form; every field is given.
func readProductForm(c *fiber.Ctx, v *View) usecase.ProductInput {
	f, n := postedForm(c, v, productLayout, productNames)
	in := usecase.ProductInput{
		Name:             ptr(f.Get("product_name")),
		Category:         ptr(finzone.ProductCategory(f.Get("category"))),
		Description:      ptr(f.Get("description")),
		AmountMinYuan:    n.wan("amount_min_wan", true),
		AmountMaxYuan:    n.wan("amount_max_wan", true),
		TermMinMonths:    n.int("term_min_months", true),
		TermMaxMonths:    n.int("term_max_months", true),
		RateFloorBps:     n.pct("rate_floor_pct", false),
		RateCeilingBps:   n.pct("rate_cap_pct", false),
		ProjectTypes:     ptr(typed[finzone.ProjectType](f.Values["project_types"])),
		IndustryInclude:  ptr(codeList(f.Get("industry_include"))),
		IndustryExclude:  ptr(codeList(f.Get("industry_exclude"))),
		Regions:          ptr(append([]string(nil), f.Values["regions"]...)),
		Collateral:       ptr(typed[finzone.Collateral](f.Values["collateral"])),
		Sizes:            ptr(typed[finzone.Size](f.Values["sizes"])),
		CanLeadSyndicate: ptr(f.Get("can_lead_syndicate") == "on"),
		MaxTicketYuan:    n.wan("max_ticket_wan", false),
		CapacityYuan:     n.wan("capacity_wan", false),
		ValidFrom:        n.date("valid_from"),
		ValidTo:          n.date("valid_to"),
	}
	in.Malformed = n.malformed
	return in
}
