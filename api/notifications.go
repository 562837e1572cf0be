package api

import (
	"time"

	"github.com/gofiber/fiber/v2"

	"finzone"
	"finzone/i18n"
	"finzone/server"
	"finzone/usecase"
)

// listNotifications is the organization's in-app inbox, newest first, in
// the reader's language, with the unread count; ?unread=true keeps the
// unread ones.
func (h handler) listNotifications(c *fiber.Ctx) error {
	a := server.Actor(c)
	page, err := h.uc.Notifications(c.UserContext(), a, usecase.NotificationQuery{
		UnreadOnly: c.Query("unread") == "true", ListInput: listInput(c)})
	if err != nil {
		return err
	}
	lang := server.Lang(c)
	out := toListJSON(page.Items, page.Next, func(n finzone.Notification) notificationJSON {
		return toNotificationJSON(n, i18n.Notice(lang, n, a.IsEnterprise()))
	})
	return c.JSON(fiber.Map{"items": out.Items, "next": out.Next, "unread": page.Unread})
}

// markNotificationsRead marks the listed notifications, or all (no body, or
// no ids), read.
func (h handler) markNotificationsRead(c *fiber.Ctx) error {
	var body readBody
	if len(c.Body()) > 0 {
		if err := decode(c, &body); err != nil {
			return err
		}
	}
	if err := h.uc.MarkNotificationsRead(c.UserContext(), server.Actor(c), body.IDs); err != nil {
		return err
	}
	return c.SendStatus(fiber.StatusNoContent)
}

// webhookJSON is an institution's endpoint. Secret appears once, in the
// answer of the call that generated it; afterwards only its hint shows.
type webhookJSON struct {
	URL             string     `json:"url"`
	SecretSet       bool       `json:"secret_set"`
	SecretHint      string     `json:"secret_hint,omitempty"`
	SecretCreatedAt *time.Time `json:"secret_created_at,omitempty"`
	UpdatedAt       *time.Time `json:"updated_at,omitempty"`
	Secret          string     `json:"secret,omitempty"`
}

func toWebhookJSON(wh finzone.Webhook, secret string) webhookJSON {
	out := webhookJSON{URL: wh.URL, SecretSet: wh.HasSecret(), UpdatedAt: timePtr(wh.UpdatedAt), Secret: secret}
	if out.SecretSet {
		out.SecretHint, out.SecretCreatedAt = wh.SecretHint, timePtr(wh.SecretCreatedAt)
	}
	return out
}

// getWebhook shows the institution's endpoint and its secret's hint,
// never the secret.
func (h handler) getWebhook(c *fiber.Ctx) error {
	wh, err := h.uc.Webhook(c.UserContext(), server.Actor(c))
	if err != nil {
		return err
	}
	return c.JSON(toWebhookJSON(wh, ""))
}

// putWebhook sets the institution's HTTPS endpoint. The platform makes the
// signing secret: a client that sends one is told it is read_only, rather
// than have it silently replaced by another.
func (h handler) putWebhook(c *fiber.Ctx) error {
	var body webhookBody
	if err := decode(c, &body, "secret"); err != nil {
		return err
	}
	saved, err := h.uc.SetWebhook(c.UserContext(), server.Actor(c), usecase.WebhookInput(body))
	if err != nil {
		return err
	}
	return c.JSON(toWebhookJSON(saved.Webhook, saved.Secret))
}

// rotateWebhook replaces the signing secret; the answer shows the new one,
// once.
func (h handler) rotateWebhook(c *fiber.Ctx) error {
	saved, err := h.uc.RotateWebhookSecret(c.UserContext(), server.Actor(c))
	if err != nil {
		return err
	}
	return c.JSON(toWebhookJSON(saved.Webhook, saved.Secret))
}

// listDeliveries is the institution's webhook delivery log.
func (h handler) listDeliveries(c *fiber.Ctx) error {
	items, next, err := h.uc.Deliveries(c.UserContext(), server.Actor(c), listInput(c))
	if err != nil {
		return err
	}
	return c.JSON(toListJSON(items, next, toDeliveryJSON))
}
