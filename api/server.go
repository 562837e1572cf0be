// Package api is the platform's one Fiber app: the JSON API under /api/v1,
// health checks, middleware and the single error handler. Handlers are thin:
// parse, check who may do it (finzone.Actor), call the store, render.
package api

import (
	"context"
	"log/slog"
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/gofiber/fiber/v2/middleware/recover"
	"github.com/gofiber/fiber/v2/middleware/requestid"

	"finzone"
)

// MaxBodyBytes bounds request bodies; larger ones get 413.
const MaxBodyBytes = 1 << 20

// SessionTTL is how long a sign-in lasts.
const SessionTTL = 7 * 24 * time.Hour

// Config wires the server to its dependencies.
type Config struct {
	Store finzone.Store
	// Pipeline hears of submissions, withdrawals, match changes and
	// catalogue changes; nil leaves the background pipeline uninformed.
	Pipeline finzone.Pipeline
	// Ready checks dependencies besides the store (Redis) for /readyz.
	Ready map[string]func(ctx context.Context) error
	// Now is the clock; tests may fix it.
	Now func() time.Time
	Log *slog.Logger
	// Mount lets other packages (the web pages) add routes to the same app
	// after the API's middleware is in place.
	Mount func(app *fiber.App)
	// Deadlines set the due time of each stage an institution enters.
	Deadlines finzone.Deadlines
	// AllowHTTPWebhooks permits plain-http webhook URLs (tests only).
	AllowHTTPWebhooks bool
	// Queues reads the background queues' sizes for the admin page; nil
	// leaves them off it. cmd/finzone wires the workers' inspector here, so
	// api need not import workers.
	Queues func(ctx context.Context) ([]finzone.QueueStat, error)
}

// Server holds the handlers' dependencies.
type Server struct {
	store    finzone.Store
	pipeline finzone.Pipeline
	ready    map[string]func(ctx context.Context) error
	now      func() time.Time
	log      *slog.Logger

	deadlines         finzone.Deadlines
	allowHTTPWebhooks bool
	queues            func(ctx context.Context) ([]finzone.QueueStat, error)
}

// New builds the Fiber app.
func New(cfg Config) *fiber.App {
	s := &Server{store: cfg.Store, pipeline: cfg.Pipeline, ready: cfg.Ready, now: cfg.Now, log: cfg.Log}
	if s.now == nil {
		s.now = time.Now
	}
	if s.log == nil {
		s.log = slog.Default()
	}
	s.deadlines, s.allowHTTPWebhooks, s.queues = cfg.Deadlines, cfg.AllowHTTPWebhooks, cfg.Queues
	if s.deadlines.AcceptDays == 0 {
		d := finzone.DefaultDeadlines()
		d.DayLength, d.Holidays, d.Location = cfg.Deadlines.DayLength, cfg.Deadlines.Holidays, cfg.Deadlines.Location
		s.deadlines = d
	}
	app := fiber.New(fiber.Config{
		AppName:               "finzone",
		ErrorHandler:          s.errorHandler,
		BodyLimit:             MaxBodyBytes,
		ReadTimeout:           15 * time.Second,
		WriteTimeout:          30 * time.Second,
		IdleTimeout:           60 * time.Second,
		DisableStartupMessage: true,
	})
	app.Use(requestid.New(requestid.Config{ContextKey: "requestid"}))
	app.Use(recover.New())
	app.Use(s.accessLog)

	app.Get("/healthz", func(c *fiber.Ctx) error { return c.JSON(fiber.Map{"status": "ok"}) })
	app.Get("/readyz", s.readyz)

	v1 := app.Group("/api/v1")
	v1.Get("/regions", s.regions)
	v1.Get("/industries", s.industries)
	v1.Get("/clusters", s.clusters)
	v1.Post("/auth/register", s.register)
	v1.Post("/auth/login", s.login)

	authed := v1.Group("", s.authenticate)
	authed.Post("/auth/logout", s.logout)
	authed.Get("/me", s.me)

	authed.Get("/projects", s.listProjects)
	authed.Post("/projects", s.createProject)
	authed.Get("/projects/:id", s.getProject)
	authed.Patch("/projects/:id", s.patchProject)
	authed.Delete("/projects/:id", s.deleteProject)
	authed.Post("/projects/:id/submit", s.submitProject)
	authed.Post("/projects/:id/withdraw", s.withdrawProject)

	authed.Get("/products", s.listProducts)
	authed.Post("/products", s.createProduct)
	authed.Get("/products/:id", s.getProduct)
	authed.Patch("/products/:id", s.patchProduct)
	authed.Post("/products/:id/publish", s.publishProduct)
	authed.Post("/products/:id/review", s.reviewProduct)

	authed.Get("/projects/:id/matches", s.projectMatches)
	authed.Get("/projects/:id/syndicate", s.getSyndicate)
	authed.Post("/projects/:id/syndicate/respond", s.respondSyndicate)
	authed.Post("/projects/:id/syndicate/sign", s.signSyndicate)
	authed.Get("/matches", s.listMatches)
	authed.Get("/matches/:id", s.getMatch)
	authed.Post("/matches/:id/actions", s.matchAction)
	authed.Get("/notifications", s.listNotifications)
	authed.Post("/notifications/read", s.markNotificationsRead)
	authed.Get("/webhook", s.getWebhook)
	authed.Put("/webhook", s.putWebhook)
	authed.Get("/webhook/deliveries", s.listDeliveries)

	authed.Get("/institutions", s.listInstitutions)
	authed.Post("/institutions/:id/verify", s.verifyInstitution)

	if cfg.Mount != nil {
		cfg.Mount(app)
	}
	// Anything else under /api is an unknown route, answered in our shape.
	app.Use("/api", func(c *fiber.Ctx) error { return fiber.ErrNotFound })
	return app
}

func (s *Server) accessLog(c *fiber.Ctx) error {
	start := time.Now()
	err := c.Next()
	status := c.Response().StatusCode()
	if err != nil {
		// The error handler has not run yet; it decides the status.
		status = statusOf[finzone.ErrorCode(err)]
	}
	s.log.Debug("request", append(logAttrs(c), "status", status, "ms", time.Since(start).Milliseconds())...)
	return err
}

// readyz answers 200 when MongoDB and every other dependency answer. The
// checks run at once, each with its own deadline, so one slow dependency
// does not make the others look down.
func (s *Server) readyz(c *fiber.Ctx) error {
	checks := map[string]func(context.Context) error{"mongodb": s.store.Ping}
	for name, check := range s.ready {
		checks[name] = check
	}
	type result struct {
		name string
		err  error
	}
	results := make(chan result, len(checks))
	for name, check := range checks {
		go func() {
			ctx, cancel := context.WithTimeout(c.UserContext(), 2*time.Second)
			defer cancel()
			results <- result{name, check(ctx)}
		}()
	}
	out, ok := fiber.Map{}, true
	for range checks {
		r := <-results
		out[r.name] = "ok"
		if r.err != nil {
			ok = false
			out[r.name] = "down"
			s.log.Warn("readiness check failed", "check", r.name, "err", r.err)
		}
	}
	if !ok {
		return c.Status(fiber.StatusServiceUnavailable).JSON(fiber.Map{"status": "unavailable", "checks": out})
	}
	return c.JSON(fiber.Map{"status": "ok", "checks": out})
}

// notify tells the pipeline about a change already stored. Failure is only
// logged: MongoDB holds the truth and the reconciler re-enqueues what is
// due, so a Redis outage delays work but loses none.
func (s *Server) notify(c *fiber.Ctx, what string, call func(p finzone.Pipeline) error) {
	if s.pipeline == nil {
		return
	}
	if err := call(s.pipeline); err != nil {
		s.log.Warn("pipeline notice failed; the reconciler will catch up", append(logAttrs(c), "what", what, "err", err)...)
	}
}
