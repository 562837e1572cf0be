package api

import (
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/gofiber/fiber/v2/middleware/filesystem"

	"finzone"
	"finzone/i18n"
	"finzone/web"
)

// The server-rendered pages. They share the API's store, sessions and
// permission rules (finzone.Actor and the load* helpers); only the edges
// differ: HTML forms in, HTML out, errors shown as pages or field messages.

// CSRFCookie carries the double-submit token every page form repeats in a
// hidden _csrf field. A cross-site page can make the browser send the cookie
// but cannot read it to fill the field.
const CSRFCookie = "finzone_csrf"

// pageServer adds the renderer to the API server.
type pageServer struct {
	*Server
	r *web.Renderer

	cacheMu sync.Mutex
	cache   map[string]cachedMatches
}

// pageHandler serves one page with a view already holding the language,
// the signed-in user and the CSRF token.
type pageHandler func(c *fiber.Ctx, v *web.View) error

// mountPages adds the web pages and their assets to the app.
func (s *Server) mountPages(app *fiber.App) {
	r, err := web.NewRenderer()
	if err != nil {
		// Templates are embedded: a broken one is a build defect.
		panic(err)
	}
	ps := &pageServer{Server: s, r: r, cache: map[string]cachedMatches{}}
	app.Use("/static", filesystem.New(filesystem.Config{Root: http.FS(web.Static()), MaxAge: 365 * 24 * 3600}))

	app.Get("/", ps.page(false, ps.homePage))
	app.Get("/lang/:lang", ps.switchLang)
	app.Get("/login", ps.page(false, ps.loginPage))
	app.Post("/login", ps.page(false, ps.loginPost))
	app.Get("/register", ps.page(false, ps.registerPage))
	app.Post("/register", ps.page(false, ps.registerPost))
	app.Post("/logout", ps.page(false, ps.logoutPost))
	app.Get("/home", ps.page(true, ps.homeRedirect))

	app.Get("/projects", ps.page(true, ps.projectsPage))
	app.Get("/projects/new", ps.page(true, ps.newProjectPage))
	app.Post("/projects/new", ps.page(true, ps.newProjectPost))
	app.Get("/projects/:id", ps.page(true, ps.projectPage))
	app.Get("/projects/:id/edit", ps.page(true, ps.editProjectPage))
	app.Post("/projects/:id/edit", ps.page(true, ps.editProjectPost))
	app.Post("/projects/:id/submit", ps.page(true, ps.submitProjectPost))
	app.Post("/projects/:id/withdraw", ps.page(true, ps.withdrawProjectPost))
	app.Post("/projects/:id/delete", ps.page(true, ps.deleteProjectPost))

	app.Get("/products", ps.page(true, ps.productsPage))
	app.Get("/products/new", ps.page(true, ps.newProductPage))
	app.Post("/products/new", ps.page(true, ps.newProductPost))
	app.Get("/products/:id", ps.page(true, ps.productPage))
	app.Get("/products/:id/edit", ps.page(true, ps.editProductPage))
	app.Post("/products/:id/edit", ps.page(true, ps.editProductPost))
	app.Post("/products/:id/publish", ps.page(true, ps.publishProductPost))

	app.Get("/dashboard", ps.page(true, ps.dashboardPage))
	app.Get("/search", ps.page(true, ps.searchPage))
	app.Get("/review/products", ps.page(true, ps.reviewProductsPage))
	app.Post("/review/products/:id", ps.page(true, ps.reviewProductPost))
	app.Get("/review/institutions", ps.page(true, ps.reviewInstitutionsPage))
	app.Post("/review/institutions/:id/verify", ps.page(true, ps.verifyInstitutionPost))
	app.Get("/admin", ps.page(true, ps.adminPage))

	ps.mountMatchPages(app)
	ps.mountNotificationPages(app)

	// Any other path outside /api is a page that does not exist.
	app.Use(func(c *fiber.Ctx) error {
		if strings.HasPrefix(c.Path(), "/api") {
			return c.Next()
		}
		return ps.page(false, func(c *fiber.Ctx, v *web.View) error {
			return finzone.Errorf(finzone.ECNotFound, "no page at %s", c.Path())
		})(c)
	})
}

// page wraps a handler: it resolves the session, checks the CSRF token on
// POST, sends anonymous visitors of signed-in pages to the sign-in page, and
// turns errors into error pages.
func (ps *pageServer) page(signedIn bool, h pageHandler) fiber.Handler {
	return func(c *fiber.Ctx) error {
		v := ps.r.NewView(string(langOf(c)))
		v.Path = c.Path()
		v.Query = string(c.Request().URI().QueryString())
		v.Now = ps.now()
		v.RequestID, _ = c.Locals("requestid").(string)
		v.CSRF = ps.csrfToken(c)
		c.Set("Content-Security-Policy", "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; frame-ancestors 'none'; form-action 'self'; base-uri 'none'")
		c.Set("X-Content-Type-Options", "nosniff")
		c.Set("Referrer-Policy", "same-origin")
		c.Set(fiber.HeaderCacheControl, "no-store")
		if tok := c.Cookies(SessionCookie); tok != "" {
			a, err := ps.ActorFor(c.UserContext(), tok)
			switch {
			case err == nil:
				c.Locals(actorKey, a)
				v.User = userView(a)
				if hasNotifications(a) {
					if v.User.Unread, err = ps.store.CountUnread(c.UserContext(), a.Org.ID); err != nil {
						return ps.fail(c, v, err)
					}
				}
			case !finzone.IsCode(err, finzone.ECUnauthenticated):
				return ps.fail(c, v, err)
			}
		}
		if c.Method() == fiber.MethodPost {
			sent := c.FormValue("_csrf")
			if sent == "" || subtle.ConstantTimeCompare([]byte(sent), []byte(c.Cookies(CSRFCookie))) != 1 {
				v.Title, v.Status = "error.csrf_title", fiber.StatusForbidden
				v.Data = v.T("error.csrf")
				return ps.render(c, fiber.StatusForbidden, "error", v)
			}
		}
		if c.Method() == fiber.MethodGet {
			takeFlash(c, v)
		}
		if signedIn && v.User == nil {
			return c.Redirect("/login?next="+url.QueryEscape(c.OriginalURL()), fiber.StatusSeeOther)
		}
		if err := h(c, v); err != nil {
			return ps.fail(c, v, err)
		}
		return nil
	}
}

// csrfToken returns the browser's CSRF token, issuing one when it has none.
func (ps *pageServer) csrfToken(c *fiber.Ctx) string {
	if t := c.Cookies(CSRFCookie); len(t) == 43 {
		return t
	}
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		panic(err) // crypto/rand does not fail on supported platforms
	}
	t := base64.RawURLEncoding.EncodeToString(b)
	c.Cookie(&fiber.Cookie{Name: CSRFCookie, Value: t, Path: "/", HTTPOnly: true,
		SameSite: fiber.CookieSameSiteLaxMode, Secure: c.Protocol() == "https"})
	// Let this request's own check see the token it was just given.
	c.Request().Header.SetCookie(CSRFCookie, t)
	return t
}

func userView(a finzone.Actor) *web.UserView {
	u := &web.UserView{Name: a.User.Name, OrgName: a.Org.Name}
	switch {
	case a.IsPlatformAdmin():
		u.Role = "admin"
		if u.OrgName == "" {
			u.OrgName = "Finzone"
		}
	case a.IsCoordinator():
		u.Role = "coordinator"
	case a.IsInstitution():
		u.Role = "institution"
	case a.IsEnterprise():
		u.Role = "enterprise"
	}
	return u
}

func (ps *pageServer) render(c *fiber.Ctx, status int, page string, v *web.View) error {
	c.Status(status)
	c.Type("html", "utf-8")
	return ps.r.Render(c, page, v)
}

// fail shows an error as a page in the user's language; an expired session
// goes back to the sign-in page.
func (ps *pageServer) fail(c *fiber.Ctx, v *web.View, err error) error {
	code := finzone.ErrorCode(err)
	var fe *fiber.Error
	if errors.As(err, &fe) {
		if code = codeOfFiber[fe.Code]; code == "" {
			code = finzone.ECInternal
		}
	}
	if code == finzone.ECUnauthenticated {
		return c.Redirect("/login?next="+url.QueryEscape(c.OriginalURL()), fiber.StatusSeeOther)
	}
	status, ok := statusOf[code]
	if !ok {
		status = fiber.StatusInternalServerError
	}
	if status >= 500 {
		ps.log.Error("page failed", append(logAttrs(c), "code", code, "err", err)...)
	}
	v.Form = web.NewForm()
	v.TitleText, v.Refresh = "", 0
	v.Status = status
	v.Flash = ""
	v.Title = "error.title_" + code
	if !v.Has(v.Title) {
		v.Title = "error.title_internal"
	}
	v.Data = i18n.Error(finzone.Lang(v.Lang), code)
	return ps.render(c, status, "error", v)
}

// switchLang remembers the chosen language for a year and goes back.
func (ps *pageServer) switchLang(c *fiber.Ctx) error {
	lang := "zh"
	if c.Params("lang") == "en" {
		lang = "en"
	}
	c.Cookie(&fiber.Cookie{Name: "lang", Value: lang, Path: "/", Expires: ps.now().Add(365 * 24 * time.Hour),
		HTTPOnly: true, SameSite: fiber.CookieSameSiteLaxMode, Secure: c.Protocol() == "https"})
	return c.Redirect(localPath(c.Query("next")), fiber.StatusSeeOther)
}

// localPath keeps redirects on this site: anything but a plain local path
// becomes "/".
func localPath(p string) string {
	if !strings.HasPrefix(p, "/") || strings.HasPrefix(p, "//") || strings.ContainsAny(p, "\\\r\n") {
		return "/"
	}
	return p
}

// flash carries a one-time message key across a redirect in a short cookie.
func (ps *pageServer) redirectFlash(c *fiber.Ctx, to, key string) error {
	c.Cookie(&fiber.Cookie{Name: "finzone_flash", Value: key, Path: "/", MaxAge: 60, HTTPOnly: true,
		SameSite: fiber.CookieSameSiteLaxMode, Secure: c.Protocol() == "https"})
	return c.Redirect(to, fiber.StatusSeeOther)
}

// takeFlash moves a pending flash message into the view.
func takeFlash(c *fiber.Ctx, v *web.View) {
	key := c.Cookies("finzone_flash")
	if key == "" {
		return
	}
	if v.Has(key) {
		v.Flash = key
	}
	c.Cookie(&fiber.Cookie{Name: "finzone_flash", Value: "", Path: "/", MaxAge: -1, HTTPOnly: true,
		SameSite: fiber.CookieSameSiteLaxMode})
}

// formValues reads a submitted form, every value of every field.
func formValues(c *fiber.Ctx) url.Values {
	out := url.Values{}
	c.Request().PostArgs().VisitAll(func(k, v []byte) {
		out.Add(string(k), string(v))
	})
	return out
}

// showProblems puts domain field errors on the form, renaming domain fields
// to the form's own names.
func showProblems(v *web.View, err error, rename map[string]string) bool {
	var de *finzone.Error
	if !errors.As(err, &de) || len(de.Fields) == 0 {
		return false
	}
	for _, f := range de.Fields {
		name := f.Field
		if r, ok := rename[name]; ok {
			name = r
		}
		v.Form.Fail(name, v.FieldMessage(f))
	}
	return true
}

// forbid is the page-side 403 for a role that has no business on a page.
func forbid(what string) error { return finzone.Errorf(finzone.ECForbidden, "%s", what) }
