package web

import (
	"time"

	"github.com/gofiber/fiber/v2"

	"finzone"
	"finzone/server"
	"finzone/usecase"
)

// An institution's webhook settings and delivery log.

type webhooksData struct {
	URL        string
	SecretSet  bool
	UpdatedAt  time.Time
	Deliveries []finzone.Delivery
}

// webhookNames maps the core's webhook fields to the form's.
var webhookNames = map[string]string{"url": "webhook_url", "secret": "webhook_secret"}

func (p *pages) webhooksPage(c *fiber.Ctx, v *View) error {
	return p.showWebhooks(c, v, fiber.StatusOK)
}

// showWebhooks draws the settings and the newest deliveries; after a failed
// save the form keeps what was sent.
func (p *pages) showWebhooks(c *fiber.Ctx, v *View, status int) error {
	ctx, a := c.UserContext(), server.Actor(c)
	wh, err := p.uc.Webhook(ctx, a)
	if err != nil {
		return err
	}
	d := webhooksData{URL: wh.URL, SecretSet: wh.Secret != "", UpdatedAt: wh.UpdatedAt}
	if d.Deliveries, _, err = p.uc.Deliveries(ctx, a, usecase.ListInput{Limit: "50"}); err != nil {
		return err
	}
	if status == fiber.StatusOK {
		v.Form.Values.Set("webhook_url", d.URL)
	}
	v.Title, v.Data = "webhooks.title", d
	return p.render(c, status, "webhooks", v)
}

// webhooksPost sets the endpoint and its signing secret, never shown again.
func (p *pages) webhooksPost(c *fiber.Ctx, v *View) error {
	v.Form.Values = formValues(c)
	secret := v.Form.Get("webhook_secret")
	v.Form.Values.Del("webhook_secret")
	_, err := p.uc.SetWebhook(c.UserContext(), server.Actor(c), usecase.WebhookInput{URL: v.Form.Get("webhook_url"), Secret: secret})
	if err == nil {
		return redirectFlash(c, "/webhooks", "flash.webhook_saved")
	}
	status, ok := formError(v, err, webhookNames)
	if !ok {
		return err
	}
	return p.showWebhooks(c, v, status)
}
