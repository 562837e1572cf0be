package web

import (
	"github.com/gofiber/fiber/v2"

	"finzone/server"
	"finzone/usecase"
)

type adminData struct {
	usecase.Overview
	// Checks are the dependencies by name, each "ok" or "down".
	Checks []Option
}

// adminPage is the platform admin's overview: dependency health, the
// background queues, the coordinators' offices and the institutions.
func (p *pages) adminPage(c *fiber.Ctx, v *View) error {
	o, err := p.uc.AdminOverview(c.UserContext(), server.Actor(c))
	if err != nil {
		return err
	}
	d := adminData{Overview: o}
	for _, name := range o.HealthNames {
		state := "ok"
		if o.Health[name] != nil {
			state = "down"
		}
		d.Checks = append(d.Checks, Option{Value: name, Label: state})
	}
	v.Title, v.Data = "admin.title", d
	return p.render(c, fiber.StatusOK, "admin", v)
}
