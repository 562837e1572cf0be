package api

import (
	"encoding/json"
	"fmt"
	"time"

	"github.com/gofiber/fiber/v2"

	"finzone"
	"finzone/i18n"
	"finzone/server"
	"finzone/usecase"
)

// The person's privacy rights: a copy of their data, their account's
// deletion, and an enterprise's view of who read its projects.

type consentJSON struct {
	Version string     `json:"version,omitempty"`
	At      *time.Time `json:"at,omitempty"`
	// Basis is consent, staff (not asked: opened at the console) or none.
	Basis string `json:"basis"`
}

type orgUserJSON struct {
	ID        string     `json:"id"`
	Name      string     `json:"name"`
	Email     string     `json:"email"`
	Role      string     `json:"role"`
	CreatedAt time.Time  `json:"created_at"`
	DeletedAt *time.Time `json:"deleted_at,omitempty"`
}

type viewJSON struct {
	UserID  string    `json:"user_id"`
	OrgID   string    `json:"org_id,omitempty"`
	OrgName string    `json:"org_name,omitempty"`
	Role    string    `json:"role"`
	At      time.Time `json:"at"`
}

type viewLogJSON struct {
	ProjectID string     `json:"project_id"`
	Count     int64      `json:"count"`
	Items     []viewJSON `json:"items"`
	Next      string     `json:"next"`
}

func toViewLogJSON(l finzone.ViewLog) viewLogJSON {
	return viewLogJSON{ProjectID: l.ProjectID, Count: l.Count, Items: toSlice(l.Views, func(v finzone.ProjectView) viewJSON {
		return viewJSON{UserID: v.UserID, OrgID: v.OrgID, OrgName: v.OrgName, Role: v.Role, At: v.At}
	})}
}

type exportJSON struct {
	ExportedAt     time.Time          `json:"exported_at"`
	PrivacyVersion string             `json:"privacy_version"`
	User           userJSON           `json:"user"`
	Consents       []consentJSON      `json:"consents"`
	Org            *orgJSON           `json:"organization"`
	Members        []orgUserJSON      `json:"members"`
	Projects       []projectJSON      `json:"projects"`
	Products       []productJSON      `json:"products"`
	Matches        []matchJSON        `json:"matches"`
	Notifications  []notificationJSON `json:"notifications"`
	ProjectViews   []viewLogJSON      `json:"project_views"`
	Truncated      bool               `json:"truncated"`
}

func toExportJSON(x usecase.Export, a finzone.Actor, lang finzone.Lang) exportJSON {
	u := x.User
	out := exportJSON{ExportedAt: x.At, PrivacyVersion: finzone.PrivacyVersion, User: toUserJSON(u),
		Consents: []consentJSON{{Version: u.ConsentVersion, At: timePtr(u.ConsentAt), Basis: u.ConsentBasis()}},
		Members: toSlice(x.Members, func(m finzone.User) orgUserJSON {
			return orgUserJSON{ID: m.ID, Name: m.Name, Email: m.Email, Role: string(m.Role), CreatedAt: m.CreatedAt,
				DeletedAt: timePtr(m.DeletedAt)}
		}),
		Projects: toSlice(x.Projects, toProjectJSON),
		Products: toSlice(x.Products, toProductJSON),
		Matches:  toSlice(x.Matches, func(m finzone.Match) matchJSON { return toMatchJSON(m, a, x.At, true) }),
		Notifications: toSlice(x.Notifications, func(n finzone.Notification) notificationJSON {
			return toNotificationJSON(n, i18n.Notice(lang, n, a.IsEnterprise()))
		}),
		ProjectViews: toSlice(x.Views, toViewLogJSON), Truncated: x.Truncated}
	if x.Org.ID != "" {
		org := toOrgJSON(x.Org)
		out.Org = &org
	}
	return out
}

// exportMe downloads the user's and their organization's data as one JSON
// file.
func (h handler) exportMe(c *fiber.Ctx) error {
	a := server.Actor(c)
	x, err := h.uc.ExportData(c.UserContext(), a)
	if err != nil {
		return err
	}
	body, err := json.MarshalIndent(toExportJSON(x, a, server.Lang(c)), "", " ")
	if err != nil {
		return err
	}
	c.Set(fiber.HeaderContentDisposition, fmt.Sprintf(`attachment; filename="finzone-export-%s-%s.json"`,
		a.User.ID, x.At.Format("20060102")))
	c.Set(fiber.HeaderContentType, fiber.MIMEApplicationJSONCharsetUTF8)
	return c.Send(body)
}

type deleteMeBody struct {
	Password string `json:"password"`
}

// deleteMe deletes the signed-in account, confirmed by its password, and
// clears the cookie: every session of it is revoked.
func (h handler) deleteMe(c *fiber.Ctx) error {
	var body deleteMeBody
	if err := decode(c, &body); err != nil {
		return err
	}
	if err := h.uc.DeleteAccount(c.UserContext(), server.Actor(c), body.Password); err != nil {
		return err
	}
	server.SetSession(c, "", time.Time{})
	return c.SendStatus(fiber.StatusNoContent)
}

// projectViews is who viewed a project, for its enterprise.
func (h handler) projectViews(c *fiber.Ctx) error {
	l, err := h.uc.ProjectViews(c.UserContext(), server.Actor(c), c.Params("id"))
	if err != nil {
		return err
	}
	return c.JSON(toViewLogJSON(l))
}
