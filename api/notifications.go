package api

import (
	"net/url"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"

	"finzone"
	"finzone/i18n"
)

type notificationJSON struct {
	ID        string    `json:"id"`
	Kind      string    `json:"kind"`
	ProjectID string    `json:"project_id"`
	MatchID   string    `json:"match_id,omitempty"`
	Stage     string    `json:"stage,omitempty"`
	Text      string    `json:"text"`
	Read      bool      `json:"read"`
	CreatedAt time.Time `json:"created_at"`
}

// listNotifications is the organization's in-app inbox, newest first, with
// the unread count.
func (s *Server) listNotifications(c *fiber.Ctx) error {
	a := actor(c)
	if a.Org.ID == "" {
		return finzone.Errorf(finzone.ECForbidden, "no organization inbox")
	}
	pg, err := pageOf(c)
	if err != nil {
		return err
	}
	items, next, err := s.store.ListNotifications(c.UserContext(), a.Org.ID, c.Query("unread") == "true", pg)
	if err != nil {
		return err
	}
	unread, err := s.store.CountUnread(c.UserContext(), a.Org.ID)
	if err != nil {
		return err
	}
	out := make([]notificationJSON, len(items))
	for i, n := range items {
		out[i] = notificationJSON{ID: n.ID, Kind: n.Kind, ProjectID: n.ProjectID, MatchID: n.MatchID, Stage: string(n.Stage),
			Text: i18n.Notice(langOf(c), n, a.IsEnterprise()), Read: n.Read, CreatedAt: n.CreatedAt}
	}
	return c.JSON(fiber.Map{"items": out, "next": next, "unread": unread})
}

type readBody struct {
	IDs *[]string `json:"ids"`
}

// markNotificationsRead marks the listed notifications, or all, read.
func (s *Server) markNotificationsRead(c *fiber.Ctx) error {
	a := actor(c)
	if a.Org.ID == "" {
		return finzone.Errorf(finzone.ECForbidden, "no organization inbox")
	}
	var body readBody
	if len(c.Body()) > 0 {
		if err := decode(c, &body); err != nil {
			return err
		}
	}
	var ids []string
	if body.IDs != nil {
		ids = *body.IDs
	}
	if err := s.store.MarkNotificationsRead(c.UserContext(), a.Org.ID, ids); err != nil {
		return err
	}
	return c.SendStatus(fiber.StatusNoContent)
}

type webhookBody struct {
	URL    *string `json:"url"`
	Secret *string `json:"secret"`
}

// webhookAdmin: only an institution's admins manage its webhook.
func webhookAdmin(a finzone.Actor) error {
	if !a.IsInstitution() {
		return finzone.Errorf(finzone.ECForbidden, "webhooks are for institutions")
	}
	if a.User.Role != finzone.RoleAdmin {
		return finzone.Errorf(finzone.ECForbidden, "only the institution's admins manage its webhook")
	}
	return nil
}

func (s *Server) getWebhook(c *fiber.Ctx) error {
	a := actor(c)
	if err := webhookAdmin(a); err != nil {
		return err
	}
	wh, err := s.store.Webhook(c.UserContext(), a.Org.ID)
	if finzone.IsCode(err, finzone.ECNotFound) {
		return c.JSON(fiber.Map{"url": "", "secret_set": false})
	}
	if err != nil {
		return err
	}
	return c.JSON(fiber.Map{"url": wh.URL, "secret_set": wh.Secret != "", "updated_at": wh.UpdatedAt})
}

// putWebhook sets the institution's HTTPS endpoint and signing secret; the
// secret is never shown again.
func (s *Server) putWebhook(c *fiber.Ctx) error {
	a := actor(c)
	if err := webhookAdmin(a); err != nil {
		return err
	}
	var body webhookBody
	if err := decode(c, &body); err != nil {
		return err
	}
	var probs finzone.Problems
	raw := strings.TrimSpace(str(body.URL))
	if raw != "" {
		u, err := url.Parse(raw)
		if err != nil || u.Host == "" || (u.Scheme != "https" && !(s.allowHTTPWebhooks && u.Scheme == "http")) {
			probs.Add("url", finzone.FCInvalid) // HTTPS only: payloads carry enterprise data
		}
		if len(raw) > 2000 {
			probs.Add("url", finzone.FCTooLong, "max", 2000)
		}
	}
	secret := str(body.Secret)
	if raw != "" && len(secret) < 16 {
		probs.Add("secret", finzone.FCTooShort, "min", 16)
	}
	if len(secret) > 200 {
		probs.Add("secret", finzone.FCTooLong, "max", 200)
	}
	if len(probs) > 0 {
		return probs.Err()
	}
	if err := s.store.SetWebhook(c.UserContext(), finzone.Webhook{OrgID: a.Org.ID, URL: raw, Secret: secret, UpdatedAt: s.now()}); err != nil {
		return err
	}
	return c.JSON(fiber.Map{"url": raw, "secret_set": secret != ""})
}

type deliveryJSON struct {
	ID             string    `json:"id"`
	NotificationID string    `json:"notification_id"`
	URL            string    `json:"url"`
	Status         string    `json:"status"`
	Attempts       int       `json:"attempts"`
	LastStatusCode int       `json:"last_status_code,omitempty"`
	LastError      string    `json:"last_error,omitempty"`
	CreatedAt      time.Time `json:"created_at"`
	UpdatedAt      time.Time `json:"updated_at"`
}

func (s *Server) listDeliveries(c *fiber.Ctx) error {
	a := actor(c)
	if err := webhookAdmin(a); err != nil {
		return err
	}
	pg, err := pageOf(c)
	if err != nil {
		return err
	}
	items, next, err := s.store.ListDeliveries(c.UserContext(), a.Org.ID, pg)
	if err != nil {
		return err
	}
	out := listJSON[deliveryJSON]{Items: make([]deliveryJSON, len(items)), Next: next}
	for i, d := range items {
		out.Items[i] = deliveryJSON{ID: d.ID, NotificationID: d.NotificationID, URL: d.URL, Status: d.Status, Attempts: d.Attempts,
			LastStatusCode: d.LastStatusCode, LastError: d.LastError, CreatedAt: d.CreatedAt, UpdatedAt: d.UpdatedAt}
	}
	return c.JSON(out)
}
