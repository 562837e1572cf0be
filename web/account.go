package web

import (
	"time"

	"github.com/gofiber/fiber/v2"

	"finzone/server"
	"finzone/usecase"
)

// The account page: the signed-in user's password and sessions.

// accountData is what the account page shows besides the password form.
type accountData struct {
	Name, Email string
	Sessions    []usecase.SessionInfo
}

func (p *pages) accountPage(c *fiber.Ctx, v *View) error {
	return p.accountForm(c, v, fiber.StatusOK)
}

func (p *pages) accountForm(c *fiber.Ctx, v *View, status int) error {
	a := server.Actor(c)
	ss, err := p.uc.Sessions(c.UserContext(), a, c.Cookies(server.SessionCookie))
	if err != nil {
		return err
	}
	v.Title = "account.title"
	v.Data = accountData{Name: a.User.Name, Email: a.User.Email, Sessions: ss}
	return p.render(c, status, "account", v)
}

// passwordPost changes the password; this session stays signed in, every
// other one is signed out.
func (p *pages) passwordPost(c *fiber.Ctx, v *View) error {
	f, _ := postedForm(c, v, []string{"current_password", "new_password"}, nil)
	in := usecase.PasswordChange{Current: f.Get("current_password"), New: f.Get("new_password")}
	f.Values.Del("current_password")
	f.Values.Del("new_password")
	err := p.uc.ChangePassword(withClient(c), server.Actor(c), c.Cookies(server.SessionCookie), in)
	if wait := usecase.RetryAfter(err); wait > 0 {
		throttle(c, v, "current_password", wait)
		return p.accountForm(c, v, fiber.StatusTooManyRequests)
	}
	if err != nil {
		status, ok := formError(v, err, nil)
		if !ok {
			return err
		}
		return p.accountForm(c, v, status)
	}
	return redirectFlash(c, "/account", "flash.password_changed")
}

// revokeSessionPost signs out one of the user's sessions.
func (p *pages) revokeSessionPost(c *fiber.Ctx, v *View) error {
	current, err := p.uc.RevokeSession(c.UserContext(), server.Actor(c), c.Cookies(server.SessionCookie), c.Params("id"))
	if err != nil {
		return err
	}
	if current {
		server.SetSession(c, "", time.Time{})
		return redirectFlash(c, "/", "flash.signed_out")
	}
	return redirectFlash(c, "/account", "flash.session_revoked")
}
