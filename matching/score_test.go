package matching

import (
	"testing"

	"finzone"
	"finzone/i18n"
)

// componentOf scores the base pair after a change and returns one component.
func componentOf(t *testing.T, name string, change func(pj *finzone.Project, pd *finzone.Product, in *Institution)) float64 {
	t.Helper()
	pj, pd, in := baseProject(), baseProduct(), baseInst()
	change(&pj, &pd, &in)
	w := DefaultWeights()
	c := scoreDomain(&pj, &pd, &in, &w)
	for i, n := range ComponentNames {
		if n == name {
			return float64(c[i]) / 100
		}
	}
	t.Fatalf("no component %s", name)
	return 0
}

func TestScoreComponents(t *testing.T) {
	type change = func(pj *finzone.Project, pd *finzone.Product, in *Institution)
	tests := []struct {
		name, comp string
		change     change
		want       float64
	}{
		{"rate at LPR", CompRate, func(_ *finzone.Project, pd *finzone.Product, _ *Institution) { pd.RateFloorBps = 300 }, 20},
		{"rate midway", CompRate, func(_ *finzone.Project, pd *finzone.Product, _ *Institution) { pd.RateFloorBps = 650 }, 10},
		{"rate too dear", CompRate, func(_ *finzone.Project, pd *finzone.Product, _ *Institution) { pd.RateFloorBps = 1200 }, 0},
		{"amount at range centre", CompAmountFit, func(pj *finzone.Project, pd *finzone.Product, _ *Institution) {
			pd.AmountMinYuan, pd.AmountMaxYuan, pj.AmountYuan = 1<<20, 1<<24, 1<<22
		}, 15},
		{"amount at range edge", CompAmountFit, func(pj *finzone.Project, pd *finzone.Product, _ *Institution) {
			pd.AmountMinYuan, pd.AmountMaxYuan, pj.AmountYuan = 1<<20, 1<<24, 1<<20
		}, 7.5},
		{"syndicate ticket covers half", CompAmountFit, func(pj *finzone.Project, pd *finzone.Product, _ *Institution) {
			pj.AmountYuan, pd.MaxTicketYuan = 20_000_000, 10_000_000
		}, 3.75},
		{"term at centre", CompTermFit, func(pj *finzone.Project, _ *finzone.Product, _ *Institution) { pj.TermMonths = 36 }, 10},
		{"term at edge", CompTermFit, func(pj *finzone.Project, _ *finzone.Product, _ *Institution) { pj.TermMonths = 60 }, 5},
		{"generalist", CompSpecialisation, func(*finzone.Project, *finzone.Product, *Institution) {}, 5.99},
		{"section", CompSpecialisation, func(_ *finzone.Project, pd *finzone.Product, _ *Institution) { pd.IndustryInclude = []string{"C"} }, 11.99},
		{"exact division", CompSpecialisation, func(_ *finzone.Project, pd *finzone.Product, _ *Institution) { pd.IndustryInclude = []string{"C13"} }, 20},
		{"green project, product not green", CompSpecialisation, func(pj *finzone.Project, pd *finzone.Product, _ *Institution) {
			pj.Green, pd.IndustryInclude = true, []string{"C13"}
		}, 15},
		{"green project, green product", CompSpecialisation, func(pj *finzone.Project, pd *finzone.Product, _ *Institution) {
			pj.Green, pd.IndustryInclude = true, []string{"C13"}
			pd.ProjectTypes = append(pd.ProjectTypes, finzone.TypeGreenLowCarbon)
		}, 20},
		{"tech project, tech product", CompSpecialisation, func(pj *finzone.Project, pd *finzone.Product, _ *Institution) {
			pj.Tech, pd.IndustryInclude = true, []string{"C13"}
			pd.ProjectTypes = append(pd.ProjectTypes, finzone.TypeTechInnovation)
		}, 20},
		{"same county", CompLocality, func(*finzone.Project, *finzone.Product, *Institution) {}, 15},
		{"same city", CompLocality, func(_ *finzone.Project, _ *finzone.Product, in *Institution) { in.RegionCode = "341200" }, 8.99},
		{"elsewhere", CompLocality, func(_ *finzone.Project, _ *finzone.Product, in *Institution) { in.RegionCode = "340000" }, 2.98},
		{"no track record", CompTrackRecord, func(*finzone.Project, *finzone.Product, *Institution) {}, 7.5},
		{"perfect record", CompTrackRecord, func(_ *finzone.Project, _ *finzone.Product, in *Institution) {
			in.Pushed, in.ResponseRateBps, in.ApprovalRateBps = 10, 10_000, 10_000
		}, 15},
		{"poor record", CompTrackRecord, func(_ *finzone.Project, _ *finzone.Product, in *Institution) {
			in.Pushed, in.ResponseRateBps, in.ApprovalRateBps = 10, 2_000, 0
		}, 1.49},
		{"idle", CompLoad, func(*finzone.Project, *finzone.Product, *Institution) {}, 5},
		{"busy", CompLoad, func(_ *finzone.Project, _ *finzone.Product, in *Institution) { in.LiveLoad = 20 }, 2.5},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := componentOf(t, tt.comp, tt.change); got != tt.want {
				t.Fatalf("%s: got %v, want %v", tt.comp, got, tt.want)
			}
		})
	}
}

func TestScoreIsSumOfComponents(t *testing.T) {
	idx := NewIndex(Config{})
	pd := baseProduct()
	idx.Upsert(pd, baseInst())
	sel := idx.Select(baseProject(), now)
	p := sel.Lead()
	if p == nil {
		t.Fatal("no lead")
	}
	var sum, maxSum float64
	for _, c := range p.Components {
		sum += c.Value
		maxSum += c.Max
		if c.Value < 0 || c.Value > c.Max {
			t.Errorf("%s: %v outside [0, %v]", c.Name, c.Value, c.Max)
		}
		if !i18n.Has(finzone.LangZH, i18n.Key("score."+c.Name)) || !i18n.Has(finzone.LangEN, i18n.Key("score."+c.Name)) {
			t.Errorf("%s: no label", c.Name)
		}
	}
	if diff := sum - p.Score; diff > 1e-9 || diff < -1e-9 || maxSum != 100 {
		t.Fatalf("score %v, components sum %v of %v", p.Score, sum, maxSum)
	}
}

// Higher-scoring institutions rank first; equal scores go by institution ID.
func TestRankingTies(t *testing.T) {
	idx := NewIndex(Config{Partners: 2})
	for _, id := range []string{"in3", "in1", "in2", "in0"} {
		pd := baseProduct()
		pd.ID, pd.OwnerOrgID = "pd-"+id, id
		in := baseInst()
		in.ID = id
		if id == "in0" {
			in.Kind = finzone.KindLeasing // may not lead
		}
		idx.Upsert(pd, in)
	}
	sel := idx.Select(baseProject(), now)
	if got := ids(sel.Leads); len(got) != 1 || sel.Leads[0].InstitutionID != "in1" {
		t.Fatalf("leads %v, want in1", got)
	}
	var got []string
	for _, p := range append(sel.Partners, sel.Waitlist...) {
		got = append(got, p.InstitutionID)
	}
	if want := []string{"in0", "in2", "in3"}; !equal(got, want) {
		t.Fatalf("partners then waitlist: got %v, want %v", got, want)
	}
}

func equal(a, b []string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}
