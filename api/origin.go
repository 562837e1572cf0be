package api

import (
	"mime"
	"net/url"

	"github.com/gofiber/fiber/v2"

	"finzone"
)

// sameOriginWrites closes the JSON API to cross-site forms: a write with a
// body must say application/json (a form cannot, without a CORS preflight
// the API never grants), and a write a browser sends from another origin
// (its Origin, or Sec-Fetch-Site) is refused, whether it would authenticate
// by cookie or not. API clients that are not browsers send neither header.
func sameOriginWrites(c *fiber.Ctx) error {
	switch c.Method() {
	case fiber.MethodGet, fiber.MethodHead, fiber.MethodOptions:
		return c.Next()
	}
	if len(c.Body()) > 0 {
		mt, _, err := mime.ParseMediaType(c.Get(fiber.HeaderContentType))
		if err != nil || mt != fiber.MIMEApplicationJSON {
			return finzone.Errorf(finzone.ECUnsupportedMedia, "content type %q", c.Get(fiber.HeaderContentType))
		}
	}
	if site := c.Get("Sec-Fetch-Site"); site == "cross-site" || site == "same-site" {
		return finzone.Errorf(finzone.ECForbidden, "a write from another site (%s)", site)
	}
	if origin := c.Get(fiber.HeaderOrigin); origin != "" {
		u, err := url.Parse(origin)
		if err != nil || u.Host != c.Hostname() {
			return finzone.Errorf(finzone.ECForbidden, "a write from origin %q", origin)
		}
	}
	return c.Next()
}
