package web

import (
	"strconv"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"

	"finzone"
	"finzone/server"
	"finzone/usecase"
)

// The front page, signing in and out, and registration.

func (p *pages) homePage(c *fiber.Ctx, v *View) error {
	v.Title = "home.title"
	v.Data = finzone.ForwardStages
	return p.render(c, fiber.StatusOK, "home", v)
}

// homeRedirect sends each role to its main page.
func (p *pages) homeRedirect(c *fiber.Ctx, v *View) error {
	to := map[string]string{"enterprise": "/projects", "institution": "/inbox", "coordinator": "/dashboard",
		"admin": "/admin"}[v.User.Role]
	if to == "" {
		to = "/"
	}
	return c.Redirect(to, fiber.StatusSeeOther)
}

func (p *pages) loginPage(c *fiber.Ctx, v *View) error {
	if v.User != nil {
		return c.Redirect("/home", fiber.StatusSeeOther)
	}
	v.Title = "login.title"
	v.Form.Values.Set("next", localPath(c.Query("next")))
	return p.render(c, fiber.StatusOK, "login", v)
}

// loginPost signs in and goes on to the page the visitor came for.
func (p *pages) loginPost(c *fiber.Ctx, v *View) error {
	v.Title = "login.title"
	v.Form.Values = formValues(c)
	v.Form.Values.Del("password")
	s, err := p.uc.SignIn(withClient(c), server.Actor(c),
		usecase.SignInInput{Email: c.FormValue("email"), Password: c.FormValue("password")})
	if finzone.IsCode(err, finzone.ECInvalidCredentials) {
		v.Form.Fail("password", v.T("login.bad"))
		return p.render(c, fiber.StatusUnauthorized, "login", v)
	}
	if wait := usecase.RetryAfter(err); wait > 0 {
		throttle(c, v, "password", wait)
		return p.render(c, fiber.StatusTooManyRequests, "login", v)
	}
	if err != nil {
		status, ok := formError(v, err, nil)
		if !ok {
			return err
		}
		return p.render(c, status, "login", v)
	}
	server.SetSession(c, s.Token, s.ExpiresAt)
	next := localPath(c.FormValue("next"))
	if next == "/" || strings.HasPrefix(next, "/login") {
		next = "/home"
	}
	return c.Redirect(next, fiber.StatusSeeOther)
}

// throttle tells a form, on field, how many minutes to wait after too many
// wrong passwords, and the client in Retry-After; the caller shows the form
// again with 429.
func throttle(c *fiber.Ctx, v *View, field string, wait int64) {
	c.Set(fiber.HeaderRetryAfter, strconv.FormatInt(wait, 10))
	v.Form.Fail(field, v.T("login.throttled", "minutes", (wait+59)/60))
}

func (p *pages) logoutPost(c *fiber.Ctx, v *View) error {
	if err := p.uc.SignOut(c.UserContext(), server.Actor(c), c.Cookies(server.SessionCookie)); err != nil {
		return err
	}
	server.SetSession(c, "", time.Time{})
	return redirectFlash(c, "/", "flash.signed_out")
}

func (p *pages) registerPage(c *fiber.Ctx, v *View) error {
	v.Form.Values.Set("kind", string(finzone.KindEnterprise))
	return p.registerForm(c, v, fiber.StatusOK)
}

func (p *pages) registerForm(c *fiber.Ctx, v *View, status int) error {
	if err := p.withClusters(c, v); err != nil {
		return err
	}
	v.Title, v.Data = "register.title", finzone.PrivacyVersion
	return p.render(c, status, "register", v)
}

// registerNames maps the core's signup field names to the register form's.
var registerNames = map[string]string{
	"org.kind": "kind", "org.name": "org_name", "org.uscc": "uscc", "org.region_code": "region_code",
	"org.cluster_id": "cluster_id", "org.industry_code": "industry_code", "org.size": "size",
	"user.email": "email", "user.name": "name", "user.password": "password",
}

// registerLayout is the register form's fields in page order.
var registerLayout = []string{"kind", "org_name", "uscc", "region_code", "industry_code", "size", "cluster_id", "name", "email", "password",
	"privacy_consent"}

// registerPost registers an organization and its first user, and signs
// them in; field problems, a taken email among them, come back onto the form.
func (p *pages) registerPost(c *fiber.Ctx, v *View) error {
	f, _ := postedForm(c, v, registerLayout, nil)
	password := f.Get("password")
	f.Values.Del("password")
	if f.Get("privacy_version") != finzone.PrivacyVersion {
		f.Values.Del("privacy_consent") // agreed to a notice since replaced: ask again
	}
	s, err := p.uc.Register(withClient(c), server.Actor(c), readSignup(f, password))
	if err != nil {
		status, ok := formError(v, err, registerNames)
		if !ok {
			return err
		}
		return p.registerForm(c, v, status)
	}
	server.SetSession(c, s.Token, s.ExpiresAt)
	if s.Org.Kind.IsInstitution() {
		return redirectFlash(c, "/products", "flash.registered_institution")
	}
	return redirectFlash(c, "/projects", "flash.registered")
}

func readSignup(f *Form, password string) finzone.Signup {
	kind := finzone.OrgKind(f.Get("kind"))
	org := finzone.Organization{Kind: kind, Name: f.Get("org_name"), USCC: f.Get("uscc"), RegionCode: f.Get("region_code")}
	if kind == finzone.KindEnterprise {
		// The institution form hides these; stale values must not count.
		org.ClusterID, org.IndustryCode, org.Size = f.Get("cluster_id"), f.Get("industry_code"), finzone.Size(f.Get("size"))
	}
	s := finzone.Signup{Org: org, Email: f.Get("email"), Name: f.Get("name"), Password: password}
	if f.Get("privacy_consent") == "on" { // the notice's version the page showed
		s.PrivacyConsent = f.Get("privacy_version")
	}
	return s
}
