package api

import (
	"strconv"

	"github.com/gofiber/fiber/v2"

	"finzone"
)

// pageOf reads limit, cursor and sort from the query string.
func pageOf(c *fiber.Ctx) (finzone.Page, error) {
	pg := finzone.Page{Cursor: c.Query("cursor"), Sort: c.Query("sort")}
	if l := c.Query("limit"); l != "" {
		n, err := strconv.Atoi(l)
		if err != nil || n < 1 || n > finzone.MaxPageLimit {
			var p finzone.Problems
			p.Add("limit", finzone.FCOutOfRange, "min", 1, "max", finzone.MaxPageLimit)
			return pg, p.Err()
		}
		pg.Limit = n
	}
	return pg, nil
}

// queryEnum reads an optional query parameter that must be one of valid.
func queryEnum[T ~string](c *fiber.Ctx, name string, valid []T, p *finzone.Problems) T {
	v := T(c.Query(name))
	if v == "" {
		return v
	}
	for _, ok := range valid {
		if ok == v {
			return v
		}
	}
	p.Add(name, finzone.FCInvalid)
	return ""
}
