package metrics

import (
	"errors"
	"strconv"
	"time"

	"github.com/gofiber/fiber/v2"
)

// Unmatched is the route label of a request no route answered: its path is
// not a label (anyone could make up paths without end).
const Unmatched = "unmatched"

// Middleware counts and times every request by method, route template
// (Fiber's c.Route().Path, never the URL) and status. Mount it before the
// routes. A handler's error has no status yet when the middleware sees it
// (the app's error handler writes it later), so statusOf says which status
// the error handler will give it; nil takes a *fiber.Error's code, else 500.
func (m *Metrics) Middleware(statusOf func(error) int) fiber.Handler {
	if m == nil {
		return func(c *fiber.Ctx) error { return c.Next() }
	}
	return func(c *fiber.Ctx) error {
		start := time.Now()
		err := c.Next()
		status := c.Response().StatusCode()
		if err != nil {
			status = errStatus(err, statusOf)
		}
		route := c.Route().Path
		if unrouted(err) {
			route = Unmatched
		}
		method, code := knownMethod(c.Method()), strconv.Itoa(status)
		m.requests.WithLabelValues(method, route, code).Inc()
		m.latency.WithLabelValues(method, route, code).Observe(time.Since(start).Seconds())
		return err
	}
}

func errStatus(err error, statusOf func(error) int) int {
	if statusOf != nil {
		return statusOf(err)
	}
	var fe *fiber.Error
	if errors.As(err, &fe) {
		return fe.Code
	}
	return fiber.StatusInternalServerError
}

// unrouted reports whether err is the router's own answer that no route
// matched the path or the method. Otherwise c.Route() is the last route
// that handled the request: its template, or the prefix of the group's
// middleware that answered it (a 401 from authentication). Both come from
// the router's registrations, not from the request's buffers, which Fiber
// reuses once the handler returns.
func unrouted(err error) bool {
	var fe *fiber.Error
	return errors.As(err, &fe) && (fe.Code == fiber.StatusNotFound || fe.Code == fiber.StatusMethodNotAllowed)
}

// knownMethod names a request method by a constant: the request's own
// bytes are reused, and odd methods must not grow the label set.
func knownMethod(m string) string {
	for _, k := range []string{fiber.MethodGet, fiber.MethodHead, fiber.MethodPost, fiber.MethodPut, fiber.MethodPatch,
		fiber.MethodDelete, fiber.MethodOptions, fiber.MethodConnect, fiber.MethodTrace} {
		if m == k {
			return k
		}
	}
	return "OTHER"
}
