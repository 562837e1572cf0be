package api

import (
	"github.com/gofiber/fiber/v2"

	"finzone/server"
	"finzone/usecase"
)

// listInstitutions is the coordinators' view of institutions in their
// regions, e.g. ?verified=false for the verification queue.
func (h handler) listInstitutions(c *fiber.Ctx) error {
	items, next, err := h.uc.ListInstitutions(c.UserContext(), server.Actor(c), usecase.InstitutionQuery{
		Kind: c.Query("kind"), Verified: c.Query("verified"), ListInput: listInput(c)})
	if err != nil {
		return err
	}
	return c.JSON(toListJSON(items, next, toOrgJSON))
}

func (h handler) verifyInstitution(c *fiber.Ctx) error {
	o, err := h.uc.VerifyInstitution(c.UserContext(), server.Actor(c), c.Params("id"))
	if err != nil {
		return err
	}
	return c.JSON(toOrgJSON(o))
}
