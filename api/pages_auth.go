package api

import (
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"
	"golang.org/x/crypto/bcrypt"

	"finzone"
	"finzone/web"
)

func (ps *pageServer) homePage(c *fiber.Ctx, v *web.View) error {
	v.Title = "home.title"
	v.Data = []finzone.Stage{finzone.StagePushed, finzone.StageAccepted, finzone.StageContacted,
		finzone.StageDueDiligence, finzone.StageCreditReview, finzone.StageApproved, finzone.StageContracted,
		finzone.StageDisbursed}
	return ps.render(c, fiber.StatusOK, "home", v)
}

// homeRedirect sends each role to its main page.
func (ps *pageServer) homeRedirect(c *fiber.Ctx, v *web.View) error {
	to := "/"
	switch v.User.Role {
	case "enterprise":
		to = "/projects"
	case "institution":
		to = "/inbox"
	case "coordinator":
		to = "/dashboard"
	case "admin":
		to = "/admin"
	}
	return c.Redirect(to, fiber.StatusSeeOther)
}

func (ps *pageServer) loginPage(c *fiber.Ctx, v *web.View) error {
	if v.User != nil {
		return c.Redirect("/home", fiber.StatusSeeOther)
	}
	v.Title = "login.title"
	v.Form.Values.Set("next", localPath(c.Query("next")))
	return ps.render(c, fiber.StatusOK, "login", v)
}

func (ps *pageServer) loginPost(c *fiber.Ctx, v *web.View) error {
	v.Title = "login.title"
	v.Form.Values = formValues(c)
	v.Form.Values.Del("password")
	email := finzone.NormalizeEmail(c.FormValue("email"))
	password := c.FormValue("password")
	if email == "" {
		v.Form.Fail("email", v.T("err.required"))
	}
	if password == "" {
		v.Form.Fail("password", v.T("err.required"))
	}
	if v.Form.Invalid() {
		return ps.render(c, fiber.StatusBadRequest, "login", v)
	}
	user, err := ps.store.UserByEmail(c.UserContext(), email)
	hash := user.PasswordHash
	if err != nil {
		if !finzone.IsCode(err, finzone.ECNotFound) {
			return err
		}
		hash = dummyHash // as long as a real check, so timing says nothing
	}
	if bcrypt.CompareHashAndPassword([]byte(hash), []byte(password)) != nil || err != nil {
		v.Form.Fail("password", v.T("login.bad"))
		return ps.render(c, fiber.StatusUnauthorized, "login", v)
	}
	if _, err := ps.startSession(c, user.ID); err != nil {
		return err
	}
	next := localPath(c.FormValue("next"))
	if next == "/" || strings.HasPrefix(next, "/login") {
		next = "/home"
	}
	return c.Redirect(next, fiber.StatusSeeOther)
}

func (ps *pageServer) logoutPost(c *fiber.Ctx, v *web.View) error {
	if tok := c.Cookies(SessionCookie); tok != "" {
		if err := ps.store.DeleteSession(c.UserContext(), hashToken(tok)); err != nil {
			return err
		}
	}
	c.Cookie(&fiber.Cookie{Name: SessionCookie, Value: "", Path: "/", Expires: time.Unix(0, 0),
		HTTPOnly: true, SameSite: fiber.CookieSameSiteLaxMode, Secure: c.Protocol() == "https"})
	return ps.redirectFlash(c, "/", "flash.signed_out")
}

func (ps *pageServer) registerPage(c *fiber.Ctx, v *web.View) error {
	v.Title = "register.title"
	clusters, err := ps.store.Clusters(c.UserContext())
	if err != nil {
		return err
	}
	v.Clusters = clusters
	v.Form.Values.Set("kind", string(finzone.KindEnterprise))
	return ps.render(c, fiber.StatusOK, "register", v)
}

// registerRename maps the domain's field names to the register form's.
var registerRename = map[string]string{
	"org.kind": "kind", "org.name": "org_name", "org.uscc": "uscc", "org.region_code": "region_code",
	"org.cluster_id": "cluster_id", "org.industry_code": "industry_code", "org.size": "size",
	"user.email": "email", "user.name": "name", "user.password": "password",
}

// registerPost reads the form and registers through the API's own
// registerOrg; field problems come back onto the form.
func (ps *pageServer) registerPost(c *fiber.Ctx, v *web.View) error {
	v.Title = "register.title"
	clusters, err := ps.store.Clusters(c.UserContext())
	if err != nil {
		return err
	}
	v.Clusters = clusters
	v.Form.Values = formValues(c)
	v.Form.Layout = []string{"kind", "org_name", "uscc", "region_code", "industry_code", "size", "cluster_id", "name", "email", "password"}
	password := v.Form.Get("password")
	v.Form.Values.Del("password")
	kind := finzone.OrgKind(v.Form.Get("kind"))
	org := finzone.Organization{Kind: kind, Name: v.Form.Get("org_name"), USCC: v.Form.Get("uscc"),
		RegionCode: v.Form.Get("region_code")}
	if kind == finzone.KindEnterprise {
		// The institution form hides these; stale values must not count.
		org.ClusterID, org.IndustryCode, org.Size = v.Form.Get("cluster_id"), v.Form.Get("industry_code"), finzone.Size(v.Form.Get("size"))
	}
	org, _, _, err = ps.registerOrg(c, signup{Org: org, Email: v.Form.Get("email"), Name: v.Form.Get("name"), Password: password})
	if err != nil {
		if !showProblems(v, err, registerRename) {
			return err
		}
		status := fiber.StatusBadRequest
		if finzone.IsCode(err, finzone.ECConflict) {
			status = fiber.StatusConflict
		}
		return ps.render(c, status, "register", v)
	}
	if org.Kind.IsInstitution() {
		return ps.redirectFlash(c, "/products", "flash.registered_institution")
	}
	return ps.redirectFlash(c, "/projects", "flash.registered")
}
