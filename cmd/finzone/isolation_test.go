package main

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"html"
	"io"
	"maps"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gofiber/fiber/v2"

	"finzone/api"
	"finzone/mongodb"
	"finzone/server"
	"finzone/usecase"
	"finzone/web"
)

// The isolation matrix: every route of the JSON API and every page that
// names an object, asked by each of the 9 demo actors about a sample of the
// demo's projects, matches, products and institutions. Who may see or change
// what is written here once, from the product's rules, not read from the
// code under test:
//   - a project: its enterprise, coordinators whose regions hold it, the
//     institutions it was pushed to, the platform admin;
//   - a match: its institution, and whoever may see its project except the
//     project's other institutions;
//   - a product: its institution, everyone once published, coordinators of
//     the regions it serves, the platform admin;
//   - an institution: coordinators of its region and the platform admin
//     verify it.
// Asked about what it may not see, an actor gets 404, never 403 (existence
// does not leak); asked to change what it may see but not change, 403 or
// 404. Lists hold only what the actor may see. A route without a rule here
// fails the test, so a new route must say who may use it.

// matrixActor is a demo account as the platform describes it.
type matrixActor struct {
	email, token, orgID, kind string
	regions                   []string
	admin                     bool
	csrf                      string
	cookies                   []*http.Cookie
}

func (a matrixActor) isInstitution() bool {
	return slices.Contains([]string{"bank", "leasing", "guarantee", "insurer"}, a.kind)
}

func (a matrixActor) isStaff() bool { return a.admin || len(a.regions) > 0 }

// covers is the division-code hierarchy: 340000 holds every code of the
// province, 341200 every code of its city.
func covers(scope, code string) bool {
	switch {
	case strings.HasSuffix(scope, "0000"):
		return strings.HasPrefix(code, scope[:2])
	case strings.HasSuffix(scope, "00"):
		return strings.HasPrefix(code, scope[:4])
	}
	return scope == code
}

func (a matrixActor) coordinates(region string) bool {
	if a.admin {
		return true
	}
	for _, s := range a.regions {
		if covers(s, region) {
			return true
		}
	}
	return false
}

type projectFacts struct {
	ID         string `json:"id"`
	OwnerOrgID string `json:"owner_org_id"`
	RegionCode string `json:"region_code"`
	pushedTo   map[string]bool
}

type matchFacts struct {
	ID            string `json:"id"`
	ProjectID     string `json:"project_id"`
	InstitutionID string `json:"institution_id"`
}

type productFacts struct {
	ID         string   `json:"id"`
	OwnerOrgID string   `json:"owner_org_id"`
	Status     string   `json:"status"`
	Regions    []string `json:"regions"`
}

type institutionFacts struct {
	ID         string `json:"id"`
	Kind       string `json:"kind"`
	RegionCode string `json:"region_code"`
}

// world is what the platform admin sees, and the sample the matrix asks
// about.
type world struct {
	projects     map[string]projectFacts
	matches      map[string]matchFacts
	products     map[string]productFacts
	institutions map[string]institutionFacts
	enterprises  map[string]institutionFacts
	// claims are credit-code claims by the region of the code's holder;
	// sessions, the actors' own by their owner's email.
	claims, sessions map[string]string
	// syndicates are the projects' syndicates: who leads, who is agent,
	// who is invited (a member sees the project as a pushed bank does).
	syndicates map[string]syndicateFacts
}

type syndicateFacts struct {
	ProjectID string `json:"project_id"`
	LeadID    string `json:"lead_id"`
	Facility  struct {
		AgentID string `json:"agent_id"`
	} `json:"facility"`
	Members []struct {
		InstitutionID string `json:"institution_id"`
	} `json:"members"`
}

func (f syndicateFacts) member(org string) bool {
	return slices.ContainsFunc(f.Members, func(m struct {
		InstitutionID string `json:"institution_id"`
	}) bool {
		return m.InstitutionID == org
	})
}

func (w world) seesProject(a matrixActor, id string) bool {
	p := w.projects[id]
	return a.admin || p.OwnerOrgID == a.orgID || a.coordinates(p.RegionCode) || p.pushedTo[a.orgID]
}

// ownsOrCoordinates is seesProject without the institutions it was pushed
// to: who sees a project's every match.
func (w world) ownsOrCoordinates(a matrixActor, id string) bool {
	p := w.projects[id]
	return a.admin || p.OwnerOrgID == a.orgID || a.coordinates(p.RegionCode)
}

func (w world) seesMatch(a matrixActor, id string) bool {
	m := w.matches[id]
	return m.InstitutionID == a.orgID || w.ownsOrCoordinates(a, m.ProjectID)
}

func (w world) seesProduct(a matrixActor, id string) bool {
	p := w.products[id]
	if a.admin || p.OwnerOrgID == a.orgID || p.Status == "published" {
		return true
	}
	for _, r := range p.Regions {
		for _, s := range a.regions {
			if covers(s, r) || covers(r, s) {
				return true
			}
		}
	}
	return false
}

func (w world) reviewsProduct(a matrixActor, id string) bool {
	p := w.products[id]
	if p.OwnerOrgID == a.orgID {
		return false
	}
	if a.admin {
		return true
	}
	for _, r := range p.Regions {
		if !a.coordinates(r) || len(a.regions) == 0 {
			return false
		}
	}
	return len(p.Regions) > 0
}

func (w world) verifiesInstitution(a matrixActor, id string) bool {
	return a.isStaff() && a.coordinates(w.institutions[id].RegionCode)
}

func (w world) verifiesEnterprise(a matrixActor, id string) bool {
	return a.isStaff() && a.coordinates(w.enterprises[id].RegionCode)
}

// decidesClaim: coordinators of the holder's region, who alone (of the
// demo's actors; the claimant too) see the claim.
func (w world) decidesClaim(a matrixActor, id string) bool {
	return a.isStaff() && a.coordinates(w.claims[id])
}

func (w world) ownsSession(a matrixActor, id string) bool { return w.sessions[id] == a.email }

// rule says, for one route, what object its :id names and which actors may
// read (see) or change (may) it. A nil may marks a read.
type rule struct {
	object string // "project", "match", "product", "institution", or "" for routes without :id
	may    func(w world, a matrixActor, id string) bool
	body   any
	// maybe marks a read whose object may not exist for a visible
	// project (a syndicate): 404 is then no refusal.
	maybe bool
	// read marks a read that only those in may are given (a project's view
	// log, for its enterprise).
	read bool
}

func ownerOf(w world, a matrixActor, id string) bool { return w.projects[id].OwnerOrgID == a.orgID }
func coordinatorOf(w world, a matrixActor, id string) bool {
	return a.isStaff() && a.coordinates(w.projects[id].RegionCode)
}
func pushedTo(w world, a matrixActor, id string) bool { return w.projects[id].pushedTo[a.orgID] }
func leadOf(w world, a matrixActor, id string) bool {
	l := w.syndicates[id].LeadID
	return l != "" && l == a.orgID
}
func memberOf(w world, a matrixActor, id string) bool { return w.syndicates[id].member(a.orgID) }
func agentOf(w world, a matrixActor, id string) bool {
	ag := w.syndicates[id].Facility.AgentID
	return ag != "" && ag == a.orgID
}
func matchInstitution(w world, a matrixActor, id string) bool {
	return w.matches[id].InstitutionID == a.orgID
}
func matchOwner(w world, a matrixActor, id string) bool {
	return w.projects[w.matches[id].ProjectID].OwnerOrgID == a.orgID
}
func matchCoordinator(w world, a matrixActor, id string) bool {
	return coordinatorOf(w, a, w.matches[id].ProjectID)
}
func productOwner(w world, a matrixActor, id string) bool {
	return w.products[id].OwnerOrgID == a.orgID
}

// apiRules covers every /api/v1 route that names an object; routes without
// :id are checked as lists or need no object (listOnly).
var apiRules = map[string]rule{
	"GET /api/v1/projects/:id":                        {object: "project"},
	"GET /api/v1/projects/:id/views":                  {object: "project", may: ownerOf, read: true},
	"GET /api/v1/projects/:id/matches":                {object: "project"},
	"GET /api/v1/projects/:id/syndicate":              {object: "project", maybe: true},
	"PATCH /api/v1/projects/:id":                      {object: "project", may: ownerOf, body: map[string]any{"title": "篡改 tampered"}},
	"DELETE /api/v1/projects/:id":                     {object: "project", may: ownerOf},
	"POST /api/v1/projects/:id/submit":                {object: "project", may: ownerOf},
	"POST /api/v1/projects/:id/withdraw":              {object: "project", may: ownerOf},
	"POST /api/v1/projects/:id/screen":                {object: "project", may: coordinatorOf, body: map[string]any{"decision": "return", "note": "x"}},
	"POST /api/v1/projects/:id/assign":                {object: "project", may: coordinatorOf, body: map[string]any{"institution_id": "000000000000000000000000"}},
	"GET /api/v1/projects/:id/syndicate/candidates":   {object: "project", may: leadOf, read: true},
	"POST /api/v1/projects/:id/syndicate/mandate":     {object: "project", may: ownerOf, body: map[string]any{"institution_id": "000000000000000000000000"}},
	"PUT /api/v1/projects/:id/syndicate/facility":     {object: "project", may: leadOf, body: map[string]any{"amount_yuan": 100_000_000, "commit_days": 3}},
	"POST /api/v1/projects/:id/syndicate/invitations": {object: "project", may: leadOf, body: map[string]any{"institution_ids": []string{"000000000000000000000000"}}},
	"POST /api/v1/projects/:id/syndicate/commit":      {object: "project", may: memberOf, body: map[string]any{"amount_yuan": 10_000}},
	"POST /api/v1/projects/:id/syndicate/decline":     {object: "project", may: memberOf, body: map[string]any{"reason_code": "other", "note": "x"}},
	"POST /api/v1/projects/:id/syndicate/withdraw":    {object: "project", may: memberOf, body: map[string]any{"note": "x"}},
	"POST /api/v1/projects/:id/syndicate/sign":        {object: "project", may: leadOf},
	"POST /api/v1/projects/:id/syndicate/drawdowns":   {object: "project", may: agentOf, body: map[string]any{"amount_yuan": 1}},
	"POST /api/v1/projects/:id/syndicate/transfers":   {object: "project", may: memberOf, body: map[string]any{"to_institution_id": "000000000000000000000000", "amount_yuan": 10_000}},
	"GET /api/v1/matches/:id":                         {object: "match"},
	"POST /api/v1/matches/:id/actions":                {object: "match", may: matchInstitution, body: map[string]any{"action": "decline", "reason_code": "other", "note": "x"}},
	"POST /api/v1/matches/:id/offer":                  {object: "match", may: matchOwner, body: map[string]any{"decision": "decline"}},
	"POST /api/v1/matches/:id/extend":                 {object: "match", may: matchCoordinator, body: map[string]any{"days": 3, "note": "x"}},
	"POST /api/v1/matches/:id/urge":                   {object: "match", may: matchCoordinator, body: map[string]any{"note": "x"}},
	"GET /api/v1/products/:id":                        {object: "product"},
	"PATCH /api/v1/products/:id":                      {object: "product", may: productOwner, body: map[string]any{"name": "篡改 tampered"}},
	"POST /api/v1/products/:id/publish":               {object: "product", may: productOwner},
	"POST /api/v1/products/:id/review":                {object: "product", may: world.reviewsProductRule, body: map[string]any{"decision": "reject", "note": "x"}},
	"POST /api/v1/enterprises/:id/verify":             {object: "enterprise", may: world.verifiesEnterpriseRule},
	"GET /api/v1/credit-code-claims/:id":              {object: "claim"},
	"POST /api/v1/credit-code-claims/:id/decide":      {object: "claim", may: world.decidesClaimRule, body: map[string]any{"decision": "reject", "note": "x"}},
	"DELETE /api/v1/me/sessions/:id":                  {object: "session", may: world.ownsSessionRule},
	"POST /api/v1/institutions/:id/verify":            {object: "institution", may: world.verifiesInstitutionRule},
}

func (w world) reviewsProductRule(a matrixActor, id string) bool { return w.reviewsProduct(a, id) }
func (w world) verifiesEnterpriseRule(a matrixActor, id string) bool {
	return w.verifiesEnterprise(a, id)
}
func (w world) decidesClaimRule(a matrixActor, id string) bool { return w.decidesClaim(a, id) }
func (w world) ownsSessionRule(a matrixActor, id string) bool  { return w.ownsSession(a, id) }
func (w world) verifiesInstitutionRule(a matrixActor, id string) bool {
	return w.verifiesInstitution(a, id)
}

// pageRules are the pages that show one object; an edit form is shown
// only to who may change the object.
var pageRules = map[string]rule{
	"/projects/:id":           {object: "project"},
	"/projects/:id/syndicate": {object: "project", maybe: true},
	"/projects/:id/edit":      {object: "project", may: ownerOf},
	"/matches/:id":            {object: "match"},
	"/products/:id":           {object: "product"},
	"/products/:id/edit":      {object: "product", may: productOwner},
}

// pageForms are the pages' forms that change one object. A form names its
// object in the address, except the offer form, which names the match in
// "for" and posts to the match's project's address.
var pageForms = map[string]rule{
	"/projects/:id/edit":               {object: "project", may: ownerOf, body: url.Values{"title": {"篡改 tampered"}}},
	"/projects/:id/submit":             {object: "project", may: ownerOf},
	"/projects/:id/withdraw":           {object: "project", may: ownerOf},
	"/projects/:id/delete":             {object: "project", may: ownerOf},
	"/projects/:id/screen":             {object: "project", may: coordinatorOf, body: url.Values{"decision": {"return"}, "screen_note": {"x"}}},
	"/projects/:id/assign":             {object: "project", may: coordinatorOf, body: url.Values{"institution_id": {"000000000000000000000000"}}},
	"/projects/:id/syndicate/mandate":  {object: "project", may: ownerOf, body: url.Values{"lead_id": {"000000000000000000000000"}}},
	"/projects/:id/syndicate/facility": {object: "project", may: leadOf, body: url.Values{"facility_wan": {"10000"}, "commit_days": {"3"}}},
	"/projects/:id/syndicate/invite":   {object: "project", may: leadOf, body: url.Values{"invite_ids": {"000000000000000000000000"}}},
	"/projects/:id/syndicate/commit":   {object: "project", may: memberOf, body: url.Values{"commit_wan": {"1"}}},
	"/projects/:id/syndicate/decline":  {object: "project", may: memberOf, body: url.Values{"syn_decline_reason": {"other"}, "syn_decline_note": {"x"}}},
	"/projects/:id/syndicate/withdraw": {object: "project", may: memberOf},
	"/projects/:id/syndicate/sign":     {object: "project", may: leadOf},
	"/projects/:id/syndicate/drawdown": {object: "project", may: agentOf, body: url.Values{"draw_wan": {"1"}}},
	"/projects/:id/syndicate/transfer": {object: "project", may: memberOf, body: url.Values{"transfer_to": {"000000000000000000000000"}, "transfer_wan": {"1"}}},
	"/projects/:id/offer":              {object: "match", may: matchOwner, body: url.Values{"decision": {"decline"}}},
	"/matches/:id/action":              {object: "match", may: matchInstitution, body: url.Values{"action": {"decline"}, "reason_code": {"other"}, "note": {"x"}}},
	"/matches/:id/extend":              {object: "match", may: matchCoordinator, body: url.Values{"extend_days": {"3"}, "note_extend": {"x"}}},
	"/matches/:id/urge":                {object: "match", may: matchCoordinator, body: url.Values{"note_urge": {"x"}}},
	"/products/:id/edit":               {object: "product", may: productOwner, body: url.Values{"name": {"篡改 tampered"}}},
	"/products/:id/publish":            {object: "product", may: productOwner},
	"/review/products/:id":             {object: "product", may: world.reviewsProductRule, body: url.Values{"decision": {"reject"}, "note": {"x"}}},
	"/review/institutions/:id/verify":  {object: "institution", may: world.verifiesInstitutionRule},
	"/review/enterprises/:id/verify":   {object: "enterprise", may: world.verifiesEnterpriseRule},
	"/review/claims/:id":               {object: "claim", may: world.decidesClaimRule, body: url.Values{"decision": {"reject"}, "note": {"x"}}},
	"/account/sessions/:id/revoke":     {object: "session", may: world.ownsSessionRule},
}

// scopedRoutes are the staff's reports and exports. They name no object:
// each actor asks once. Coordinators and the platform admin get 200 and
// only rows of their regions (regions reads the division codes an answer
// lists; nil for a page); anyone else gets 403.
var scopedRoutes = []struct {
	route   string // "METHOD path"
	query   string
	page    bool
	regions func(body []byte) []string
}{
	{"GET /api/v1/reports/monthly", "?format=csv", false, csvRegions(func(rec []string) bool { return rec[0] == "county" || rec[0] == "cluster" })},
	{"GET /pipeline.csv", "", true, csvRegions(func([]string) bool { return true })},
	{"GET /reports/monthly", "", true, nil},
}

// csvRegions reads the division codes (4th column) of a CSV's rows that
// keep selects.
func csvRegions(keep func(rec []string) bool) func([]byte) []string {
	return func(body []byte) []string {
		recs, err := csv.NewReader(bytes.NewReader(bytes.TrimPrefix(body, []byte("\ufeff")))).ReadAll()
		if err != nil || len(recs) == 0 {
			return []string{"unreadable CSV"}
		}
		var out []string
		for _, rec := range recs[1:] {
			if keep(rec) && rec[3] != "" {
				out = append(out, rec[3])
			}
		}
		return out
	}
}

// checkScopedRoutes asks every actor for the staff's reports.
func checkScopedRoutes(t *testing.T, base string, as []matrixActor, c *tally) {
	t.Helper()
	for _, r := range scopedRoutes {
		if !slices.Contains(routes(t), r.route) {
			t.Errorf("%s is no route", r.route)
		}
		method, path, _ := strings.Cut(r.route, " ")
		for _, a := range as {
			code, body := send(t, base, method, path+r.query, a, nil, r.page)
			what := fmt.Sprintf("%s%s as %s (%.80q)", r.route, r.query, a.email, body)
			judge(t, c, what, code, true, a.isStaff(), false)
			if code != http.StatusOK || r.regions == nil {
				continue
			}
			for _, code := range r.regions(body) {
				if !a.coordinates(code) {
					c.mu.Lock()
					c.leaks++
					c.mu.Unlock()
					t.Errorf("%s lists region %s, outside the actor's %v", what, code, a.regions)
				}
			}
		}
	}
}

// withoutObject are the routes that name no object: lists (checked by
// checkLists), the actor's own settings, reference data, sign-in, and forms
// whose writes go through the same use cases as the API routes above.
func withoutObject(path string) bool { return !strings.Contains(path, ":id") }

// routes lists every route the app serves, as "METHOD path".
func routes(t *testing.T) []string {
	t.Helper()
	app := server.New(newLogger("error"))
	uc := usecase.New((*mongodb.DB)(nil), usecase.Config{})
	api.Mount(app, uc)
	if err := web.Mount(app, uc); err != nil {
		t.Fatal(err)
	}
	seen := map[string]bool{}
	var out []string
	for _, r := range app.GetRoutes(true) {
		if r.Method == fiber.MethodHead || r.Path == "/" && r.Method == "" {
			continue
		}
		key := r.Method + " " + r.Path
		if !seen[key] {
			seen[key] = true
			out = append(out, key)
		}
	}
	slices.Sort(out)
	return out
}

// tally counts the matrix's requests.
type tally struct {
	mu                                sync.Mutex
	requests, allowed, refused, leaks int
}

func (c *tally) String() string {
	return fmt.Sprintf("%d requests: %d answered, %d refused, %d leaks", c.requests, c.allowed, c.refused, c.leaks)
}

// send asks as a: API routes with the bearer token, pages with the session
// cookie, forms with the CSRF token the actor's own page gave it.
func send(t *testing.T, base, method, path string, a matrixActor, body any, page bool) (int, []byte) {
	t.Helper()
	var rd io.Reader
	ctype := "application/json"
	switch b := body.(type) {
	case nil:
	case url.Values:
		b = maps.Clone(b)
		if b == nil {
			b = url.Values{}
		}
		b.Set("_csrf", a.csrf)
		rd, ctype = strings.NewReader(b.Encode()), "application/x-www-form-urlencoded"
	default:
		j, _ := json.Marshal(b)
		rd = bytes.NewReader(j)
	}
	req, _ := http.NewRequest(method, base+path, rd)
	if page {
		for _, c := range a.cookies {
			req.AddCookie(c)
		}
		req.Header.Set("Origin", base)
	} else {
		req.Header.Set("Authorization", "Bearer "+a.token)
	}
	if rd != nil || method != http.MethodGet {
		req.Header.Set("Content-Type", ctype)
	}
	resp, err := noRedirects.Do(req)
	if err != nil {
		t.Errorf("%s %s: %v", method, path, err) // sends run in goroutines: no Fatal
		return 0, nil
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, b
}

var noRedirects = &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}

var csrfInput = regexp.MustCompile(`name="_csrf" value="([^"]+)"`)

// signInPages gives a its session cookie and the CSRF token of its pages,
// from the first of its pages that answers.
func signInPages(t *testing.T, base string, a *matrixActor) {
	t.Helper()
	session := &http.Cookie{Name: server.SessionCookie, Value: a.token}
	for _, page := range []string{"/projects", "/inbox", "/search"} {
		req, _ := http.NewRequest(http.MethodGet, base+page, nil)
		req.AddCookie(session)
		resp, err := noRedirects.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if m := csrfInput.FindSubmatch(b); resp.StatusCode == http.StatusOK && m != nil {
			a.csrf = html.UnescapeString(string(m[1]))
			a.cookies = append([]*http.Cookie{session}, resp.Cookies()...)
			return
		}
	}
	t.Fatalf("%s: no page gave a CSRF token", a.email)
}

// actors signs in the 9 demo accounts and reads who each one is.
func actors(t *testing.T, base string) []matrixActor {
	t.Helper()
	var out []matrixActor
	for _, d := range demoAccounts {
		a := matrixActor{email: d.email, token: login(t, base, d.email, DemoPassword)}
		var me struct {
			User struct {
				PlatformAdmin bool `json:"platform_admin"`
				Regions       []string
			}
			Org *struct{ ID, Kind string }
		}
		if code := getJSON(t, base+"/api/v1/me", a.token, &me); code != http.StatusOK {
			t.Fatalf("me %s: %d", d.email, code)
		}
		a.admin, a.regions = me.User.PlatformAdmin, me.User.Regions
		if me.Org != nil {
			a.orgID, a.kind = me.Org.ID, me.Org.Kind
		}
		signInPages(t, base, &a)
		out = append(out, a)
	}
	return out
}

// observe reads the platform admin's view of the demo.
func observe(t *testing.T, base string, as []matrixActor) world {
	t.Helper()
	admin := as[0]
	w := world{projects: map[string]projectFacts{}, matches: map[string]matchFacts{},
		products: map[string]productFacts{}, institutions: map[string]institutionFacts{},
		enterprises: map[string]institutionFacts{}, claims: map[string]string{}, sessions: map[string]string{},
		syndicates: map[string]syndicateFacts{}}
	for _, o := range listAll[institutionFacts](t, base, "/api/v1/enterprises", admin.token) {
		w.enterprises[o.ID] = o
	}
	for _, a := range as {
		for _, s := range listAll[struct{ ID string }](t, base, "/api/v1/me/sessions", a.token) {
			w.sessions[s.ID] = a.email
		}
	}
	holder := as[slices.IndexFunc(as, func(a matrixActor) bool { return a.email == "enterprise2@demo.finzone.cn" })]
	w.claims[fileClaim(t, base, holder)] = w.enterprises[holder.orgID].RegionCode
	for _, p := range listAll[projectFacts](t, base, "/api/v1/projects", admin.token) {
		p.pushedTo = map[string]bool{}
		w.projects[p.ID] = p
	}
	for _, m := range listAll[matchFacts](t, base, "/api/v1/matches", admin.token) {
		w.matches[m.ID] = m
		if p, ok := w.projects[m.ProjectID]; ok {
			p.pushedTo[m.InstitutionID] = true
		}
	}
	for _, sy := range listAll[syndicateFacts](t, base, "/api/v1/syndicates", admin.token) {
		w.syndicates[sy.ProjectID] = sy
		if p, ok := w.projects[sy.ProjectID]; ok {
			for _, m := range sy.Members {
				p.pushedTo[m.InstitutionID] = true
			}
		}
	}
	for _, p := range listAll[productFacts](t, base, "/api/v1/products", admin.token) {
		w.products[p.ID] = p
	}
	for _, o := range listAll[institutionFacts](t, base, "/api/v1/institutions", admin.token) {
		w.institutions[o.ID] = o
	}
	return w
}

// half is every other id.
func half(ids []string) []string {
	var out []string
	for i := 0; i < len(ids); i += 2 {
		out = append(out, ids[i])
	}
	return out
}

// pick appends up to n of ids (in order) that match and are not taken yet.
func pick(out []string, ids []string, n int, match func(id string) bool) []string {
	for _, id := range ids {
		if n == 0 {
			break
		}
		if match(id) && !slices.Contains(out, id) {
			out, n = append(out, id), n-1
		}
	}
	return out
}

func sortedKeys[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}

// sample chooses, for each actor, objects it owns, was pushed, or
// coordinates, and objects nobody of the demo touches.
func (w world) sample(as []matrixActor) map[string][]string {
	ps, ms, prs, is := sortedKeys(w.projects), sortedKeys(w.matches), sortedKeys(w.products), sortedKeys(w.institutions)
	out := map[string][]string{}
	for _, a := range as {
		out["project"] = pick(out["project"], ps, 1, func(id string) bool { return w.projects[id].OwnerOrgID == a.orgID })
		out["project"] = pick(out["project"], ps, 1, func(id string) bool { return w.projects[id].pushedTo[a.orgID] })
		out["project"] = pick(out["project"], ps, 1, func(id string) bool { return !a.admin && a.coordinates(w.projects[id].RegionCode) })
		out["match"] = pick(out["match"], ms, 1, func(id string) bool { return w.matches[id].InstitutionID == a.orgID })
		out["match"] = pick(out["match"], ms, 1, func(id string) bool { return w.projects[w.matches[id].ProjectID].OwnerOrgID == a.orgID })
		out["match"] = pick(out["match"], ms, 1, func(id string) bool { return !a.admin && w.ownsOrCoordinates(a, w.matches[id].ProjectID) })
		out["product"] = pick(out["product"], prs, 1, func(id string) bool { return w.products[id].OwnerOrgID == a.orgID })
		out["product"] = pick(out["product"], prs, 1, func(id string) bool { return !a.admin && w.reviewsProduct(a, id) })
		out["institution"] = pick(out["institution"], is, 1, func(id string) bool { return !a.admin && w.verifiesInstitution(a, id) })
	}
	nobody := func(seen func(a matrixActor, id string) bool) func(string) bool {
		return func(id string) bool {
			for _, a := range as {
				if !a.admin && seen(a, id) {
					return false
				}
			}
			return true
		}
	}
	out["project"] = pick(out["project"], ps, 2, nobody(w.seesProject))
	out["match"] = pick(out["match"], ms, 2, nobody(w.seesMatch))
	out["product"] = pick(out["product"], prs, 2, nobody(w.seesProduct))
	out["product"] = pick(out["product"], prs, 1, func(id string) bool { return w.products[id].Status != "published" })
	out["institution"] = pick(out["institution"], is, 2, nobody(w.verifiesInstitution))
	es := sortedKeys(w.enterprises)
	for _, a := range as {
		out["enterprise"] = pick(out["enterprise"], es, 1, func(id string) bool { return id == a.orgID })
	}
	out["enterprise"] = pick(out["enterprise"], es, 2, nobody(w.verifiesEnterprise))
	out["claim"], out["session"] = sortedKeys(w.claims), sortedKeys(w.sessions)
	return out
}

func (w world) sees(object string, a matrixActor, id string) bool {
	switch object {
	case "project":
		return w.seesProject(a, id)
	case "match":
		return w.seesMatch(a, id)
	case "product":
		return w.seesProduct(a, id)
	case "claim":
		return w.decidesClaim(a, id)
	case "session":
		return w.ownsSession(a, id)
	}
	return true // that an institution exists is no secret: its products name it
}

// judge checks one answer: a read of what the actor may see succeeds; of
// what it may not, is 404; a change it may not make is refused, with 404
// when it may not even see the object.
func judge(t *testing.T, c *tally, what string, code int, sees, may bool, write bool) {
	t.Helper()
	c.mu.Lock()
	defer c.mu.Unlock()
	c.requests++
	switch {
	case !write && sees && may:
		if code != http.StatusOK {
			t.Errorf("%s: %d, want 200", what, code)
		}
		c.allowed++
	case !sees:
		if code != http.StatusNotFound {
			c.leaks++
			t.Errorf("%s: %d, want 404 (the actor may not know it exists)", what, code)
		}
		c.refused++
	case !may:
		if code != http.StatusForbidden && code != http.StatusNotFound {
			c.leaks++
			t.Errorf("%s: %d, want 403 or 404", what, code)
		}
		c.refused++
	}
}

// runMatrix asks every route about every sampled object as every actor.
func runMatrix(t *testing.T, base string, as []matrixActor, w world) *tally {
	t.Helper()
	c := &tally{}
	sample := w.sample(as)
	for object, ids := range sample {
		t.Logf("sample: %d %ss", len(ids), object)
	}
	for _, route := range routes(t) {
		method, path, _ := strings.Cut(route, " ")
		if withoutObject(path) {
			continue
		}
		r, isAPI := apiRules[route]
		pr, isPage := pageRules[path]
		fr, isForm := pageForms[path]
		switch {
		case isAPI:
		case isPage && method == http.MethodGet:
			r = pr
		case isForm && method == http.MethodPost:
			r, isPage = fr, true
			if r.body == nil {
				r.body = url.Values{} // still a form: it carries the CSRF token
			}
		case method == http.MethodGet && isForm:
			continue // a GET of a form's address only redirects to the object's page
		default:
			t.Errorf("%s has no isolation rule: say who may use it in isolation_test.go", route)
			continue
		}
		object, start, before := r.object, time.Now(), c.requests
		ids := sample[object]
		if isPage {
			ids = half(ids) // pages cost more; the API routes take the whole sample
		}
		var wg sync.WaitGroup
		lanes := make(chan struct{}, 4) // the platform answers several at once, as it would users
		for _, id := range ids {
			target, body := strings.Replace(path, ":id", id, 1), r.body
			if path == "/projects/:id/offer" {
				target = strings.Replace(path, ":id", w.matches[id].ProjectID, 1)
				body = url.Values{"decision": {"decline"}, "for": {id}}
			}
			for _, a := range as {
				sees := w.sees(object, a, id)
				may := r.may == nil || r.may(w, a, id)
				write := r.may != nil && !r.read
				if write && may {
					continue // allowed: the matrix changes nothing
				}
				wg.Add(1)
				lanes <- struct{}{}
				go func() {
					defer func() { <-lanes; wg.Done() }()
					code, answer := send(t, base, method, target, a, body, isPage)
					if r.maybe && sees && code == http.StatusNotFound {
						code = http.StatusOK
					}
					judge(t, c, fmt.Sprintf("%s %s as %s (%.80q)", method, target, a.email, answer), code, sees, may, write)
				}()
			}
		}
		wg.Wait()
		t.Logf("%s: %d requests in %v", route, c.requests-before, time.Since(start).Round(time.Millisecond))
	}
	return c
}

// checkLists reads each actor's lists: every item is one it may see.
func checkLists(t *testing.T, base string, as []matrixActor, w world, c *tally) {
	t.Helper()
	for _, a := range as {
		if a.orgID != "" && !a.isInstitution() {
			for _, p := range listAll[projectFacts](t, base, "/api/v1/projects", a.token) {
				judge(t, c, "projects list of "+a.email+" holds "+p.ID, http.StatusOK, w.seesProject(a, p.ID), true, false)
			}
		}
		if a.orgID != "" {
			for _, m := range listAll[matchFacts](t, base, "/api/v1/matches", a.token) {
				judge(t, c, "matches list of "+a.email+" holds "+m.ID, http.StatusOK, w.seesMatch(a, m.ID), true, false)
			}
		}
		for _, p := range listAll[productFacts](t, base, "/api/v1/products", a.token) {
			judge(t, c, "products list of "+a.email+" holds "+p.ID, http.StatusOK, w.seesProduct(a, p.ID), true, false)
		}
		if a.orgID != "" {
			for _, sy := range listAll[syndicateFacts](t, base, "/api/v1/syndicates", a.token) {
				judge(t, c, "syndicates list of "+a.email+" holds "+sy.ProjectID, http.StatusOK, w.seesProject(a, sy.ProjectID), true, false)
			}
		}
	}
}

// testIsolationMatrix runs on the demo once its pipeline has settled.
func testIsolationMatrix(t *testing.T, base string) {
	as := actors(t, base)
	w := observe(t, base, as)
	c := runMatrix(t, base, as, w)
	checkLists(t, base, as, w, c)
	checkScopedRoutes(t, base, as, c)
	report := fmt.Sprintf("isolation matrix: %d actors, %d routes, %s", len(as), len(routes(t)), c)
	t.Log(report)
	// CI prints what the tests leave in FINZONE_REPORT_DIR: a passing
	// test's log is not shown.
	if dir := os.Getenv("FINZONE_REPORT_DIR"); dir != "" {
		if err := os.WriteFile(filepath.Join(dir, "isolation.txt"), []byte(report+"\n"), 0o644); err != nil {
			t.Error(err)
		}
	}
	if c.leaks > 0 {
		t.Errorf("%d leaks", c.leaks)
	}
}

// fileClaim has a stranger claim the holder's credit code, so the matrix
// has a claim to ask about.
func fileClaim(t *testing.T, base string, holder matrixActor) string {
	t.Helper()
	var me struct {
		Org struct {
			USCC       string `json:"uscc"`
			RegionCode string `json:"region_code"`
		}
	}
	if code := getJSON(t, base+"/api/v1/me", holder.token, &me); code != http.StatusOK {
		t.Fatalf("me: %d", code)
	}
	body := map[string]any{"credit_code": me.Org.USCC, "name": "认领人 Claimant", "contact": "0558-1234567",
		"evidence_note": "营业执照 business licence", "privacy_consent": "2026-12-01",
		"org":  map[string]any{"region_code": me.Org.RegionCode, "industry_code": "C13", "size": "small"},
		"user": map[string]any{"email": "claimant@example.com", "password": "claimant-pass-2026", "name": "认领人"}}
	code, answer := send(t, base, http.MethodPost, "/api/v1/credit-code-claims", matrixActor{}, body, false)
	var out struct{ Claim struct{ ID string } }
	if err := json.Unmarshal(answer, &out); code != http.StatusCreated || err != nil || out.Claim.ID == "" {
		t.Fatalf("filing a claim: %d %s", code, answer)
	}
	return out.Claim.ID
}
