package web_test

// The pages over real HTTP (app.Test) and the real store: CSRF, who may see
// which page, error pages in both languages, form field messages, and the
// product review round trip. The browser story is in e2e/.

import (
	"html"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"testing"

	"finzone"
	"finzone/server"
	"finzone/usecase"
	"finzone/web"
)

// preSession is what a browser not signed in holds in its pre-session
// cookie.
var preSession = strings.Repeat("k", 43)

// pageReq is one browser-like request: the session and pre-session
// cookies, a language, and a form for POSTs with the page token its page
// would carry (unless noCSRF; csrf sends another instead), plus any other
// cookies and headers.
type pageReq struct {
	method, path, session, lang string
	form                        url.Values
	noCSRF                      bool
	csrf                        string
	cookies                     map[string]string
	header                      map[string]string
}

func (e *env) page(r pageReq) resp {
	e.t.Helper()
	var body io.Reader
	if r.method == http.MethodPost {
		f := url.Values{}
		for k, v := range r.form {
			f[k] = v
		}
		secret := r.session
		if secret == "" {
			secret = preSession
		}
		token := e.uc.PageToken(secret)
		if r.csrf != "" {
			token = r.csrf
		}
		if !r.noCSRF {
			f.Set("_csrf", token)
		}
		body = strings.NewReader(f.Encode())
	}
	hr := httptest.NewRequest(r.method, r.path, body)
	if body != nil {
		hr.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	hr.AddCookie(&http.Cookie{Name: web.PreSessionCookie, Value: preSession})
	if r.session != "" {
		hr.AddCookie(&http.Cookie{Name: server.SessionCookie, Value: r.session})
	}
	for k, v := range r.cookies {
		hr.AddCookie(&http.Cookie{Name: k, Value: v})
	}
	lang := r.lang
	if lang == "" {
		lang = "zh-CN"
	}
	hr.Header.Set("Accept-Language", lang)
	for k, v := range r.header {
		hr.Header.Set(k, v)
	}
	return e.send(hr)
}

// myProjects is what the enterprise's own project list holds.
func (e *env) myProjects(a account) []finzone.Project {
	e.t.Helper()
	items, _, err := e.uc.ListProjects(ctx, a.Actor, usecase.ProjectQuery{})
	if err != nil {
		e.t.Fatalf("list projects: %v", err)
	}
	return items
}

func wantPage(t *testing.T, r resp, status int, texts ...string) {
	t.Helper()
	if r.Status != status {
		t.Fatalf("got status %d, want %d: %.400s", r.Status, status, r.Body)
	}
	body := html.UnescapeString(string(r.Body))
	for _, s := range texts {
		if !strings.Contains(body, s) {
			t.Errorf("page lacks %q: %.600s", s, body)
		}
	}
}

func TestPageFormsNeedTheCSRFToken(t *testing.T) {
	e := newEnv(t)
	ent := e.enterprise("341221")
	form := url.Values{"title": {"无令牌的项目"}, "project_type": {"working_capital"}, "amount_wan": {"100"},
		"term_months": {"12"}, "purpose": {"流动资金"}, "collateral": {"credit"}, "region_code": {"341221"}, "industry_code": {"C13"}}
	r := e.page(pageReq{method: "POST", path: "/projects/new", session: ent.Token, form: form, noCSRF: true})
	wantPage(t, r, http.StatusForbidden, "表单已过期")
	if l := e.myProjects(ent); len(l) != 0 {
		t.Fatalf("a form without its token created %d projects, want 0", len(l))
	}
	r = e.page(pageReq{method: "POST", path: "/projects/new", session: ent.Token, form: form})
	if r.Status != http.StatusSeeOther || !strings.HasPrefix(r.Header.Get("Location"), "/projects/") {
		t.Fatalf("with the token: got %d to %q, want 303 to the new project", r.Status, r.Header.Get("Location"))
	}
	if l := e.myProjects(ent); len(l) != 1 || l[0].AmountYuan != 1_000_000 {
		t.Fatalf("projects after a good post: got %+v, want one of ¥1,000,000 (100万元)", l)
	}
}

func TestPagesKeepTheCoresPermissions(t *testing.T) {
	e := newEnv(t)
	owner := e.enterprise("341221")
	other := e.enterprise("341221")
	bank := e.institution("341221")
	fuyang := e.coordinator("341200")
	hefei := e.coordinator("340100")
	p := e.createProject(owner, "临泉县冷链物流中心")
	path := "/projects/" + p.ID
	for _, tc := range []struct {
		who, session string
		status       int
	}{
		{"owner", owner.Token, http.StatusOK},
		{"coordinator covering the county", fuyang.Token, http.StatusOK},
		{"another enterprise", other.Token, http.StatusNotFound},
		{"an institution it was never pushed to", bank.Token, http.StatusNotFound},
		{"a coordinator elsewhere", hefei.Token, http.StatusNotFound},
	} {
		if r := e.page(pageReq{method: "GET", path: path, session: tc.session}); r.Status != tc.status {
			t.Errorf("%s GET %s: got %d, want %d", tc.who, path, r.Status, tc.status)
		}
	}
	// Only the owner changes it, whatever the page.
	r := e.page(pageReq{method: "POST", path: path + "/submit", session: fuyang.Token})
	wantPage(t, r, http.StatusForbidden, "没有访问权限")
	for _, tc := range []struct{ who, session, path string }{
		{"enterprise", owner.Token, "/review/products"},
		{"enterprise", owner.Token, "/dashboard"},
		{"institution", bank.Token, "/admin"},
		{"coordinator", fuyang.Token, "/admin"},
		{"enterprise", owner.Token, "/inbox"},
		{"coordinator", fuyang.Token, "/projects/new"},
	} {
		if r := e.page(pageReq{method: "GET", path: tc.path, session: tc.session}); r.Status != http.StatusForbidden {
			t.Errorf("%s GET %s: got %d, want 403", tc.who, tc.path, r.Status)
		}
	}
	r = e.page(pageReq{method: "GET", path: "/projects"})
	if r.Status != http.StatusSeeOther || r.Header.Get("Location") != "/login?next=%2Fprojects" {
		t.Errorf("anonymous GET /projects: got %d to %q, want 303 to the sign-in page", r.Status, r.Header.Get("Location"))
	}
}

func TestErrorPagesSpeakBothLanguages(t *testing.T) {
	e := newEnv(t)
	wantPage(t, e.page(pageReq{method: "GET", path: "/no-such-page"}), http.StatusNotFound, "页面不存在", `lang="zh-CN"`)
	wantPage(t, e.page(pageReq{method: "GET", path: "/no-such-page", lang: "en-GB,en"}), http.StatusNotFound, "Page not found", `lang="en"`)
	r := e.page(pageReq{method: "GET", path: "/api/no-such-route"})
	if r.Status != http.StatusNotFound || !strings.HasPrefix(r.Header.Get("Content-Type"), "application/json") {
		t.Errorf("unknown API route: got %d %s, want the API's JSON 404", r.Status, r.Header.Get("Content-Type"))
	}
	// The language switch sets a cookie that beats Accept-Language, and
	// never redirects off the site.
	// Browsers drop a tab or newline from a URL, so "/\t/host" is "//host",
	// another origin; a backslash reads as a slash.
	for _, next := range []string{"//evil.example/x", "/\t/127.0.0.1:19444/landed", "/\x00/evil.example", "/\\evil.example",
		"https://evil.example", "/\u202e/evil.example"} {
		raw, _ := strconv.Unquote(`"` + next + `"`)
		sw := e.page(pageReq{method: "GET", path: "/lang/en?next=" + url.QueryEscape(raw)})
		if sw.Status != http.StatusSeeOther || sw.Header.Get("Location") != "/" {
			t.Errorf("language switch to next %q: got %d to %q, want 303 to /", next, sw.Status, sw.Header.Get("Location"))
		}
	}
	if sw := e.page(pageReq{method: "GET", path: "/lang/en?next=" + url.QueryEscape("/projects?status=draft")}); sw.Header.Get("Location") != "/projects?status=draft" {
		t.Errorf("language switch to a local next: got %q", sw.Header.Get("Location"))
	}
	sw := e.page(pageReq{method: "GET", path: "/lang/en?next=/"})
	if c := sw.Header.Get("Set-Cookie"); !strings.Contains(c, "lang=en") || !strings.Contains(strings.ToLower(c), "samesite=lax") {
		t.Errorf("language cookie: got %q, want lang=en with SameSite=Lax", c)
	}
}

func TestPagesSecurityHeadersAndAssets(t *testing.T) {
	e := newEnv(t)
	hres, err := e.app.Test(httptest.NewRequest("GET", "/", nil), -1)
	if err != nil {
		t.Fatal(err)
	}
	if csp := hres.Header.Get("Content-Security-Policy"); !strings.Contains(csp, "default-src 'self'") {
		t.Errorf("CSP: got %q, want default-src 'self' (nothing from the internet)", csp)
	}
	var pre *http.Cookie
	for _, c := range hres.Cookies() {
		if c.Name == web.PreSessionCookie {
			pre = c
		}
	}
	if pre == nil || !pre.HttpOnly || pre.SameSite != http.SameSiteLaxMode || len(pre.Value) != 43 {
		t.Errorf("pre-session cookie: got %+v, want an HttpOnly SameSite=Lax random value", pre)
	}
	body, _ := io.ReadAll(hres.Body)
	for _, asset := range []string{"/static/app.css", "/static/app.js", "/static/favicon.svg"} {
		if !strings.Contains(string(body), asset+"?v=") {
			t.Errorf("home page does not link %s with a version", asset)
		}
		r := e.page(pageReq{method: "GET", path: asset})
		if r.Status != http.StatusOK || len(r.Body) == 0 {
			t.Errorf("GET %s: got %d with %d bytes, want the embedded file", asset, r.Status, len(r.Body))
		}
	}
	if strings.Contains(string(body), "http://") || strings.Contains(string(body), "https://") {
		t.Errorf("home page refers to another site: %.300s", body)
	}
}

func TestProjectFormShowsFieldMessagesInItsUnits(t *testing.T) {
	e := newEnv(t)
	ent := e.enterprise("341221")
	form := url.Values{"title": {""}, "project_type": {"working_capital"}, "amount_wan": {"0.5"}, "term_months": {"12"},
		"purpose": {"流动资金"}, "collateral": {"credit"}, "region_code": {"341221"}, "industry_code": {"C13"},
		"rate_ceiling_pct": {"4.355"}}
	r := e.page(pageReq{method: "POST", path: "/projects/new", session: ent.Token, form: form})
	// 10,000 yuan to 50,000,000,000 yuan, shown in 万元 as the form asks.
	wantPage(t, r, http.StatusBadRequest, `id="f-amount_wan-err"`, "应在 1 到 5000000 之间", `id="f-title-err"`, "必填",
		`id="f-rate_ceiling_pct-err"`, `href="#f-amount_wan"`, `value="0.5"`)
	r = e.page(pageReq{method: "POST", path: "/projects/new", session: ent.Token, form: form, lang: "en"})
	wantPage(t, r, http.StatusBadRequest, "Must be between 1 and 5000000", "Enter this")
}

// A number the form cannot read gets the form's own message beside the
// core's findings, and nothing is written.
func TestProjectEditWithAnUnreadableNumberWritesNothing(t *testing.T) {
	e := newEnv(t)
	ent := e.enterprise("341221")
	p := e.createProject(ent, "临泉县冷链物流中心")
	form := url.Values{"title": {""}, "project_type": {"working_capital"}, "amount_wan": {"一百"}, "term_months": {"12"},
		"purpose": {"流动资金"}, "collateral": {"credit"}, "region_code": {"341221"}, "industry_code": {"C13"}}
	path := "/projects/" + p.ID + "/edit"
	wantPage(t, e.page(pageReq{method: "POST", path: path, session: ent.Token, form: form}), http.StatusBadRequest,
		`id="f-amount_wan-err"`, "请填写以万元为单位的数字", `id="f-title-err"`, "必填")
	form.Set("title", "临泉县冷链物流二期")
	wantPage(t, e.page(pageReq{method: "POST", path: path, session: ent.Token, form: form}), http.StatusBadRequest,
		`id="f-amount_wan-err"`, `value="临泉县冷链物流二期"`)
	got, err := e.uc.EditableProject(ctx, ent.Actor, p.ID)
	if err != nil {
		t.Fatal(err)
	}
	if got.Title != p.Title || got.AmountYuan != p.AmountYuan || got.Type != p.Type {
		t.Errorf("after forms with an unreadable amount: got %q %d %s, want the draft unchanged", got.Title, got.AmountYuan, got.Type)
	}
}

func TestProductReviewThroughThePages(t *testing.T) {
	e := newEnv(t)
	bank := e.institution("341221")
	coord := e.coordinator("341200")
	form := url.Values{"product_name": {"集群设备更新贷"}, "category": {"loan"}, "description": {"设备更新"},
		"amount_min_wan": {"100"}, "amount_max_wan": {"5000"}, "term_min_months": {"12"}, "term_max_months": {"60"},
		"rate_floor_pct": {"3"}, "rate_cap_pct": {"6"}, "project_types": {"manufacturing_medium_long", "working_capital"},
		"regions": {"341200"}, "collateral": {"mortgage"}, "sizes": {"small", "medium"}, "capacity_wan": {"100000"},
		"valid_from": {"2026-01-01"}, "valid_to": {"2028-01-01"}}
	r := e.page(pageReq{method: "POST", path: "/products/new", session: bank.Token, form: form})
	if r.Status != http.StatusSeeOther {
		t.Fatalf("create product: got %d, want 303: %.500s", r.Status, r.Body)
	}
	path := r.Header.Get("Location")
	id := strings.TrimPrefix(path, "/products/")
	got := e.product(bank, id, "")
	if got.AmountMinYuan != 1_000_000 || got.AmountMaxYuan != 50_000_000 || got.RateFloorBps != 300 || got.Version != 1 {
		t.Fatalf("product from the form: got %+v, want ¥1,000,000–¥50,000,000 from 3%%, version 1", got)
	}
	mustSee(t, e.page(pageReq{method: "POST", path: path + "/publish", session: bank.Token}), path)

	// The queue lists it; a rejection must say why; the owner reads the note.
	wantPage(t, e.page(pageReq{method: "GET", path: "/review/products", session: coord.Token}), http.StatusOK, "集群设备更新贷")
	r = e.page(pageReq{method: "POST", path: "/review/products/" + id, session: coord.Token, form: url.Values{"decision": {"reject"}}})
	wantPage(t, r, http.StatusBadRequest, "退回时必须填写原因")
	mustSee(t, e.page(pageReq{method: "POST", path: "/review/products/" + id, session: coord.Token,
		form: url.Values{"decision": {"reject"}, "note": {"请补充服务县区"}}}), "/review/products")
	wantPage(t, e.page(pageReq{method: "GET", path: path, session: bank.Token}), http.StatusOK, "请补充服务县区", "已退回")

	// Fix, resend, approve; editing the published version makes version 2.
	form.Set("regions", "341221")
	mustSee(t, e.page(pageReq{method: "POST", path: path + "/edit", session: bank.Token, form: form}), path)
	mustSee(t, e.page(pageReq{method: "POST", path: path + "/publish", session: bank.Token}), path)
	mustSee(t, e.page(pageReq{method: "POST", path: "/review/products/" + id, session: coord.Token,
		form: url.Values{"decision": {"approve"}}}), "/review/products")
	form.Set("amount_max_wan", "8000")
	mustSee(t, e.page(pageReq{method: "POST", path: path + "/edit", session: bank.Token, form: form}), path)
	got = e.product(bank, id, "")
	if got.Version != 2 || got.Status != finzone.ReviewDraft || got.AmountMaxYuan != 80_000_000 {
		t.Fatalf("after editing the published product: got v%d %s max %d, want v2 draft max 80,000,000", got.Version, got.Status, got.AmountMaxYuan)
	}
	v1 := e.product(bank, id, "1")
	if v1.Status != finzone.ReviewPublished || v1.AmountMaxYuan != 50_000_000 {
		t.Fatalf("version 1: got %s max %d, want it still published at 50,000,000", v1.Status, v1.AmountMaxYuan)
	}
	wantPage(t, e.page(pageReq{method: "GET", path: path, session: bank.Token}), http.StatusOK, "v2", "v1", "已发布")
}

func TestStaffPagesRender(t *testing.T) {
	e := newEnv(t)
	ent := e.enterprise("341221")
	e.submitProject(ent, e.createProject(ent, "界首市再生铅技改项目"))
	e.institution("341221") // waits for verification
	coord := e.coordinator("340000")
	wantPage(t, e.page(pageReq{method: "GET", path: "/dashboard", session: coord.Token}), http.StatusOK,
		`id="total-projects">1<`, `<svg class="chart"`, "皖北")
	wantPage(t, e.page(pageReq{method: "GET", path: "/dashboard?flag=dabie", session: coord.Token}), http.StatusOK,
		`id="total-projects">0<`)
	wantPage(t, e.page(pageReq{method: "GET", path: "/search?q=" + url.QueryEscape("再生铅"), session: coord.Token}), http.StatusOK,
		"界首市再生铅技改项目")
	wantPage(t, e.page(pageReq{method: "GET", path: "/review/institutions", session: coord.Token}), http.StatusOK, "review-institutions-table")
	wantPage(t, e.page(pageReq{method: "GET", path: "/pipeline", session: coord.Token}), http.StatusOK, `id="board"`)
}

// product is a version of a product as its owner reads it.
func (e *env) product(owner account, id, version string) finzone.Product {
	e.t.Helper()
	pv, err := e.uc.Product(ctx, owner.Actor, id, version)
	if err != nil {
		e.t.Fatalf("product %s v%q: %v", id, version, err)
	}
	return pv.Product
}

func mustSee(t *testing.T, r resp, location string) {
	t.Helper()
	if r.Status != http.StatusSeeOther || r.Header.Get("Location") != location {
		t.Fatalf("got %d to %q, want 303 to %s: %.500s", r.Status, r.Header.Get("Location"), location, r.Body)
	}
}
