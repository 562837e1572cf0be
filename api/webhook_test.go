package api_test

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"finzone/finzonetest"
)

type webhookOut struct {
	URL             string     `json:"url"`
	SecretSet       bool       `json:"secret_set"`
	SecretHint      string     `json:"secret_hint"`
	SecretCreatedAt *time.Time `json:"secret_created_at"`
	Secret          string     `json:"secret"`
}

// TestWebhookSecretIsMadeByThePlatformAndShownOnce: the platform makes the
// signing secret when the endpoint is first set and on a rotation, and
// shows it in that answer only; reads show its last four characters; a
// secret a client sends is refused; the stored document holds no trace of
// it (it is sealed under the platform key).
func TestWebhookSecretIsMadeByThePlatformAndShownOnce(t *testing.T) {
	e := newEnv(t)
	bank := e.institution("341200")
	wantError(t, e.do("PUT", "/api/v1/webhook", bank.Token, map[string]any{"url": "https://203.0.113.7/hook", "secret": "mine-0123456789abcdef"}),
		http.StatusBadRequest, "validation_failed", fieldCode{"secret", "read_only"})
	wantError(t, e.do("POST", "/api/v1/webhook/rotate", bank.Token, nil), http.StatusConflict, "invalid_state")

	var set webhookOut
	e.ok(http.StatusOK, "PUT", "/api/v1/webhook", bank.Token, map[string]any{"url": "https://203.0.113.7/hook"}, &set)
	if !strings.HasPrefix(set.Secret, "whsec_") || len(set.Secret) != len("whsec_")+43 || !set.SecretSet ||
		set.SecretHint != set.Secret[len(set.Secret)-4:] || set.SecretCreatedAt == nil {
		t.Fatalf("first PUT: %+v, want a whsec_ secret of 32 random bytes and its hint", set)
	}
	reads := []resp{e.do("GET", "/api/v1/webhook", bank.Token, nil)}
	var again webhookOut
	e.ok(http.StatusOK, "PUT", "/api/v1/webhook", bank.Token, map[string]any{"url": "https://203.0.113.8/hook"}, &again)
	if again.Secret != "" || again.SecretHint != set.SecretHint {
		t.Errorf("changing the URL: %+v, want the same secret kept and not shown", again)
	}
	reads = append(reads, e.do("GET", "/api/v1/webhook", bank.Token, nil))
	stored := rawWebhook(t, e, bank.OrgID)

	var rotated webhookOut
	e.ok(http.StatusOK, "POST", "/api/v1/webhook/rotate", bank.Token, nil, &rotated)
	if !strings.HasPrefix(rotated.Secret, "whsec_") || rotated.Secret == set.Secret || rotated.SecretHint != rotated.Secret[len(rotated.Secret)-4:] {
		t.Errorf("rotation: %+v, want a new secret shown", rotated)
	}
	reads = append(reads, e.do("GET", "/api/v1/webhook", bank.Token, nil))
	for i, r := range reads {
		var got webhookOut
		if err := json.Unmarshal(r.Body, &got); err != nil || r.Status != http.StatusOK {
			t.Fatalf("GET %d: %s", i, r)
		}
		if got.Secret != "" || bytes.Contains(r.Body, []byte(set.Secret)) || bytes.Contains(r.Body, []byte(rotated.Secret)) || !got.SecretSet {
			t.Errorf("GET %d shows the secret: %s", i, r.Body)
		}
	}
	if _, ok := stored["secret"]; ok {
		t.Errorf("the stored webhook has a secret field: %v", stored)
	}
	raw, _ := bson.Marshal(stored)
	if bytes.Contains(raw, []byte(set.Secret)) || bytes.Contains(raw, []byte(strings.TrimPrefix(set.Secret, "whsec_"))) {
		t.Errorf("the stored webhook holds the secret in plaintext: %v", stored)
	}
	ent := e.enterprise("341221")
	wantError(t, e.do("POST", "/api/v1/webhook/rotate", ent.Token, nil), http.StatusForbidden, "forbidden")
}

// rawWebhook is an organization's webhook document as stored, read through
// the driver alone.
func rawWebhook(t *testing.T, e *env, orgID string) bson.M {
	t.Helper()
	named, ok := e.db.(interface{ Name() string })
	if !ok {
		t.Fatalf("store %T does not name its database", e.db)
	}
	client, err := mongo.Connect(options.Client().ApplyURI(finzonetest.MongoURI()))
	if err != nil {
		t.Fatal(err)
	}
	defer client.Disconnect(context.Background())
	id, err := bson.ObjectIDFromHex(orgID)
	if err != nil {
		t.Fatal(err)
	}
	var doc bson.M
	if err := client.Database(named.Name()).Collection("webhooks").FindOne(context.Background(), bson.D{{Key: "_id", Value: id}}).Decode(&doc); err != nil {
		t.Fatalf("raw webhook: %v", err)
	}
	return doc
}

// receiver is a bank's endpoint (outside the product, so a fake) that keeps
// every delivery's signature headers and body.
type receiver struct {
	mu  sync.Mutex
	got []delivered
}

type delivered struct {
	timestamp, signature string
	body                 []byte
}

func (r *receiver) ServeHTTP(w http.ResponseWriter, req *http.Request) {
	body, _ := io.ReadAll(req.Body)
	r.mu.Lock()
	r.got = append(r.got, delivered{req.Header.Get("X-Finzone-Timestamp"), req.Header.Get("X-Finzone-Signature"), body})
	r.mu.Unlock()
	w.WriteHeader(http.StatusNoContent)
}

func (r *receiver) wait(t *testing.T, n int) []delivered {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for {
		r.mu.Lock()
		got := append([]delivered(nil), r.got...)
		r.mu.Unlock()
		if len(got) >= n {
			for _, d := range got {
				checkWebhookBody(t, d.body)
			}
			return got
		}
		if time.Now().After(deadline) {
			t.Fatalf("%d deliveries after 30s, want %d", len(got), n)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// verify is what docs/api.md tells receivers to do: HMAC-SHA256 of
// "<timestamp>.<body>" under the secret, and a timestamp within 5 minutes.
func verify(d delivered, secret string, now time.Time) bool {
	ts, err := strconv.ParseInt(d.timestamp, 10, 64)
	if err != nil || now.Sub(time.Unix(ts, 0)).Abs() > 5*time.Minute {
		return false
	}
	mac := hmac.New(sha256.New, []byte(secret))
	mac.Write([]byte(d.timestamp + "."))
	mac.Write(d.body)
	return hmac.Equal([]byte("sha256="+hex.EncodeToString(mac.Sum(nil))), []byte(d.signature))
}

// TestWebhookDeliveryVerifiesWithTheSecretShownOnce: the worker opens the
// sealed secret and signs with it, so a receiver verifies a delivery with
// the secret the platform showed once; after a rotation, deliveries verify
// with the new secret and no longer with the old.
func TestWebhookDeliveryVerifiesWithTheSecretShownOnce(t *testing.T) {
	e := newPipelineEnv(t)
	coord := e.coordinator("340000")
	bank := e.verifiedBank(coord, broadProduct("集群贷", 200_000_000, 0, false))
	hook := &receiver{}
	srv := httptest.NewServer(hook)
	defer srv.Close()
	var set webhookOut
	e.ok(http.StatusOK, "PUT", "/api/v1/webhook", bank.Token, map[string]any{"url": srv.URL + "/finzone"}, &set)

	ent := e.enterprise("341221")
	p := e.createProject(ent.Token, projectBody("年产5万吨粮油加工项目"))
	e.catalogueSeen()
	e.ok(http.StatusOK, "POST", "/api/v1/projects/"+p.ID+"/submit", ent.Token, nil, nil)
	first := hook.wait(t, 1)[0]
	if !verify(first, set.Secret, time.Now()) {
		t.Fatalf("the push's delivery does not verify with the secret shown: %+v", first)
	}

	var rotated webhookOut
	e.ok(http.StatusOK, "POST", "/api/v1/webhook/rotate", bank.Token, nil, &rotated)
	l := e.waitMatches(ent.Token, p.ID, 30*time.Second, func(l matchList) bool { return len(l.Items) == 1 })
	e.ok(http.StatusOK, "POST", "/api/v1/matches/"+l.Items[0].ID+"/urge", coord.Token, map[string]any{"note": "请尽快受理"}, nil)
	got := hook.wait(t, 2)
	last := got[len(got)-1]
	if !verify(last, rotated.Secret, time.Now()) || verify(last, set.Secret, time.Now()) {
		t.Errorf("after rotation, a delivery verifies with new %v, old %v; want new only",
			verify(last, rotated.Secret, time.Now()), verify(last, set.Secret, time.Now()))
	}
}
