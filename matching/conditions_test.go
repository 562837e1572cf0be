package matching

import (
	"reflect"
	"strings"
	"testing"
	"time"

	"finzone"
	"finzone/i18n"
)

// Each case breaks exactly one hard filter of an otherwise eligible pair.
func TestFilters(t *testing.T) {
	tests := []struct {
		name   string
		change func(pj *finzone.Project, pd *finzone.Product, in *Institution)
		want   []string // reason codes; nil: eligible
	}{
		{"eligible", func(*finzone.Project, *finzone.Product, *Institution) {}, nil},
		{"amount below min", func(pj *finzone.Project, _ *finzone.Product, _ *Institution) { pj.AmountYuan = 999_999 }, []string{ReasonAmountBelowMin}},
		{"amount at min", func(pj *finzone.Project, _ *finzone.Product, _ *Institution) { pj.AmountYuan = 1_000_000 }, nil},
		{"amount at max", func(pj *finzone.Project, _ *finzone.Product, _ *Institution) { pj.AmountYuan = 10_000_000 }, nil},
		{"amount above max", func(pj *finzone.Project, _ *finzone.Product, _ *Institution) { pj.AmountYuan = 10_000_001 }, []string{ReasonAmountAboveMax}},
		{"above max, syndicable by ticket", func(pj *finzone.Project, pd *finzone.Product, _ *Institution) {
			pj.AmountYuan, pd.MaxTicketYuan = 300_000_000, 5_000_000
		}, nil},
		{"above max, syndicated loan", func(pj *finzone.Project, pd *finzone.Product, _ *Institution) {
			pj.AmountYuan, pd.Category = 300_000_000, finzone.CategorySyndicatedLoan
		}, nil},
		{"above max, leasing never syndicates", func(pj *finzone.Project, pd *finzone.Product, _ *Institution) {
			pj.AmountYuan, pd.Category, pd.CanLeadSyndicate = 300_000_000, finzone.CategoryLeasing, true
		}, []string{ReasonAmountAboveMax}},
		{"term below", func(pj *finzone.Project, _ *finzone.Product, _ *Institution) { pj.TermMonths = 11 }, []string{ReasonTermOutOfRange}},
		{"term above", func(pj *finzone.Project, _ *finzone.Product, _ *Institution) { pj.TermMonths = 61 }, []string{ReasonTermOutOfRange}},
		{"type", func(pj *finzone.Project, _ *finzone.Product, _ *Institution) { pj.Type = finzone.TypeForeignTrade }, []string{ReasonTypeNotServed}},
		{"industry included by section", func(_ *finzone.Project, pd *finzone.Product, _ *Institution) { pd.IndustryInclude = []string{"C"} }, nil},
		{"industry included by two characters", func(_ *finzone.Project, pd *finzone.Product, _ *Institution) { pd.IndustryInclude = []string{"C1"} }, nil},
		{"industry not included", func(_ *finzone.Project, pd *finzone.Product, _ *Institution) {
			pd.IndustryInclude = []string{"C3", "I"}
		}, []string{ReasonIndustryNotIncluded}},
		{"industry excluded", func(_ *finzone.Project, pd *finzone.Product, _ *Institution) { pd.IndustryExclude = []string{"C13"} }, []string{ReasonIndustryExcluded}},
		{"exclude beats include", func(_ *finzone.Project, pd *finzone.Product, _ *Institution) {
			pd.IndustryInclude, pd.IndustryExclude = []string{"C13"}, []string{"C1"}
		}, []string{ReasonIndustryExcluded}},
		{"region: county", func(_ *finzone.Project, pd *finzone.Product, _ *Institution) { pd.Regions = []string{"341221"} }, nil},
		{"region: province", func(_ *finzone.Project, pd *finzone.Product, _ *Institution) { pd.Regions = []string{"340000"} }, nil},
		{"region: other county", func(_ *finzone.Project, pd *finzone.Product, _ *Institution) { pd.Regions = []string{"341222"} }, []string{ReasonRegionNotServed}},
		{"region: other city", func(_ *finzone.Project, pd *finzone.Product, _ *Institution) {
			pd.Regions = []string{"341100", "341126"}
		}, []string{ReasonRegionNotServed}},
		{"collateral intersects", func(pj *finzone.Project, _ *finzone.Product, _ *Institution) {
			pj.Collateral = []finzone.Collateral{finzone.CollateralPledge, finzone.CollateralCredit}
		}, nil},
		{"collateral disjoint", func(pj *finzone.Project, _ *finzone.Product, _ *Institution) {
			pj.Collateral = []finzone.Collateral{finzone.CollateralPledge, finzone.CollateralGuaranteeCompany}
		}, []string{ReasonCollateral}},
		{"size", func(pj *finzone.Project, _ *finzone.Product, _ *Institution) { pj.EnterpriseSize = finzone.SizeLarge }, []string{ReasonSizeNotServed}},
		{"unknown size, product serves some", func(pj *finzone.Project, _ *finzone.Product, _ *Institution) { pj.EnterpriseSize = "" }, []string{ReasonSizeNotServed}},
		{"unknown size, product serves all", func(pj *finzone.Project, pd *finzone.Product, _ *Institution) {
			pj.EnterpriseSize, pd.Sizes = "", finzone.Sizes
		}, nil},
		{"rate floor above ceiling", func(pj *finzone.Project, _ *finzone.Product, _ *Institution) { pj.RateCeilingBps = 399 }, []string{ReasonRateAboveCeiling}},
		{"rate floor at ceiling", func(pj *finzone.Project, _ *finzone.Product, _ *Institution) { pj.RateCeilingBps = 400 }, nil},
		{"no ceiling", func(pj *finzone.Project, pd *finzone.Product, _ *Institution) {
			pj.RateCeilingBps, pd.RateFloorBps = 0, 3000
		}, nil},
		{"institution capacity", func(_ *finzone.Project, _ *finzone.Product, in *Institution) { in.CapacityLeftYuan = 999_999 }, []string{ReasonCapacity}},
		{"product capacity", func(_ *finzone.Project, pd *finzone.Product, _ *Institution) { pd.CapacityYuan = 500_000 }, []string{ReasonCapacity}},
		{"not yet valid", func(_ *finzone.Project, pd *finzone.Product, _ *Institution) { pd.ValidFrom = now.Add(time.Nanosecond) }, []string{ReasonNotYetValid}},
		{"valid from now", func(_ *finzone.Project, pd *finzone.Product, _ *Institution) { pd.ValidFrom = now }, nil},
		{"expired at valid_to", func(_ *finzone.Project, pd *finzone.Product, _ *Institution) { pd.ValidTo = now }, []string{ReasonExpired}},
		{"not published", func(_ *finzone.Project, pd *finzone.Product, _ *Institution) { pd.Status = finzone.ReviewPending }, []string{ReasonNotPublished}},
		{"not verified", func(_ *finzone.Project, _ *finzone.Product, in *Institution) { in.Verified = false }, []string{ReasonUnverified}},
		{"every failure reported", func(pj *finzone.Project, pd *finzone.Product, in *Institution) {
			pj.TermMonths, pj.RegionCode, in.Verified = 200, "341126", false
		}, []string{ReasonUnverified, ReasonTermOutOfRange, ReasonRegionNotServed}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			pj, pd, in := baseProject(), baseProduct(), baseInst()
			tt.change(&pj, &pd, &in)
			var got []string
			for _, r := range Explain(pj, pd, in, now) {
				got = append(got, r.Code)
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Fatalf("Explain: got %v, want %v", got, tt.want)
			}
			if e := Eligible(&pj, &pd, &in, now); e != (tt.want == nil) {
				t.Fatalf("Eligible: got %v, want %v", e, tt.want == nil)
			}
			idx := NewIndex(Config{})
			idx.Upsert(pd, in)
			sel := idx.Select(pj, now)
			if picked := len(sel.All()) == 1; picked != (tt.want == nil) {
				t.Fatalf("index picked %v, want %v", picked, tt.want == nil)
			}
		})
	}
}

func TestReasonMessages(t *testing.T) {
	for _, code := range ReasonCodes {
		key := i18n.Key("reason." + code)
		if !i18n.Has(finzone.LangZH, key) || !i18n.Has(finzone.LangEN, key) {
			t.Errorf("%s: missing text", code)
		}
	}
	pj, pd, in := baseProject(), baseProduct(), baseInst()
	pj.AmountYuan = 500_000
	r := Explain(pj, pd, in, now)
	if len(r) != 1 {
		t.Fatalf("got %v", r)
	}
	if got, want := i18n.Reason(finzone.LangEN, r[0].Code, r[0].Params), "The amount ¥500000 is below the product minimum ¥1000000"; got != want {
		t.Errorf("en: got %q, want %q", got, want)
	}
	if got := i18n.Reason(finzone.LangZH, r[0].Code, r[0].Params); !strings.Contains(got, "500000") || strings.Contains(got, "{") {
		t.Errorf("zh: got %q", got)
	}
}
