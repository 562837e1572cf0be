package api

import (
	"github.com/gofiber/fiber/v2"

	"finzone"
	"finzone/server"
	"finzone/usecase"
)

// projectMatches lists a project's matches in push order; an institution
// sees only its own, never its competitors'.
func (h handler) projectMatches(c *fiber.Ctx) error {
	a := server.Actor(c)
	pm, err := h.uc.ProjectMatches(c.UserContext(), a, c.Params("id"))
	if err != nil {
		return err
	}
	items, err := h.matchesJSON(c, pm.Matches, a)
	if err != nil {
		return err
	}
	return c.JSON(fiber.Map{"items": items, "next": "", "exhausted": pm.Exhausted})
}

// listMatches is an institution's inbox, an enterprise's view across its
// projects, or a coordinator's pipeline view over its regions;
// ?overdue=true keeps the late ones.
func (h handler) listMatches(c *fiber.Ctx) error {
	a := server.Actor(c)
	items, next, err := h.uc.ListMatches(c.UserContext(), a, usecase.MatchQuery{
		ProjectID: c.Query("project_id"), Stage: c.Query("stage"), Overdue: c.Query("overdue"),
		Region: c.Query("region"), ListInput: listInput(c)})
	if err != nil {
		return err
	}
	out, err := h.matchesJSON(c, items, a)
	if err != nil {
		return err
	}
	return c.JSON(listJSON[matchJSON]{Items: out, Next: next})
}

// getMatch shows a match with its events; its institution opening it
// marks it read.
func (h handler) getMatch(c *fiber.Ctx) error {
	a := server.Actor(c)
	m, _, err := h.uc.OpenMatch(c.UserContext(), a, c.Params("id"))
	if err != nil {
		return err
	}
	return h.sendMatch(c, m, a)
}

// matchAction moves a match one step.
func (h handler) matchAction(c *fiber.Ctx) error {
	var body actionBody
	if err := decode(c, &body); err != nil {
		return err
	}
	a := server.Actor(c)
	m, err := h.uc.ActOnMatch(c.UserContext(), a, c.Params("id"), finzone.ActionInput(body))
	if err != nil {
		return err
	}
	return h.sendMatch(c, m, a)
}

// decideOffer is the project owner's answer to a lender's offer.
func (h handler) decideOffer(c *fiber.Ctx) error {
	var body offerBody
	if err := decode(c, &body); err != nil {
		return err
	}
	a := server.Actor(c)
	m, err := h.uc.DecideOffer(c.UserContext(), a, c.Params("id"), usecase.OfferInput(body))
	if err != nil {
		return err
	}
	return h.sendMatch(c, m, a)
}

// extendMatch is a coordinator's extension of a match's deadline.
func (h handler) extendMatch(c *fiber.Ctx) error {
	var body extendBody
	if err := decode(c, &body); err != nil {
		return err
	}
	a := server.Actor(c)
	m, err := h.uc.ExtendMatch(c.UserContext(), a, c.Params("id"), usecase.ExtendInput(body))
	if err != nil {
		return err
	}
	return h.sendMatch(c, m, a)
}

// urgeMatch is a coordinator's 督办.
func (h handler) urgeMatch(c *fiber.Ctx) error {
	var body noteBody
	if err := decode(c, &body); err != nil {
		return err
	}
	a := server.Actor(c)
	m, err := h.uc.UrgeMatch(c.UserContext(), a, c.Params("id"), body.Note)
	if err != nil {
		return err
	}
	return h.sendMatch(c, m, a)
}
