package web_test

import (
	"bytes"
	"encoding/csv"
	"html"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"testing"
	"time"

	"finzone"
)

// pipelineCSV downloads a pipeline list and returns its rows after the
// headers.
func pipelineCSV(t *testing.T, e *env, session, query string) [][]string {
	t.Helper()
	r := e.page(pageReq{method: "GET", path: "/pipeline.csv?" + query, session: session})
	if r.Status != http.StatusOK || r.Header.Get("Content-Type") != "text/csv; charset=utf-8" {
		t.Fatalf("/pipeline.csv?%s: got %d %q: %.300s", query, r.Status, r.Header.Get("Content-Type"), r.Body)
	}
	recs, err := csv.NewReader(bytes.NewReader(bytes.TrimPrefix(r.Body, []byte("\ufeff")))).ReadAll()
	if err != nil || len(recs) == 0 || recs[0][2] != "项目" {
		t.Fatalf("/pipeline.csv?%s: %v, headers %q", query, err, recs)
	}
	return recs[1:]
}

var csvLink = regexp.MustCompile(`href="(/pipeline\.csv\?[^"]*list=board)"`)

// TestPipelineCSVKeepsThePagesFilters: the CSV of the board holds every
// match the page's region, stage and words keep, and the page links to it
// with its filters.
func TestPipelineCSVKeepsThePagesFilters(t *testing.T) {
	e := newEnv(t)
	_, _, _, p := pushed(t, e) // two banks, pushed and overdue, in 临泉 (341221)
	owner2, bank := e.enterprise("341202"), e.institution("341202")
	p2 := e.submitProject(owner2, e.createProject(owner2, "颍州区纺织园区改造"))
	now := time.Now()
	m := finzone.Match{ID: finzone.MatchID(p2.ID, bank.OrgID), ProjectID: p2.ID, InstitutionID: bank.OrgID, ProjectTitle: p2.Title,
		OwnerOrgID: owner2.OrgID, RegionCode: "341202", Role: finzone.RoleLead, Rank: 1, Stage: finzone.StageAccepted,
		DueAt: now.Add(72 * time.Hour), CreatedAt: now, UpdatedAt: now}
	if err := e.db.InsertMatches(ctx, []finzone.Match{m}); err != nil {
		t.Fatal(err)
	}
	coord := e.coordinator("341200")
	cases := []struct {
		query  string
		titles []string
	}{
		{"", []string{p.Title, p.Title, p2.Title}},
		{"region=341221", []string{p.Title, p.Title}},
		{"stage=accepted", []string{p2.Title}},
		{"q=" + url.QueryEscape("纺织"), []string{p2.Title}},
		{"region=341202&stage=pushed", nil},
		{"list=overdue", []string{p.Title, p.Title}},
		{"list=escalated", nil},
	}
	for _, c := range cases {
		var got []string
		for _, rec := range pipelineCSV(t, e, coord.Token, c.query) {
			got = append(got, rec[2])
		}
		slices.Sort(got)
		if !slices.Equal(got, c.titles) {
			t.Errorf("/pipeline.csv?%s: got %q, want %q", c.query, got, c.titles)
		}
	}
	// The page's link carries its filters, and leads to the same rows.
	page := e.page(pageReq{method: "GET", path: "/pipeline?region=341221&stage=pushed&q=" + url.QueryEscape("中药"), session: coord.Token})
	link := csvLink.FindSubmatch(page.Body)
	if link == nil {
		t.Fatalf("the pipeline page has no CSV link: %.300s", page.Body)
	}
	u, err := url.Parse(html.UnescapeString(string(link[1])))
	if err != nil || u.Query().Get("region") != "341221" || u.Query().Get("stage") != "pushed" || u.Query().Get("q") != "中药" {
		t.Fatalf("CSV link %q (%v): want the page's filters", link[1], err)
	}
	if rows := pipelineCSV(t, e, coord.Token, u.RawQuery); len(rows) != 2 || rows[0][3] != "341221" {
		t.Errorf("the link's CSV: got %q, want the two matches in 341221", rows)
	}
	// Tenants have no board, as CSV either.
	r := e.page(pageReq{method: "GET", path: "/pipeline.csv", session: owner2.Token})
	wantPage(t, r, http.StatusForbidden)
}

// TestMonthlyPrintView: the print view titles the document with the
// report's title and shows the three tables; tenants are refused.
func TestMonthlyPrintView(t *testing.T) {
	e := newEnv(t)
	coord := e.coordinator("341200")
	r := e.page(pageReq{method: "GET", path: "/reports/monthly?month=2026-02", session: coord.Token})
	wantPage(t, r, http.StatusOK, "<title>2026年2月 集群融资月报 · 阜阳市</title>", `id="table-county"`, `id="table-cluster"`,
		`id="table-institution"`, "阜阳市合计", "皖北小计", "申请金额（万元）", `href="/api/v1/reports/monthly?month=2026-02&format=xlsx&lang=zh"`)
	wantPage(t, e.page(pageReq{method: "GET", path: "/reports/monthly?month=2026-02", session: coord.Token, lang: "en"}), http.StatusOK,
		"<title>Cluster finance monthly report, February 2026 · 阜阳市</title>", "Amount requested (CNY 10k)")
	wantPage(t, e.page(pageReq{method: "GET", path: "/reports/monthly?month=26-02", session: coord.Token}), http.StatusBadRequest)
	ent := e.enterprise("341221")
	wantPage(t, e.page(pageReq{method: "GET", path: "/reports/monthly", session: ent.Token}), http.StatusForbidden)
	// The dashboard offers the downloads and the print view.
	wantPage(t, e.page(pageReq{method: "GET", path: "/dashboard", session: coord.Token}), http.StatusOK,
		`action="/api/v1/reports/monthly"`, `formaction="/reports/monthly"`, `value="csv"`)
}
