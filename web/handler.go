package web

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"log/slog"
	"net/url"
	"strings"
	"time"
	"unicode"

	"github.com/gofiber/fiber/v2"

	"finzone"
	"finzone/i18n"
	"finzone/server"
	"finzone/usecase"
)

// PreSessionCookie carries a random value for visitors not signed in, to
// which their forms' page token (the hidden _csrf field) is bound; a
// signed-in visitor's token is bound to the session instead. Either way the
// token is an HMAC under the deployment's key (usecase.PageToken): a page
// on another port of the same host can set cookies here, but cannot make a
// token for a session it does not hold.
const PreSessionCookie = "finzone_pre"

// flashCookie carries a one-time message key across a redirect.
const flashCookie = "finzone_flash"

// pageHandler serves one page with a view already holding the language,
// the signed-in user and the CSRF token.
type pageHandler func(c *fiber.Ctx, v *View) error

// open serves a page anyone may see; signedIn one that sends anonymous
// visitors to the sign-in page.
func (p *pages) open(h pageHandler) fiber.Handler     { return p.page(false, h) }
func (p *pages) signedIn(h pageHandler) fiber.Handler { return p.page(true, h) }

// page wraps a handler: it resolves the session, sets the security
// headers, sends anonymous visitors of signed-in pages to the sign-in page,
// refuses a POST from another site or without its page token, hands over a
// pending flash message, and turns errors into error pages.
func (p *pages) page(signedIn bool, h pageHandler) fiber.Handler {
	return func(c *fiber.Ctx) error {
		v := NewView(server.Lang(c))
		v.Path = c.Path()
		v.Query = string(c.Request().URI().QueryString())
		v.Now = p.uc.Now()
		v.RequestID = server.RequestID(c)
		secret := p.pageSecret(c)
		v.CSRF = p.uc.PageToken(secret)
		securityHeaders(c)
		if err := p.identify(c, v); err != nil {
			return p.fail(c, v, err)
		}
		if signedIn && v.User == nil {
			return toLogin(c)
		}
		if c.Method() == fiber.MethodPost && (crossSite(c) || !p.uc.CheckPageToken(secret, c.FormValue("_csrf"))) {
			v.Title, v.Status = "error.csrf_title", fiber.StatusForbidden
			v.Data = v.T("error.csrf")
			return p.render(c, fiber.StatusForbidden, "error", v)
		}
		if c.Method() == fiber.MethodGet {
			takeFlash(c, v)
		}
		if err := h(c, v); err != nil {
			return p.fail(c, v, err)
		}
		return nil
	}
}

// identify resolves the session cookie into the request's actor and the
// view's user; a missing, expired or revoked session is an anonymous visit.
func (p *pages) identify(c *fiber.Ctx, v *View) error {
	tok := c.Cookies(server.SessionCookie)
	if tok == "" {
		return nil
	}
	a, err := p.uc.Authenticate(c.UserContext(), tok)
	if finzone.IsCode(err, finzone.ECUnauthenticated) {
		return nil
	}
	if err != nil {
		return err
	}
	server.SetActor(c, a)
	v.User = userView(a)
	v.User.Unread, err = p.uc.UnreadCount(c.UserContext(), a)
	return err
}

func securityHeaders(c *fiber.Ctx) {
	c.Set("Content-Security-Policy", "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; frame-ancestors 'none'; form-action 'self'; base-uri 'none'")
	c.Set("X-Content-Type-Options", "nosniff")
	c.Set("Referrer-Policy", "same-origin")
	c.Set(fiber.HeaderCacheControl, "no-store")
}

// pageSecret is what the page token is bound to: the session cookie (valid
// or not: a stale one is then an anonymous visit, still bound to it), or
// the pre-session cookie, issued here when the browser has neither.
func (p *pages) pageSecret(c *fiber.Ctx) string {
	if t := c.Cookies(server.SessionCookie); t != "" {
		return t
	}
	if t := c.Cookies(PreSessionCookie); len(t) == 43 {
		return t
	}
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		panic(err) // crypto/rand does not fail on supported platforms
	}
	t := base64.RawURLEncoding.EncodeToString(b)
	c.Cookie(&fiber.Cookie{Name: PreSessionCookie, Value: t, Path: "/", HTTPOnly: true,
		SameSite: fiber.CookieSameSiteLaxMode, Secure: c.Protocol() == "https"})
	return t
}

// crossSite reports a form a browser posted from another origin: its
// Origin names another host or port, or Sec-Fetch-Site says another site
// (a sibling port of the same host is same-site, not same-origin). Clients
// that are not browsers send neither.
func crossSite(c *fiber.Ctx) bool {
	if site := c.Get("Sec-Fetch-Site"); site == "cross-site" || site == "same-site" {
		return true
	}
	if origin := c.Get(fiber.HeaderOrigin); origin != "" {
		u, err := url.Parse(origin)
		return err != nil || u.Host != c.Hostname()
	}
	return false
}

// withClient is the request's context carrying its client, for the
// sign-in throttle and the session list.
func withClient(c *fiber.Ctx) context.Context {
	return usecase.WithClient(c.UserContext(), usecase.Client{IP: c.IP(), UserAgent: c.Get(fiber.HeaderUserAgent)})
}

func userView(a finzone.Actor) *UserView {
	u := &UserView{Name: a.User.Name, OrgName: a.Org.Name}
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

// withClusters gives the view the clusters, to name them and to choose one.
func (p *pages) withClusters(c *fiber.Ctx, v *View) error {
	var err error
	v.Clusters, err = p.uc.Clusters(c.UserContext())
	return err
}

// namesOf names the organizations of items, by the ID id picks from each.
func namesOf[T any](ctx context.Context, uc *usecase.Service, items []T, id func(T) string) (map[string]string, error) {
	ids := make([]string, len(items))
	for i, it := range items {
		ids[i] = id(it)
	}
	return uc.OrgNames(ctx, ids)
}

func (p *pages) render(c *fiber.Ctx, status int, page string, v *View) error {
	c.Status(status)
	c.Type("html", "utf-8")
	return p.r.Render(c, page, v)
}

// fail shows an error as a page in the user's language, with the status the
// API would answer; an expired session goes back to the sign-in page.
func (p *pages) fail(c *fiber.Ctx, v *View, err error) error {
	code := server.Code(err)
	if code == finzone.ECUnauthenticated {
		return toLogin(c)
	}
	status := server.Status(code)
	if status >= 500 {
		// cmd/finzone makes its logger the default one.
		slog.Default().Error("page failed", append(server.LogAttrs(c), "code", code, "err", err)...)
	}
	v.Form = NewForm()
	v.TitleText, v.Refresh, v.Flash = "", 0, ""
	v.Status = status
	v.Title = "error.title_" + code
	if !v.Has(v.Title) {
		v.Title = "error.title_internal"
	}
	v.Data = i18n.Error(v.Lang, code)
	// A message that names figures (exceeds_need: the room left) gets them.
	var de *finzone.Error
	if errors.As(err, &de) && len(de.Params) > 0 && v.Has("code."+code) {
		v.Data = i18n.T(v.Lang, i18n.Key("code."+code), i18n.Params(pageParams(v, code, de.Params))...)
	}
	return p.render(c, status, "error", v)
}

// pageParams are an error's figures as its page shows them: a syndicate
// rule by its name in the page's language, with the gap in grouped yuan.
func pageParams(v *View, code string, params map[string]any) map[string]any {
	if code != finzone.ECSyndicateRule {
		return params
	}
	out := make(map[string]any, len(params))
	for k, val := range params {
		out[k] = val
	}
	if rule, ok := params["rule"].(string); ok {
		out["rule"] = v.Enum("synrule", rule)
	}
	if gap, ok := params["gap_yuan"].(int64); ok {
		out["gap_yuan"] = Grouped(gap)
	}
	return out
}

// notFound is the page for any path outside /api that no page serves.
func (p *pages) notFound(c *fiber.Ctx) error {
	if strings.HasPrefix(c.Path(), "/api") {
		return c.Next()
	}
	return p.open(func(c *fiber.Ctx, v *View) error {
		return finzone.Errorf(finzone.ECNotFound, "no page at %s", c.Path())
	})(c)
}

// toLogin sends the visitor to sign in, and back here afterwards.
func toLogin(c *fiber.Ctx) error {
	return c.Redirect("/login?next="+url.QueryEscape(c.OriginalURL()), fiber.StatusSeeOther)
}

// forbid is the page-side 403 for a role that has no business on a page
// that calls no operation (a blank form).
func forbid(what string) error { return finzone.Errorf(finzone.ECForbidden, "%s", what) }

// switchLang remembers the chosen language for a year and goes back.
func (p *pages) switchLang(c *fiber.Ctx) error {
	lang := finzone.LangZH
	if c.Params("lang") == "en" {
		lang = finzone.LangEN
	}
	c.Cookie(&fiber.Cookie{Name: server.LangCookie, Value: string(lang), Path: "/", Expires: p.uc.Now().Add(365 * 24 * time.Hour),
		HTTPOnly: true, SameSite: fiber.CookieSameSiteLaxMode, Secure: c.Protocol() == "https"})
	return c.Redirect(localPath(c.Query("next")), fiber.StatusSeeOther)
}

// localPath keeps redirects on this site: anything but a plain local path
// becomes "/".
func localPath(p string) string {
	// Exactly one leading slash, and nothing a browser would drop or read
	// as a slash: "/\t/host" and "/\\host" both lead to another origin.
	if !strings.HasPrefix(p, "/") || strings.HasPrefix(p, "//") || strings.ContainsRune(p, '\\') ||
		strings.IndexFunc(p, func(r rune) bool { return unicode.IsControl(r) || unicode.Is(unicode.Cf, r) }) >= 0 {
		return "/"
	}
	return p
}

// redirectFlash redirects with a one-time message key in a short cookie.
func redirectFlash(c *fiber.Ctx, to, key string) error {
	c.Cookie(&fiber.Cookie{Name: flashCookie, Value: key, Path: "/", MaxAge: 60, HTTPOnly: true,
		SameSite: fiber.CookieSameSiteLaxMode, Secure: c.Protocol() == "https"})
	return c.Redirect(to, fiber.StatusSeeOther)
}

// takeFlash moves a pending flash message into the view.
func takeFlash(c *fiber.Ctx, v *View) {
	key := c.Cookies(flashCookie)
	if key == "" {
		return
	}
	if v.Has(key) {
		v.Flash = key
	}
	c.Cookie(&fiber.Cookie{Name: flashCookie, Value: "", Path: "/", MaxAge: -1, HTTPOnly: true,
		SameSite: fiber.CookieSameSiteLaxMode})
}
