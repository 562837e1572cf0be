package api_test

import (
	"bytes"
	"context"
	"encoding/csv"
	"math"
	"math/rand/v2"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"finzone"
	"finzone/demo"
	"finzone/i18n"
	"finzone/usecase"
)

// The monthly report on demo data: the generator's clusters, enterprises,
// institutions and projects (submitted from December 2025 to February
// 2026), and the matches the pipeline would have made of them, written to
// the store with pushes, acceptances, offers and tranches on known days.

const reportMonth = "2026-02"

var cst = time.FixedZone("CST", 8*3600)

// reportData is what the test wrote, to check the report against.
type reportData struct {
	projects []finzone.Project
	matches  []finzone.Match
}

// inFeb reports whether t lies in reportMonth, China time.
func inFeb(t time.Time) bool {
	from := time.Date(2026, 2, 1, 0, 0, 0, 0, cst)
	return !t.Before(from) && t.Before(from.AddDate(0, 1, 0))
}

// seedReportData writes the demo data and its matches.
func seedReportData(t *testing.T, e *env) reportData {
	t.Helper()
	ctx := context.Background()
	db, ok := e.db.(interface {
		CreateOrgs(ctx context.Context, orgs []finzone.Organization) ([]bool, error)
		InsertMatches(ctx context.Context, ms []finzone.Match) error
	})
	if !ok {
		t.Fatal("the store cannot take the demo data")
	}
	d := demo.Generate(7, demo.Scale{Clusters: 12, Enterprises: 60, Institutions: 12, Projects: 160})
	for _, c := range d.Clusters {
		if err := e.db.UpsertCluster(ctx, c); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := db.CreateOrgs(ctx, slices.Concat(d.Enterprises, d.Institutions)); err != nil {
		t.Fatal(err)
	}
	var banks []finzone.Organization
	for _, o := range d.Institutions {
		if o.Kind == finzone.KindBank {
			banks = append(banks, o)
		}
	}
	var out reportData
	r := rand.New(rand.NewPCG(7, 14))
	for i := range d.Projects {
		p := d.Projects[i]
		if err := e.db.CreateProject(ctx, &p); err != nil {
			t.Fatal(err)
		}
		out.projects = append(out.projects, p)
		if p.Status != finzone.ProjectDraft {
			out.matches = append(out.matches, demoMatches(r, p, banks)...)
		}
	}
	if err := db.InsertMatches(ctx, out.matches); err != nil {
		t.Fatal(err)
	}
	return out
}

// demoMatches are one to three banks' matches of a submitted project: most
// accepted within days, some approved weeks later (on credit or mortgage,
// for 6 to 60 months), some of those paid out in one or two tranches.
func demoMatches(r *rand.Rand, p finzone.Project, banks []finzone.Organization) []finzone.Match {
	var out []finzone.Match
	hour := func(n int) time.Duration { return time.Duration(n) * time.Hour }
	for _, k := range r.Perm(len(banks))[:1+r.IntN(3)] {
		pushed := p.SubmittedAt.Add(hour(r.IntN(72)))
		m := finzone.Match{ID: finzone.MatchID(p.ID, banks[k].ID), ProjectID: p.ID, InstitutionID: banks[k].ID, ProjectTitle: p.Title,
			ProjectAmountYuan: p.AmountYuan, OwnerOrgID: p.OwnerOrgID, RegionCode: p.RegionCode, ClusterID: p.ClusterID,
			Role: finzone.RolePartner, Rank: 1 + len(out), Stage: finzone.StagePushed, CreatedAt: pushed, UpdatedAt: pushed,
			Events: []finzone.Event{{At: pushed, Actor: "system", Action: "push", To: finzone.StagePushed}}}
		step := func(at time.Time, to finzone.Stage) {
			m.Events = append(m.Events, finzone.Event{At: at, Actor: "u", Action: "step", From: m.Stage, To: to})
			m.Stage, m.UpdatedAt = to, at
		}
		if r.IntN(10) < 7 {
			at := pushed.Add(hour(2 + r.IntN(120)))
			step(at, finzone.StageAccepted)
			if r.IntN(2) == 0 {
				at = at.Add(hour(24 * (5 + r.IntN(25))))
				step(at, finzone.StageApproved)
				mode := []finzone.Collateral{finzone.CollateralCredit, finzone.CollateralMortgage}[r.IntN(2)]
				m.Offer = finzone.Offer{AmountYuan: p.AmountYuan / 10_000 / 3 * 10_000, TermMonths: 6 * (1 + r.IntN(10)),
					GuaranteeMode: mode, RateBps: 400, Status: finzone.OfferAccepted}
				if r.IntN(3) > 0 {
					at = at.Add(hour(24 * (3 + r.IntN(15))))
					step(at, finzone.StageDisbursed)
					half := m.Offer.AmountYuan / 20_000 * 10_000
					m.Tranches = []finzone.Tranche{{AmountYuan: half, Date: at}, {AmountYuan: m.Offer.AmountYuan - half, Date: at.Add(hour(24 * 12))}}
				}
			}
		}
		out = append(out, m)
	}
	return out
}

// sheet is a table read back: its title, headers and rows (raw values).
type sheet struct {
	title string
	head  []string
	rows  [][]string
}

func (s sheet) col(t *testing.T, header string) int {
	t.Helper()
	i := slices.Index(s.head, header)
	if i < 0 {
		t.Fatalf("no column %q among %q", header, s.head)
	}
	return i
}

// num is a row's number in a column; blank is 0.
func num(t *testing.T, row []string, i int) float64 {
	t.Helper()
	if i >= len(row) || row[i] == "" {
		return 0
	}
	v, err := strconv.ParseFloat(row[i], 64)
	if err != nil {
		t.Fatalf("cell %q of %q is not a number", row[i], row)
	}
	return v
}

// readSheets opens a workbook and reads every sheet.
func readSheets(t *testing.T, body []byte) (*excelize.File, map[string]sheet, []string) {
	t.Helper()
	f, err := excelize.OpenReader(bytes.NewReader(body))
	if err != nil {
		t.Fatalf("open the xlsx: %v", err)
	}
	t.Cleanup(func() { f.Close() })
	out := map[string]sheet{}
	for _, name := range f.GetSheetList() {
		rows, err := f.GetRows(name, excelize.Options{RawCellValue: true})
		if err != nil || len(rows) < 2 {
			t.Fatalf("sheet %s: %d rows, %v", name, len(rows), err)
		}
		out[name] = sheet{title: rows[0][0], head: rows[1], rows: rows[2:]}
	}
	return f, out, f.GetSheetList()
}

// splitSummary splits a table's rows from its trailing summary rows, named
// by label.
func splitSummary(t *testing.T, s sheet, labels []string) (rows [][]string, summary map[string][]string) {
	t.Helper()
	n := len(s.rows) - len(labels)
	if n < 0 {
		t.Fatalf("%d rows, want at least the %d summary rows", len(s.rows), len(labels))
	}
	summary = map[string][]string{}
	for i, label := range labels {
		row := s.rows[n+i]
		if row[0] != label {
			t.Fatalf("summary row %d: got %q, want %q", i, row[0], label)
		}
		summary[label] = row
	}
	return s.rows[:n], summary
}

func zh(key string) string { return i18n.T(finzone.LangZH, i18n.Key(key)) }

// checkSums checks every summed column of rows adds up to total, and that
// the total's rates are its own sums' ratios. Institution tables leave the
// project columns blank: a project is no one institution's.
func checkSums(t *testing.T, name string, s sheet, rows [][]string, total []string, lang finzone.Lang) {
	t.Helper()
	header := func(col string) int { return s.col(t, i18n.T(lang, i18n.Key("monthly.col."+col))) }
	for _, c := range usecase.MonthlyColumns {
		if !c.Summed || c.Projects && strings.HasSuffix(name, usecase.TableInstitution) {
			continue
		}
		i := header(c.Name)
		var sum float64
		for _, row := range rows {
			sum += num(t, row, i)
		}
		if math.Abs(sum-num(t, total, i)) > 1e-6 {
			t.Errorf("%s: column %s: the rows add up to %v, the total says %v", name, c.Name, sum, num(t, total, i))
		}
	}
	for _, rate := range []struct{ col, num, den string }{
		{"accept_rate", "accepted", "pushes"}, {"credit_share", "credit", "disbursed"}, {"long_term_share", "long_term", "disbursed"},
	} {
		n, d, got := num(t, total, header(rate.num)), num(t, total, header(rate.den)), num(t, total, header(rate.col))
		if d == 0 || math.Abs(got-n/d) > 1e-9 {
			t.Errorf("%s: total %s: got %v, want %v / %v", name, rate.col, got, n, d)
		}
	}
}

func TestMonthlyReportXLSXAddsUp(t *testing.T) {
	e := newEnv(t)
	data := seedReportData(t, e)
	coord := e.coordinator("340000")
	start := time.Now()
	res := e.do("GET", "/api/v1/reports/monthly?month="+reportMonth+"&format=xlsx", coord.Token, nil)
	took := time.Since(start)
	if res.Status != http.StatusOK {
		t.Fatalf("got %s, want 200", res)
	}
	t.Logf("monthly xlsx of %d projects and %d matches: %d bytes in %v", len(data.projects), len(data.matches), len(res.Body), took)
	if got := res.Header.Get("Content-Type"); got != "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet" {
		t.Errorf("content type: got %q", got)
	}
	if got := res.Header.Get("Content-Disposition"); got != `attachment; filename="finzone-monthly-2026-02-340000.xlsx"` {
		t.Errorf("content disposition: got %q", got)
	}
	f, sheets, names := readSheets(t, res.Body)
	if want := []string{zh("monthly.table.county"), zh("monthly.table.cluster"), zh("monthly.table.institution")}; !slices.Equal(names, want) {
		t.Fatalf("sheets: got %q, want %q", names, want)
	}
	labels := []string{"皖北小计", "大别山革命老区小计", "安徽省合计"}
	county := sheets[names[0]]
	if county.title != "2026年2月 集群融资月报 · 安徽省" {
		t.Errorf("title: got %q", county.title)
	}
	rows, summary := splitSummary(t, county, labels)
	if n := len(rows); n < 100 {
		t.Errorf("county rows: got %d, want every county-level division of the province", n)
	}
	checkSums(t, "county", county, rows, summary["安徽省合计"], finzone.LangZH)
	checkFlagged(t, county, rows, summary)
	checkAgainstData(t, county, summary["安徽省合计"], data)
	for i, name := range names[1:] {
		s := sheets[name]
		rows, sum := splitSummary(t, s, labels)
		checkSums(t, []string{usecase.TableCluster, usecase.TableInstitution}[i], s, rows, sum["安徽省合计"], finzone.LangZH)
		for i, c := range usecase.MonthlyColumns {
			if got, want := sum["安徽省合计"][2+i], summary["安徽省合计"][2+i]; got != want && !(c.Projects && name == names[2]) {
				t.Errorf("%s: total %s is %s, the county sheet's %s", name, c.Name, got, want)
			}
		}
	}
	checkFormats(t, f, names[0], county)
}

// checkFlagged: each subtotal adds up the counties carrying its flag.
func checkFlagged(t *testing.T, s sheet, rows [][]string, summary map[string][]string) {
	t.Helper()
	code, disbursed := s.col(t, zh("monthly.col.region")), s.col(t, zh("monthly.col.disbursed"))
	want := map[string]float64{}
	for _, row := range rows {
		r, _ := finzone.LookupRegion(row[code])
		if r.Wanbei {
			want["皖北小计"] += num(t, row, disbursed)
		}
		if r.Dabie {
			want["大别山革命老区小计"] += num(t, row, disbursed)
		}
	}
	for label, v := range want {
		if got := num(t, summary[label], disbursed); math.Abs(got-v) > 1e-6 {
			t.Errorf("%s: disbursed %v, the flagged counties add up to %v", label, got, v)
		}
	}
	if want["皖北小计"] == 0 {
		t.Errorf("no money disbursed in 皖北 in the test data: the subtotal check is empty")
	}
}

// checkAgainstData: the total is what the test wrote in the month.
func checkAgainstData(t *testing.T, s sheet, total []string, data reportData) {
	t.Helper()
	var projects, pushes int
	var requested, disbursed int64
	for _, p := range data.projects {
		if p.Status != finzone.ProjectDraft && inFeb(p.SubmittedAt) {
			projects++
			requested += p.AmountYuan
		}
	}
	for _, m := range data.matches {
		if inFeb(m.CreatedAt) {
			pushes++
		}
		for _, tr := range m.Tranches {
			if inFeb(tr.Date) {
				disbursed += tr.AmountYuan
			}
		}
	}
	for _, c := range []struct {
		col  string
		want float64
	}{{"projects", float64(projects)}, {"requested", float64(requested) / 1e4}, {"pushes", float64(pushes)}, {"disbursed", float64(disbursed) / 1e4}} {
		if got := num(t, total, s.col(t, zh("monthly.col."+c.col))); math.Abs(got-c.want) > 1e-6 || c.want == 0 {
			t.Errorf("total %s: got %v, want %v (non-zero)", c.col, got, c.want)
		}
	}
}

// checkFormats: money is a number formatted in 万元, rates a percent.
func checkFormats(t *testing.T, f *excelize.File, name string, s sheet) {
	t.Helper()
	for _, c := range []struct{ col, format string }{{"requested", "#,##0.00"}, {"accept_rate", "0.0%"}, {"projects", "#,##0"}} {
		i := s.col(t, zh("monthly.col."+c.col))
		cell, _ := excelize.CoordinatesToCellName(i+1, len(s.rows)+2)
		id, err := f.GetCellStyle(name, cell)
		if err != nil {
			t.Fatal(err)
		}
		st, err := f.GetStyle(id)
		if err != nil || st.CustomNumFmt == nil || *st.CustomNumFmt != c.format {
			t.Errorf("%s %s: number format %v (%v), want %q", c.col, cell, st, err, c.format)
		}
		if typ, _ := f.GetCellType(name, cell); typ == excelize.CellTypeSharedString || typ == excelize.CellTypeInlineString {
			t.Errorf("%s %s is text, want a number", c.col, cell)
		}
	}
}

func TestMonthlyReportCSVAndEnglish(t *testing.T) {
	e := newEnv(t)
	seedReportData(t, e)
	coord := e.coordinator("340000")
	res := e.do("GET", "/api/v1/reports/monthly?month="+reportMonth+"&format=csv&lang=en", coord.Token, nil)
	if res.Status != http.StatusOK || res.Header.Get("Content-Type") != "text/csv; charset=utf-8" ||
		res.Header.Get("Content-Disposition") != `attachment; filename="finzone-monthly-2026-02-340000.csv"` {
		t.Fatalf("got %d %q %q", res.Status, res.Header.Get("Content-Type"), res.Header.Get("Content-Disposition"))
	}
	recs, err := csv.NewReader(bytes.NewReader(bytes.TrimPrefix(res.Body, []byte("\ufeff")))).ReadAll()
	if err != nil {
		t.Fatalf("read the csv: %v", err)
	}
	// Rows without the table and key columns read as the sheets' do.
	s := sheet{head: recs[0][2:]}
	byTable := map[string][][]string{}
	for _, rec := range recs[1:] {
		byTable[rec[0]] = append(byTable[rec[0]], rec[2:])
	}
	if s.head[0] != "Name" || !slices.Contains(s.head, "Amount requested (CNY 10k)") || !slices.Contains(s.head, "Acceptance rate") {
		t.Errorf("English headers: got %q", recs[0])
	}
	summary := byTable["summary"]
	if len(summary) != 3 || summary[2][0] != "Total: 安徽省" {
		t.Fatalf("summary rows: got %q", summary)
	}
	for _, table := range []string{"county", "cluster", "institution"} {
		if len(byTable[table]) == 0 {
			t.Fatalf("no %s rows", table)
		}
		checkSums(t, "csv "+table, s, byTable[table], summary[2], finzone.LangEN)
	}

	// The workbook in English names its sheets and headers in English.
	res = e.do("GET", "/api/v1/reports/monthly?month="+reportMonth+"&lang=en", coord.Token, nil)
	_, sheets, names := readSheets(t, res.Body)
	if !slices.Equal(names, []string{"By county", "By cluster", "By institution"}) || sheets["By county"].head[2] != "Projects submitted" ||
		sheets["By county"].title != "Cluster finance monthly report, February 2026 · 安徽省" {
		t.Errorf("English workbook: sheets %q, headers %q, title %q", names, sheets["By county"].head, sheets["By county"].title)
	}
	// Without lang, the request's language decides.
	res = e.send(req{method: "GET", path: "/api/v1/reports/monthly?month=" + reportMonth + "&format=csv", token: coord.Token, lang: "en-US"})
	if !strings.Contains(string(res.Body), "Projects submitted") {
		t.Errorf("Accept-Language en: got headers %.200q", res.Body)
	}
}

func TestMonthlyReportScope(t *testing.T) {
	e := newEnv(t)
	seedReportData(t, e)
	province, fuyang := e.coordinator("340000"), e.coordinator("341200")
	read := func(a account) (sheet, [][]string) {
		res := e.do("GET", "/api/v1/reports/monthly?month="+reportMonth, a.Token, nil)
		if res.Status != http.StatusOK {
			t.Fatalf("got %s", res)
		}
		_, sheets, names := readSheets(t, res.Body)
		return sheets[names[0]], sheets[names[0]].rows
	}
	all, allRows := read(province)
	city, _ := read(fuyang)
	if city.title != "2026年2月 集群融资月报 · 阜阳市" {
		t.Errorf("city title: got %q", city.title)
	}
	rows, summary := splitSummary(t, city, []string{"皖北小计", "阜阳市合计"})
	code := city.col(t, zh("monthly.col.region"))
	for _, row := range rows {
		if r, _ := finzone.LookupRegion(row[code]); r.CityCode != "341200" {
			t.Errorf("阜阳's report lists %q (%s)", row[0], row[code])
		}
	}
	checkSums(t, "阜阳", city, rows, summary["阜阳市合计"], finzone.LangZH)
	// 阜阳's rows are the province report's rows for the same counties.
	pushes := all.col(t, zh("monthly.col.pushes"))
	var want float64
	for _, row := range allRows {
		if r, ok := finzone.LookupRegion(row[code]); ok && r.CityCode == "341200" {
			want += num(t, row, pushes)
		}
	}
	if got := num(t, summary["阜阳市合计"], pushes); got != want || want == 0 {
		t.Errorf("阜阳's pushes: got %v, the province report's 阜阳 rows %v (want non-zero)", got, want)
	}

	// Tenants get 403, strangers 401.
	for _, a := range []account{e.enterprise("341200"), e.institution("341200")} {
		wantError(t, e.do("GET", "/api/v1/reports/monthly", a.Token, nil), http.StatusForbidden, finzone.ECForbidden)
	}
	wantError(t, e.do("GET", "/api/v1/reports/monthly", "", nil), http.StatusUnauthorized, finzone.ECUnauthenticated)
}

func TestMonthlyReportBadInput(t *testing.T) {
	e := newEnv(t)
	coord := e.coordinator("340000")
	next := time.Now().In(cst).AddDate(0, 1, 0).Format("2006-01")
	cases := []struct {
		query string
		want  []fieldCode
	}{
		{"month=2026-13", []fieldCode{{"month", finzone.FCInvalid}}},
		{"month=2026-2", []fieldCode{{"month", finzone.FCInvalid}}},
		{"month=" + next, []fieldCode{{"month", finzone.FCOutOfRange}}},
		{"month=1999-12", []fieldCode{{"month", finzone.FCOutOfRange}}},
		{"format=pdf&lang=fr", []fieldCode{{"format", finzone.FCInvalid}, {"lang", finzone.FCInvalid}}},
	}
	for _, c := range cases {
		r := e.send(req{method: "GET", path: "/api/v1/reports/monthly?" + c.query, token: coord.Token, lang: "en"})
		got := wantError(t, r, http.StatusBadRequest, finzone.ECValidation, c.want...)
		if len(got.Fields) != len(c.want) {
			t.Errorf("%s: got fields %+v, want %v", c.query, got.Fields, c.want)
		}
	}
	// No month: the previous month.
	prev := time.Now().In(cst)
	prev = time.Date(prev.Year(), prev.Month(), 1, 0, 0, 0, 0, cst).AddDate(0, -1, 0)
	r := e.do("GET", "/api/v1/reports/monthly?format=csv", coord.Token, nil)
	if want := "finzone-monthly-" + prev.Format("2006-01") + "-340000.csv"; r.Status != http.StatusOK || !strings.Contains(r.Header.Get("Content-Disposition"), want) {
		t.Errorf("no month: got %d %q, want %s", r.Status, r.Header.Get("Content-Disposition"), want)
	}
}
