package api

import (
	"github.com/gofiber/fiber/v2"

	"finzone/server"
)

func (h handler) getSyndicate(c *fiber.Ctx) error {
	syn, err := h.uc.Syndicate(c.UserContext(), server.Actor(c), c.Params("id"))
	if err != nil {
		return err
	}
	return c.JSON(toSyndicateJSON(syn))
}

// respondSyndicate records a member institution's answer to its share
// ("accept" or "decline").
func (h handler) respondSyndicate(c *fiber.Ctx) error {
	var body answerBody
	if err := decode(c, &body); err != nil {
		return err
	}
	syn, err := h.uc.AnswerShare(c.UserContext(), server.Actor(c), c.Params("id"), body.Decision)
	if err != nil {
		return err
	}
	return c.JSON(toSyndicateJSON(syn))
}

// signSyndicate: the lead arranger marks a committed syndicate signed.
func (h handler) signSyndicate(c *fiber.Ctx) error {
	syn, err := h.uc.SignSyndicate(c.UserContext(), server.Actor(c), c.Params("id"))
	if err != nil {
		return err
	}
	return c.JSON(toSyndicateJSON(syn))
}
