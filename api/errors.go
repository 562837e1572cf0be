package api

import (
	"errors"
	"log/slog"

	"github.com/gofiber/fiber/v2"

	"finzone"
	"finzone/i18n"
)

// statusOf is the one table from error codes to HTTP statuses.
var statusOf = map[string]int{
	finzone.ECValidation:      fiber.StatusBadRequest,
	finzone.ECInvalidUSCC:     fiber.StatusBadRequest,
	finzone.ECUnknownRegion:   fiber.StatusBadRequest,
	finzone.ECMalformedJSON:   fiber.StatusBadRequest,
	finzone.ECUnauthenticated: fiber.StatusUnauthorized,
	finzone.ECForbidden:       fiber.StatusForbidden,
	finzone.ECNotFound:        fiber.StatusNotFound,
	finzone.ECConflict:        fiber.StatusConflict,
	finzone.ECInvalidState:    fiber.StatusConflict,
	finzone.ECPayloadTooLarge: fiber.StatusRequestEntityTooLarge,
	finzone.ECRateLimited:     fiber.StatusTooManyRequests,
	finzone.ECUnavailable:     fiber.StatusServiceUnavailable,
	finzone.ECInternal:        fiber.StatusInternalServerError,
}

// codeOfFiber maps Fiber's own errors (unknown routes, oversized bodies) to
// our codes.
var codeOfFiber = map[int]string{
	fiber.StatusNotFound:              finzone.ECNotFound,
	fiber.StatusMethodNotAllowed:      finzone.ECNotFound,
	fiber.StatusRequestEntityTooLarge: finzone.ECPayloadTooLarge,
	fiber.StatusBadRequest:            finzone.ECMalformedJSON,
	fiber.StatusUnauthorized:          finzone.ECUnauthenticated,
	fiber.StatusForbidden:             finzone.ECForbidden,
	fiber.StatusTooManyRequests:       finzone.ECRateLimited,
	fiber.StatusServiceUnavailable:    finzone.ECUnavailable,
}

type errorBody struct {
	Error errorJSON `json:"error"`
}

type errorJSON struct {
	Code      string      `json:"code"`
	Message   string      `json:"message"`
	Fields    []fieldJSON `json:"fields,omitempty"`
	Allowed   []string    `json:"allowed_actions,omitempty"`
	RequestID string      `json:"request_id,omitempty"`
}

type fieldJSON struct {
	Field   string `json:"field"`
	Code    string `json:"code"`
	Message string `json:"message"`
}

// errorHandler is Fiber's single error handler: every failure, from any
// handler or middleware, leaves through here in one shape.
func (s *Server) errorHandler(c *fiber.Ctx, err error) error {
	code := finzone.ErrorCode(err)
	var fe *fiber.Error
	if errors.As(err, &fe) {
		code = codeOfFiber[fe.Code]
		if code == "" {
			code = finzone.ECInternal
		}
	}
	status, ok := statusOf[code]
	if !ok {
		status = fiber.StatusInternalServerError
	}
	rid, _ := c.Locals("requestid").(string)
	if status >= 500 {
		s.log.Error("request failed", "request_id", rid, "method", c.Method(), "path", c.Path(), "code", code, "err", err)
	}
	lang := langOf(c)
	body := errorBody{Error: errorJSON{Code: code, Message: i18n.Error(lang, code), RequestID: rid}}
	var de *finzone.Error
	if errors.As(err, &de) {
		body.Error.Allowed = de.Allowed
		for _, f := range de.Fields {
			body.Error.Fields = append(body.Error.Fields, fieldJSON{Field: f.Field, Code: f.Code, Message: i18n.Field(lang, f)})
		}
	}
	if status == fiber.StatusUnauthorized {
		c.Set(fiber.HeaderWWWAuthenticate, `Bearer realm="finzone"`)
	}
	return c.Status(status).JSON(body)
}

// langOf reads the user's language: a lang cookie set by the pages wins, then
// Accept-Language; Chinese by default.
func langOf(c *fiber.Ctx) finzone.Lang {
	if l := c.Cookies("lang"); l != "" {
		return finzone.ParseLang(l)
	}
	return finzone.ParseLang(c.Get(fiber.HeaderAcceptLanguage))
}

func logAttrs(c *fiber.Ctx) []any {
	rid, _ := c.Locals("requestid").(string)
	return []any{slog.String("request_id", rid), slog.String("method", c.Method()), slog.String("path", c.Path())}
}
