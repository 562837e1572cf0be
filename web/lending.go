package web

import (
	"errors"

	"github.com/gofiber/fiber/v2"

	"finzone"
	"finzone/server"
	"finzone/usecase"
)

// The project page's lending forms: the enterprise answering a lender's
// offer, and coordinators screening a project and assigning an institution
// to it. Each posts to the project and comes back to it.

// Form field names of the project page's lending forms.
var (
	offerNames  = map[string]string{"note": "offer_note", "decision": "form"}
	screenNames = map[string]string{"note": "screen_note", "decision": "screen_note"}
	assignNames = map[string]string{"note": "note_assign"}
)

// offerPost is the owner accepting or declining one offer; field "for"
// names its match. An acceptance the need has no room for says how much
// room is left, on that offer's form.
func (p *pages) offerPost(c *fiber.Ctx, v *View) error {
	v.Form.Values = formValues(c)
	decision := finzone.OfferDecision(v.Form.Get("decision"))
	_, err := p.uc.DecideOffer(c.UserContext(), server.Actor(c), v.Form.Get("for"),
		usecase.OfferInput{Decision: decision, Note: v.Form.Get("offer_note")})
	if err == nil {
		flash := "flash.offer_declined"
		if decision == finzone.DecisionAccept {
			flash = "flash.offer_accepted"
		}
		return redirectFlash(c, "/projects/"+c.Params("id"), flash)
	}
	var de *finzone.Error
	if finzone.IsCode(err, finzone.ECExceedsNeed) && errors.As(err, &de) {
		v.Form.Fail("form", v.T("offer.exceeds_need", "room", MoneyText(toInt64(de.Params["room_yuan"]))))
		return p.showProject(c, v, server.Status(finzone.ECExceedsNeed))
	}
	return p.lendingFormFailed(c, v, err, offerNames)
}

// screenPost is a coordinator passing a project waiting in screening into
// matching, or returning it to the enterprise with a note.
func (p *pages) screenPost(c *fiber.Ctx, v *View) error {
	v.Form.Values = formValues(c)
	decision := finzone.ScreenDecision(v.Form.Get("decision"))
	_, err := p.uc.ScreenProject(c.UserContext(), server.Actor(c), c.Params("id"),
		usecase.ScreenInput{Decision: decision, Note: v.Form.Get("screen_note")})
	if err == nil {
		flash := "flash.screen_returned"
		if decision == finzone.ScreenPass {
			flash = "flash.screen_passed"
		}
		return redirectFlash(c, "/projects/"+c.Params("id"), flash)
	}
	return p.lendingFormFailed(c, v, err, screenNames)
}

// assignPost is a coordinator asking the pipeline to push the project to
// a chosen lender.
func (p *pages) assignPost(c *fiber.Ctx, v *View) error {
	v.Form.Values = formValues(c)
	_, err := p.uc.AssignInstitution(c.UserContext(), server.Actor(c), c.Params("id"), usecase.AssignInput{
		InstitutionID: v.Form.Get("institution_id"), ProductID: v.Form.Get("product_id"), Note: v.Form.Get("note_assign")})
	if err == nil {
		return redirectFlash(c, "/projects/"+c.Params("id"), "flash.assigned")
	}
	return p.lendingFormFailed(c, v, err, assignNames)
}

// lendingFormFailed shows the project page again with a lending form's
// field problems; other errors are pages.
func (p *pages) lendingFormFailed(c *fiber.Ctx, v *View, err error, names map[string]string) error {
	status, ok := formError(v, err, names)
	if !ok {
		return err
	}
	return p.showProject(c, v, status)
}

// assignOptions are the verified lenders in the coordinator's scope that
// the project has not been pushed to, to choose one to assign.
func (p *pages) assignOptions(c *fiber.Ctx, a finzone.Actor, pushed []finzone.Match) ([]Option, error) {
	skip := map[string]bool{}
	for _, m := range pushed {
		skip[m.InstitutionID] = true
	}
	var out []Option
	for _, kind := range []finzone.OrgKind{finzone.KindBank, finzone.KindLeasing} {
		orgs, _, err := p.uc.ListInstitutions(c.UserContext(), a, usecase.InstitutionQuery{Kind: string(kind), Verified: "true", ListInput: usecase.ListInput{Limit: "100"}})
		if err != nil {
			return nil, err
		}
		for _, o := range orgs {
			if !skip[o.ID] {
				out = append(out, Option{Value: o.ID, Label: o.Name})
			}
		}
	}
	return out, nil
}
