// Package web is the server-rendered pages: their routes and handlers, a
// thin edge over package usecase (read the form, call one operation,
// render), with the templates, static assets and translations embedded in
// the binary, the view models the templates read, money and date formatting,
// and a small SVG chart renderer. It never touches the store.
package web

import (
	"net/http"
	"net/url"

	"github.com/gofiber/fiber/v2"
	"github.com/gofiber/fiber/v2/middleware/filesystem"

	"finzone/usecase"
)

// pages serves the pages over the use cases.
type pages struct {
	uc *usecase.Service
	r  *Renderer
}

// Mount adds the pages and their assets to the app, after api.Mount: every
// path outside /api that no page serves gets the not-found page.
func Mount(app *fiber.App, uc *usecase.Service) error {
	r, err := NewRenderer()
	if err != nil {
		return err
	}
	p := &pages{uc: uc, r: r}
	app.Use("/static", filesystem.New(filesystem.Config{Root: http.FS(Static()), MaxAge: 365 * 24 * 3600}))
	p.accountRoutes(app)
	p.objectRoutes(app)
	p.staffRoutes(app)
	app.Use(p.notFound)
	return nil
}

// accountRoutes are signing in and out and what a person does with their
// own account.
func (p *pages) accountRoutes(app *fiber.App) {
	open, signedIn := p.open, p.signedIn
	app.Get("/", open(p.homePage))
	app.Get("/lang/:lang", p.switchLang)
	app.Get("/login", open(p.loginPage))
	app.Post("/login", open(p.loginPost))
	app.Get("/register", open(p.registerPage))
	app.Post("/register", open(p.registerPost))
	app.Post("/logout", open(p.logoutPost))
	app.Get("/home", signedIn(p.homeRedirect))
	app.Get("/privacy", open(p.privacyPage))
	app.Get("/privacy/data", signedIn(p.dataPage))
	app.Post("/privacy/delete", signedIn(p.deleteAccountPost))
	app.Get("/privacy/delete", func(c *fiber.Ctx) error { return c.Redirect("/privacy/data", fiber.StatusSeeOther) })
	app.Get("/account", signedIn(p.accountPage))
	app.Post("/account/password", signedIn(p.passwordPost))
	app.Post("/account/sessions/:id/revoke", signedIn(p.revokeSessionPost))
	app.Get("/account/password", func(c *fiber.Ctx) error { return c.Redirect("/account", fiber.StatusSeeOther) })
}

// objectRoutes are the projects, products and matches pages and forms.
func (p *pages) objectRoutes(app *fiber.App) {
	signedIn := p.signedIn
	app.Get("/projects", signedIn(p.projectsPage))
	app.Get("/projects/new", signedIn(p.newProjectPage))
	app.Post("/projects/new", signedIn(p.newProjectPost))
	app.Get("/projects/:id", signedIn(p.projectPage))
	app.Get("/projects/:id/edit", signedIn(p.editProjectPage))
	app.Post("/projects/:id/edit", signedIn(p.editProjectPost))
	app.Post("/projects/:id/submit", signedIn(p.submitProjectPost))
	app.Post("/projects/:id/withdraw", signedIn(p.withdrawProjectPost))
	app.Post("/projects/:id/delete", signedIn(p.deleteProjectPost))
	app.Post("/projects/:id/offer", signedIn(p.offerPost))
	app.Post("/projects/:id/screen", signedIn(p.screenPost))
	app.Post("/projects/:id/assign", signedIn(p.assignPost))
	p.syndicateRoutes(app)

	app.Get("/products", signedIn(p.productsPage))
	app.Get("/products/new", signedIn(p.newProductPage))
	app.Post("/products/new", signedIn(p.newProductPost))
	app.Get("/products/:id", signedIn(p.productPage))
	app.Get("/products/:id/edit", signedIn(p.editProductPage))
	app.Post("/products/:id/edit", signedIn(p.editProductPost))
	app.Post("/products/:id/publish", signedIn(p.publishProductPost))

	app.Get("/inbox", signedIn(p.inboxPage))
	app.Get("/matches/:id", signedIn(p.matchPage))
	app.Post("/matches/:id/action", signedIn(p.matchActionPost))
	app.Post("/matches/:id/extend", signedIn(p.extendPost))
	app.Post("/matches/:id/urge", signedIn(p.urgePost))
	app.Get("/webhooks", signedIn(p.webhooksPage))
	app.Post("/webhooks", signedIn(p.webhooksPost))
	app.Post("/webhooks/rotate", signedIn(p.webhooksRotate))
	app.Get("/notifications", signedIn(p.notificationsPage))
	app.Post("/notifications/read", signedIn(p.notificationsReadPost))
	// A page drawn by a POST (a form with field messages) links its language
	// switch to its own address; these lead back to the page itself.
	for _, form := range []string{"action", "extend", "urge"} {
		app.Get("/matches/:id/"+form, backTo("/matches/"))
	}
	for _, form := range []string{"offer", "screen", "assign"} {
		app.Get("/projects/:id/"+form, backTo("/projects/"))
	}
}

// syndicateRoutes are a project's syndicate page and its forms, and the
// list of syndicates. Every form names the project; the use cases judge
// who may use it (the owner, the lead arranger, an invited bank, the
// agent bank, a member).
func (p *pages) syndicateRoutes(app *fiber.App) {
	signedIn := p.signedIn
	app.Get("/syndicates", signedIn(p.syndicatesPage))
	app.Get("/projects/:id/syndicate", signedIn(p.syndicatePage))
	forms := map[string]pageHandler{"mandate": p.mandatePost, "facility": p.facilityPost, "invite": p.invitePost,
		"commit": p.commitPost, "decline": p.declinePost, "withdraw": p.withdrawCommitmentPost, "sign": p.signPost,
		"drawdown": p.drawdownPost, "transfer": p.transferPost}
	for _, form := range syndicateForms {
		app.Post("/projects/:id/syndicate/"+form, signedIn(forms[form]))
		app.Get("/projects/:id/syndicate/"+form, func(c *fiber.Ctx) error {
			return c.Redirect(syndicatePath(c.Params("id")), fiber.StatusSeeOther)
		})
	}
}

// staffRoutes are the coordinators' and platform admins' pages.
func (p *pages) staffRoutes(app *fiber.App) {
	signedIn := p.signedIn
	app.Get("/dashboard", signedIn(p.dashboardPage))
	app.Get("/pipeline", signedIn(p.pipelinePage))
	app.Get("/pipeline.csv", signedIn(p.pipelineCSV))
	app.Get("/reports/monthly", signedIn(p.monthlyPage))
	app.Get("/search", signedIn(p.searchPage))
	app.Get("/review/products", signedIn(p.reviewProductsPage))
	app.Post("/review/products/:id", signedIn(p.reviewProductPost))
	app.Get("/review/institutions", signedIn(p.reviewInstitutionsPage))
	app.Post("/review/institutions/:id/verify", signedIn(p.verifyInstitutionPost))
	app.Get("/review/enterprises", signedIn(p.reviewEnterprisesPage))
	app.Post("/review/enterprises/:id/verify", signedIn(p.verifyEnterprisePost))
	app.Post("/review/claims/:id", signedIn(p.decideClaimPost))
	app.Get("/admin", signedIn(p.adminPage))
	app.Get("/review/products/:id", backTo("/products/"))
}

// backTo redirects to prefix and the request's :id.
func backTo(prefix string) fiber.Handler {
	return func(c *fiber.Ctx) error {
		return c.Redirect(prefix+url.PathEscape(c.Params("id")), fiber.StatusSeeOther)
	}
}
