package web

import (
	"time"

	"github.com/gofiber/fiber/v2"

	"finzone"
	"finzone/server"
)

// The privacy notice, the signed-in person's data and account (a download
// of their data, the deletion of their account), and who viewed an
// enterprise's project.

// privacyPage is the privacy notice, for anyone.
func (p *pages) privacyPage(c *fiber.Ctx, v *View) error {
	v.Title, v.Data = "privacy.title", finzone.PrivacyVersion
	return p.render(c, fiber.StatusOK, "privacy", v)
}

// dataPageData is the person's consent record, shown beside their rights.
type dataPageData struct {
	Basis   string
	Version string
	At      time.Time
}

func (p *pages) dataPage(c *fiber.Ctx, v *View) error {
	return p.showData(c, v, fiber.StatusOK)
}

func (p *pages) showData(c *fiber.Ctx, v *View, status int) error {
	u := server.Actor(c).User
	v.Title = "data.title"
	v.Data = dataPageData{Basis: u.ConsentBasis(), Version: u.ConsentVersion, At: u.ConsentAt}
	v.Form.Layout = []string{"delete_password"}
	return p.render(c, status, "privacy_data", v)
}

// deleteAccountPost deletes the signed-in account once its password
// confirms it, and signs out; a wrong password comes back onto the form.
func (p *pages) deleteAccountPost(c *fiber.Ctx, v *View) error {
	err := p.uc.DeleteAccount(c.UserContext(), server.Actor(c), c.FormValue("delete_password"))
	if err != nil {
		status, ok := formError(v, err, map[string]string{"password": "delete_password"})
		if !ok {
			return err
		}
		return p.showData(c, v, status)
	}
	server.SetSession(c, "", time.Time{})
	return redirectFlash(c, "/", "flash.account_deleted")
}

// viewRow is one visit in "who viewed my project".
type viewRow struct {
	V    finzone.ProjectView
	Who  string
	Role string
}

// viewRows are a project's visits as its page shows them; a platform
// admin's visit names no organization.
func viewRows(v *View, l *finzone.ViewLog) []viewRow {
	if l == nil {
		return nil
	}
	out := make([]viewRow, len(l.Views))
	for i, pv := range l.Views {
		out[i] = viewRow{V: pv, Who: pv.OrgName, Role: v.T("viewer." + pv.Role)}
		if out[i].Who == "" {
			out[i].Who = out[i].Role
		}
	}
	return out
}
