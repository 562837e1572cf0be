package usecase

import (
	"reflect"
	"slices"
	"testing"
	"time"

	"finzone"
)

// The monthly report's arithmetic, on hand-made projects and matches.

var nov = spanOf(time.Date(2026, 11, 1, 0, 0, 0, 0, chinaTime))

func day(d int, h int) time.Time { return time.Date(2026, 11, d, h, 0, 0, 0, chinaTime) }

// lent is a lender match pushed at pushed, accepted after acceptDays (0:
// never), approved on approved (zero: never) for amount on mode and term,
// with tranches.
func lent(id, owner, region, cluster, inst string, pushed time.Time, acceptDays float64, approved time.Time, amount int64,
	mode finzone.Collateral, term int, tranches ...finzone.Tranche) finzone.Match {
	m := finzone.Match{ID: id, OwnerOrgID: owner, RegionCode: region, ClusterID: cluster, InstitutionID: inst, Role: finzone.RolePartner,
		Stage: finzone.StagePushed, CreatedAt: pushed, Tranches: tranches,
		Offer: finzone.Offer{AmountYuan: amount, GuaranteeMode: mode, TermMonths: term}}
	if acceptDays > 0 {
		m.Stage = finzone.StageAccepted
		m.Events = append(m.Events, finzone.Event{At: pushed.Add(time.Duration(acceptDays * 24 * float64(time.Hour))),
			From: finzone.StagePushed, To: finzone.StageAccepted})
	}
	if !approved.IsZero() {
		m.Stage = finzone.StageApproved
		m.Events = append(m.Events, finzone.Event{At: approved, From: finzone.StageCreditReview, To: finzone.StageApproved})
	}
	return m
}

func TestTallyMonth(t *testing.T) {
	oct := time.Date(2026, 10, 20, 0, 0, 0, 0, chinaTime)
	projects := []finzone.Project{
		{RegionCode: "341221", ClusterID: "c1", AmountYuan: 5_000_000, Status: finzone.ProjectMatching, SubmittedAt: day(3, 9)},
		{RegionCode: "341221", AmountYuan: 1_000_000, Status: finzone.ProjectSubmitted, SubmittedAt: day(30, 23)},
		{RegionCode: "341221", AmountYuan: 9_000_000, Status: finzone.ProjectDraft, CreatedAt: day(4, 9)},      // a draft: never
		{RegionCode: "340102", AmountYuan: 2_000_000, Status: finzone.ProjectMatching, SubmittedAt: oct},       // October
		{RegionCode: "340102", AmountYuan: 3_000_000, Status: finzone.ProjectMatching, CreatedAt: day(10, 9)},  // no submit time: created
		{RegionCode: "340102", AmountYuan: 4_000_000, Status: finzone.ProjectMatching, SubmittedAt: day(1, 0)}, // first instant
		{RegionCode: "340102", AmountYuan: 4_000_000, Status: finzone.ProjectMatching, SubmittedAt: nov.to},    // December
	}
	enhancer := lent("e", "ent9", "341221", "c1", "g1", day(5, 9), 1, day(9, 9), 1_000_000, finzone.CollateralCredit, 24,
		finzone.Tranche{AmountYuan: 1_000_000, Date: day(9, 9)})
	enhancer.Role = finzone.RoleEnhancer
	matches := []finzone.Match{
		// ent1's first loan: credit, 36 months, paid in November.
		lent("m1", "ent1", "341221", "c1", "b1", day(2, 9), 1, day(12, 9), 3_000_000, finzone.CollateralCredit, 36,
			finzone.Tranche{AmountYuan: 2_000_000, Date: day(20, 9)}, finzone.Tranche{AmountYuan: 500_000, Date: nov.to}),
		// ent1 again at another bank: not a first loan; mortgage, 12 months.
		lent("m2", "ent1", "341221", "c1", "b2", day(2, 9), 3, day(15, 9), 1_000_000, finzone.CollateralMortgage, 12,
			finzone.Tranche{AmountYuan: 1_000_000, Date: day(25, 9)}),
		// ent2 had its first loan in October: November's tranche is not a first loan.
		lent("m3", "ent2", "340102", "", "b1", oct, 2, oct, 2_000_000, finzone.CollateralCredit, 24,
			finzone.Tranche{AmountYuan: 1_000_000, Date: oct}, finzone.Tranche{AmountYuan: 1_000_000, Date: day(5, 9)}),
		// Pushed in November, never accepted.
		lent("m4", "ent3", "340102", "", "b2", day(7, 9), 0, time.Time{}, 0, "", 0),
		// Pushed in November, accepted, no approval yet.
		lent("m5", "ent3", "340102", "", "b1", day(7, 9), 5, time.Time{}, 0, "", 0),
		enhancer,
	}
	got := tallyMonth(nov, projects, matches)

	wantRows := []struct {
		name string
		row  *ReportRow
		want ReportRow
	}{
		{"county 341221", got.counties["341221"], ReportRow{Projects: 2, RequestedYuan: 6_000_000, Pushes: 2, Accepted: 2, Offers: 2,
			ApprovedYuan: 4_000_000, DisbursedYuan: 3_000_000, CreditYuan: 2_000_000, LongTermYuan: 2_000_000, FirstLoans: 1}},
		{"county 340102", got.counties["340102"], ReportRow{Projects: 2, RequestedYuan: 7_000_000, Pushes: 2, Accepted: 1,
			DisbursedYuan: 1_000_000, CreditYuan: 1_000_000, LongTermYuan: 1_000_000}},
		{"cluster c1", got.clusters["c1"], ReportRow{Projects: 1, RequestedYuan: 5_000_000, Pushes: 2, Accepted: 2, Offers: 2,
			ApprovedYuan: 4_000_000, DisbursedYuan: 3_000_000, CreditYuan: 2_000_000, LongTermYuan: 2_000_000, FirstLoans: 1}},
		{"no cluster", got.clusters[""], ReportRow{Projects: 3, RequestedYuan: 8_000_000, Pushes: 2, Accepted: 1,
			DisbursedYuan: 1_000_000, CreditYuan: 1_000_000, LongTermYuan: 1_000_000}},
		{"bank b1", got.institutions["b1"], ReportRow{Pushes: 2, Accepted: 2, Offers: 1, ApprovedYuan: 3_000_000,
			DisbursedYuan: 3_000_000, CreditYuan: 3_000_000, LongTermYuan: 3_000_000, FirstLoans: 1}},
		{"bank b2", got.institutions["b2"], ReportRow{Pushes: 2, Accepted: 1, Offers: 1, ApprovedYuan: 1_000_000, DisbursedYuan: 1_000_000}},
	}
	for _, c := range wantRows {
		if c.row == nil {
			t.Errorf("%s: no row", c.name)
			continue
		}
		g := *c.row
		g.Key, g.acceptDays = "", nil
		if !reflect.DeepEqual(g, c.want) {
			t.Errorf("%s:\n got %+v\nwant %+v", c.name, g, c.want)
		}
	}
	if _, ok := got.institutions["g1"]; ok {
		t.Errorf("a guarantee firm's match counts as financing: %+v", got.institutions["g1"])
	}
	if len(got.counties) != 2 || len(got.institutions) != 2 {
		t.Errorf("rows: got %d counties and %d institutions, want 2 and 2", len(got.counties), len(got.institutions))
	}
	if d, ok := got.counties["341221"].MedianAcceptDays(); !ok || d != 2 {
		t.Errorf("median days to accept of 1 and 3: got %v %v, want 2", d, ok)
	}
}

// TestRatesOfSums: a total's rates and median come from the summed counts
// and pooled samples, not from the rows' rates.
func TestRatesOfSums(t *testing.T) {
	rows := []ReportRow{
		{Key: "a", Pushes: 1, Accepted: 1, DisbursedYuan: 100, CreditYuan: 100, acceptDays: []float64{1}},
		{Key: "b", Pushes: 9, Accepted: 0, DisbursedYuan: 900, LongTermYuan: 900},
		{Key: "c", Pushes: 10, Accepted: 5, acceptDays: []float64{2, 4, 6, 8, 10}},
	}
	total := sumRows("total", rows, func(ReportRow) bool { return true })
	cases := []struct {
		name string
		f    func(ReportRow) (float64, bool)
		want float64
		ok   bool
	}{
		{"acceptance rate", ReportRow.AcceptRate, 6.0 / 20, true}, // the rows' rates average (1+0+0.5)/3 = 0.5
		{"credit share", ReportRow.CreditShare, 0.1, true},        // averaged: (1+0)/2 = 0.5
		{"long-term share", ReportRow.LongTermShare, 0.9, true},
		{"median days", ReportRow.MedianAcceptDays, 5, true}, // of 1,2,4,6,8,10; the rows' medians 1 and 6
	}
	for _, c := range cases {
		if got, ok := c.f(total); got != c.want || ok != c.ok {
			t.Errorf("%s: got %v %v, want %v %v", c.name, got, ok, c.want, c.ok)
		}
	}
	for _, f := range []func(ReportRow) (float64, bool){ReportRow.AcceptRate, ReportRow.CreditShare, ReportRow.MedianAcceptDays} {
		if _, ok := f(ReportRow{}); ok {
			t.Errorf("a rate of nothing is defined")
		}
	}
}

func TestRowsOfListsEveryKeyAndKeepsNoClusterLast(t *testing.T) {
	table := map[string]*ReportRow{"b": {Key: "b", Pushes: 1}, "": {Key: "", Pushes: 2}, "z": {Key: "z", Pushes: 3}}
	got := rowsOf(table, []string{"a", "b"}, lastEmpty)
	var keys []string
	var pushes int64
	for _, r := range got {
		keys = append(keys, r.Key)
		pushes += r.Pushes
	}
	if want := []string{"a", "b", "z", ""}; !slices.Equal(keys, want) || pushes != 6 {
		t.Errorf("rows: got %q (pushes %d), want %q (6)", keys, pushes, want)
	}
}

func TestSummariesFollowTheScope(t *testing.T) {
	rows := []ReportRow{{Key: "341522", Pushes: 1}, {Key: "340102", Pushes: 2}, {Key: "341221", Pushes: 4}, {Key: "341524", Pushes: 8}}
	cases := []struct {
		name  string
		scope []string
		want  map[string]int64
	}{
		// 霍邱 (341522) is in both 皖北 and 大别山; 临泉 (341221) 皖北; 金寨 (341524) 大别山.
		{"province", nil, map[string]int64{SummaryWanbei: 5, SummaryDabie: 9, SummaryTotal: 15}},
		{"合肥 has neither", finzone.ExpandRegions([]string{"340100"}), map[string]int64{SummaryTotal: 15}},
	}
	for _, c := range cases {
		got := map[string]int64{}
		for _, r := range summaries(rows, c.scope) {
			got[r.Key] = r.Pushes
		}
		if len(got) != len(c.want) {
			t.Errorf("%s: got %v, want %v", c.name, got, c.want)
		}
		for k, v := range c.want {
			if got[k] != v {
				t.Errorf("%s: %s got %d, want %d", c.name, k, got[k], v)
			}
		}
	}
}
