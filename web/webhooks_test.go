package web_test

import (
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
)

var shownSecret = regexp.MustCompile(`id="webhook-secret">(whsec_[A-Za-z0-9_-]{43})<`)

// TestWebhookSecretIsShownOnceOnThePage: saving the first endpoint answers
// with the page showing the secret the platform made; the page read again,
// or after the URL changes, shows only its last four characters; a
// rotation shows a new one, once.
func TestWebhookSecretIsShownOnceOnThePage(t *testing.T) {
	e := newEnv(t)
	bank := e.institution("341200")
	save := func(u string) resp {
		return e.page(pageReq{method: "POST", path: "/webhooks", session: bank.Token, form: url.Values{"webhook_url": {u}}})
	}
	r := save("https://203.0.113.7/hook")
	m := shownSecret.FindSubmatch(r.Body)
	if r.Status != http.StatusOK || m == nil {
		t.Fatalf("saving the first endpoint: %d, want the page with the new secret: %.800s", r.Status, r.Body)
	}
	secret := string(m[1])
	hint := secret[len(secret)-4:]
	notShown := func(what string, r resp) {
		t.Helper()
		if strings.Contains(string(r.Body), secret) || shownSecret.Match(r.Body) {
			t.Errorf("%s shows a secret", what)
		}
	}
	read := e.page(pageReq{method: "GET", path: "/webhooks", session: bank.Token})
	wantPage(t, read, http.StatusOK, `id="secret-hint"`, hint, `id="rotate-secret"`)
	notShown("the page read again", read)
	if r := save("https://203.0.113.8/hook"); r.Status != http.StatusSeeOther {
		t.Errorf("changing the URL: %d, want a redirect (the secret is kept, nothing to show)", r.Status)
	}
	notShown("the page after a URL change", e.page(pageReq{method: "GET", path: "/webhooks", session: bank.Token}))

	r = e.page(pageReq{method: "POST", path: "/webhooks/rotate", session: bank.Token, form: url.Values{}})
	m = shownSecret.FindSubmatch(r.Body)
	if r.Status != http.StatusOK || m == nil || string(m[1]) == secret {
		t.Fatalf("rotation: %d, want the page with a new secret", r.Status)
	}
	notShown("the page after rotation", e.page(pageReq{method: "GET", path: "/webhooks", session: bank.Token}))
}
