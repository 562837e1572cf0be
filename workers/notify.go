package workers

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/hibiken/asynq"

	"finzone"
	"finzone/i18n"
	"finzone/keys"
	"finzone/outbound"
)

// ClassSecretUnreadable is the delivery log's error class for a webhook
// whose stored secret cannot be opened.
const ClassSecretUnreadable = "secret_unreadable"

// MaxDeliveryAttempts bounds webhook retries; after it the delivery is
// marked failed in the institution's log.
const MaxDeliveryAttempts = 8

// notice builds one notification about a match for an organization: its
// kind, the project's title and any more parameters as name/value pairs;
// readers see it in their own language. Its ID is fixed by who, what, which
// match and the match's history length, so a retried task notifies once.
func notice(orgID, kind string, m finzone.Match, title string, params ...string) []finzone.Notification {
	ps := map[string]string{finzone.NoticeTitle: title}
	for i := 0; i+1 < len(params); i += 2 {
		ps[params[i]] = params[i+1]
	}
	return []finzone.Notification{{
		ID:    finzone.StableID("notice", orgID, kind, m.ID, string(m.Stage), strconv.Itoa(len(m.Events))),
		OrgID: orgID, Kind: kind, ProjectID: m.ProjectID, MatchID: m.ID, Stage: m.Stage, Params: ps,
	}}
}

type notificationJSON struct {
	ID        string `json:"id"`
	Kind      string `json:"kind"`
	ProjectID string `json:"project_id"`
	MatchID   string `json:"match_id,omitempty"`
	Stage     string `json:"stage,omitempty"`
	// Text is the notice in Chinese, the platform's default language;
	// Params are what fills it, for receivers that render their own.
	Text      string            `json:"text"`
	Params    map[string]string `json:"params"`
	CreatedAt time.Time         `json:"created_at"`
}

// notify stores notifications in the inboxes and queues a webhook delivery
// for every organization that has a webhook.
func (w *Workers) notify(ctx context.Context, ns []finzone.Notification) error {
	if len(ns) == 0 {
		return nil
	}
	now := w.cfg.Now()
	for i := range ns {
		if ns[i].CreatedAt.IsZero() {
			ns[i].CreatedAt = now
		}
	}
	st := w.cfg.Store
	if err := st.AddNotifications(ctx, ns); err != nil {
		return err
	}
	var orgs []string
	for _, n := range ns {
		if !slices.Contains(orgs, n.OrgID) {
			orgs = append(orgs, n.OrgID)
		}
	}
	hooks, err := st.Webhooks(ctx, orgs)
	if err != nil {
		return err
	}
	var ds []finzone.Delivery
	for _, n := range ns {
		h, ok := hooks[n.OrgID]
		if !ok || h.URL == "" {
			continue
		}
		body, err := json.Marshal(notificationJSON{ID: n.ID, Kind: n.Kind, ProjectID: n.ProjectID, MatchID: n.MatchID,
			Stage: string(n.Stage), Text: i18n.Notice(finzone.LangZH, n, false), Params: n.Params, CreatedAt: n.CreatedAt.UTC()})
		if err != nil { // only a time outside years 0–9999 could do it
			return fmt.Errorf("notification %s: %w", n.ID, err)
		}
		ds = append(ds, finzone.Delivery{ID: finzone.StableID("delivery", n.ID, h.URL), OrgID: n.OrgID, NotificationID: n.ID,
			URL: h.URL, Payload: string(body), Status: "pending", NextAttemptAt: now, CreatedAt: now, UpdatedAt: now})
	}
	if err := st.AddDeliveries(ctx, ds); err != nil {
		return err
	}
	for _, d := range ds {
		if err := w.client.enqueue(ctx, newTask(TypeDeliver, deliveryPayload{d.ID}), asynq.TaskID("deliver:"+d.ID),
			asynq.MaxRetry(MaxDeliveryAttempts)); err != nil {
			return err
		}
	}
	return nil
}

// Sign returns the signature header value of a webhook body: HMAC-SHA256 of
// "<timestamp>.<body>" with the institution's secret, hex-encoded.
func Sign(secret, timestamp string, body []byte) string {
	mac := hmac.New(sha256.New, []byte(secret))
	mac.Write([]byte(timestamp))
	mac.Write([]byte{'.'})
	mac.Write(body)
	return "sha256=" + hex.EncodeToString(mac.Sum(nil))
}

// handleDeliver posts one notification to an institution's webhook and
// records the attempt; a failure returns an error so asynq retries with
// backoff, up to MaxDeliveryAttempts.
func (w *Workers) handleDeliver(ctx context.Context, t *asynq.Task) error {
	var pl deliveryPayload
	if err := decodePayload(t, &pl); err != nil {
		return err
	}
	st, now := w.cfg.Store, w.cfg.Now()
	d, err := st.Delivery(ctx, pl.DeliveryID)
	if finzone.IsCode(err, finzone.ECNotFound) {
		return nil
	}
	if err != nil {
		return err
	}
	if d.Status != "pending" {
		return nil
	}
	hook, err := st.Webhook(ctx, d.OrgID)
	if err != nil && !finzone.IsCode(err, finzone.ECNotFound) {
		return err
	}
	if hook.URL == "" {
		d.Status, d.LastError = "failed", "webhook removed"
		return w.recordDelivery(ctx, d, OutcomeWebhookRemoved)
	}
	secret, err := w.cfg.Keys.Open(keys.WebhookSecret, hook.SealedSecret)
	if err != nil {
		// No retry opens it: the platform key changed, or the secret was
		// never sealed. The institution rotates its secret.
		d.Status, d.LastError = "failed", ClassSecretUnreadable
		return w.recordDelivery(ctx, d, OutcomeSecretUnreadable)
	}
	code, sendErr := w.post(ctx, d, string(secret), now)
	d.Attempts++
	d.LastStatusCode = code
	d.LastError = ""
	// The log keeps the status code and the error's class only: a dial
	// error's text would tell which internal addresses answer.
	outcome := OutcomeRetry
	switch {
	case sendErr == nil:
		d.Status, outcome = "delivered", OutcomeDelivered
	case d.Attempts >= MaxDeliveryAttempts:
		d.Status, d.LastError, outcome = "failed", errorClass(code, sendErr), OutcomeFailed
	default:
		d.LastError = errorClass(code, sendErr)
		d.NextAttemptAt = now.Add(retryDelay(d.Attempts, sendErr, t))
	}
	if err := w.recordDelivery(ctx, d, outcome); err != nil {
		return err
	}
	if d.Status == "pending" {
		return sendErr
	}
	return nil
}

// recordDelivery stores the attempt's result and then counts its outcome:
// an attempt whose record fails is made again, and counted then.
func (w *Workers) recordDelivery(ctx context.Context, d finzone.Delivery, outcome string) error {
	if err := w.cfg.Store.UpdateDelivery(ctx, d); err != nil {
		return err
	}
	w.obs.Delivered(outcome)
	return nil
}

// errorClass is what the delivery log says of a failed send.
func errorClass(code int, err error) string {
	if code != 0 {
		return outbound.ClassStatus
	}
	return outbound.Class(err)
}

func (w *Workers) post(ctx context.Context, d finzone.Delivery, secret string, now time.Time) (int, error) {
	if !strings.HasPrefix(d.URL, "https://") && !w.cfg.AllowHTTPWebhooks {
		return 0, fmt.Errorf("webhook URL must use https")
	}
	ts := strconv.FormatInt(now.Unix(), 10)
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, d.URL, bytes.NewReader([]byte(d.Payload)))
	if err != nil {
		return 0, err
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("User-Agent", "finzone-webhooks/1")
	req.Header.Set("X-Finzone-Delivery", d.ID)
	req.Header.Set("X-Finzone-Timestamp", ts)
	req.Header.Set("X-Finzone-Signature", Sign(secret, ts, []byte(d.Payload)))
	resp, err := w.cfg.HTTP.Do(req)
	if err != nil {
		return 0, err
	}
	defer resp.Body.Close()
	// Drained only so the connection can be reused: the status code is the
	// answer, so a failed read changes nothing.
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		return resp.StatusCode, fmt.Errorf("webhook answered %d", resp.StatusCode)
	}
	return resp.StatusCode, nil
}
