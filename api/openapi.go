package api

import (
	"crypto/sha256"
	_ "embed"
	"encoding/hex"

	"github.com/gofiber/fiber/v2"
)

// openAPIDoc is the API's OpenAPI 3.1 document, kept in the repository beside
// the handlers it describes; the contract test validates every answer of
// the API's test suite against it.
//
//go:embed openapi.json
var openAPIDoc []byte

// openAPIETag names this build's document, so clients revalidate cheaply.
var openAPIETag = func() string {
	sum := sha256.Sum256(openAPIDoc)
	return `"` + hex.EncodeToString(sum[:16]) + `"`
}()

// openAPI serves the document to anyone: it describes the routes, not the
// data. It changes only with a new build, so it may be cached.
func openAPI(c *fiber.Ctx) error {
	c.Set(fiber.HeaderCacheControl, "public, max-age=3600")
	c.Set(fiber.HeaderETag, openAPIETag)
	if c.Get(fiber.HeaderIfNoneMatch) == openAPIETag {
		return c.SendStatus(fiber.StatusNotModified)
	}
	c.Set(fiber.HeaderContentType, fiber.MIMEApplicationJSON)
	return c.Send(openAPIDoc)
}
