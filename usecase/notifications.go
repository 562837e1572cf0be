package usecase

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"sync"
	"time"

	"finzone"
	"finzone/keys"
	"finzone/outbound"
)

// NotificationQuery is a page of an inbox, or of its unread notices only.
type NotificationQuery struct {
	UnreadOnly bool
	ListInput
}

// Notifications is a page of an organization's in-app inbox, newest first,
// with the count of unread notices.
type Notifications struct {
	Items  []finzone.Notification
	Next   string
	Unread int64
}

// Notifications lists the actor's organization's notices: enterprises and
// institutions have an inbox.
func (s *Service) Notifications(ctx context.Context, a finzone.Actor, q NotificationQuery) (Notifications, error) {
	if !a.HasInbox() {
		return Notifications{}, forbidden("notifications are for enterprises and institutions")
	}
	var probs finzone.Problems
	pg := s.page("notifications", q.ListInput, &probs)
	if err := probs.Err(); err != nil {
		return Notifications{}, err
	}
	items, next, err := s.notices.ListNotifications(ctx, a.Org.ID, q.UnreadOnly, pg)
	if err != nil {
		return Notifications{}, err
	}
	unread, err := s.notices.CountUnread(ctx, a.Org.ID)
	if err != nil {
		return Notifications{}, err
	}
	return Notifications{Items: items, Next: s.next("notifications", pg, next), Unread: unread}, nil
}

// UnreadCount is how many of the organization's notices are unread; 0 for
// actors without an inbox.
//
// Every page shows the count, and on the embedded store counting decodes
// the whole notifications collection, so a count is reused for
// unreadTTL: a new notice reaches the badge within that, and marking read
// in this process clears it at once.
func (s *Service) UnreadCount(ctx context.Context, a finzone.Actor) (int64, error) {
	if !a.HasInbox() {
		return 0, nil
	}
	if n, ok := s.unread.get(a.Org.ID); ok {
		return n, nil
	}
	n, err := s.notices.CountUnread(ctx, a.Org.ID)
	if err == nil {
		s.unread.put(a.Org.ID, n)
	}
	return n, err
}

// unreadTTL is how long an organization's unread count is reused.
const unreadTTL = 5 * time.Second

// unreadCache holds recent unread counts by organization.
type unreadCache struct {
	mu sync.Mutex
	m  map[string]unreadEntry
}

type unreadEntry struct {
	n  int64
	at time.Time
}

func (c *unreadCache) get(org string) (int64, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	e, ok := c.m[org]
	if !ok || time.Since(e.at) > unreadTTL {
		return 0, false
	}
	return e.n, true
}

func (c *unreadCache) put(org string, n int64) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.m == nil || len(c.m) > 10000 {
		c.m = map[string]unreadEntry{} // a crude bound: entries live seconds
	}
	c.m[org] = unreadEntry{n: n, at: time.Now()}
}

func (c *unreadCache) forget(org string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	delete(c.m, org)
}

// MarkNotificationsRead marks the listed notices, or all when ids is
// empty, of the actor's own organization read.
func (s *Service) MarkNotificationsRead(ctx context.Context, a finzone.Actor, ids []string) error {
	if !a.HasInbox() {
		return forbidden("notifications are for enterprises and institutions")
	}
	defer s.unread.forget(a.Org.ID)
	return s.notices.MarkNotificationsRead(ctx, a.Org.ID, ids)
}

// Webhook is the institution's endpoint; an institution without one has
// an empty one.
func (s *Service) Webhook(ctx context.Context, a finzone.Actor) (finzone.Webhook, error) {
	if err := webhookAdmin(a); err != nil {
		return finzone.Webhook{}, err
	}
	wh, err := s.notices.Webhook(ctx, a.Org.ID)
	if finzone.IsCode(err, finzone.ECNotFound) {
		return finzone.Webhook{OrgID: a.Org.ID}, nil
	}
	return wh, err
}

// WebhookInput is an endpoint; an empty URL turns the webhook off. There
// is no secret in it: the platform makes the signing secret.
type WebhookInput struct{ URL string }

// WebhookSaved is the webhook as saved and, when the call generated one,
// its new signing secret: shown this once, stored only sealed.
type WebhookSaved struct {
	finzone.Webhook
	Secret string
}

// SetWebhook sets the institution's HTTPS endpoint. The first endpoint
// gets a new signing secret; a changed one keeps the secret its receiver
// already holds, unless that secret can no longer be opened (the platform
// key changed). Turning the webhook off drops the secret.
func (s *Service) SetWebhook(ctx context.Context, a finzone.Actor, in WebhookInput) (WebhookSaved, error) {
	if err := webhookAdmin(a); err != nil {
		return WebhookSaved{}, err
	}
	wh := finzone.Webhook{OrgID: a.Org.ID, URL: in.URL, UpdatedAt: s.now()}
	wh.Normalize()
	if err := wh.Validate(s.allowHTTP); err != nil {
		return WebhookSaved{}, err
	}
	if wh.URL == "" {
		return WebhookSaved{Webhook: wh}, s.notices.SetWebhook(ctx, wh)
	}
	// Public addresses only (checked again at every delivery).
	if err := (outbound.Policy{AllowLoopback: s.allowHTTP}).CheckURL(ctx, wh.URL); err != nil {
		var probs finzone.Problems
		probs.Add("url", finzone.FCNotPublic)
		return WebhookSaved{}, probs.Err()
	}
	old, err := s.notices.Webhook(ctx, a.Org.ID)
	if err != nil && !finzone.IsCode(err, finzone.ECNotFound) {
		return WebhookSaved{}, err
	}
	out := WebhookSaved{Webhook: wh}
	if s.secretKept(old) {
		out.SealedSecret, out.SecretHint, out.SecretCreatedAt = old.SealedSecret, old.SecretHint, old.SecretCreatedAt
	} else {
		out.Secret = s.newWebhookSecret(&out.Webhook)
	}
	if err := s.notices.SetWebhook(ctx, out.Webhook); err != nil {
		return WebhookSaved{}, err
	}
	return out, nil
}

// secretKept: a new endpoint keeps the webhook's secret while the webhook
// was on and its secret still opens (the platform key may have changed).
func (s *Service) secretKept(old finzone.Webhook) bool {
	_, err := s.keys.Open(keys.WebhookSecret, old.SealedSecret)
	return old.URL != "" && err == nil
}

// RotateWebhookSecret replaces the signing secret of the institution's
// webhook with a new one, shown this once; the old one stops signing at
// once (deliveries waiting for a retry are signed when sent, so with the
// new one).
func (s *Service) RotateWebhookSecret(ctx context.Context, a finzone.Actor) (WebhookSaved, error) {
	if err := webhookAdmin(a); err != nil {
		return WebhookSaved{}, err
	}
	wh, err := s.notices.Webhook(ctx, a.Org.ID)
	if err != nil && !finzone.IsCode(err, finzone.ECNotFound) {
		return WebhookSaved{}, err
	}
	if wh.URL == "" {
		return WebhookSaved{}, finzone.Errorf(finzone.ECInvalidState, "no webhook endpoint to rotate the secret of")
	}
	out := WebhookSaved{Webhook: wh}
	out.UpdatedAt = s.now()
	out.Secret = s.newWebhookSecret(&out.Webhook)
	if err := s.notices.SetWebhook(ctx, out.Webhook); err != nil {
		return WebhookSaved{}, err
	}
	return out, nil
}

// newWebhookSecret makes a signing secret of 32 random bytes, seals it
// into wh and returns it, for its one showing.
func (s *Service) newWebhookSecret(wh *finzone.Webhook) string {
	b := make([]byte, 32)
	_, _ = rand.Read(b) // never fails (crypto/rand panics rather)
	secret := finzone.WebhookSecretPrefix + base64.RawURLEncoding.EncodeToString(b)
	wh.SealedSecret = s.keys.Seal(keys.WebhookSecret, []byte(secret))
	wh.SecretHint, wh.SecretCreatedAt = finzone.WebhookSecretHint(secret), wh.UpdatedAt
	return secret
}

// SealPlaintextWebhookSecrets seals the webhook secrets an older version
// stored as given, keeping each (the institutions' receivers hold them);
// processes call it at start, before they serve or deliver.
func (s *Service) SealPlaintextWebhookSecrets(ctx context.Context) (int, error) {
	return s.notices.SealPlaintextWebhookSecrets(ctx, func(plain string) ([]byte, string) {
		return s.keys.Seal(keys.WebhookSecret, []byte(plain)), finzone.WebhookSecretHint(plain)
	})
}

// Deliveries is a page of the institution's webhook delivery log.
func (s *Service) Deliveries(ctx context.Context, a finzone.Actor, in ListInput) ([]finzone.Delivery, string, error) {
	if err := webhookAdmin(a); err != nil {
		return nil, "", err
	}
	var probs finzone.Problems
	pg := s.page("deliveries", in, &probs)
	if err := probs.Err(); err != nil {
		return nil, "", err
	}
	items, next, err := s.notices.ListDeliveries(ctx, a.Org.ID, pg)
	return items, s.next("deliveries", pg, next), err
}

// webhookAdmin: only an institution's admins manage its webhook.
func webhookAdmin(a finzone.Actor) error {
	if !a.CanManageWebhook() {
		return forbidden("only an institution's admins manage its webhook")
	}
	return nil
}
