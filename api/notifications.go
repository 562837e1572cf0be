package api

import (
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

// getWebhook shows the institution's endpoint, never its secret.
func (h handler) getWebhook(c *fiber.Ctx) error {
	wh, err := h.uc.Webhook(c.UserContext(), server.Actor(c))
	if err != nil {
		return err
	}
	if wh.UpdatedAt.IsZero() { // never set
		return c.JSON(fiber.Map{"url": "", "secret_set": false})
	}
	return c.JSON(fiber.Map{"url": wh.URL, "secret_set": wh.Secret != "", "updated_at": wh.UpdatedAt})
}

// putWebhook sets the institution's HTTPS endpoint and signing secret; the
// secret is never shown again.
func (h handler) putWebhook(c *fiber.Ctx) error {
	var body webhookBody
	if err := decode(c, &body); err != nil {
		return err
	}
	wh, err := h.uc.SetWebhook(c.UserContext(), server.Actor(c), usecase.WebhookInput(body))
	if err != nil {
		return err
	}
	return c.JSON(fiber.Map{"url": wh.URL, "secret_set": wh.Secret != ""})
}

// listDeliveries is the institution's webhook delivery log.
func (h handler) listDeliveries(c *fiber.Ctx) error {
	items, next, err := h.uc.Deliveries(c.UserContext(), server.Actor(c), listInput(c))
	if err != nil {
		return err
	}
	return c.JSON(toListJSON(items, next, toDeliveryJSON))
}
