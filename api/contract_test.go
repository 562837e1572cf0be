package api_test

// The contract: the OpenAPI document (api/openapi.json, served at
// /api/v1/openapi.json) against the code. The request helper (env.send)
// checks every answer the suite receives with checkContract, so a handler
// that answers a field, a status or a value the document lacks fails the
// test that made the request; the tests here check the document itself:
// that it loads as OpenAPI 3.1, that the check bites, that it names every
// route the app serves and only those, and that its enums are the domain's.

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"io"
	"log/slog"
	"maps"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/getkin/kin-openapi/routers"
	"github.com/getkin/kin-openapi/routers/gorillamux"
	"github.com/gofiber/fiber/v2"

	"finzone"
	"finzone/api"
	"finzone/server"
)

// pendingRoutes are documented routes another branch registers; each
// leaves this list when it lands (TestRoutesAreDocumented says so).
var pendingRoutes = []string{}

// pendingCodes are documented error codes error.go does not have yet; each
// leaves this list when it lands (TestErrorCodesMatchDomain says so).
var pendingCodes = []string{}

// contractDoc is the document as the app serves it, loaded and validated
// by kin-openapi, with a router over its operations.
type contractDoc struct {
	doc    *openapi3.T
	router routers.Router
}

var contract = sync.OnceValues(func() (*contractDoc, error) {
	app := server.New(slog.New(slog.DiscardHandler))
	api.Mount(app, nil) // the document's route needs no use case
	res, err := app.Test(httptest.NewRequest("GET", "/api/v1/openapi.json", nil), -1)
	if err != nil {
		return nil, err
	}
	defer res.Body.Close()
	body, err := io.ReadAll(res.Body)
	if err != nil {
		return nil, err
	}
	loader := openapi3.NewLoader()
	doc, err := loader.LoadFromData(body)
	if err != nil {
		return nil, fmt.Errorf("load: %w", err)
	}
	if err := doc.Validate(loader.Context); err != nil {
		return nil, fmt.Errorf("validate: %w", err)
	}
	router, err := gorillamux.NewRouter(doc)
	if err != nil {
		return nil, fmt.Errorf("router: %w", err)
	}
	return &contractDoc{doc: doc, router: router}, nil
})

// mustContract is the document, or the test's end.
func mustContract(t *testing.T) *contractDoc {
	t.Helper()
	c, err := contract()
	if err != nil {
		t.Fatalf("kin-openapi refuses the OpenAPI document: %v", err)
	}
	return c
}

// exchange is one request the suite sent and the answer it got.
type exchange struct {
	method, target string
	header         http.Header
	body           []byte
	answer         resp
}

func (x exchange) String() string {
	return fmt.Sprintf("%s %s answered %d", x.method, x.target, x.answer.Status)
}

// errNotDocumented: the document has no operation for the request.
var errNotDocumented = errors.New("the document has no such operation")

// check validates x against the document: the answer always; the request
// too when the server accepted it (a deliberately bad request is refused
// by both, and says nothing about the document).
func (c *contractDoc) check(x exchange) error {
	req := httptest.NewRequest(x.method, x.target, bytes.NewReader(x.body))
	req.Header = x.header.Clone()
	route, params, err := c.router.FindRoute(req)
	if err != nil {
		if x.answer.Status < 400 {
			return fmt.Errorf("%w: %v", errNotDocumented, err)
		}
		// An unknown route or method: still the one error shape.
		return c.checkError(x.answer)
	}
	ctx := context.Background()
	in := &openapi3filter.RequestValidationInput{Request: req, PathParams: params, Route: route,
		Options: &openapi3filter.Options{AuthenticationFunc: carriesCredentials}}
	if err := openapi3filter.ValidateRequest(ctx, in); err != nil && x.answer.Status < 300 {
		return fmt.Errorf("the server accepted a request the document (%s %s) refuses: %w", route.Method, route.Path, err)
	}
	out := &openapi3filter.ResponseValidationInput{RequestValidationInput: in, Status: x.answer.Status,
		Header: x.answer.Header, Options: &openapi3filter.Options{IncludeResponseStatus: true}}
	out.SetBodyBytes(x.answer.Body)
	if err := openapi3filter.ValidateResponse(ctx, out); err != nil {
		return fmt.Errorf("the document (%s %s) refuses the answer: %w", route.Method, route.Path, err)
	}
	return nil
}

// checkError validates an error answer against the Error schema.
func (c *contractDoc) checkError(r resp) error {
	var v any
	if err := json.Unmarshal(r.Body, &v); err != nil {
		return fmt.Errorf("error answer is not JSON: %w", err)
	}
	schema := c.doc.Components.Schemas["Error"].Value
	if err := c.doc.ValidateSchemaJSON(schema, v, openapi3.EnableJSONSchema2020()); err != nil {
		return fmt.Errorf("the document's Error schema refuses the answer: %w", err)
	}
	return nil
}

// carriesCredentials: a request the server answered on a secured
// operation carries the token its security scheme names.
func carriesCredentials(_ context.Context, in *openapi3filter.AuthenticationInput) error {
	r := in.RequestValidationInput.Request
	switch in.SecuritySchemeName {
	case "bearer":
		if strings.HasPrefix(r.Header.Get("Authorization"), "Bearer ") {
			return nil
		}
	case "session":
		if _, err := r.Cookie(server.SessionCookie); err == nil {
			return nil
		}
	}
	return fmt.Errorf("no %s credentials", in.SecuritySchemeName)
}

// checkContract fails t when the document refuses x: the request helper
// calls it for every answer under /api/v1 and the health checks.
func checkContract(t testing.TB, x exchange) {
	t.Helper()
	path, _, _ := strings.Cut(x.target, "?")
	if !strings.HasPrefix(path, "/api/v1/") && path != "/healthz" && path != "/readyz" {
		return
	}
	c, err := contract()
	if err != nil {
		t.Errorf("contract: the OpenAPI document: %v", err)
		return
	}
	if err := c.check(x); err != nil {
		t.Errorf("contract: %s: %v\nbody: %.600s", x, err, x.answer.Body)
	}
}

// checkWebhook validates body, one webhook delivery's as a bank's
// endpoint received it, against the document's webhook.
func (c *contractDoc) checkWebhook(body []byte) error {
	var v any
	if err := json.Unmarshal(body, &v); err != nil {
		return fmt.Errorf("webhook delivery is not JSON: %w", err)
	}
	schema := c.doc.Webhooks["notification"].Post.RequestBody.Value.Content.Get("application/json").Schema.Value
	if err := c.doc.ValidateSchemaJSON(schema, v, openapi3.EnableJSONSchema2020()); err != nil {
		return fmt.Errorf("the document's webhook refuses a delivery: %w", err)
	}
	return nil
}

// checkWebhookBody fails t unless the document's webhook takes body.
func checkWebhookBody(t *testing.T, body []byte) {
	t.Helper()
	if err := mustContract(t).checkWebhook(body); err != nil {
		t.Errorf("contract: %v\nbody: %.600s", err, body)
	}
}

// TestOpenAPIDocumentIsServed: public, JSON, cacheable, OpenAPI 3.1.0, and
// valid for kin-openapi.
func TestOpenAPIDocumentIsServed(t *testing.T) {
	e := newEnv(t)
	r := e.do("GET", "/api/v1/openapi.json", "", nil)
	if r.Status != http.StatusOK || r.Header.Get("Content-Type") != "application/json" {
		t.Fatalf("got %d %q, want 200 application/json", r.Status, r.Header.Get("Content-Type"))
	}
	if cc := r.Header.Get("Cache-Control"); !strings.HasPrefix(cc, "public, max-age=") {
		t.Errorf("Cache-Control: got %q, want public with a max-age", cc)
	}
	var head struct {
		OpenAPI string `json:"openapi"`
	}
	mustJSON(t, r, &head)
	if head.OpenAPI != "3.1.0" {
		t.Errorf("openapi: got %q, want 3.1.0", head.OpenAPI)
	}
	c := mustContract(t)
	if !c.doc.IsOpenAPI31OrLater() {
		t.Errorf("kin-openapi reads version %q as older than 3.1", c.doc.OpenAPI)
	}
	etag := r.Header.Get("ETag")
	again := e.send(req{method: "GET", path: "/api/v1/openapi.json"})
	if again.Header.Get("ETag") != etag || etag == "" {
		t.Errorf("ETag: got %q then %q, want one stable tag", etag, again.Header.Get("ETag"))
	}
	hr := httptest.NewRequest("GET", "/api/v1/openapi.json", nil)
	hr.Header.Set("If-None-Match", etag)
	if got := e.roundTrip(hr, nil); got.Status != http.StatusNotModified || len(got.Body) != 0 {
		t.Errorf("If-None-Match with the ETag: got %s, want 304 with no body", got)
	}
}

// TestContractRefusesWhatTheDocumentLacks: the check bites. A real answer
// passes; the same answer with a field the document lacks, without a field
// it requires, with a value outside an enum, or under a status the route
// does not document fails, as does a success on a route it does not have.
func TestContractRefusesWhatTheDocumentLacks(t *testing.T) {
	e := newEnv(t)
	ent := e.enterprise("341221")
	p := e.createProject(ent.Token, projectBody("契约测试"))
	target := "/api/v1/projects/" + p.ID
	header := http.Header{"Authorization": {"Bearer " + ent.Token}}
	real := e.do("GET", target, ent.Token, nil)
	c := mustContract(t)
	answer := func(status int, change func(map[string]any)) exchange {
		var v map[string]any
		mustJSON(t, real, &v)
		change(v)
		b, _ := json.Marshal(v)
		return exchange{method: "GET", target: target, header: header,
			answer: resp{Status: status, Header: http.Header{"Content-Type": {"application/json"}}, Body: b}}
	}
	if err := c.check(answer(http.StatusOK, func(map[string]any) {})); err != nil {
		t.Fatalf("the real answer: %v", err)
	}
	for _, tt := range []struct {
		name string
		x    exchange
		want string
	}{
		{"a field the document lacks", answer(http.StatusOK, func(v map[string]any) { v["internal_score"] = 0.9 }), "internal_score"},
		{"a required field missing", answer(http.StatusOK, func(v map[string]any) { delete(v, "status") }), "status"},
		{"a value outside the enum", answer(http.StatusOK, func(v map[string]any) { v["status"] = "archived" }), "status"},
		{"a status the route lacks", answer(http.StatusTeapot, func(map[string]any) {}), "status is not supported"},
		{"a success on a route the document lacks", exchange{method: "GET", target: "/api/v1/projects/" + p.ID + "/secrets",
			header: header, answer: resp{Status: http.StatusOK, Body: []byte(`{}`)}}, "no such operation"},
	} {
		err := c.check(tt.x)
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%s: got %v, want a refusal naming %q", tt.name, err, tt.want)
		}
	}
	// A webhook delivery with a field the document lacks.
	delivery := `{"id":"n1","kind":"match_pushed","project_id":"p1","text":"x","params":{},"created_at":"2026-12-01T08:00:00Z"%s}`
	if err := c.checkWebhook(fmt.Appendf(nil, delivery, "")); err != nil {
		t.Errorf("a webhook delivery: %v", err)
	}
	if err := c.checkWebhook(fmt.Appendf(nil, delivery, `,"secret":"x"`)); err == nil || !strings.Contains(err.Error(), "secret") {
		t.Errorf("a webhook delivery with an extra field: got %v, want a refusal naming it", err)
	}
	// An error answer with a field the shape lacks.
	bad := resp{Status: http.StatusNotFound, Body: []byte(`{"error":{"code":"not_found","message":"x","stack":"..."}}`)}
	if err := c.checkError(bad); err == nil || !strings.Contains(err.Error(), "stack") {
		t.Errorf("an error with an extra field: got %v, want a refusal naming it", err)
	}
}

// TestContractRefusesARequestTheServerAccepts: a request the document
// refuses but the server answers with success fails the test (the
// document is stricter than the code); refused by both, it passes.
func TestContractRefusesARequestTheServerAccepts(t *testing.T) {
	c := mustContract(t)
	header := http.Header{"Content-Type": {"application/json"}}
	body := []byte(`{"email":"a@example.cn","password":"x","remember":true}`)
	login := func(status int) exchange {
		return exchange{method: "POST", target: "/api/v1/auth/login", header: header, body: body,
			answer: resp{Status: status, Header: http.Header{"Content-Type": {"application/json"}},
				Body: []byte(`{"error":{"code":"validation_failed","message":"x","fields":[{"field":"remember","code":"unknown_field","message":"x"}]}}`)}}
	}
	if err := c.check(login(http.StatusBadRequest)); err != nil {
		t.Errorf("a bad request refused by the server: got %v, want it passed", err)
	}
	x := login(http.StatusOK)
	x.answer.Body = []byte(`{"user":{}}`)
	if err := c.check(x); err == nil || !strings.Contains(err.Error(), "remember") {
		t.Errorf("a request the document refuses, answered 200: got %v, want a refusal naming the field", err)
	}
}

// TestRoutesAreDocumented: every route the app serves under /api/v1 (and
// the health checks) is an operation of the document, and every operation
// is a route, except those in pendingRoutes.
func TestRoutesAreDocumented(t *testing.T) {
	c := mustContract(t)
	app := server.New(slog.New(slog.DiscardHandler))
	api.Mount(app, nil)
	served := map[string]bool{}
	for _, r := range app.GetRoutes(true) {
		if r.Method == fiber.MethodHead || r.Method == fiber.MethodConnect || r.Path == "/api" {
			continue
		}
		if strings.HasPrefix(r.Path, "/api/v1/") || r.Path == "/healthz" || r.Path == "/readyz" {
			served[r.Method+" "+fiberPath(r.Path)] = true
		}
	}
	documented := map[string]bool{}
	for path, item := range c.doc.Paths.Map() {
		for method := range item.Operations() {
			documented[method+" "+path] = true
		}
	}
	for _, r := range slices.Sorted(maps.Keys(served)) {
		if !documented[r] {
			t.Errorf("%s is served but not in api/openapi.json: document it", r)
		}
	}
	for _, r := range slices.Sorted(maps.Keys(documented)) {
		pending := slices.Contains(pendingRoutes, r)
		switch {
		case !served[r] && !pending:
			t.Errorf("%s is in api/openapi.json but not served", r)
		case served[r] && pending:
			t.Errorf("%s is served now: take it out of pendingRoutes in contract_test.go", r)
		}
	}
	if len(served) < 60 {
		t.Errorf("only %d routes found: is Mount's group still /api/v1?", len(served))
	}
}

// fiberPath writes Fiber's :param as OpenAPI's {param}.
func fiberPath(p string) string {
	parts := strings.Split(p, "/")
	for i, s := range parts {
		if name, ok := strings.CutPrefix(s, ":"); ok {
			parts[i] = "{" + name + "}"
		}
	}
	return strings.Join(parts, "/")
}

// schemaEnum is the enum of the document's component schema name.
func schemaEnum(t *testing.T, c *contractDoc, name string) []string {
	t.Helper()
	ref := c.doc.Components.Schemas[name]
	if ref == nil || ref.Value == nil || len(ref.Value.Enum) == 0 {
		t.Fatalf("components.schemas.%s: no enum", name)
	}
	var out []string
	for _, v := range ref.Value.Enum {
		out = append(out, fmt.Sprint(v))
	}
	return out
}

func strList[T ~string](list ...T) []string {
	out := make([]string, len(list))
	for i, v := range list {
		out[i] = string(v)
	}
	return out
}

// TestEnumsMatchDomain: each enum of the document is the domain's list, in
// any order, so neither can gain a value the other lacks.
func TestEnumsMatchDomain(t *testing.T) {
	c := mustContract(t)
	for _, tt := range []struct {
		schema string
		domain []string
	}{
		{"Stage", strList(finzone.Stages...)},
		{"ProjectType", strList(finzone.ProjectTypes...)},
		{"Collateral", strList(finzone.Collaterals...)},
		{"ProjectStatus", strList(finzone.ProjectStatuses...)},
		{"OrgKind", strList(finzone.OrgKinds...)},
		{"Size", strList(finzone.Sizes...)},
		{"ProductCategory", strList(finzone.ProductCategories...)},
		{"ReviewStatus", strList(finzone.ReviewStatuses...)},
		{"SyndicateState", strList(finzone.SyndicateStates...)},
		{"MemberStatus", strList(finzone.MemberStatuses...)},
		{"DeclineReason", finzone.DeclineReasons},
		{"RecordedDeclineReason", append(slices.Clone(finzone.DeclineReasons), finzone.DeclinedOfferReason, "no_answer")},
		{"RepaymentMethod", strList(finzone.RepaymentMethods...)},
		{"LeaseMode", strList(finzone.LeaseModes...)},
		{"NoticeKind", finzone.NoticeKinds},
		{"UserRole", strList(finzone.RoleAdmin, finzone.RoleMember)},
		{"MatchRole", strList(finzone.RoleLead, finzone.RolePartner, finzone.RoleEnhancer)},
		{"SyndicateRole", strList(finzone.SyndicateLead, finzone.SyndicateCoLead, finzone.SyndicateParticipant)},
		{"OfferStatus", strList(finzone.OfferPending, finzone.OfferAccepted, finzone.OfferDeclined)},
		{"ClaimStatus", strList(finzone.ClaimPending, finzone.ClaimUpholding, finzone.ClaimUpheld, finzone.ClaimRejected)},
		{"SyndicateReason", []string{finzone.SyndicateReasonThreshold, finzone.SyndicateReasonLeadTicket, finzone.SyndicateReasonLeadCapacity}},
		{"SyndicateRule", []string{finzone.RuleCovered, finzone.RuleLeadMin, finzone.RuleCoLeadMin, finzone.RuleDistribute,
			finzone.RuleMemberMax, finzone.RuleTrancheBanks, finzone.RuleAgentMember}},
		{"RegionKind", []string{finzone.RegionProvince, finzone.RegionCity, finzone.RegionDistrict, finzone.RegionCounty, finzone.RegionDevZone}},
		{"Action", strList(allActions()...)},
		{"FieldCode", domainConstants(t, "FC")},
	} {
		got, want := schemaEnum(t, c, tt.schema), slices.Clone(tt.domain)
		slices.Sort(got)
		slices.Sort(want)
		if !slices.Equal(got, want) {
			t.Errorf("components.schemas.%s: got %v, want the domain's %v", tt.schema, got, want)
		}
	}
}

// allActions is every step a match takes, read from the domain: what each
// stage allows a lender and an enhancer, paused or not, with an accepted
// offer or not.
func allActions() []finzone.Action {
	seen := map[finzone.Action]bool{}
	paused := finzone.Match{}.CreatedAt.AddDate(2000, 0, 0)
	for _, st := range finzone.Stages {
		for _, role := range []finzone.MatchRole{finzone.RoleLead, finzone.RoleEnhancer} {
			for _, m := range []finzone.Match{{Stage: st, Role: role}, {Stage: st, Role: role, Pause: finzone.Pause{At: paused}},
				{Stage: st, Role: role, Offer: finzone.Offer{Status: finzone.OfferAccepted}}} {
				for _, a := range m.Actions() {
					seen[a] = true
				}
			}
		}
	}
	return slices.Collect(maps.Keys(seen))
}

// domainConstants are the values of the root package's string constants
// whose names start with prefix (EC: error codes, FC: field codes), read
// from its source so a new one cannot be missed.
func domainConstants(t *testing.T, prefix string) []string {
	t.Helper()
	entries, err := os.ReadDir("..")
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, de := range entries {
		name := de.Name()
		if !strings.HasSuffix(name, ".go") || strings.HasSuffix(name, "_test.go") {
			continue
		}
		f, err := parser.ParseFile(token.NewFileSet(), filepath.Join("..", name), nil, 0)
		if err != nil {
			t.Fatal(err)
		}
		ast.Inspect(f, func(n ast.Node) bool {
			vs, ok := n.(*ast.ValueSpec)
			if !ok {
				return true
			}
			for i, name := range vs.Names {
				if !strings.HasPrefix(name.Name, prefix) || len(name.Name) == len(prefix) || i >= len(vs.Values) {
					continue
				}
				if lit, ok := vs.Values[i].(*ast.BasicLit); ok && lit.Kind == token.STRING {
					v, _ := strconv.Unquote(lit.Value)
					out = append(out, v)
				}
			}
			return true
		})
	}
	if len(out) == 0 {
		t.Fatalf("no %s constants in the root package", prefix)
	}
	return out
}

// TestErrorCodesMatchDomain: the document's error codes are error.go's,
// and each is listed under the status server's table gives it.
func TestErrorCodesMatchDomain(t *testing.T) {
	c := mustContract(t)
	domain := domainConstants(t, "EC")
	documented := schemaEnum(t, c, "ErrorCode")
	for _, code := range domain {
		if !slices.Contains(documented, code) {
			t.Errorf("error code %q (error.go) is not in components.schemas.ErrorCode", code)
		}
		if slices.Contains(pendingCodes, code) {
			t.Errorf("error code %q is in error.go now: take it out of pendingCodes in contract_test.go", code)
		}
	}
	byStatus, err := errorCodesByStatus(c)
	if err != nil {
		t.Fatal(err)
	}
	for _, code := range documented {
		pending := slices.Contains(pendingCodes, code)
		if !slices.Contains(domain, code) && !pending {
			t.Errorf("error code %q is documented but not in error.go", code)
		}
		if status := server.Status(code); !pending && !slices.Contains(byStatus[status], code) {
			t.Errorf("error code %q answers %d, but the document's %d response does not list it", code, status, status)
		}
	}
}

// errorCodesByStatus reads, for each status, the error codes of the shared
// error response the operations answer it with; a shared response used
// under two statuses is an error.
func errorCodesByStatus(c *contractDoc) (map[int][]string, error) {
	statusOf := map[string]int{}
	for path, item := range c.doc.Paths.Map() {
		for method, op := range item.Operations() {
			for status, r := range op.Responses.Map() {
				name, ok := strings.CutPrefix(r.Ref, "#/components/responses/")
				if !ok {
					continue
				}
				n, _ := strconv.Atoi(status)
				if prev, seen := statusOf[name]; seen && prev != n {
					return nil, fmt.Errorf("%s %s answers %s under %s, elsewhere under %d", method, path, name, status, prev)
				}
				statusOf[name] = n
			}
		}
	}
	out := map[int][]string{}
	for name, status := range statusOf {
		schema := c.doc.Components.Responses[name].Value.Content.Get("application/json").Schema.Value
		for _, code := range schema.Properties["error"].Value.Properties["code"].Value.Enum {
			out[status] = append(out[status], fmt.Sprint(code))
		}
	}
	return out, nil
}
