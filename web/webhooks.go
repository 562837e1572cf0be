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
	URL             string
	SecretSet       bool
	SecretHint      string
	SecretCreatedAt time.Time
	// NewSecret is a signing secret just generated: this page is the one
	// place it is ever shown.
	NewSecret  string
	Deliveries []finzone.Delivery
}

// webhookNames maps the core's webhook fields to the form's.
var webhookNames = map[string]string{"url": "webhook_url"}

func (p *pages) webhooksPage(c *fiber.Ctx, v *View) error {
	return p.showWebhooks(c, v, fiber.StatusOK, "")
}

// showWebhooks draws the settings and the newest deliveries; after a failed
// save the form keeps what was sent; after a new secret, it shows it.
func (p *pages) showWebhooks(c *fiber.Ctx, v *View, status int, newSecret string) error {
	ctx, a := c.UserContext(), server.Actor(c)
	wh, err := p.uc.Webhook(ctx, a)
	if err != nil {
		return err
	}
	d := webhooksData{URL: wh.URL, SecretSet: wh.HasSecret(), SecretHint: wh.SecretHint,
		SecretCreatedAt: wh.SecretCreatedAt, NewSecret: newSecret}
	if d.Deliveries, _, err = p.uc.Deliveries(ctx, a, usecase.ListInput{Limit: "50"}); err != nil {
		return err
	}
	if status == fiber.StatusOK {
		v.Form.Values.Set("webhook_url", d.URL)
	}
	v.Title, v.Data = "webhooks.title", d
	return p.render(c, status, "webhooks", v)
}

// webhooksPost sets the endpoint. When that made a signing secret, the
// answer is the page showing it (not a redirect: the secret must not
// travel in a cookie or a URL), and never again.
func (p *pages) webhooksPost(c *fiber.Ctx, v *View) error {
	v.Form.Values = formValues(c)
	saved, err := p.uc.SetWebhook(c.UserContext(), server.Actor(c), usecase.WebhookInput{URL: v.Form.Get("webhook_url")})
	if err == nil && saved.Secret == "" {
		return redirectFlash(c, "/webhooks", "flash.webhook_saved")
	}
	if err == nil {
		v.Flash = "flash.webhook_saved"
		return p.showWebhooks(c, v, fiber.StatusOK, saved.Secret)
	}
	status, ok := formError(v, err, webhookNames)
	if !ok {
		return err
	}
	return p.showWebhooks(c, v, status, "")
}

// webhooksRotate replaces the signing secret and shows the new one, once.
func (p *pages) webhooksRotate(c *fiber.Ctx, v *View) error {
	saved, err := p.uc.RotateWebhookSecret(c.UserContext(), server.Actor(c))
	if err != nil {
		return err
	}
	v.Flash = "flash.webhook_rotated"
	return p.showWebhooks(c, v, fiber.StatusOK, saved.Secret)
}
