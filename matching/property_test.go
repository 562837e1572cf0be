package matching

import (
	"fmt"
	"testing"

	"finzone"
	"pgregory.net/rapid"
)

// The index must select exactly what the plain scan selects, and nothing it
// selects may fail a hard filter.
func TestSelectMatchesScan(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		cfg := Config{Partners: rapid.IntRange(1, 4).Draw(t, "partners"), Waitlist: rapid.SampledFrom([]int{-1, 2, 5}).Draw(t, "waitlist"),
			Leads: rapid.IntRange(1, 2).Draw(t, "leads")}
		c := genCatalogue(t, 8, 40)
		idx := indexOf(cfg, c)
		for range 3 {
			pj := genProject().Draw(t, "project")
			got := idx.Select(pj, now)
			want := SelectScan(pj, c.products, c.inst, now, cfg)
			sameSelection(t, got, want)
			assertEligible(t, pj, got, c)
		}
	})
}

func assertEligible(t *rapid.T, pj finzone.Project, sel Selection, c catalogue) {
	seen := map[string]bool{}
	for _, p := range sel.All() {
		if seen[p.InstitutionID] {
			t.Fatalf("institution %s picked twice", p.InstitutionID)
		}
		seen[p.InstitutionID] = true
		var prod *finzone.Product
		for i := range c.products {
			if c.products[i].ID == p.ProductID {
				prod = &c.products[i]
			}
		}
		if prod == nil {
			t.Fatalf("picked unknown product %s", p.ProductID)
		}
		if r := Explain(pj, *prod, c.insts[p.InstitutionID], now); len(r) > 0 {
			t.Fatalf("picked %s although %v", p.ProductID, r)
		}
	}
}

// Incremental updates must leave the index equal to one built from scratch.
// A short waitlist makes the score bounds prune, so institution updates must
// reach the copies the bounds read.
func TestIncrementalMatchesScan(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		c := genCatalogue(t, 6, 20)
		cfg := Config{Waitlist: rapid.SampledFrom([]int{-1, 1, 3}).Draw(t, "waitlist"), Partners: rapid.IntRange(1, 3).Draw(t, "partners")}
		idx := indexOf(cfg, c)
		live := map[string]finzone.Product{}
		for _, p := range c.products {
			live[p.ID] = p
		}
		ops := rapid.IntRange(1, 30).Draw(t, "ops")
		for i := range ops {
			switch rapid.IntRange(0, 3).Draw(t, "op") {
			case 0, 1: // add or change a product
				id := fmt.Sprintf("pd%03d", rapid.IntRange(0, 30).Draw(t, "id"))
				owner := fmt.Sprintf("in%02d", rapid.IntRange(0, len(c.insts)-1).Draw(t, "owner"))
				p := genProduct(id, owner).Draw(t, "p")
				live[id] = p
				idx.Upsert(p, c.insts[owner])
			case 2: // remove one
				id := fmt.Sprintf("pd%03d", rapid.IntRange(0, 30).Draw(t, "rm"))
				_, had := live[id]
				if got := idx.Remove(id); got != (had && live[id].Status == finzone.ReviewPublished) {
					t.Fatalf("op %d: Remove(%s) = %v, held %v", i, id, got, had)
				}
				delete(live, id)
			case 3: // an institution changes
				id := fmt.Sprintf("in%02d", rapid.IntRange(0, len(c.insts)-1).Draw(t, "inst"))
				in := genInst(id).Draw(t, "in")
				c.insts[id] = in
				idx.UpsertInstitution(in)
			}
		}
		var products []finzone.Product
		for _, p := range live {
			products = append(products, p)
		}
		for range 3 {
			pj := genProject().Draw(t, "project")
			sameSelection(t, idx.Select(pj, now), SelectScan(pj, products, c.inst, now, cfg))
		}
	})
}

// Load may see one product twice (two versions); the later one wins, as with
// Upsert.
func TestLoadDuplicates(t *testing.T) {
	a, b := baseProduct(), baseProduct()
	b.Version, b.RateFloorBps = 2, 300
	idx := NewIndex(Config{})
	idx.Load([]finzone.Product{a, b}, func(string) (Institution, bool) { return baseInst(), true })
	sel := idx.Select(baseProject(), now)
	if all := sel.All(); idx.Len() != 1 || len(all) != 1 || all[0].ProductVersion != 2 {
		t.Fatalf("got %d products, picks %v", idx.Len(), ids(all))
	}
}
