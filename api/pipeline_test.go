package api_test

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"sync"
	"testing"
	"time"

	"github.com/hibiken/asynq"

	"finzone"
	"finzone/finzonetest"
	"finzone/keys"
	"finzone/usecase"
	"finzone/workers"
)

// pipelineEnv is the API with the real pipeline behind it: workers on the
// test's own asynq queue in the real Redis (DB 12), sharing the store.
type pipelineEnv struct {
	*env
	workers *workers.Workers
}

func newPipelineEnv(t *testing.T) *pipelineEnv {
	t.Helper()
	return newPipelineEnvWith(t, usecase.Config{}, finzone.Deadlines{})
}

// newPipelineEnvWith is newPipelineEnv with the use cases' settings and
// deadlines (shared with the workers) of the test's choosing.
func newPipelineEnvWith(t *testing.T, cfg usecase.Config, d finzone.Deadlines) *pipelineEnv {
	t.Helper()
	db := finzonetest.NewStore(t)
	opt, err := asynq.ParseRedisURI(finzonetest.RedisURL(12))
	if err != nil {
		t.Fatal(err)
	}
	queue := fmt.Sprintf("api-test-%d-%d", os.Getpid(), finzonetest.Seq())
	if cfg.Keys.Empty() {
		cfg.Keys = keys.Random() // shared, as FINZONE_SECRET_KEY is between processes
	}
	w := workers.New(workers.Config{Redis: opt, Store: db, Queue: queue, Log: finzonetest.Logger(t), AllowHTTPWebhooks: true,
		CatalogueEvery: catalogueEvery, ReconcileEvery: 5 * time.Second, Deadlines: d, Now: cfg.Now, Keys: cfg.Keys})
	if err := w.Start(); err != nil {
		t.Fatal(err)
	}
	client := workers.NewClient(opt, queue)
	t.Cleanup(func() { w.Shutdown(); client.Close() })
	cfg.Pipeline, cfg.Checks, cfg.AllowHTTPWebhooks, cfg.Deadlines = client, redisReady(redisClient), true, d
	e := newEnvWith(t, db, cfg)
	return &pipelineEnv{env: e, workers: w}
}

// broadProduct serves the whole province and every project type.
func broadProduct(name string, maxYuan, ticket int64, lead bool) map[string]any {
	now := time.Now().UTC()
	return map[string]any{
		"name": name, "category": "loan", "description": "集群贷",
		"amount_min_yuan": 1_000_000, "amount_max_yuan": maxYuan, "term_min_months": 6, "term_max_months": 120,
		"rate_floor_bps": 300, "rate_ceiling_bps": 600,
		"project_types": []string{"manufacturing_medium_long", "industrial_infrastructure", "working_capital"},
		"regions":       []string{"340000"}, "collateral": []string{"mortgage", "credit", "guarantee"},
		"sizes": []string{"small", "medium", "large"}, "capacity_yuan": 5_000_000_000,
		"can_lead_syndicate": lead, "max_ticket_yuan": ticket,
		"valid_from": now.Add(-24 * time.Hour).Format(time.RFC3339), "valid_to": now.AddDate(1, 0, 0).Format(time.RFC3339),
	}
}

// catalogueSeen waits until the workers have loaded the catalogue as
// stored, so a project submitted next is matched against the latest
// products (they poll its version every CatalogueEvery).
func (e *pipelineEnv) catalogueSeen() {
	e.t.Helper()
	want, err := e.db.CatalogueVersion(context.Background())
	if err != nil {
		e.t.Fatalf("stored catalogue version: %v", err)
	}
	const within = 10 * time.Second
	deadline := time.Now().Add(within)
	for e.workers.CatalogueVersion() < want {
		if time.Now().After(deadline) {
			e.t.Fatalf("workers loaded catalogue version %d after %s, want the stored %d", e.workers.CatalogueVersion(), within, want)
		}
		time.Sleep(catalogueEvery / 4)
	}
}

const catalogueEvery = 200 * time.Millisecond

// verifiedBank registers a bank, has a coordinator verify it and approve a
// broad product.
func (e *env) verifiedBank(coord account, product map[string]any) account {
	e.t.Helper()
	bank := e.institution("341200")
	e.ok(http.StatusOK, "POST", "/api/v1/institutions/"+bank.OrgID+"/verify", coord.Token, nil, nil)
	var p struct{ ID string }
	e.ok(http.StatusCreated, "POST", "/api/v1/products", bank.Token, product, &p)
	e.ok(http.StatusOK, "POST", "/api/v1/products/"+p.ID+"/publish", bank.Token, nil, nil)
	e.ok(http.StatusOK, "POST", "/api/v1/products/"+p.ID+"/review", coord.Token, map[string]any{"decision": "approve"}, nil)
	return bank
}

type matchOut struct {
	ID             string   `json:"id"`
	ProjectID      string   `json:"project_id"`
	InstitutionID  string   `json:"institution_id"`
	ProductID      string   `json:"product_id"`
	Role           string   `json:"role"`
	Rank           int      `json:"rank"`
	Stage          string   `json:"stage"`
	DueAt          *string  `json:"due_at"`
	Score          float64  `json:"score"`
	AllowedActions []string `json:"allowed_actions"`
	Components     []struct {
		Name  string  `json:"name"`
		Value float64 `json:"value"`
	} `json:"components"`
	Events []struct {
		Action, From, To, Actor string
	} `json:"events"`
	Read          bool  `json:"read"`
	DisbursedYuan int64 `json:"disbursed_yuan"`
}

type matchList struct {
	Items     []matchOut `json:"items"`
	Exhausted bool       `json:"exhausted"`
}

// waitMatches polls the project's matches through the API until cond holds.
func (e *env) waitMatches(token, projectID string, within time.Duration, cond func(matchList) bool) matchList {
	e.t.Helper()
	deadline := time.Now().Add(within)
	var l matchList
	for {
		e.ok(http.StatusOK, "GET", "/api/v1/projects/"+projectID+"/matches", token, nil, &l)
		if cond(l) {
			return l
		}
		if time.Now().After(deadline) {
			e.t.Fatalf("matches of %s after %s: %+v", projectID, within, l)
		}
		time.Sleep(200 * time.Millisecond)
	}
}

// A bank's webhook endpoint: outside the product, so a fake. It fails the
// first attempt of every delivery to prove retries, and records what it got.
type fakeBank struct {
	mu     sync.Mutex
	seen   map[string]bool
	bodies []string
	sigsOK []bool
	// secrets are each bank's, by the path its webhook points at.
	secrets map[string]string
}

func (f *fakeBank) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	f.mu.Lock()
	secret := f.secrets[r.URL.Path]
	f.mu.Unlock()
	mac := hmac.New(sha256.New, []byte(secret))
	mac.Write([]byte(r.Header.Get("X-Finzone-Timestamp") + "."))
	mac.Write(body)
	want := "sha256=" + hex.EncodeToString(mac.Sum(nil))
	f.mu.Lock()
	defer f.mu.Unlock()
	if id := r.Header.Get("X-Finzone-Delivery"); !f.seen[id] {
		f.seen[id] = true
		w.WriteHeader(http.StatusBadGateway)
		return
	}
	f.bodies = append(f.bodies, string(body))
	f.sigsOK = append(f.sigsOK, hmac.Equal([]byte(want), []byte(r.Header.Get("X-Finzone-Signature"))))
	w.WriteHeader(http.StatusNoContent)
}

// TestPipelineThroughTheAPI: an enterprise submits; three verified banks
// are pushed the project with deadlines and explained scores; the lead walks
// its match from acceptance to disbursement; a partner's decline is relayed
// (here to nobody: the project is flagged exhausted); wrong moves answer
// 409 with the allowed actions; the enterprise's inbox and the lead's
// webhook hear of it.
func TestPipelineThroughTheAPI(t *testing.T) {
	e := newPipelineEnv(t)
	coord := e.coordinator("340000")
	var banks []account
	for i := 0; i < 3; i++ {
		banks = append(banks, e.verifiedBank(coord, broadProduct(fmt.Sprintf("集群贷%d", i), 200_000_000, 0, false)))
	}
	hook := &fakeBank{secrets: map[string]string{}, seen: map[string]bool{}}
	srv := httptest.NewServer(hook)
	defer srv.Close()
	for _, b := range banks {
		var set struct{ Secret string }
		e.ok(http.StatusOK, "PUT", "/api/v1/webhook", b.Token, map[string]any{"url": srv.URL + "/finzone/" + b.OrgID}, &set)
		hook.mu.Lock()
		hook.secrets["/finzone/"+b.OrgID] = set.Secret
		hook.mu.Unlock()
	}
	ent := e.enterprise("341221")
	p := e.createProject(ent.Token, projectBody("年产5万吨粮油加工项目"))
	e.catalogueSeen()
	e.ok(http.StatusOK, "POST", "/api/v1/projects/"+p.ID+"/submit", ent.Token, nil, nil)

	l := e.waitMatches(ent.Token, p.ID, 30*time.Second, func(l matchList) bool { return len(l.Items) == 3 })
	byInst := map[string]matchOut{}
	leads := 0
	for _, m := range l.Items {
		byInst[m.InstitutionID] = m
		if m.Role == "lead" {
			leads++
		}
		if m.Stage != "pushed" || m.DueAt == nil || len(m.Components) == 0 || m.Score <= 0 {
			t.Errorf("match %s: stage %s due %v components %d score %v", m.ID, m.Stage, m.DueAt, len(m.Components), m.Score)
		}
		if len(m.AllowedActions) != 0 {
			t.Errorf("the enterprise is offered actions %v on %s", m.AllowedActions, m.ID)
		}
	}
	if leads != 1 || len(byInst) != 3 {
		t.Fatalf("got %d leads over %d institutions, want 1 over 3", leads, len(byInst))
	}
	var lead, partner account
	for _, b := range banks {
		if byInst[b.OrgID].Role == "lead" {
			lead = b
		} else {
			partner = b
		}
	}
	leadMatch := byInst[lead.OrgID]

	// The inbox shows it, unread; opening it marks it read.
	var inbox struct{ Items []matchOut }
	e.ok(http.StatusOK, "GET", "/api/v1/matches", lead.Token, nil, &inbox)
	if len(inbox.Items) != 1 || inbox.Items[0].ID != leadMatch.ID || inbox.Items[0].Read {
		t.Fatalf("lead's inbox: %+v", inbox.Items)
	}
	var opened matchOut
	e.ok(http.StatusOK, "GET", "/api/v1/matches/"+leadMatch.ID, lead.Token, nil, &opened)
	if len(opened.AllowedActions) != 2 || len(opened.Events) != 1 {
		t.Errorf("opened match: actions %v, events %d; want accept/decline and the push", opened.AllowedActions, len(opened.Events))
	}
	// The institution sees the project pushed to it, but not its competitors' matches.
	e.ok(http.StatusOK, "GET", "/api/v1/projects/"+p.ID, lead.Token, nil, nil)
	var own matchList
	e.ok(http.StatusOK, "GET", "/api/v1/projects/"+p.ID+"/matches", lead.Token, nil, &own)
	if len(own.Items) != 1 || own.Items[0].InstitutionID != lead.OrgID {
		t.Errorf("an institution sees %d matches of the project, want only its own", len(own.Items))
	}

	act := func(who account, body map[string]any) resp {
		return e.do("POST", "/api/v1/matches/"+leadMatch.ID+"/actions", who.Token, body)
	}
	// Who may move it, and along which edges.
	wantError(t, act(partner, map[string]any{"action": "accept"}), http.StatusNotFound, "not_found")
	wantError(t, act(ent, map[string]any{"action": "accept"}), http.StatusForbidden, "forbidden")
	bad := wantError(t, act(lead, map[string]any{"action": "approve", "amount_yuan": 1, "rate_bps": 1, "term_months": 1}),
		http.StatusConflict, "invalid_state")
	if len(bad.AllowedActions) != 2 {
		t.Errorf("409 lists %v, want accept and decline", bad.AllowedActions)
	}
	wantError(t, act(lead, map[string]any{"action": "fly"}), http.StatusConflict, "invalid_state")

	steps := []map[string]any{
		{"action": "accept", "note": "已受理"},
		{"action": "record_contact", "note": "已现场调查"},
		{"action": "request_documents"},
		{"action": "submit_credit"},
	}
	for _, s := range steps {
		if r := act(lead, s); r.Status != http.StatusOK {
			t.Fatalf("%v: %s", s["action"], r)
		}
	}
	// A decline needs a reason code and words; then the slot is relayed.
	pm := byInst[partner.OrgID]
	wantError(t, e.do("POST", "/api/v1/matches/"+pm.ID+"/actions", partner.Token, map[string]any{"action": "decline"}),
		http.StatusBadRequest, "validation_failed", fieldCode{"reason_code", "required"}, fieldCode{"note", "required"})
	e.ok(http.StatusOK, "POST", "/api/v1/matches/"+pm.ID+"/actions", partner.Token,
		map[string]any{"action": "decline", "reason_code": "outside_appetite", "note": "不在本行授信范围"}, nil)
	e.waitMatches(ent.Token, p.ID, 20*time.Second, func(l matchList) bool { return l.Exhausted })
	// Short of partners, but its lead is at work: not a case for the
	// coordinators (see TestProjectNobodyWorksOnNeedsHelp).
	if flagged := e.listProjects(coord.Token, "?attention=true"); len(flagged.Items) != 0 {
		t.Errorf("coordinator's attention list: %v, want none while the lead works", projectIDs(flagged))
	}

	offer := map[string]any{"action": "approve", "amount_yuan": 9_000_000, "rate_bps": 420, "term_months": 36,
		"guarantee_mode": "mortgage", "repayment_method": "equal_principal"}
	wantError(t, act(lead, offer), http.StatusBadRequest, "validation_failed", fieldCode{"amount_yuan", "out_of_range"})
	offer["amount_yuan"] = 5_000_000
	if r := act(lead, offer); r.Status != http.StatusOK {
		t.Fatalf("approve: %s", r)
	}
	// Only an accepted offer is contracted; only the owner accepts it.
	wantError(t, act(lead, map[string]any{"action": "contract"}), http.StatusConflict, "invalid_state")
	offerPath := "/api/v1/matches/" + leadMatch.ID + "/offer"
	wantError(t, e.do("POST", offerPath, lead.Token, map[string]any{"decision": "accept"}), http.StatusForbidden, "forbidden")
	e.ok(http.StatusOK, "POST", offerPath, ent.Token, map[string]any{"decision": "accept"}, nil)
	for _, s := range []map[string]any{
		{"action": "contract"},
		{"action": "disburse", "tranche_amount_yuan": 3_000_000},
	} {
		if r := act(lead, s); r.Status != http.StatusOK {
			t.Fatalf("%v: %s", s["action"], r)
		}
	}
	wantError(t, act(lead, map[string]any{"action": "disburse", "tranche_amount_yuan": 2_000_001}),
		http.StatusBadRequest, "validation_failed", fieldCode{"tranche_amount_yuan", "out_of_range"})
	var last matchOut
	e.ok(http.StatusOK, "POST", "/api/v1/matches/"+leadMatch.ID+"/actions", lead.Token, map[string]any{"action": "disburse", "tranche_amount_yuan": 2_000_000}, &last)
	if last.Stage != "disbursed" || last.DisbursedYuan != 5_000_000 || len(last.Events) != 10 {
		t.Errorf("after two tranches: stage %s, disbursed %d, %d events", last.Stage, last.DisbursedYuan, len(last.Events))
	}

	// The project follows its matches: funded once the money is out.
	deadline := time.Now().Add(20 * time.Second)
	for {
		var got projectOut
		e.ok(http.StatusOK, "GET", "/api/v1/projects/"+p.ID, ent.Token, nil, &got)
		if got.Status == "funded" {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("project status %s, want funded", got.Status)
		}
		time.Sleep(200 * time.Millisecond)
	}

	// The enterprise's inbox heard of it all.
	var notes struct {
		Items  []struct{ Kind string }
		Unread int64
	}
	e.ok(http.StatusOK, "GET", "/api/v1/notifications?limit=100", ent.Token, nil, &notes)
	kinds := map[string]int{}
	for _, n := range notes.Items {
		kinds[n.Kind]++
	}
	// One notice of the push to all three banks, and progress on the match.
	if kinds["project_pushed"] != 1 || kinds["match_changed"] == 0 || notes.Unread != int64(len(notes.Items)) {
		t.Errorf("enterprise inbox: %v, %d unread of %d; want one project_pushed, progress, all unread", kinds, notes.Unread, len(notes.Items))
	}
	e.ok(http.StatusNoContent, "POST", "/api/v1/notifications/read", ent.Token, nil, nil)
	e.ok(http.StatusOK, "GET", "/api/v1/notifications", ent.Token, nil, &notes)
	if notes.Unread != 0 {
		t.Errorf("unread after marking all read: %d", notes.Unread)
	}

	// The webhooks: the first answer failed, a retry delivered; signatures check.
	deadline = time.Now().Add(30 * time.Second)
	for {
		var log struct {
			Items []struct {
				Status   string
				Attempts int
			}
		}
		e.ok(http.StatusOK, "GET", "/api/v1/webhook/deliveries", lead.Token, nil, &log)
		delivered := 0
		for _, d := range log.Items {
			if d.Status == "delivered" {
				delivered++
				if d.Attempts != 2 {
					t.Errorf("a delivery took %d attempts; the endpoint fails only the first", d.Attempts)
				}
			}
		}
		if delivered == len(log.Items) && delivered > 0 {
			hook.mu.Lock()
			for i, ok := range hook.sigsOK {
				if !ok {
					t.Errorf("delivery %d: bad signature", i)
				}
			}
			hook.mu.Unlock()
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("webhook log: %+v", log.Items)
		}
		time.Sleep(300 * time.Millisecond)
	}
	wantError(t, e.do("PUT", "/api/v1/webhook", lead.Token, map[string]any{"url": "ftp://bank.example/x"}),
		http.StatusBadRequest, "validation_failed", fieldCode{"url", "invalid_value"})
	wantError(t, e.do("GET", "/api/v1/webhook", ent.Token, nil), http.StatusForbidden, "forbidden")
}
