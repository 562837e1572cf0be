package web

import (
	"github.com/gofiber/fiber/v2"

	"finzone/server"
	"finzone/usecase"
)

// The coordinators' enterprise checks, and the flag institutions see
// beside an enterprise nobody has verified.

func (p *pages) reviewEnterprisesPage(c *fiber.Ctx, v *View) error {
	items, _, err := p.uc.ListEnterprises(c.UserContext(), server.Actor(c),
		usecase.EnterpriseQuery{Verified: "false", ListInput: maxLimit})
	if err != nil {
		return err
	}
	v.Title, v.Data = "review.enterprises_title", items
	return p.render(c, fiber.StatusOK, "review_enterprises", v)
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
