package web

import (
	"github.com/gofiber/fiber/v2"

	"finzone"
	"finzone/server"
	"finzone/usecase"
)

// The coordinators' enterprise checks, and the flag institutions see
// beside an enterprise nobody has verified.

type reviewEnterprisesData struct {
	Enterprises []finzone.Organization
	// Claims are the pending claims on credit codes of enterprises in the
	// coordinator's regions.
	Claims []finzone.CodeClaim
}

func (p *pages) reviewEnterprisesPage(c *fiber.Ctx, v *View) error {
	var d reviewEnterprisesData
	var err error
	a := server.Actor(c)
	d.Enterprises, _, err = p.uc.ListEnterprises(c.UserContext(), a, usecase.EnterpriseQuery{Verified: "false", ListInput: maxLimit})
	if err != nil {
		return err
	}
	for _, st := range []finzone.ClaimStatus{finzone.ClaimPending, finzone.ClaimUpholding} {
		cs, _, err := p.uc.ListCodeClaims(c.UserContext(), a, usecase.ClaimQuery{Status: string(st), ListInput: maxLimit})
		if err != nil {
			return err
		}
		d.Claims = append(d.Claims, cs...)
	}
	v.Title, v.Data = "review.enterprises_title", d
	return p.render(c, fiber.StatusOK, "review_enterprises", v)
}

// decideClaimPost upholds or rejects a claim on a credit code.
func (p *pages) decideClaimPost(c *fiber.Ctx, v *View) error {
	cl, err := p.uc.DecideCodeClaim(c.UserContext(), server.Actor(c), c.Params("id"), usecase.ClaimDecisionInput{
		Decision: finzone.ClaimDecision(c.FormValue("decision")), Note: c.FormValue("note")})
	if err != nil {
		return err
	}
	if cl.Status == finzone.ClaimRejected {
		return redirectFlash(c, "/review/enterprises", "flash.claim_rejected")
	}
	return redirectFlash(c, "/review/enterprises", "flash.claim_upheld")
}

func (p *pages) verifyEnterprisePost(c *fiber.Ctx, v *View) error {
	if _, err := p.uc.VerifyEnterprise(c.UserContext(), server.Actor(c), c.Params("id")); err != nil {
		return err
	}
	return redirectFlash(c, "/review/enterprises", "flash.enterprise_verified")
}

// ownerVerified says whether the enterprise behind a page is verified.
func (p *pages) ownerVerified(c *fiber.Ctx, ownerID string) (bool, error) {
	v, err := p.uc.EnterpriseVerified(c.UserContext(), ownerID)
	return v[ownerID], err
}

// orgNoticeLink is where a notice about an organization rather than a
// project leads: the claims a coordinator decides, or the reader's home.
func orgNoticeLink(kind string) string {
	if kind == finzone.NoticeClaimFiled {
		return "/review/enterprises#claims"
	}
	return "/"
}
