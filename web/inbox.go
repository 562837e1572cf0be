package web

import (
	"github.com/gofiber/fiber/v2"

	"finzone/server"
)

type inboxData struct {
	Rows    []MatchRow
	ShowAll bool
	Unread  int
	// Verified says, by enterprise, whether a coordinator verified it.
	Verified map[string]bool
}

// inboxPage lists the projects pushed to an institution, soonest deadline
// first, overdue ones in red and unread ones marked: the open ones, or all
// with ?show=all.
func (p *pages) inboxPage(c *fiber.Ctx, v *View) error {
	d := inboxData{ShowAll: c.Query("show") == "all"}
	in, err := p.uc.Inbox(c.UserContext(), server.Actor(c), d.ShowAll)
	if err != nil {
		return err
	}
	d.Unread = in.Unread
	owners := make([]string, len(in.Matches))
	for i, m := range in.Matches {
		d.Rows = append(d.Rows, matchRow(m, v.Now, nil))
		owners[i] = m.OwnerOrgID
	}
	if d.Verified, err = p.uc.EnterpriseVerified(c.UserContext(), owners...); err != nil {
		return err
	}
	v.Title, v.Data = "inbox.title", d
	return p.render(c, fiber.StatusOK, "inbox", v)
}
