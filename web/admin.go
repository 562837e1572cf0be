package web

import (
	"strconv"

	"github.com/gofiber/fiber/v2"

	"finzone"
	"finzone/server"
	"finzone/usecase"
)

type adminData struct {
	usecase.Overview
	// Checks are the dependencies by name, each "ok" or "down".
	Checks []Option
	// Years are the holiday calendar's years, listed in the reader's
	// language.
	Years string
}

// adminPage is the platform admin's overview: dependency health, the
// background queues, the holiday calendar, the coordinators' offices and
// the institutions.
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
	sep := ", "
	if v.Lang == finzone.LangZH {
		sep = "、"
	}
	for i, y := range o.CalendarYears {
		if i > 0 {
			d.Years += sep
		}
		d.Years += strconv.Itoa(y)
	}
	if d.Years == "" {
		d.Years = v.T("admin.calendar_none")
	}
	v.Title, v.Data = "admin.title", d
	return p.render(c, fiber.StatusOK, "admin", v)
}
