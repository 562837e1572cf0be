package web

import (
	"strings"

	"github.com/gofiber/fiber/v2"

	"finzone"
	"finzone/server"
	"finzone/usecase"
)

type searchData struct {
	Q, Status, Region string
	Statuses          []finzone.ProjectStatus
	Regions           []Option
	Rows              []finzone.Project
	Next              string
}

// searchPage finds projects in a coordinator's scope by words in the title
// (or an ID), status and region.
func (p *pages) searchPage(c *fiber.Ctx, v *View) error {
	a := server.Actor(c)
	q := usecase.SearchQuery{Q: strings.TrimSpace(c.Query("q")), Status: c.Query("status"), Region: c.Query("region"),
		Cursor: c.Query("cursor")}
	rows, next, err := p.uc.SearchProjects(c.UserContext(), a, q)
	if err != nil {
		return err
	}
	d := searchData{Q: q.Q, Status: q.Status, Region: q.Region, Statuses: finzone.ProjectStatuses,
		Regions: regionOptions(a), Rows: rows}
	if !finzone.ProjectStatus(d.Status).Valid() {
		d.Status = "" // a stale filter the search ignored
	}
	if next != "" {
		d.Next = "/search?" + queryWith(c, "cursor", next)
	}
	v.Title, v.Data = "search.title", d
	return p.render(c, fiber.StatusOK, "search", v)
}

// queryWith is the request's query string with key set to val.
func queryWith(c *fiber.Ctx, key, val string) string {
	args := fiber.AcquireArgs()
	defer fiber.ReleaseArgs(args)
	c.Request().URI().QueryArgs().CopyTo(args)
	args.Set(key, val)
	return args.String()
}
