package api

import (
	"github.com/gofiber/fiber/v2"

	"finzone"
)

// Reference data is public: the registration form needs it before sign-in.

func (h handler) regions(c *fiber.Ctx) error {
	return c.JSON(fiber.Map{"items": finzone.Regions()})
}

func (h handler) industries(c *fiber.Ctx) error {
	return c.JSON(fiber.Map{"items": finzone.Industries()})
}

func (h handler) clusters(c *fiber.Ctx) error {
	list, err := h.uc.Clusters(c.UserContext())
	if err != nil {
		return err
	}
	return c.JSON(fiber.Map{"items": toSlice(list, toClusterJSON)})
}
