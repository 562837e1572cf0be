package matching

import (
	"fmt"
	"math/rand/v2"
	"testing"
	"time"

	"finzone"
)

// FuzzSelect builds a random catalogue and project from the fuzzer's numbers
// and checks the index against the scan and Explain. Its seed corpus runs
// with the normal tests.
func FuzzSelect(f *testing.F) {
	for i := range uint64(20) {
		f.Add(i, i*7+1)
	}
	f.Fuzz(func(t *testing.T, a, b uint64) {
		r := rand.New(rand.NewPCG(a, b))
		insts := instMap{}
		for i := range 1 + r.IntN(10) {
			id := fmt.Sprintf("in%d", i)
			insts[id] = Institution{
				ID: id, Kind: finzone.OrgKinds[1+r.IntN(4)], RegionCode: pickOf(r, testRegions), Verified: r.IntN(8) > 0,
				CanLead: r.IntN(8) == 0, CapacityLeftYuan: []int64{Unlimited, 0, 3_000_000}[r.IntN(3)],
				ResponseRateBps: r.IntN(10_001), ApprovalRateBps: r.IntN(10_001), Pushed: r.IntN(3), LiveLoad: r.IntN(30),
			}
		}
		var products []finzone.Product
		for i := range r.IntN(60) {
			products = append(products, randProduct(r, fmt.Sprintf("pd%d", i), fmt.Sprintf("in%d", r.IntN(len(insts)))))
		}
		cfg := Config{Partners: 1 + r.IntN(5), Waitlist: []int{-1, 1, 3}[r.IntN(3)]}
		idx := NewIndex(cfg)
		idx.Load(products, insts.get)
		for range 5 {
			pj := randProject(r)
			got := idx.Select(pj, now)
			sameSelection(t, got, SelectScan(pj, products, insts.get, now, cfg))
			for _, p := range got.All() {
				for _, pd := range products {
					if pd.ID == p.ProductID {
						if rs := Explain(pj, pd, insts[p.InstitutionID], now); len(rs) > 0 {
							t.Fatalf("picked %s although %v", pd.ID, rs)
						}
					}
				}
			}
		}
	})
}

func pickOf[T any](r *rand.Rand, list []T) T { return list[r.IntN(len(list))] }

func someOf[T any](r *rand.Rand, list []T, lo int) []T {
	var out []T
	for _, v := range list {
		if r.IntN(3) == 0 {
			out = append(out, v)
		}
	}
	if len(out) < lo {
		out = append(out, pickOf(r, list))
	}
	return out
}

func randProduct(r *rand.Rand, id, owner string) finzone.Product {
	amin := int64(1+r.IntN(1000)) * 10_000 * int64(1+r.IntN(100))
	tmin := 1 + r.IntN(100)
	floor := r.IntN(1500)
	from := now.Add(time.Duration(r.IntN(100)-80) * time.Hour)
	return finzone.Product{
		ID: id, Version: 1 + r.IntN(3), OwnerOrgID: owner, Name: "n",
		Category:      pickOf(r, finzone.ProductCategories),
		AmountMinYuan: amin, AmountMaxYuan: amin * int64(1+r.IntN(50)),
		TermMinMonths: tmin, TermMaxMonths: tmin + r.IntN(120),
		RateFloorBps: floor, RateCeilingBps: floor + r.IntN(500),
		ProjectTypes:     someOf(r, finzone.ProjectTypes, 1),
		IndustryInclude:  someOf(r, testPrefixes, 0),
		IndustryExclude:  someOf(r, testPrefixes[:2], 0),
		Regions:          someOf(r, testRegions, 1),
		Collateral:       someOf(r, finzone.Collaterals, 1),
		Sizes:            someOf(r, finzone.Sizes, 1),
		CanLeadSyndicate: r.IntN(3) == 0,
		MaxTicketYuan:    []int64{0, amin * 3}[r.IntN(2)],
		CapacityYuan:     []int64{0, amin, amin * 10}[r.IntN(3)],
		ValidFrom:        from,
		ValidTo:          from.Add(time.Duration(1+r.IntN(200)) * time.Hour),
		Status:           []finzone.ReviewStatus{finzone.ReviewPublished, finzone.ReviewPublished, finzone.ReviewSuperseded}[r.IntN(3)],
	}
}

func randProject(r *rand.Rand) finzone.Project {
	return finzone.Project{
		ID: "pj", Title: "t", Purpose: "p",
		Type:           pickOf(r, finzone.ProjectTypes),
		AmountYuan:     int64(1+r.IntN(100_000)) * 10_000 * int64(1+r.IntN(20)),
		TermMonths:     1 + r.IntN(240),
		Collateral:     someOf(r, finzone.Collaterals, 1),
		RateCeilingBps: []int{0, 400, 800, 1200}[r.IntN(4)],
		RegionCode:     pickOf(r, testCounties),
		IndustryCode:   pickOf(r, append([]string{"C", "ZZ9"}, testDivisions...)),
		EnterpriseSize: pickOf(r, []finzone.Size{finzone.SizeLarge, finzone.SizeMedium, finzone.SizeSmall, finzone.SizeMicro, ""}),
		Green:          r.IntN(2) == 0, Tech: r.IntN(2) == 0,
	}
}
