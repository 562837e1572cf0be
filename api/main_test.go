package api_test

// The API's HTTP suite. Every test drives the app as cmd/finzone wires it
// (server.New, api.Mount over usecase.New) through real HTTP requests
// (Fiber's app.Test) against the MongoDB store on embedded FerretDB, or on a
// real MongoDB when FINZONE_TEST_MONGO_URI is set, with a fresh database per
// test (package finzonetest). Readiness pings a real Redis
// (FINZONE_TEST_REDIS_URL, by default DB 15 of the machine's Redis); nothing
// here ever flushes it.

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"slices"
	"testing"
	"time"
	"unicode"

	"github.com/gofiber/fiber/v2"
	"github.com/redis/go-redis/v9"

	"finzone"
	"finzone/api"
	"finzone/finzonetest"
	"finzone/server"
	"finzone/usecase"
)

var redisClient *redis.Client

func TestMain(m *testing.M) {
	opt, err := redis.ParseURL(finzonetest.RedisURL(15))
	if err != nil {
		fmt.Fprintln(os.Stderr, "redis url:", err)
		os.Exit(1)
	}
	redisClient = redis.NewClient(opt)
	code := finzonetest.Main(m)
	redisClient.Close()
	os.Exit(code)
}

// redisReady is the readiness check cmd/finzone wires in: a Redis ping.
func redisReady(c *redis.Client) map[string]func(context.Context) error {
	return map[string]func(context.Context) error{
		"redis": func(ctx context.Context) error { return c.Ping(ctx).Err() },
	}
}

// store is the database behind a test's app: what the use cases read and
// write, and the fixtures no route makes.
type store interface {
	usecase.Store
	UpsertCluster(ctx context.Context, c finzone.Cluster) error
	CatalogueVersion(ctx context.Context) (int64, error)
}

// env is one test's app, the use cases it runs and the store behind them.
type env struct {
	t   testing.TB
	db  store
	uc  *usecase.Service
	app *fiber.App
}

// newEnv builds the app on a fresh database on the shared server.
func newEnv(t testing.TB) *env {
	t.Helper()
	return newEnvOn(t, finzonetest.NewStore(t))
}

// newEnvOn builds the app on db, with Redis as its other dependency.
func newEnvOn(t testing.TB, db store) *env {
	return newEnvWith(t, db, usecase.Config{Checks: redisReady(redisClient)})
}

// newEnvWith builds the app on db as cmd/finzone wires it, with cfg.
func newEnvWith(t testing.TB, db store, cfg usecase.Config) *env {
	cfg.Log = finzonetest.Logger(t)
	uc := usecase.New(db, cfg)
	app := server.New(cfg.Log)
	api.Mount(app, uc)
	return &env{t: t, db: db, uc: uc, app: app}
}

// resp is one HTTP answer, read in full.
type resp = finzonetest.Response

// req describes a request beyond method, path and token.
type req struct {
	method, path string
	token        string // sent as a bearer token
	cookie       string // sent as the session cookie
	lang         string // Accept-Language
	body         any    // nil, []byte or string (sent as is), or a value to encode as JSON
}

func (e *env) send(r req) resp {
	e.t.Helper()
	var raw []byte
	switch b := r.body.(type) {
	case nil:
	case []byte:
		raw = b
	case string:
		raw = []byte(b)
	default:
		j, err := json.Marshal(b)
		if err != nil {
			e.t.Fatalf("encode body: %v", err)
		}
		raw = j
	}
	var body io.Reader
	if r.body != nil {
		body = bytes.NewReader(raw)
	}
	hr := httptest.NewRequest(r.method, r.path, body)
	if body != nil {
		hr.Header.Set("Content-Type", "application/json")
	}
	if r.token != "" {
		hr.Header.Set("Authorization", "Bearer "+r.token)
	}
	if r.cookie != "" {
		hr.AddCookie(&http.Cookie{Name: server.SessionCookie, Value: r.cookie})
	}
	if r.lang != "" {
		hr.Header.Set("Accept-Language", r.lang)
	}
	return e.roundTrip(hr, raw)
}

// roundTrip sends hr, whose body is raw, and checks the exchange against
// the OpenAPI document (checkContract): every answer the suite receives
// under /api/v1 is one the document describes.
func (e *env) roundTrip(hr *http.Request, raw []byte) resp {
	e.t.Helper()
	header, target := hr.Header.Clone(), hr.URL.RequestURI()
	r := finzonetest.Send(e.t, e.app, hr)
	checkContract(e.t, exchange{method: hr.Method, target: target, header: header, body: raw, answer: r})
	return r
}

func (e *env) do(method, path, token string, body any) resp {
	e.t.Helper()
	return e.send(req{method: method, path: path, token: token, body: body})
}

// ok sends a request, fails the test unless it answers want, and decodes the
// JSON answer into out (when out is not nil).
func (e *env) ok(want int, method, path, token string, body, out any) resp {
	e.t.Helper()
	r := e.do(method, path, token, body)
	if r.Status != want {
		e.t.Fatalf("%s %s: got %s, want status %d", method, path, r, want)
	}
	if out != nil {
		if err := json.Unmarshal(r.Body, out); err != nil {
			e.t.Fatalf("%s %s: decode %s: %v", method, path, r.Body, err)
		}
	}
	return r
}

// apiError is the one error shape.
type apiError struct {
	Code           string         `json:"code"`
	Message        string         `json:"message"`
	Fields         []fieldError   `json:"fields"`
	AllowedActions []string       `json:"allowed_actions"`
	Params         map[string]any `json:"params"`
}

type fieldError struct {
	Field   string `json:"field"`
	Code    string `json:"code"`
	Message string `json:"message"`
}

// fieldCode is a field error a test expects: the field and its code.
type fieldCode struct{ field, code string }

// parseError checks the body is exactly {"error":{"code","message",
// "fields":[{"field","code","message"}]}} (plus the optional request_id,
// allowed_actions and params, and a field's allowed values), and that the
// OpenAPI document's Error schema takes it, and returns it.
func parseError(t testing.TB, r resp) apiError {
	t.Helper()
	if c, err := contract(); err != nil {
		t.Errorf("contract: the OpenAPI document: %v", err)
	} else if err := c.checkError(r); err != nil {
		t.Errorf("contract: error answer %d: %v", r.Status, err)
	}
	var top map[string]json.RawMessage
	if err := json.Unmarshal(r.Body, &top); err != nil {
		t.Fatalf("error body is not a JSON object: %s", r)
	}
	if len(top) != 1 || top["error"] == nil {
		t.Fatalf("error body: got keys of %s, want only \"error\"", r.Body)
	}
	var inner map[string]json.RawMessage
	if err := json.Unmarshal(top["error"], &inner); err != nil {
		t.Fatalf("error is not an object: %s", r)
	}
	for k := range inner {
		switch k {
		case "code", "message", "fields", "request_id", "allowed_actions", "params":
		default:
			t.Errorf("error has unexpected key %q: %s", k, r.Body)
		}
	}
	var e apiError
	dec := json.NewDecoder(bytes.NewReader(top["error"]))
	if err := dec.Decode(&e); err != nil {
		t.Fatalf("error shape: %v: %s", err, r)
	}
	if e.Code == "" || e.Message == "" {
		t.Errorf("error: got code %q message %q, want both set: %s", e.Code, e.Message, r.Body)
	}
	if raw, ok := inner["fields"]; ok {
		var list []map[string]any
		if err := json.Unmarshal(raw, &list); err != nil {
			t.Fatalf("fields is not an array of objects: %s", r)
		}
		for _, f := range list {
			_, isString := f["field"].(string)
			_, listsAllowed := f["allowed"].([]any)
			if listsAllowed && f["code"] != finzone.FCInvalid {
				t.Errorf("field error: got %v, want allowed only on %s", f, finzone.FCInvalid)
			}
			if len(f) != 3 && !(len(f) == 4 && listsAllowed) || !isString || f["code"] == "" || f["message"] == "" || f["code"] == nil || f["message"] == nil {
				t.Errorf("field error: got %v, want field, code and message set", f)
			}
		}
	}
	return e
}

// wantError checks status, the error code and that every wanted field error
// is present.
func wantError(t testing.TB, r resp, status int, code string, fields ...fieldCode) apiError {
	t.Helper()
	if r.Status != status {
		t.Fatalf("got %s, want status %d with code %s", r, status, code)
	}
	e := parseError(t, r)
	if e.Code != code {
		t.Errorf("error code: got %q, want %q (%s)", e.Code, code, r.Body)
	}
	for _, want := range fields {
		if !hasField(e, want) {
			t.Errorf("fields: got %+v, want one with field %q code %q", e.Fields, want.field, want.code)
		}
	}
	return e
}

func hasField(e apiError, want fieldCode) bool {
	for _, f := range e.Fields {
		if f.Field == want.field && f.Code == want.code {
			return true
		}
	}
	return false
}

// Accounts and their fixtures.

const testPassword = finzonetest.Password

type account struct {
	Token  string
	UserID string
	OrgID  string
	Email  string
}

type orgOut struct {
	ID         string     `json:"id"`
	Kind       string     `json:"kind"`
	USCC       string     `json:"uscc"`
	RegionCode string     `json:"region_code"`
	Verified   bool       `json:"verified"`
	VerifiedAt *time.Time `json:"verified_at"`
}

type userOut struct {
	ID      string   `json:"id"`
	Email   string   `json:"email"`
	OrgID   string   `json:"org_id"`
	Role    string   `json:"role"`
	Regions []string `json:"regions"`
}

type sessionOut struct {
	Token string  `json:"token"`
	User  userOut `json:"user"`
	Org   orgOut  `json:"org"`
}

func registerBody(kind, region, uscc, email string) map[string]any {
	org := map[string]any{"kind": kind, "name": "测试" + kind + region, "uscc": uscc, "region_code": region}
	if kind == string(finzone.KindEnterprise) {
		org["industry_code"] = "C13"
		org["size"] = "small"
	}
	return map[string]any{"org": org, "user": map[string]any{"email": email, "password": testPassword, "name": "张三"},
		"privacy_consent": finzone.PrivacyVersion}
}

// register signs up an organization of kind in region through the API.
func (e *env) register(kind finzone.OrgKind, region string) account {
	e.t.Helper()
	email := finzonetest.Email(string(kind))
	var out sessionOut
	e.ok(http.StatusCreated, "POST", "/api/v1/auth/register", "", registerBody(string(kind), region, finzonetest.USCC(), email), &out)
	if out.Token == "" || out.Org.ID == "" || out.User.ID == "" {
		e.t.Fatalf("register: got %+v, want token, user and org", out)
	}
	return account{Token: out.Token, UserID: out.User.ID, OrgID: out.Org.ID, Email: email}
}

func (e *env) enterprise(region string) account  { return e.register(finzone.KindEnterprise, region) }
func (e *env) institution(region string) account { return e.register(finzone.KindBank, region) }

// coordinator makes a coordinator (no route creates them), then signs in
// through the API.
func (e *env) coordinator(regions ...string) account {
	e.t.Helper()
	email := finzonetest.Coordinator(e.t, e.uc, regions...)
	var out sessionOut
	e.ok(http.StatusOK, "POST", "/api/v1/auth/login", "", map[string]any{"email": email, "password": testPassword}, &out)
	if out.Token == "" || out.Org.ID == "" || !slices.Equal(out.User.Regions, regions) {
		e.t.Fatalf("coordinator login: got %+v, want a token, an office and regions %v", out, regions)
	}
	return account{Token: out.Token, UserID: out.User.ID, OrgID: out.Org.ID, Email: email}
}

// Projects.

type projectOut struct {
	ID          string     `json:"id"`
	OwnerOrgID  string     `json:"owner_org_id"`
	Title       string     `json:"title"`
	ProjectType string     `json:"project_type"`
	AmountYuan  int64      `json:"amount_yuan"`
	TermMonths  int        `json:"term_months"`
	RegionCode  string     `json:"region_code"`
	Status      string     `json:"status"`
	SubmittedAt *time.Time `json:"submitted_at"`
	WithdrawnAt *time.Time `json:"withdrawn_at"`
}

type projectList struct {
	Items []projectOut `json:"items"`
	Next  string       `json:"next"`
}

func projectBody(title string) map[string]any {
	return map[string]any{
		"title":            title,
		"project_type":     "manufacturing_medium_long",
		"amount_yuan":      5_000_000,
		"term_months":      36,
		"purpose":          "购置自动化生产线",
		"collateral":       []string{"mortgage"},
		"rate_ceiling_bps": 450,
	}
}

func (e *env) createProject(token string, body map[string]any) projectOut {
	e.t.Helper()
	var p projectOut
	e.ok(http.StatusCreated, "POST", "/api/v1/projects", token, body, &p)
	if p.ID == "" {
		e.t.Fatalf("create project: no id")
	}
	return p
}

func (e *env) listProjects(token, query string) projectList {
	e.t.Helper()
	var l projectList
	r := e.ok(http.StatusOK, "GET", "/api/v1/projects"+query, token, nil, &l)
	if !bytes.Contains(r.Body, []byte(`"items":[`)) || !bytes.Contains(r.Body, []byte(`"next":`)) {
		e.t.Fatalf("list: got %s, want {\"items\":[...],\"next\":...}", r.Body)
	}
	return l
}

func projectIDs(l projectList) []string {
	out := make([]string, len(l.Items))
	for i, p := range l.Items {
		out[i] = p.ID
	}
	return out
}

// Products.

type productOut struct {
	ID         string `json:"id"`
	Version    int    `json:"version"`
	OwnerOrgID string `json:"owner_org_id"`
	Name       string `json:"name"`
	Status     string `json:"status"`
	ReviewedBy string `json:"reviewed_by"`
	ReviewNote string `json:"review_note"`
	Versions   []struct {
		Version int    `json:"version"`
		Status  string `json:"status"`
	} `json:"versions"`
}

type productList struct {
	Items []productOut `json:"items"`
	Next  string       `json:"next"`
}

func productBody(name string, regions ...string) map[string]any {
	if len(regions) == 0 {
		regions = []string{"341200"}
	}
	return map[string]any{
		"name":             name,
		"category":         "loan",
		"description":      "面向县域特色产业集群的中长期贷款",
		"amount_min_yuan":  1_000_000,
		"amount_max_yuan":  50_000_000,
		"term_min_months":  12,
		"term_max_months":  60,
		"rate_floor_bps":   300,
		"rate_ceiling_bps": 600,
		"project_types":    []string{"manufacturing_medium_long", "working_capital"},
		"regions":          regions,
		"collateral":       []string{"mortgage", "credit"},
		"sizes":            []string{"small", "medium"},
		"capacity_yuan":    1_000_000_000,
		"valid_from":       "2026-01-01T00:00:00Z",
		"valid_to":         "2028-01-01T00:00:00Z",
	}
}

func (e *env) createProduct(token string, body map[string]any) productOut {
	e.t.Helper()
	var p productOut
	e.ok(http.StatusCreated, "POST", "/api/v1/products", token, body, &p)
	if p.ID == "" || p.Version != 1 || p.Status != "draft" {
		e.t.Fatalf("create product: got %+v, want an id, version 1, draft", p)
	}
	return p
}

// publishProduct takes a draft through review to published.
func (e *env) publishProduct(owner, reviewer, id string) productOut {
	e.t.Helper()
	e.ok(http.StatusOK, "POST", "/api/v1/products/"+id+"/publish", owner, nil, nil)
	var p productOut
	e.ok(http.StatusOK, "POST", "/api/v1/products/"+id+"/review", reviewer, map[string]any{"decision": "approve"}, &p)
	if p.Status != "published" {
		e.t.Fatalf("approve: got status %q, want published", p.Status)
	}
	return p
}

func (e *env) listProducts(token, query string) productList {
	e.t.Helper()
	var l productList
	e.ok(http.StatusOK, "GET", "/api/v1/products"+query, token, nil, &l)
	return l
}

// find returns the listed versions of product id.
func (l productList) find(id string) []productOut {
	var out []productOut
	for _, p := range l.Items {
		if p.ID == id {
			out = append(out, p)
		}
	}
	return out
}

func contains(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}

func hasHan(s string) bool {
	for _, r := range s {
		if unicode.Is(unicode.Han, r) {
			return true
		}
	}
	return false
}

func isASCII(s string) bool {
	for _, r := range s {
		if r > unicode.MaxASCII {
			return false
		}
	}
	return true
}

func mustJSON(t *testing.T, r resp, out any) {
	t.Helper()
	if err := json.Unmarshal(r.Body, out); err != nil {
		t.Fatalf("decode %s: %v", r, err)
	}
}

// listen serves app on a free loopback port until the test ends and returns
// its base URL, for the few checks app.Test cannot make.
func listen(t *testing.T, app *fiber.App) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatalf("listen: %v", err)
	}
	done := make(chan error, 1)
	go func() { done <- app.Listener(ln) }()
	t.Cleanup(func() {
		if err := app.Shutdown(); err != nil {
			t.Errorf("shutdown: %v", err)
		}
		if err := <-done; err != nil {
			t.Errorf("serve: %v", err)
		}
	})
	return "http://" + ln.Addr().String()
}
