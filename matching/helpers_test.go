package matching

import (
	"fmt"
	"reflect"
	"slices"
	"time"

	"finzone"
	"pgregory.net/rapid"
)

var now = time.Date(2026, 6, 1, 9, 0, 0, 0, time.UTC)

// Small pools make collisions, ties and edge cases common.
var (
	testRegions   = []string{"341221", "341222", "341200", "341282", "341126", "341100", "340000"}
	testCounties  = []string{"341221", "341222", "341282", "341126", "341200"}
	testDivisions = []string{"C13", "C15", "C36", "C39", "A01", "I65"}
	testPrefixes  = []string{"C", "C1", "C13", "C3", "C36", "I", "A"}
)

func baseProject() finzone.Project {
	return finzone.Project{
		ID: "pj1", Title: "t", Type: finzone.TypeManufacturingLong, AmountYuan: 5_000_000, TermMonths: 36,
		Purpose: "p", Collateral: []finzone.Collateral{finzone.CollateralMortgage}, RateCeilingBps: 600,
		RegionCode: "341221", IndustryCode: "C13", EnterpriseSize: finzone.SizeSmall, Status: finzone.ProjectSubmitted,
	}
}

func baseProduct() finzone.Product {
	return finzone.Product{
		ID: "pd1", Version: 1, OwnerOrgID: "in1", Name: "n", Category: finzone.CategoryLoan,
		AmountMinYuan: 1_000_000, AmountMaxYuan: 10_000_000, TermMinMonths: 12, TermMaxMonths: 60,
		RateFloorBps: 400, RateCeilingBps: 800,
		ProjectTypes: []finzone.ProjectType{finzone.TypeManufacturingLong},
		Regions:      []string{"341200"}, Collateral: []finzone.Collateral{finzone.CollateralMortgage, finzone.CollateralCredit},
		Sizes: []finzone.Size{finzone.SizeSmall, finzone.SizeMedium}, CapacityYuan: 100_000_000,
		ValidFrom: now.AddDate(-1, 0, 0), ValidTo: now.AddDate(1, 0, 0), Status: finzone.ReviewPublished,
	}
}

func baseInst() Institution {
	return Institution{ID: "in1", Kind: finzone.KindBank, RegionCode: "341221", Verified: true, CapacityLeftYuan: Unlimited}
}

func genInst(id string) *rapid.Generator[Institution] {
	return rapid.Custom(func(t *rapid.T) Institution {
		return Institution{
			ID:               id,
			Kind:             rapid.SampledFrom([]finzone.OrgKind{finzone.KindBank, finzone.KindBank, finzone.KindInsurer, finzone.KindLeasing, finzone.KindGuarantee}).Draw(t, "kind"),
			RegionCode:       rapid.SampledFrom(testRegions).Draw(t, "region"),
			Verified:         rapid.IntRange(0, 9).Draw(t, "verified") > 0,
			CanLead:          rapid.IntRange(0, 9).Draw(t, "canlead") == 0,
			CapacityLeftYuan: rapid.SampledFrom([]int64{Unlimited, 0, 500_000, 5_000_000, 50_000_000}).Draw(t, "cap"),
			ResponseRateBps:  rapid.IntRange(0, 10_000).Draw(t, "resp"),
			ApprovalRateBps:  rapid.IntRange(0, 10_000).Draw(t, "appr"),
			Pushed:           rapid.IntRange(0, 3).Draw(t, "pushed"),
			LiveLoad:         rapid.IntRange(0, 50).Draw(t, "load"),
		}
	})
}

var amounts = []int64{100_000, 500_000, 1_000_000, 3_000_000, 10_000_000, 50_000_000, 200_000_000}

func genProduct(id, owner string) *rapid.Generator[finzone.Product] {
	return rapid.Custom(func(t *rapid.T) finzone.Product {
		amin := rapid.SampledFrom(amounts).Draw(t, "amin")
		amax := max(amin, rapid.SampledFrom(amounts).Draw(t, "amax"))
		tmin := rapid.IntRange(1, 60).Draw(t, "tmin")
		p := finzone.Product{
			ID: id, Version: rapid.IntRange(1, 3).Draw(t, "version"), OwnerOrgID: owner, Name: "n",
			Category:      rapid.SampledFrom(finzone.ProductCategories).Draw(t, "category"),
			AmountMinYuan: amin, AmountMaxYuan: amax,
			TermMinMonths: tmin, TermMaxMonths: tmin + rapid.IntRange(0, 60).Draw(t, "tspan"),
			RateFloorBps:     rapid.IntRange(200, 1100).Draw(t, "rate"),
			ProjectTypes:     rapid.SliceOfNDistinct(rapid.SampledFrom(finzone.ProjectTypes), 1, 4, rapid.ID).Draw(t, "types"),
			IndustryInclude:  rapid.SliceOfNDistinct(rapid.SampledFrom(testPrefixes), 0, 2, rapid.ID).Draw(t, "include"),
			IndustryExclude:  rapid.SliceOfNDistinct(rapid.SampledFrom(testPrefixes), 0, 1, rapid.ID).Draw(t, "exclude"),
			Regions:          rapid.SliceOfNDistinct(rapid.SampledFrom(testRegions), 1, 3, rapid.ID).Draw(t, "regions"),
			Collateral:       rapid.SliceOfNDistinct(rapid.SampledFrom(finzone.Collaterals), 1, 3, rapid.ID).Draw(t, "coll"),
			Sizes:            rapid.SliceOfNDistinct(rapid.SampledFrom(finzone.Sizes), 1, 4, rapid.ID).Draw(t, "sizes"),
			CanLeadSyndicate: rapid.Bool().Draw(t, "lead"),
			MaxTicketYuan:    rapid.SampledFrom([]int64{0, 0, 20_000_000, 100_000_000}).Draw(t, "ticket"),
			CapacityYuan:     rapid.SampledFrom([]int64{0, 1_000_000, 100_000_000}).Draw(t, "capacity"),
			ValidFrom:        now.Add(time.Duration(rapid.IntRange(-3, 1).Draw(t, "from")) * 24 * time.Hour),
			Status:           rapid.SampledFrom([]finzone.ReviewStatus{finzone.ReviewPublished, finzone.ReviewPublished, finzone.ReviewPublished, finzone.ReviewDraft}).Draw(t, "status"),
		}
		p.RateCeilingBps = p.RateFloorBps + 100
		p.ValidTo = p.ValidFrom.Add(time.Duration(rapid.IntRange(1, 5).Draw(t, "to")) * 24 * time.Hour)
		return p
	})
}

func genProject() *rapid.Generator[finzone.Project] {
	return rapid.Custom(func(t *rapid.T) finzone.Project {
		return finzone.Project{
			ID: "pj", Title: "t", Purpose: "p",
			Type:           rapid.SampledFrom(finzone.ProjectTypes).Draw(t, "type"),
			AmountYuan:     rapid.SampledFrom(slices.Concat(amounts, []int64{150_000_000, 2_000_000})).Draw(t, "amount"),
			TermMonths:     rapid.IntRange(1, 120).Draw(t, "term"),
			Collateral:     rapid.SliceOfNDistinct(rapid.SampledFrom(finzone.Collaterals), 1, 3, rapid.ID).Draw(t, "coll"),
			RateCeilingBps: rapid.SampledFrom([]int{0, 300, 500, 800}).Draw(t, "ceiling"),
			RegionCode:     rapid.SampledFrom(testCounties).Draw(t, "region"),
			IndustryCode:   rapid.SampledFrom(testDivisions).Draw(t, "industry"),
			EnterpriseSize: rapid.SampledFrom(slices.Concat(finzone.Sizes, []finzone.Size{""})).Draw(t, "size"),
			Green:          rapid.Bool().Draw(t, "green"),
			Tech:           rapid.Bool().Draw(t, "tech"),
		}
	})
}

// catalogue is products plus their institutions, as the scan takes them.
type catalogue struct {
	products []finzone.Product
	insts    map[string]Institution
}

func (c *catalogue) inst(id string) (Institution, bool) {
	in, ok := c.insts[id]
	return in, ok
}

func genCatalogue(t *rapid.T, maxInsts, maxProducts int) catalogue {
	c := catalogue{insts: map[string]Institution{}}
	ni := rapid.IntRange(1, maxInsts).Draw(t, "insts")
	for i := range ni {
		id := fmt.Sprintf("in%02d", i)
		c.insts[id] = genInst(id).Draw(t, id)
	}
	np := rapid.IntRange(0, maxProducts).Draw(t, "products")
	for i := range np {
		owner := fmt.Sprintf("in%02d", rapid.IntRange(0, ni-1).Draw(t, "owner"))
		c.products = append(c.products, genProduct(fmt.Sprintf("pd%03d", i), owner).Draw(t, "product"))
	}
	return c
}

func indexOf(cfg Config, c catalogue) *Index {
	idx := NewIndex(cfg)
	idx.Load(c.products, c.inst)
	return idx
}

// sameSelection compares two selections, reporting the first difference.
func sameSelection(t interface{ Fatalf(string, ...any) }, got, want Selection) {
	for _, part := range []struct {
		name      string
		got, want []Pick
	}{{"leads", got.Leads, want.Leads}, {"partners", got.Partners, want.Partners}, {"waitlist", got.Waitlist, want.Waitlist}} {
		if len(part.got) != len(part.want) {
			t.Fatalf("%s: got %d picks, want %d\ngot  %v\nwant %v", part.name, len(part.got), len(part.want), ids(part.got), ids(part.want))
		}
		for i := range part.got {
			if !reflect.DeepEqual(part.got[i], part.want[i]) {
				t.Fatalf("%s[%d]: got %+v, want %+v", part.name, i, part.got[i], part.want[i])
			}
		}
	}
}

func ids(ps []Pick) []string {
	out := make([]string, len(ps))
	for i, p := range ps {
		out[i] = fmt.Sprintf("%s/%s:%.2f", p.InstitutionID, p.ProductID, p.Score)
	}
	return out
}
