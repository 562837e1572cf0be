// Package api is the JSON API: the health checks and /api/v1, a thin edge
// over package usecase. Each handler decodes the request, calls one
// operation and encodes its answer; every failure leaves through the one
// error handler of package server, in one shape.
package api

import (
	"github.com/gofiber/fiber/v2"

	"finzone/server"
	"finzone/usecase"
)

// handler holds what the API's handlers call: the use cases.
type handler struct {
	uc *usecase.Service
}

// Mount registers the health checks, every /api/v1 route and the /api
// fallback on app. Mount it before the pages: their catch-all would answer
// unknown /api routes with an HTML page.
func Mount(app *fiber.App, uc *usecase.Service) {
	h := handler{uc: uc}
	app.Get("/healthz", func(c *fiber.Ctx) error { return c.JSON(fiber.Map{"status": "ok"}) })
	app.Get("/readyz", h.readyz)

	v1 := app.Group("/api/v1", sameOriginWrites)
	v1.Get("/regions", h.regions)
	v1.Get("/industries", h.industries)
	v1.Get("/clusters", h.clusters)
	v1.Get("/openapi.json", openAPI)
	v1.Post("/auth/register", h.register)
	v1.Post("/auth/login", h.login)
	v1.Post("/credit-code-claims", h.fileCodeClaim)

	authed := v1.Group("", server.Authenticate(uc))
	authed.Post("/auth/logout", h.logout)
	authed.Get("/me", h.me)
	authed.Get("/me/export", h.exportMe)
	authed.Post("/me/delete", h.deleteMe)
	authed.Post("/me/password", h.changePassword)
	authed.Get("/me/sessions", h.listSessions)
	authed.Delete("/me/sessions/:id", h.revokeSession)

	authed.Get("/projects", h.listProjects)
	authed.Post("/projects", h.createProject)
	authed.Get("/projects/:id", h.getProject)
	authed.Patch("/projects/:id", h.patchProject)
	authed.Delete("/projects/:id", h.deleteProject)
	authed.Post("/projects/:id/submit", h.submitProject)
	authed.Post("/projects/:id/withdraw", h.withdrawProject)
	authed.Post("/projects/:id/screen", h.screenProject)
	authed.Post("/projects/:id/assign", h.assignInstitution)

	authed.Get("/products", h.listProducts)
	authed.Post("/products", h.createProduct)
	authed.Get("/products/:id", h.getProduct)
	authed.Patch("/products/:id", h.patchProduct)
	authed.Post("/products/:id/publish", h.publishProduct)
	authed.Post("/products/:id/review", h.reviewProduct)

	authed.Get("/projects/:id/matches", h.projectMatches)
	authed.Get("/projects/:id/views", h.projectViews)
	authed.Get("/projects/:id/syndicate", h.getSyndicate)
	authed.Get("/projects/:id/syndicate/candidates", h.syndicateCandidates)
	authed.Post("/projects/:id/syndicate/mandate", h.mandateLead)
	authed.Put("/projects/:id/syndicate/facility", h.setFacility)
	authed.Post("/projects/:id/syndicate/invitations", h.inviteBanks)
	authed.Post("/projects/:id/syndicate/commit", h.commitToSyndicate)
	authed.Post("/projects/:id/syndicate/decline", h.declineSyndicate)
	authed.Post("/projects/:id/syndicate/withdraw", h.withdrawCommitment)
	authed.Post("/projects/:id/syndicate/sign", h.signSyndicate)
	authed.Post("/projects/:id/syndicate/drawdowns", h.recordDrawdown)
	authed.Post("/projects/:id/syndicate/transfers", h.transferShare)
	authed.Get("/syndicates", h.listSyndicates)
	authed.Get("/matches", h.listMatches)
	authed.Get("/matches/:id", h.getMatch)
	authed.Post("/matches/:id/actions", h.matchAction)
	authed.Post("/matches/:id/offer", h.decideOffer)
	authed.Post("/matches/:id/extend", h.extendMatch)
	authed.Post("/matches/:id/urge", h.urgeMatch)
	authed.Get("/notifications", h.listNotifications)
	authed.Post("/notifications/read", h.markNotificationsRead)
	authed.Get("/webhook", h.getWebhook)
	authed.Put("/webhook", h.putWebhook)
	authed.Post("/webhook/rotate", h.rotateWebhook)
	authed.Get("/webhook/deliveries", h.listDeliveries)

	authed.Get("/institutions", h.listInstitutions)
	authed.Post("/institutions/:id/verify", h.verifyInstitution)
	authed.Get("/enterprises", h.listEnterprises)
	authed.Post("/enterprises/:id/verify", h.verifyEnterprise)
	authed.Get("/credit-code-claims", h.listCodeClaims)
	authed.Get("/credit-code-claims/:id", h.getCodeClaim)
	authed.Get("/reports/monthly", h.monthlyReport)
	authed.Post("/credit-code-claims/:id/decide", h.decideCodeClaim)

	// Anything else under /api is an unknown route, answered in our shape.
	app.Use("/api", func(c *fiber.Ctx) error { return fiber.ErrNotFound })
}

// readyz answers 200 when MongoDB and every other dependency answer, 503
// naming the ones down otherwise.
func (h handler) readyz(c *fiber.Ctx) error {
	checks, ok := fiber.Map{}, true
	for name, err := range h.uc.Health(c.UserContext()) {
		checks[name] = "ok"
		if err != nil {
			checks[name], ok = "down", false
		}
	}
	if !ok {
		return c.Status(fiber.StatusServiceUnavailable).JSON(fiber.Map{"status": "unavailable", "checks": checks})
	}
	return c.JSON(fiber.Map{"status": "ok", "checks": checks})
}

// listInput is the page a list request asks for, as sent: the use case
// checks it.
func listInput(c *fiber.Ctx) usecase.ListInput {
	return usecase.ListInput{Limit: c.Query("limit"), Cursor: c.Query("cursor"), Sort: c.Query("sort")}
}
