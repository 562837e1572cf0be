// Package server is the one Fiber app that both edges hang their routes
// on: the JSON API (package api) and the pages (package web). It holds what
// the two share: the middleware (request IDs, panic recovery, the access
// log), the one table from error codes to HTTP statuses and the error
// handler that answers in the API's error shape, the session cookie, the
// request's language and the actor a request acts as.
package server

import (
	"errors"
	"fmt"
	"log/slog"
	"net"
	"strconv"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/gofiber/fiber/v2/middleware/recover"
	"github.com/gofiber/fiber/v2/middleware/requestid"
	"github.com/gofiber/fiber/v2/utils"

	"finzone"
	"finzone/i18n"
	"finzone/usecase"
)

// MaxBodyBytes bounds request bodies; larger ones get 413.
const MaxBodyBytes = 1 << 20

// Config is the app's settings.
type Config struct {
	Log *slog.Logger
	// TrustedProxies are the reverse proxies (IPs and CIDRs, as
	// ParseProxies reads them) whose X-Forwarded-Proto and X-Forwarded-Host
	// the app believes: a request a trusted proxy took over TLS counts as
	// https (HSTS, Secure cookies). The same headers from anyone else are
	// ignored; with none trusted, only the app's own TLS counts.
	TrustedProxies []string
	// ReadTimeout bounds the reading of a request (default 15 s); one that
	// has not arrived whole by then is answered 408 request_timeout.
	ReadTimeout time.Duration
}

// New builds the app with the shared middleware and error handler and no
// trusted proxies; the edges add their routes to it.
func New(log *slog.Logger) *fiber.App { return NewWith(Config{Log: log}) }

// NewWith is New with cfg.
func NewWith(cfg Config) *fiber.App {
	log := cfg.Log
	if log == nil {
		log = slog.Default()
	}
	if cfg.ReadTimeout <= 0 {
		cfg.ReadTimeout = 15 * time.Second
	}
	app := fiber.New(fiber.Config{
		AppName:               "finzone",
		ErrorHandler:          errorHandler(log),
		BodyLimit:             MaxBodyBytes,
		ReadTimeout:           cfg.ReadTimeout,
		WriteTimeout:          30 * time.Second,
		IdleTimeout:           60 * time.Second,
		DisableStartupMessage: true,
		// Fiber believes X-Forwarded-* from every client unless the check
		// is on; on, it believes them only from TrustedProxies. c.IP() is
		// left the peer's address (no ProxyHeader): Fiber would take the
		// leftmost X-Forwarded-For, which the client writes.
		EnableTrustedProxyCheck: true,
		TrustedProxies:          cfg.TrustedProxies,
	})
	app.Use(requestid.New(requestid.Config{ContextKey: requestIDKey}))
	app.Use(func(c *fiber.Ctx) error {
		c.SetUserContext(usecase.WithRequestID(c.UserContext(), RequestID(c)))
		return c.Next()
	})
	app.Use(recover.New())
	app.Use(accessLog(log))
	app.Use(safeDefaults)
	return app
}

// ParseProxies reads comma-separated IP addresses and CIDR ranges of
// trusted proxies, written as Fiber matches them.
func ParseProxies(s string) ([]string, error) {
	var out []string
	for _, p := range strings.Split(s, ",") {
		if p = strings.TrimSpace(p); p == "" {
			continue
		}
		if _, n, err := net.ParseCIDR(p); err == nil {
			out = append(out, n.String())
		} else if ip := net.ParseIP(p); ip != nil {
			out = append(out, ip.String())
		} else {
			return nil, fmt.Errorf("trusted proxy %q: not an IP address or CIDR range", p)
		}
	}
	return out, nil
}

// safeDefaults are the headers every answer starts with; a handler may
// override them (the pages set their CSP, static assets their caching).
// HSTS goes only with an answer the client reached over TLS: its own, or a
// trusted proxy's (see Config.TrustedProxies).
func safeDefaults(c *fiber.Ctx) error {
	c.Set(fiber.HeaderXContentTypeOptions, "nosniff")
	c.Set(fiber.HeaderCacheControl, "no-store")
	c.Set(fiber.HeaderReferrerPolicy, "same-origin")
	if c.Protocol() == "https" {
		c.Set(fiber.HeaderStrictTransportSecurity, "max-age=31536000; includeSubDomains")
	}
	return c.Next()
}

const requestIDKey = "requestid"

// RequestID is the request's ID, also sent back in X-Request-ID.
func RequestID(c *fiber.Ctx) string {
	rid, _ := c.Locals(requestIDKey).(string)
	return rid
}

// errorRequestID is the request's ID for its error answer. Fiber's server
// answers some requests (413, 431) before any middleware has run: those get
// an ID here, in the body and in X-Request-ID, as every other answer does.
func errorRequestID(c *fiber.Ctx) string {
	if rid := RequestID(c); rid != "" {
		return rid
	}
	rid := utils.UUID()
	c.Locals(requestIDKey, rid)
	c.Set(fiber.HeaderXRequestID, rid)
	return rid
}

// LogAttrs are the request's attributes for a log line.
func LogAttrs(c *fiber.Ctx) []any {
	return []any{slog.String("request_id", RequestID(c)), slog.String("method", c.Method()), slog.String("path", c.Path())}
}

func accessLog(log *slog.Logger) fiber.Handler {
	return func(c *fiber.Ctx) error {
		start := time.Now()
		err := c.Next()
		status := c.Response().StatusCode()
		if err != nil {
			// The error handler has not run yet; it decides the status.
			status = Status(Code(err))
		}
		log.Debug("request", append(LogAttrs(c), "status", status, "ms", time.Since(start).Milliseconds())...)
		return err
	}
}

// statusOf is the one table from error codes to HTTP statuses.
var statusOf = map[string]int{
	finzone.ECValidation:         fiber.StatusBadRequest,
	finzone.ECInvalidUSCC:        fiber.StatusBadRequest,
	finzone.ECUnknownRegion:      fiber.StatusBadRequest,
	finzone.ECInvalidCursor:      fiber.StatusBadRequest,
	finzone.ECMalformedJSON:      fiber.StatusBadRequest,
	finzone.ECUnauthenticated:    fiber.StatusUnauthorized,
	finzone.ECInvalidCredentials: fiber.StatusUnauthorized,
	finzone.ECForbidden:          fiber.StatusForbidden,
	finzone.ECNotFound:           fiber.StatusNotFound,
	finzone.ECConflict:           fiber.StatusConflict,
	finzone.ECInvalidState:       fiber.StatusConflict,
	finzone.ECExceedsNeed:        fiber.StatusConflict,
	finzone.ECSyndicateRule:      fiber.StatusConflict,
	finzone.ECDeadlinePassed:     fiber.StatusConflict,
	finzone.ECPayloadTooLarge:    fiber.StatusRequestEntityTooLarge,
	finzone.ECHeaderTooLarge:     fiber.StatusRequestHeaderFieldsTooLarge,
	finzone.ECRequestTimeout:     fiber.StatusRequestTimeout,
	finzone.ECUnsupportedMedia:   fiber.StatusUnsupportedMediaType,
	finzone.ECRateLimited:        fiber.StatusTooManyRequests,
	finzone.ECTooManyAttempts:    fiber.StatusTooManyRequests,
	finzone.ECUnavailable:        fiber.StatusServiceUnavailable,
	finzone.ECInternal:           fiber.StatusInternalServerError,
}

// codeOfFiber maps Fiber's own errors (unknown routes, oversized bodies) to
// our codes.
var codeOfFiber = map[int]string{
	fiber.StatusNotFound:                    finzone.ECNotFound,
	fiber.StatusMethodNotAllowed:            finzone.ECNotFound,
	fiber.StatusRequestEntityTooLarge:       finzone.ECPayloadTooLarge,
	fiber.StatusRequestHeaderFieldsTooLarge: finzone.ECHeaderTooLarge,
	fiber.StatusRequestTimeout:              finzone.ECRequestTimeout,
	fiber.StatusBadRequest:                  finzone.ECMalformedJSON,
	fiber.StatusUnauthorized:                finzone.ECUnauthenticated,
	fiber.StatusForbidden:                   finzone.ECForbidden,
	fiber.StatusTooManyRequests:             finzone.ECRateLimited,
	fiber.StatusServiceUnavailable:          finzone.ECUnavailable,
}

// Code is the error code of any error a handler returns: the domain's, or
// ours for Fiber's own errors, or internal.
func Code(err error) string {
	var fe *fiber.Error
	if errors.As(err, &fe) {
		if code := codeOfFiber[fe.Code]; code != "" {
			return code
		}
		return finzone.ECInternal
	}
	return finzone.ErrorCode(err)
}

// Status is the HTTP status of an error code.
func Status(code string) int {
	if s, ok := statusOf[code]; ok {
		return s
	}
	return fiber.StatusInternalServerError
}

// ErrorBody is the one error shape every failure answers with.
type ErrorBody struct {
	Error ErrorJSON `json:"error"`
}

// ErrorJSON is an error's code, its message in the user's language, the
// fields at fault, the actions a stage allows instead, and the request ID.
type ErrorJSON struct {
	Code    string      `json:"code"`
	Message string      `json:"message"`
	Fields  []FieldJSON `json:"fields,omitempty"`
	Allowed []string    `json:"allowed_actions,omitempty"`
	// Params are the figures the message names (exceeds_need: room_yuan).
	Params    map[string]any `json:"params,omitempty"`
	RequestID string         `json:"request_id,omitempty"`
}

// FieldJSON is one field at fault.
type FieldJSON struct {
	Field   string `json:"field"`
	Code    string `json:"code"`
	Message string `json:"message"`
	// Allowed lists the values an enum field takes (invalid_value).
	Allowed []string `json:"allowed,omitempty"`
}

// errorHandler is Fiber's single error handler: every failure a handler or
// middleware returns leaves through here in one shape. (The pages catch
// their own errors and show them as pages.)
func errorHandler(log *slog.Logger) fiber.ErrorHandler {
	return func(c *fiber.Ctx, err error) error {
		code := Code(err)
		status := Status(code)
		if status >= 500 {
			log.Error("request failed", append(LogAttrs(c), "code", code, "err", err)...)
		}
		lang := Lang(c)
		body := ErrorBody{Error: ErrorJSON{Code: code, Message: i18n.Error(lang, code), RequestID: errorRequestID(c)}}
		var de *finzone.Error
		if errors.As(err, &de) {
			body.Error.Allowed, body.Error.Params = de.Allowed, de.Params
			if len(de.Params) > 0 {
				body.Error.Message = i18n.T(lang, i18n.Key("code."+code), i18n.Params(de.Params)...)
			}
			for _, f := range de.Fields {
				body.Error.Fields = append(body.Error.Fields, FieldJSON{Field: f.Field, Code: f.Code, Message: i18n.Field(lang, f), Allowed: f.Allowed})
			}
		}
		if status == fiber.StatusUnauthorized {
			c.Set(fiber.HeaderWWWAuthenticate, `Bearer realm="finzone"`)
		}
		// Every throttled answer says when to come back, whichever
		// operation counted the attempt.
		if n, ok := body.Error.Params["retry_after"].(int64); ok && code == finzone.ECTooManyAttempts {
			c.Set(fiber.HeaderRetryAfter, strconv.FormatInt(n, 10))
		}
		return c.Status(status).JSON(body)
	}
}

// LangCookie remembers the language a visitor chose on the pages.
const LangCookie = "lang"

// Lang is the user's language: the pages' language cookie wins, then
// Accept-Language; Chinese by default.
func Lang(c *fiber.Ctx) finzone.Lang {
	if l := c.Cookies(LangCookie); l != "" {
		return finzone.ParseLang(l)
	}
	return finzone.ParseLang(c.Get(fiber.HeaderAcceptLanguage))
}

// SessionCookie carries the session token for browsers; API clients send
// the same token as a bearer token.
const SessionCookie = "finzone_session"

// Token is the request's session token: the bearer token, or the session
// cookie when no Authorization header is sent.
func Token(c *fiber.Ctx) string {
	if h := c.Get(fiber.HeaderAuthorization); h != "" {
		if t, ok := strings.CutPrefix(h, "Bearer "); ok {
			return strings.TrimSpace(t)
		}
		return ""
	}
	return c.Cookies(SessionCookie)
}

// SetSession gives the browser its session cookie; an empty token clears
// it.
func SetSession(c *fiber.Ctx, token string, expires time.Time) {
	if token == "" {
		expires = time.Unix(0, 0)
	}
	c.Cookie(&fiber.Cookie{Name: SessionCookie, Value: token, Path: "/", Expires: expires,
		HTTPOnly: true, SameSite: fiber.CookieSameSiteLaxMode, Secure: c.Protocol() == "https"})
}

type actorKey struct{}

// SetActor records who the request acts as, once its session is resolved.
func SetActor(c *fiber.Ctx, a finzone.Actor) { c.Locals(actorKey{}, a) }

// Actor is who the request acts as; anonymous requests have a zero Actor.
func Actor(c *fiber.Ctx) finzone.Actor {
	a, _ := c.Locals(actorKey{}).(finzone.Actor)
	return a
}

// Authenticate resolves the session token before the handlers after it;
// without a valid one the request is unauthenticated.
func Authenticate(uc *usecase.Service) fiber.Handler {
	return func(c *fiber.Ctx) error {
		a, err := uc.Authenticate(c.UserContext(), Token(c))
		if err != nil {
			return err
		}
		SetActor(c, a)
		return c.Next()
	}
}
