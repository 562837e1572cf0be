package api_test

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"

	"github.com/gofiber/fiber/v2"

	"finzone"
	"finzone/api"
	"finzone/finzonetest"
	"finzone/server"
)

func TestBadInput(t *testing.T) {
	e := newEnv(t)
	ent := e.enterprise("341221")
	bank := e.institution("341200")
	draft := e.createProject(ent.Token, projectBody("草稿"))
	prod := e.createProduct(bank.Token, productBody("草稿产品"))

	with := func(base map[string]any, kv ...any) map[string]any {
		out := map[string]any{}
		for k, v := range base {
			out[k] = v
		}
		for i := 0; i+1 < len(kv); i += 2 {
			out[kv[i].(string)] = kv[i+1]
		}
		return out
	}
	proj := projectBody("项目")
	tests := []struct {
		name        string
		token       string
		method      string
		path        string
		body        any
		status      int
		code        string
		fields      []fieldCode
		wantFieldsN int // when > 0, exactly this many field errors
	}{
		{"unknown field", ent.Token, "POST", "/api/v1/projects", with(proj, "titel", "x"),
			400, "validation_failed", []fieldCode{{"titel", "unknown_field"}}, 1},
		{"read-only owner", ent.Token, "POST", "/api/v1/projects", with(proj, "owner_org_id", bank.OrgID),
			400, "validation_failed", []fieldCode{{"owner_org_id", "read_only"}}, 1},
		{"read-only status", ent.Token, "PATCH", "/api/v1/projects/" + draft.ID, map[string]any{"status": "funded"},
			400, "validation_failed", []fieldCode{{"status", "read_only"}}, 1},
		{"read-only id and times", ent.Token, "PATCH", "/api/v1/projects/" + draft.ID, map[string]any{"id": "x", "created_at": "2026-01-01T00:00:00Z"},
			400, "validation_failed", []fieldCode{{"id", "read_only"}, {"created_at", "read_only"}}, 2},
		{"read-only version", bank.Token, "PATCH", "/api/v1/products/" + prod.ID, map[string]any{"version": 7},
			400, "validation_failed", []fieldCode{{"version", "read_only"}}, 1},
		{"read-only product status", bank.Token, "POST", "/api/v1/products", with(productBody("p"), "status", "published"),
			400, "validation_failed", []fieldCode{{"status", "read_only"}}, 1},
		{"string for amount", ent.Token, "POST", "/api/v1/projects", with(proj, "amount_yuan", "lots"),
			400, "validation_failed", []fieldCode{{"amount_yuan", "wrong_type"}}, 1},
		{"fraction for amount", ent.Token, "POST", "/api/v1/projects", with(proj, "amount_yuan", 1.5),
			400, "validation_failed", []fieldCode{{"amount_yuan", "wrong_type"}}, 1},
		{"amount beyond int64", ent.Token, "POST", "/api/v1/projects", `{"amount_yuan": 99999999999999999999999}`,
			400, "validation_failed", []fieldCode{{"amount_yuan", "wrong_type"}}, 1},
		{"string for array", ent.Token, "POST", "/api/v1/projects", with(proj, "collateral", "mortgage"),
			400, "validation_failed", []fieldCode{{"collateral", "wrong_type"}}, 1},
		{"number for bool", ent.Token, "POST", "/api/v1/projects", with(proj, "green", 1),
			400, "validation_failed", []fieldCode{{"green", "wrong_type"}}, 1},
		{"bad time", bank.Token, "POST", "/api/v1/products", with(productBody("p"), "valid_from", "tomorrow"),
			400, "validation_failed", []fieldCode{{"valid_from", "wrong_type"}}, 1},
		{"every problem at once", ent.Token, "POST", "/api/v1/projects", with(proj, "titel", 1, "status", "x", "term_months", "long"),
			400, "validation_failed", []fieldCode{{"titel", "unknown_field"}, {"status", "read_only"}, {"term_months", "wrong_type"}}, 3},
		{"negative amount", ent.Token, "POST", "/api/v1/projects", with(proj, "amount_yuan", -5),
			400, "validation_failed", []fieldCode{{"amount_yuan", "out_of_range"}}, 1},
		{"term zero", ent.Token, "POST", "/api/v1/projects", with(proj, "term_months", 0),
			400, "validation_failed", []fieldCode{{"term_months", "out_of_range"}}, 1},
		{"term above 30 years", ent.Token, "POST", "/api/v1/projects", with(proj, "term_months", 361),
			400, "validation_failed", []fieldCode{{"term_months", "out_of_range"}}, 1},
		{"amount above the cap", ent.Token, "POST", "/api/v1/projects", with(proj, "amount_yuan", int64(50_000_000_001)),
			400, "validation_failed", []fieldCode{{"amount_yuan", "out_of_range"}}, 1},
		{"rate above the ceiling", ent.Token, "POST", "/api/v1/projects", with(proj, "rate_ceiling_bps", 3601),
			400, "validation_failed", []fieldCode{{"rate_ceiling_bps", "out_of_range"}}, 1},
		{"missing fields", ent.Token, "POST", "/api/v1/projects", map[string]any{},
			400, "validation_failed", []fieldCode{{"title", "required"}, {"project_type", "required"}, {"purpose", "required"}, {"collateral", "required"}}, 0},
		{"title too long", ent.Token, "POST", "/api/v1/projects", with(proj, "title", strings.Repeat("长", 101)),
			400, "validation_failed", []fieldCode{{"title", "too_long"}}, 1},
		{"product min above max", bank.Token, "POST", "/api/v1/products", with(productBody("p"), "amount_min_yuan", 60_000_000),
			400, "validation_failed", []fieldCode{{"amount_min_yuan", "min_above_max"}}, 0},
		{"product negative capacity", bank.Token, "POST", "/api/v1/products", with(productBody("p"), "capacity_yuan", -1),
			400, "validation_failed", []fieldCode{{"capacity_yuan", "out_of_range"}}, 1},
		{"product unknown region", bank.Token, "POST", "/api/v1/products", with(productBody("p"), "regions", []string{"110000"}),
			400, "unknown_region", []fieldCode{{"regions", "unknown_region"}}, 1},
		{"product valid_to before valid_from", bank.Token, "POST", "/api/v1/products", with(productBody("p"), "valid_to", "2025-01-01T00:00:00Z"),
			400, "validation_failed", []fieldCode{{"valid_to", "min_above_max"}}, 1},
		{"review with unknown field", e.coordinator("341200").Token, "POST", "/api/v1/products/" + prod.ID + "/review", map[string]any{"verdict": "ok"},
			400, "validation_failed", []fieldCode{{"verdict", "unknown_field"}}, 1},
		{"login unknown field", "", "POST", "/api/v1/auth/login", map[string]any{"email": "a@b.cn", "password": "x", "otp": "1"},
			400, "validation_failed", []fieldCode{{"otp", "unknown_field"}}, 1},
		{"register nested unknown field", "", "POST", "/api/v1/auth/register", map[string]any{
			"org": map[string]any{"kind": "bank", "nickname": "x"}, "user": map[string]any{"email": 5}},
			400, "validation_failed", []fieldCode{{"org.nickname", "unknown_field"}, {"user.email", "wrong_type"}}, 2},
		{"register org not an object", "", "POST", "/api/v1/auth/register", map[string]any{"org": "bank", "user": map[string]any{}},
			400, "validation_failed", []fieldCode{{"org", "wrong_type"}}, 1},
	}
	for _, s := range []struct{ name, body string }{
		{"truncated", `{"title": "x"`},
		{"not JSON", `title=x`},
		{"array", `[]`},
		{"null", `null`},
		{"string", `"x"`},
		{"empty", ``},
		{"two objects", `{}{}`},
		{"trailing comma", `{"title": "x",}`},
		{"trailing brace", `{"title": "x"}}`}, // found by strictjson.FuzzObject
		{"trailing bracket", `{"title": "x"} ]`},
	} {
		tests = append(tests, struct {
			name        string
			token       string
			method      string
			path        string
			body        any
			status      int
			code        string
			fields      []fieldCode
			wantFieldsN int
		}{"malformed " + s.name, ent.Token, "POST", "/api/v1/projects", s.body, 400, "malformed_json", nil, 0})
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := e.do(tt.method, tt.path, tt.token, tt.body)
			got := wantError(t, r, tt.status, tt.code, tt.fields...)
			if tt.wantFieldsN > 0 && len(got.Fields) != tt.wantFieldsN {
				t.Errorf("fields: got %+v, want exactly %d", got.Fields, tt.wantFieldsN)
			}
			if tt.code == "malformed_json" && len(got.Fields) != 0 {
				t.Errorf("malformed JSON: got fields %+v, want none", got.Fields)
			}
		})
	}

	// The cap itself is allowed, and nothing refused above was stored.
	e.createProject(ent.Token, with(proj, "amount_yuan", int64(50_000_000_000), "title", "上限"))
	l := e.listProjects(ent.Token, "?limit=100")
	if len(l.Items) != 2 {
		t.Errorf("projects after bad input: got %d, want the draft and the one at the cap", len(l.Items))
	}
	var got projectOut
	e.ok(http.StatusOK, "GET", "/api/v1/projects/"+draft.ID, ent.Token, nil, &got)
	if got.Status != "draft" || got.Title != "草稿" {
		t.Errorf("draft after refused patches: got %+v", got)
	}
}

// Oversized bodies are refused by the HTTP server itself, from the declared
// Content-Length and before any handler runs, so this test talks to a real
// listener over TCP: app.Test reports the server's error instead of the
// response it wrote. Only the headers are sent: a client still writing a body
// the server has stopped reading may see a reset instead of the answer.
func TestPayloadTooLarge(t *testing.T) {
	e := newEnv(t)
	ent := e.enterprise("341221")
	addr := strings.TrimPrefix(listen(t, e.app), "http://")
	for _, tt := range []struct{ path, token string }{
		{"/api/v1/projects", ent.Token},
		{"/api/v1/auth/register", ""},
		{"/api/v1/auth/login", ""},
	} {
		conn, err := net.Dial("tcp", addr)
		if err != nil {
			t.Fatalf("dial: %v", err)
		}
		head := fmt.Sprintf("POST %s HTTP/1.1\r\nHost: %s\r\nContent-Type: application/json\r\n"+
			"Content-Length: %d\r\nAccept-Language: en\r\n", tt.path, addr, server.MaxBodyBytes+1)
		if tt.token != "" {
			head += "Authorization: Bearer " + tt.token + "\r\n"
		}
		if _, err := io.WriteString(conn, head+"\r\n"); err != nil {
			t.Fatalf("write: %v", err)
		}
		hres, err := http.ReadResponse(bufio.NewReader(conn), nil)
		if err != nil {
			t.Fatalf("POST %s with %d bytes declared: %v", tt.path, server.MaxBodyBytes+1, err)
		}
		b, err := io.ReadAll(hres.Body)
		hres.Body.Close()
		conn.Close()
		if err != nil {
			t.Fatalf("read: %v", err)
		}
		got := wantError(t, resp{Status: hres.StatusCode, Header: hres.Header, Body: b}, http.StatusRequestEntityTooLarge, "payload_too_large")
		wantRequestID(t, hres, b)
		if !isASCII(got.Message) {
			t.Errorf("413 in English: got %q", got.Message)
		}
	}
	// Just under the limit is read, and refused for what it says.
	under := bytes.Repeat([]byte(" "), server.MaxBodyBytes-len(`{"titel":1}`))
	under = append(under, `{"titel":1}`...)
	r := e.do("POST", "/api/v1/projects", ent.Token, under)
	wantError(t, r, http.StatusBadRequest, "validation_failed", fieldCode{"titel", "unknown_field"})
	if got := len(e.listProjects(ent.Token, "").Items); got != 0 {
		t.Errorf("projects after oversized bodies: got %d, want 0", got)
	}
}

func TestErrorLanguage(t *testing.T) {
	e := newEnv(t)
	ent := e.enterprise("341221")
	body := projectBody("项目")
	body["amount_yuan"] = "lots"
	body["term_months"] = 0

	zh := wantError(t, e.send(req{method: "POST", path: "/api/v1/projects", token: ent.Token, body: body}),
		400, "validation_failed", fieldCode{"amount_yuan", "wrong_type"})
	for _, lang := range []string{"en", "en-US,en;q=0.9", "EN"} {
		en := wantError(t, e.send(req{method: "POST", path: "/api/v1/projects", token: ent.Token, body: body, lang: lang}),
			400, "validation_failed", fieldCode{"amount_yuan", "wrong_type"})
		if en.Message == zh.Message || !isASCII(en.Message) || !strings.Contains(en.Message, "invalid") {
			t.Errorf("Accept-Language %s: got message %q (Chinese %q), want English", lang, en.Message, zh.Message)
		}
		if len(en.Fields) != 1 || !isASCII(en.Fields[0].Message) || !strings.Contains(en.Fields[0].Message, "integer") {
			t.Errorf("Accept-Language %s: got fields %+v, want an English wrong-type message naming integer", lang, en.Fields)
		}
	}
	if !hasHan(zh.Message) || len(zh.Fields) != 1 || !hasHan(zh.Fields[0].Message) {
		t.Errorf("default language: got %+v, want Chinese messages", zh)
	}
	// Chinese when asked for it, or for anything but English.
	for _, lang := range []string{"zh-CN,zh;q=0.9", "fr"} {
		got := wantError(t, e.send(req{method: "POST", path: "/api/v1/projects", token: ent.Token, body: body, lang: lang}),
			400, "validation_failed")
		if got.Message != zh.Message {
			t.Errorf("Accept-Language %s: got %q, want %q", lang, got.Message, zh.Message)
		}
	}
	// Parameters fill the English range message.
	body["amount_yuan"] = 5_000_000
	en := wantError(t, e.send(req{method: "POST", path: "/api/v1/projects", token: ent.Token, body: body, lang: "en"}),
		400, "validation_failed", fieldCode{"term_months", "out_of_range"})
	if len(en.Fields) != 1 || en.Fields[0].Message != "must be between 1 and 360" {
		t.Errorf("range message: got %+v, want \"must be between 1 and 360\"", en.Fields)
	}
	// Errors without fields are translated too.
	zhNF := wantError(t, e.do("GET", "/api/v1/projects/000000000000000000000000", ent.Token, nil), 404, "not_found")
	enNF := wantError(t, e.send(req{method: "GET", path: "/api/v1/projects/000000000000000000000000", token: ent.Token, lang: "en"}), 404, "not_found")
	if !hasHan(zhNF.Message) || enNF.Message != "Not found" {
		t.Errorf("not found: got %q / %q, want Chinese / \"Not found\"", zhNF.Message, enNF.Message)
	}
	unauth := wantError(t, e.send(req{method: "GET", path: "/api/v1/me", lang: "en"}), 401, "unauthenticated")
	if !isASCII(unauth.Message) || !strings.Contains(unauth.Message, "sign in") {
		t.Errorf("401 in English: got %q", unauth.Message)
	}
}

func TestUnknownRoutes(t *testing.T) {
	e := newEnv(t)
	ent := e.enterprise("341221")
	for _, tt := range []struct{ method, path, token string }{
		{"GET", "/api/v1/nope", ent.Token},
		{"GET", "/api/v1/projects/x/y/z", ent.Token},
		{"PUT", "/api/v1/projects", ent.Token},
		{"DELETE", "/api/v1/products/abc", ent.Token},
		{"POST", "/api/v1/regions", ent.Token},
		{"GET", "/api/v2/projects", ""},
		{"GET", "/api/nope", ""},
		{"GET", "/api", ""},
	} {
		r := e.do(tt.method, tt.path, tt.token, nil)
		wantError(t, r, http.StatusNotFound, "not_found")
		if ct := r.Header.Get("Content-Type"); !strings.HasPrefix(ct, "application/json") {
			t.Errorf("%s %s: Content-Type %q, want JSON", tt.method, tt.path, ct)
		}
	}
	// Public endpoints answer without a session.
	var regions struct {
		Items []struct {
			Code string `json:"code"`
		} `json:"items"`
	}
	e.ok(http.StatusOK, "GET", "/api/v1/regions", "", nil, &regions)
	if len(regions.Items) < 100 || regions.Items[0].Code != "340000" {
		t.Errorf("regions: got %d items, first %+v; want Anhui's divisions, the province first", len(regions.Items), regions.Items[:1])
	}
	e.ok(http.StatusOK, "GET", "/api/v1/industries", "", nil, nil)
	e.ok(http.StatusOK, "GET", "/api/v1/clusters", "", nil, nil)
	e.ok(http.StatusOK, "GET", "/healthz", "", nil, nil)
}

// Bad input of every kind is answered in the error shape, never with a 500.
// (A few bodies are harmless edits, such as {} on a draft, and succeed.)
func TestNoServerErrorOnBadInput(t *testing.T) {
	e := newEnv(t)
	ent := e.enterprise("341221")
	bank := e.institution("341200")
	proj := e.createProject(ent.Token, projectBody("草稿"))
	prod := e.createProduct(bank.Token, productBody("草稿产品"))
	bodies := []string{"", "null", "[]", "{", "}", `"x"`, "1", "true", "{}", `{"":1}`, `{"a":{"b":[1,2,{"c":null}]}}`,
		"{\"title\":\"\xff\xfe\"}", `{"title":null,"amount_yuan":null}`, `{"amount_yuan":1e400}`, `{"amount_yuan":-0}`,
		`{"collateral":[1,2]}`, `{"project_types":"x"}`, `{"regions":[null]}`, `{"valid_from":"2026-13-45T99:99:99Z"}`,
		`{"decision":["approve"]}`, `{"note":{}}`, `{"org":[],"user":1}`, `{"org":{"kind":5},"user":{"password":[]}}`,
		strings.Repeat("[", 10000)}
	targets := []struct{ method, path, token string }{
		{"POST", "/api/v1/auth/register", ""},
		{"POST", "/api/v1/auth/login", ""},
		{"POST", "/api/v1/projects", ent.Token},
		{"PATCH", "/api/v1/projects/" + proj.ID, ent.Token},
		{"POST", "/api/v1/products", bank.Token},
		{"PATCH", "/api/v1/products/" + prod.ID, bank.Token},
		{"POST", "/api/v1/products/" + prod.ID + "/review", bank.Token},
	}
	for _, tg := range targets {
		for _, b := range bodies {
			r := e.do(tg.method, tg.path, tg.token, b)
			if r.Status >= 500 {
				t.Errorf("%s %s with %.40q: got %s, want no server error", tg.method, tg.path, b, r)
			} else if r.Status >= 400 {
				parseError(t, r)
			}
		}
	}
	queries := []string{"/api/v1/projects?limit=-1", "/api/v1/projects?limit=99999999999999999999",
		"/api/v1/projects?cursor=%00%01", "/api/v1/projects?sort=-", "/api/v1/projects?sort=--created_at",
		"/api/v1/projects?region=%27%3B", "/api/v1/projects/%00", "/api/v1/products?cursor=eyJ2IjoxfQ",
		"/api/v1/products/" + prod.ID + "?version=-1", "/api/v1/products/" + prod.ID + "?version=99999999999999999999"}
	for _, q := range queries {
		r := e.do("GET", q, ent.Token, nil)
		if r.Status >= 500 || r.Status < 400 {
			t.Errorf("GET %s: got %s, want a 4xx", q, r)
			continue
		}
		parseError(t, r)
	}
}

// TestOversizedHeadersAre431: a request line or headers beyond the
// server's read buffer (a 4 KB URL, a bloated cookie) is 431 with a stable
// code, not a 500.
func TestOversizedHeadersAre431(t *testing.T) {
	e := newEnv(t)
	addr := strings.TrimPrefix(listen(t, e.app), "http://")
	for _, head := range []string{
		"GET /api/v1/projects?q=" + strings.Repeat("a", 4096) + " HTTP/1.1\r\nHost: " + addr + "\r\nAccept-Language: en\r\n",
		"GET /api/v1/regions HTTP/1.1\r\nHost: " + addr + "\r\nCookie: x=" + strings.Repeat("b", 5000) + "\r\n",
	} {
		conn, err := net.Dial("tcp", addr)
		if err != nil {
			t.Fatalf("dial: %v", err)
		}
		if _, err := io.WriteString(conn, head+"\r\n"); err != nil {
			t.Fatalf("write: %v", err)
		}
		hres, err := http.ReadResponse(bufio.NewReader(conn), nil)
		if err != nil {
			t.Fatalf("read: %v", err)
		}
		b, _ := io.ReadAll(hres.Body)
		hres.Body.Close()
		conn.Close()
		wantError(t, resp{Status: hres.StatusCode, Header: hres.Header, Body: b}, http.StatusRequestHeaderFieldsTooLarge, "header_too_large")
		wantRequestID(t, hres, b)
	}
}

// wantRequestID checks an error answered before any middleware ran still
// carries a request ID, the same in the body and in X-Request-ID, as the
// docs promise of every error.
func wantRequestID(t *testing.T, hres *http.Response, body []byte) {
	t.Helper()
	var got struct {
		Error struct {
			RequestID string `json:"request_id"`
		} `json:"error"`
	}
	if err := json.Unmarshal(body, &got); err != nil {
		t.Fatalf("%d body %q: %v", hres.StatusCode, body, err)
	}
	if got.Error.RequestID == "" || hres.Header.Get("X-Request-ID") != got.Error.RequestID {
		t.Errorf("%d: request_id %q in the body, X-Request-ID %q: want the same, non-empty",
			hres.StatusCode, got.Error.RequestID, hres.Header.Get("X-Request-ID"))
	}
}

// TestHiddenCharactersAreRefused: NUL, zero-width and bidi-override
// characters in a title are a field error, and nothing is written.
func TestHiddenCharactersAreRefused(t *testing.T) {
	e := newEnv(t)
	ent := e.enterprise("341221")
	for _, title := range []string{"项目\x00", "项目\u200b名称", "发票\u202egpj.exe"} {
		body := projectBody(title)
		wantError(t, e.do("POST", "/api/v1/projects", ent.Token, body), http.StatusBadRequest, "validation_failed",
			fieldCode{"title", "invalid_characters"})
	}
	if n := len(e.listProjects(ent.Token, "").Items); n != 0 {
		t.Errorf("%d projects written", n)
	}
}

// TestAPIResponsesCarrySecurityHeaders: every API answer says nosniff and
// no-store; HSTS only when the client came over TLS (here through a proxy
// that says so).
func TestAPIResponsesCarrySecurityHeaders(t *testing.T) {
	e := newEnv(t)
	// Behind a trusted proxy (app.Test's requests come from 0.0.0.0) that
	// took the request over TLS; the same header from an untrusted client
	// is ignored (server's own tests cover real addresses).
	behindProxy := server.NewWith(server.Config{Log: finzonetest.Logger(t), TrustedProxies: []string{"0.0.0.0"}})
	api.Mount(behindProxy, e.uc)
	for _, tt := range []struct {
		app            *fiber.App
		forwarded, tls bool
	}{{e.app, false, false}, {e.app, true, false}, {behindProxy, false, false}, {behindProxy, true, true}} {
		req := httptest.NewRequest("GET", "/api/v1/regions", nil)
		if tt.forwarded {
			req.Header.Set("X-Forwarded-Proto", "https")
		}
		res, err := tt.app.Test(req, -1)
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		if res.Header.Get("X-Content-Type-Options") != "nosniff" || res.Header.Get("Cache-Control") != "no-store" {
			t.Errorf("headers %v, want nosniff and no-store", res.Header)
		}
		if hsts := res.Header.Get("Strict-Transport-Security"); (hsts != "") != tt.tls {
			t.Errorf("over TLS %v (X-Forwarded-Proto sent %v): HSTS %q", tt.tls, tt.forwarded, hsts)
		}
	}
	// An error answer too.
	r := e.do("GET", "/api/v1/projects", "", nil)
	if r.Status != http.StatusUnauthorized || r.Header.Get("X-Content-Type-Options") != "nosniff" {
		t.Errorf("401: %d %v", r.Status, r.Header)
	}
}

// TestWebhookURLsMustBePublic: loopback, private, link-local (the cloud
// metadata address) and names that resolve to them are refused when an
// institution saves its webhook; nothing is stored.
func TestWebhookURLsMustBePublic(t *testing.T) {
	e := newEnv(t) // no test receivers: loopback is not allowed here
	bank := e.institution("341200")
	for _, u := range []string{"https://127.0.0.1/hook", "https://localhost:8443/hook", "https://169.254.169.254/latest/meta-data",
		"https://10.0.0.5/hook", "https://192.168.1.10/hook", "https://[::1]/hook", "https://[fd00::1]/hook", "https://100.64.1.1/hook"} {
		wantError(t, e.do("PUT", "/api/v1/webhook", bank.Token, map[string]any{"url": u}),
			http.StatusBadRequest, "validation_failed", fieldCode{"url", "not_public"})
	}
	var got struct {
		URL string `json:"url"`
	}
	e.ok(http.StatusOK, "GET", "/api/v1/webhook", bank.Token, nil, &got)
	if got.URL != "" {
		t.Errorf("a refused URL was stored: %q", got.URL)
	}
	e.ok(http.StatusOK, "PUT", "/api/v1/webhook", bank.Token, map[string]any{"url": "https://203.0.113.7/finzone"}, nil)
}

// TestCrossSiteWritesAreRefused: a cross-origin form could post JSON as
// text/plain with the session cookie and create a project; a page on
// another port of the same host could too. Both are refused and nothing
// is written; the same origin, and clients that send no Origin, still write.
func TestCrossSiteWritesAreRefused(t *testing.T) {
	e := newEnv(t)
	ent := e.enterprise("341221")
	body, _ := json.Marshal(projectBody("跨站创建的项目"))
	post := func(contentType string, headers map[string]string) resp {
		hr := httptest.NewRequest("POST", "/api/v1/projects", bytes.NewReader(body))
		hr.Host = "finzone.example" // a Host header, which fasthttp requires since 1.70
		hr.Header.Set("Content-Type", contentType)
		hr.AddCookie(&http.Cookie{Name: server.SessionCookie, Value: ent.Token})
		for k, v := range headers {
			hr.Header.Set(k, v)
		}
		return finzonetest.Send(t, e.app, hr)
	}
	wantError(t, post("text/plain", nil), http.StatusUnsupportedMediaType, "unsupported_media_type")
	wantError(t, post("application/x-www-form-urlencoded", map[string]string{"Origin": "https://evil.example"}),
		http.StatusUnsupportedMediaType, "unsupported_media_type")
	wantError(t, post("application/json", map[string]string{"Origin": "http://finzone.example:19444"}), http.StatusForbidden, "forbidden")
	wantError(t, post("application/json", map[string]string{"Sec-Fetch-Site": "cross-site"}), http.StatusForbidden, "forbidden")
	wantError(t, post("application/json", map[string]string{"Sec-Fetch-Site": "same-site"}), http.StatusForbidden, "forbidden")
	if n := len(e.listProjects(ent.Token, "").Items); n != 0 {
		t.Fatalf("%d projects created by refused writes", n)
	}
	if r := post("application/json; charset=utf-8", map[string]string{"Origin": "http://finzone.example", "Sec-Fetch-Site": "same-origin"}); r.Status != http.StatusCreated {
		t.Errorf("same-origin write: %s", r)
	}
}

// TestInvalidEnumsListTheAllowedValues: a field that takes one of a few
// values answers invalid_value with the values it takes, in `allowed` and
// in the message, in Chinese and in English.
func TestInvalidEnumsListTheAllowedValues(t *testing.T) {
	e := newEnv(t)
	ent := e.enterprise("341221")
	badProject := projectBody("枚举")
	badProject["project_type"] = "loan"
	badCollateral := projectBody("担保方式")
	badCollateral["collateral"] = []string{"credit", "house"}
	badKind := registerBody("enterprise", "341222", finzonetest.USCC(), finzonetest.Email("enum"))
	badKind["org"].(map[string]any)["kind"] = "coordinator_office"
	badSize := registerBody("enterprise", "341222", finzonetest.USCC(), finzonetest.Email("enum-size"))
	badSize["org"].(map[string]any)["size"] = "huge"
	for _, tt := range []struct {
		name, method, path, token string
		body                      any
		field                     string
		allowed                   []string
	}{
		{"project type", "POST", "/api/v1/projects", ent.Token, badProject, "project_type", finzone.Names(finzone.ProjectTypes)},
		{"collateral", "POST", "/api/v1/projects", ent.Token, badCollateral, "collateral", finzone.Names(finzone.Collaterals)},
		{"registering a coordinator", "POST", "/api/v1/auth/register", "", badKind, "org.kind", finzone.Names(finzone.RegistrableKinds)},
		{"size", "POST", "/api/v1/auth/register", "", badSize, "org.size", finzone.Names(finzone.Sizes)},
		{"stage filter", "GET", "/api/v1/matches?stage=pushed,won", ent.Token, nil, "stage", finzone.Names(finzone.Stages)},
		{"syndicate state", "GET", "/api/v1/syndicates?state=open", ent.Token, nil, "state", finzone.Names(finzone.SyndicateStates)},
		{"sort", "GET", "/api/v1/projects?sort=owner", ent.Token, nil, "sort", nil},
	} {
		t.Run(tt.name, func(t *testing.T) {
			for _, lang := range []string{"zh-CN", "en"} {
				r := e.send(req{method: tt.method, path: tt.path, token: tt.token, lang: lang, body: tt.body})
				if r.Status != http.StatusBadRequest {
					t.Fatalf("%s: got %s, want 400", lang, r)
				}
				var got struct {
					Error struct {
						Fields []struct {
							Field, Code, Message string
							Allowed              []string
						}
					}
				}
				if err := json.Unmarshal(r.Body, &got); err != nil {
					t.Fatalf("body %s: %v", r.Body, err)
				}
				var found bool
				for _, f := range got.Error.Fields {
					if f.Field != tt.field {
						continue
					}
					found = true
					if f.Code != "invalid_value" || len(f.Allowed) == 0 {
						t.Errorf("%s %s: code %q allowed %q, want invalid_value listing the values", lang, f.Field, f.Code, f.Allowed)
					}
					if tt.allowed != nil && !slices.Equal(f.Allowed, tt.allowed) {
						t.Errorf("%s %s: allowed %q, want %q", lang, f.Field, f.Allowed, tt.allowed)
					}
					for _, v := range f.Allowed {
						if !strings.Contains(f.Message, v) {
							t.Errorf("%s %s: message %q does not name %q", lang, f.Field, f.Message, v)
						}
					}
					if wantEnglish := lang == "en"; wantEnglish != isASCII(f.Message) {
						t.Errorf("%s %s: message %q in the wrong language", lang, f.Field, f.Message)
					}
				}
				if !found {
					t.Errorf("%s: no error on %s in %s", lang, tt.field, r.Body)
				}
			}
		})
	}
}
