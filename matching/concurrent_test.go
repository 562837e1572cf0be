package matching

import (
	"sync"
	"testing"

	"finzone"
	"finzone/demo"
)

// Readers keep selecting while a writer changes the catalogue; run with
// -race. Every selection must still be internally sound.
func TestConcurrentSelectAndUpdate(t *testing.T) {
	d := demo.Generate(11, demo.DefaultScale())
	insts := institutions(d.Institutions)
	idx := NewIndex(Config{})
	idx.Load(d.Products, insts.get)
	var wg sync.WaitGroup
	stop := make(chan struct{})
	for w := range 2 {
		wg.Go(func() {
			for i := w; ; i += 2 {
				select {
				case <-stop:
					return
				default:
				}
				sel := idx.Select(d.Projects[i%len(d.Projects)], demo.Epoch)
				seen := map[string]bool{}
				for _, p := range sel.All() {
					if seen[p.InstitutionID] {
						t.Errorf("institution %s twice", p.InstitutionID)
						return
					}
					seen[p.InstitutionID] = true
				}
			}
		})
	}
	for i := range 2000 {
		p := d.Products[i%len(d.Products)]
		switch i % 3 {
		case 0:
			idx.Remove(p.ID)
		case 1:
			p.Version++
			p.RateFloorBps += 5
			idx.Upsert(p, insts[p.OwnerOrgID])
		default:
			idx.Upsert(p, insts[p.OwnerOrgID])
		}
	}
	close(stop)
	wg.Wait()
}

type instMap map[string]Institution

func (m instMap) get(id string) (Institution, bool) {
	in, ok := m[id]
	return in, ok
}

// institutions turns generated organizations into matching institutions
// with a deterministic track record and load.
func institutions(orgs []finzone.Organization) instMap {
	m := instMap{}
	for i, o := range orgs {
		in := InstitutionOf(o)
		in.Pushed = i % 7 * 10
		in.ResponseRateBps = 6000 + i*397%4000
		in.ApprovalRateBps = 3000 + i*211%5000
		in.LiveLoad = i * 13 % 40
		m[o.ID] = in
	}
	return m
}

// On the demo data set the index agrees with the scan for every project,
// and most projects get a lead. (At the default scale, 30 institutions,
// a project typically matches only a few.)
func TestDemoSelections(t *testing.T) {
	d := demo.Generate(5, demo.DefaultScale())
	insts := institutions(d.Institutions)
	idx := NewIndex(Config{})
	idx.Load(d.Products, insts.get)
	led, partnered := 0, 0
	for _, pj := range d.Projects {
		got := idx.Select(pj, demo.Epoch)
		sameSelection(t, got, SelectScan(pj, d.Products, insts.get, demo.Epoch, Config{}))
		if got.Lead() != nil {
			led++
		}
		if len(got.Partners) > 0 {
			partnered++
		}
	}
	if led < len(d.Projects)/2 || partnered < len(d.Projects)/3 {
		t.Fatalf("of %d projects %d got a lead and %d partners; the demo data should match most", len(d.Projects), led, partnered)
	}
	all := idx.SelectAll(d.Projects, demo.Epoch)
	for i, pj := range d.Projects {
		sameSelection(t, all[i], idx.Select(pj, demo.Epoch))
	}
}

// At ten times the default scale pruning cuts deep; the index must still
// agree with the scan.
func TestDemoSelectionsScaled(t *testing.T) {
	d := demo.Generate(9, demo.DefaultScale().Times(10))
	insts := institutions(d.Institutions)
	idx := NewIndex(Config{})
	idx.Load(d.Products, insts.get)
	for _, pj := range d.Projects[:300] {
		sameSelection(t, idx.Select(pj, demo.Epoch), SelectScan(pj, d.Products, insts.get, demo.Epoch, Config{}))
	}
}
