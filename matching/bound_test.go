package matching

import (
	"fmt"
	"testing"

	"finzone"
)

// The score bounds read copies of each institution's track record, load,
// region and lead right; an institution update must refresh them, or a
// product whose institution improved would be cut before it is scored.
func TestInstitutionUpdateReachesBounds(t *testing.T) {
	cfg := Config{Leads: 1, Partners: 1, Waitlist: 1}
	insts := map[string]Institution{}
	var products []finzone.Product
	for i := range 5 {
		in := baseInst()
		in.ID = fmt.Sprintf("in%d", i)
		in.Pushed, in.ResponseRateBps, in.ApprovalRateBps = 10, 5_000, 5_000
		p := baseProduct()
		p.ID, p.OwnerOrgID = fmt.Sprintf("pd%d", i), in.ID
		if i == 4 { // the last scanned: poor record, far away, may not lead
			in.ResponseRateBps, in.ApprovalRateBps, in.LiveLoad = 0, 0, 100
			in.RegionCode, in.Kind = "341126", finzone.KindGuarantee
		}
		insts[in.ID] = in
		products = append(products, p)
	}
	get := func(id string) (Institution, bool) { in, ok := insts[id]; return in, ok }
	idx := NewIndex(cfg)
	idx.Load(products, get)
	pj := baseProject()
	sameSelection(t, idx.Select(pj, now), SelectScan(pj, products, get, now, cfg))

	in := insts["in4"]
	in.ResponseRateBps, in.ApprovalRateBps, in.LiveLoad = 10_000, 10_000, 0
	in.RegionCode, in.Kind = pj.RegionCode, finzone.KindBank
	insts["in4"] = in
	idx.UpsertInstitution(in)
	got, want := idx.Select(pj, now), SelectScan(pj, products, get, now, cfg)
	sameSelection(t, got, want)
	if l := got.Lead(); l == nil || l.InstitutionID != "in4" {
		t.Fatalf("lead %+v, want in4", l)
	}
}
