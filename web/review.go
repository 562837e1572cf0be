package web

import (
	"strings"

	"github.com/gofiber/fiber/v2"

	"finzone"
	"finzone/server"
	"finzone/usecase"
)

// The coordinators' review queues: product versions waiting for a decision
// and institutions waiting to be verified.

type reviewRow struct {
	P     finzone.Product
	Owner string
}

func (p *pages) reviewProductsPage(c *fiber.Ctx, v *View) error {
	ctx := c.UserContext()
	items, err := p.uc.ReviewQueue(ctx, server.Actor(c))
	if err != nil {
		return err
	}
	names, err := namesOf(ctx, p.uc, items, func(pr finzone.Product) string { return pr.OwnerOrgID })
	if err != nil {
		return err
	}
	rows := make([]reviewRow, len(items))
	for i, pr := range items {
		rows[i] = reviewRow{P: pr, Owner: orgName(names, pr.OwnerOrgID)}
	}
	v.Title, v.Data = "review.products_title", rows
	return p.render(c, fiber.StatusOK, "review_products", v)
}

// reviewNames puts a missing or unknown decision on the note, the review
// form's one field.
var reviewNames = map[string]string{"decision": "note"}

// reviewProductPost approves or rejects the version in review; a rejection
// must say why, and the owner sees the note.
func (p *pages) reviewProductPost(c *fiber.Ctx, v *View) error {
	note := strings.TrimSpace(c.FormValue("note"))
	v.Form.Values.Set("note", note)
	pr, err := p.uc.ReviewProduct(c.UserContext(), server.Actor(c), c.Params("id"),
		usecase.ReviewInput{Decision: c.FormValue("decision"), Note: note})
	if err != nil {
		if !putProblems(v, err, reviewNames) {
			return err
		}
		// A rejection without a note says what the note is for.
		for _, fe := range finzone.FieldErrors(err) {
			if fe.Field == "note" && fe.Code == finzone.FCRequired {
				v.Form.Errors["note"] = v.T("review.note_required")
			}
		}
		return p.showProduct(c, v, fiber.StatusBadRequest, "")
	}
	if pr.Status == finzone.ReviewPublished {
		return redirectFlash(c, "/review/products", "flash.product_approved")
	}
	return redirectFlash(c, "/review/products", "flash.product_rejected")
}

func (p *pages) reviewInstitutionsPage(c *fiber.Ctx, v *View) error {
	items, _, err := p.uc.ListInstitutions(c.UserContext(), server.Actor(c),
		usecase.InstitutionQuery{Verified: "false", ListInput: maxLimit})
	if err != nil {
		return err
	}
	v.Title, v.Data = "review.institutions_title", items
	return p.render(c, fiber.StatusOK, "review_institutions", v)
}

func (p *pages) verifyInstitutionPost(c *fiber.Ctx, v *View) error {
	if _, err := p.uc.VerifyInstitution(c.UserContext(), server.Actor(c), c.Params("id")); err != nil {
		return err
	}
	return redirectFlash(c, "/review/institutions", "flash.institution_verified")
}
