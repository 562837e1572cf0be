package matching

import (
	"fmt"
	"runtime"
	"sync"
	"testing"

	"finzone"
	"finzone/demo"
)

// benchData is a generated catalogue of n products (5 per institution, as in
// the demo's default scale) and 10,000 projects, built once per size.
type benchData struct {
	products []finzone.Product
	insts    instMap
	projects []finzone.Project
}

var (
	benchMu    sync.Mutex
	benchCache = map[int]*benchData{}
)

func data(n int) *benchData {
	benchMu.Lock()
	defer benchMu.Unlock()
	if d, ok := benchCache[n]; ok {
		return d
	}
	const seed = 2026
	clusters := demo.GenerateClusters(12)
	orgs := demo.GenerateInstitutions(seed, max(n/5, 4), clusters)
	d := &benchData{
		products: demo.GenerateProducts(seed, n, orgs, clusters),
		insts:    institutions(orgs),
		projects: demo.GenerateProjects(seed, 10_000, demo.GenerateEnterprises(seed, 2_000, clusters)),
	}
	benchCache[n] = d
	return d
}

// build loads an index and returns it with the heap it holds per product.
func build(d *benchData) (*Index, float64) {
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	idx := NewIndex(Config{})
	idx.Load(d.products, d.insts.get)
	runtime.GC()
	runtime.ReadMemStats(&after)
	return idx, float64(after.HeapAlloc-before.HeapAlloc) / float64(len(d.products))
}

var sizes = []int{1_000, 10_000, 100_000}

// BenchmarkSelect is one project's full 1+10 selection (plus waitlist) on a
// prepared index.
func BenchmarkSelect(b *testing.B) {
	for _, n := range sizes {
		b.Run(fmt.Sprintf("products=%d", n), func(b *testing.B) {
			d := data(n)
			idx, perProduct := build(d)
			b.ResetTimer()
			i := 0
			for b.Loop() {
				idx.Select(d.projects[i%len(d.projects)], demo.Epoch)
				i++
			}
			// After the loop: ResetTimer drops reported metrics.
			b.ReportMetric(perProduct, "index-B/product")
			runtime.KeepAlive(idx)
		})
	}
}

// BenchmarkSelectScan is the baseline: the same selection by a plain loop
// over every product, its owners resolved once beforehand as the index
// resolves them when it loads.
func BenchmarkSelectScan(b *testing.B) {
	for _, n := range sizes {
		b.Run(fmt.Sprintf("products=%d", n), func(b *testing.B) {
			d := data(n)
			scan := NewScan(d.products, d.insts.get)
			b.ResetTimer()
			i := 0
			for b.Loop() {
				scan.Select(d.projects[i%len(d.projects)], demo.Epoch, Config{})
				i++
			}
		})
	}
}

// BenchmarkRematch selects for 10,000 projects over 10,000 products on every
// core: one op is the whole rematch.
func BenchmarkRematch(b *testing.B) {
	d := data(10_000)
	idx, _ := build(d)
	b.ResetTimer()
	for b.Loop() {
		idx.SelectAll(d.projects, demo.Epoch)
	}
	b.ReportMetric(float64(len(d.projects)), "projects/op")
}

// BenchmarkAllocateBook allocates a ¥20亿 book in three tranche groups,
// over-subscribed by a third, among a lead, two co-leads and twelve
// participants: the work done on every commitment or withdrawal.
func BenchmarkAllocateBook(b *testing.B) {
	s := finzone.Syndicate{State: finzone.SyndicateBookBuilding, LeadID: "L"}
	for i, a := range []int64{1_000_000_000, 600_000_000, 400_000_000} {
		s.Facility.Tranches = append(s.Facility.Tranches, finzone.TrancheGroup{ID: string(rune('A' + i)), AmountYuan: a, TermMonths: 60})
		s.Facility.AmountYuan += a
	}
	for i := range 15 {
		role := finzone.SyndicateParticipant
		switch {
		case i == 0:
			role = finzone.SyndicateLead
		case i < 3:
			role = finzone.SyndicateCoLead
		}
		m := finzone.SyndicateMember{InstitutionID: fmt.Sprint("b", i), Role: role, Status: finzone.MemberCommitted}
		for _, tr := range s.Facility.Tranches {
			m.Commitments = append(m.Commitments, finzone.TrancheAmount{Tranche: tr.ID, AmountYuan: tr.AmountYuan / 11 / 10_000 * 10_000 * int64(1+i%3)})
		}
		s.Members = append(s.Members, m)
	}
	s.Members[0].InstitutionID = "L"
	rules := DefaultRules()
	for b.Loop() {
		AllocateBook(s, rules)
	}
}
