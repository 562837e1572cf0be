package matching

import (
	"cmp"
	"slices"
	"time"

	"finzone"
)

// SelectScan is the plain baseline: it applies Eligible and the score to
// every product in turn, with no index. Tests hold Index.Select to it;
// benchmarks measure the index against it. inst resolves a product's owner;
// a product whose owner it does not know is skipped.
func SelectScan(project finzone.Project, products []finzone.Product, inst func(id string) (Institution, bool), now time.Time, cfg Config) Selection {
	cfg = cfg.withDefaults()
	type best struct {
		points int32
		c      [numComponents]int32
		p      *finzone.Product
		in     Institution
	}
	byInst := map[string]*best{}
	for i := range products {
		p := &products[i]
		in, ok := inst(p.OwnerOrgID)
		if !ok || !Eligible(&project, p, &in, now) {
			continue
		}
		c := scoreDomain(&project, p, &in, &cfg.Weights)
		t := total(&c)
		b := byInst[in.ID]
		if b == nil || t > b.points || t == b.points && p.ID < b.p.ID {
			byInst[in.ID] = &best{t, c, p, in}
		}
	}
	bests := make([]*best, 0, len(byInst))
	list := make([]ranked, 0, len(byInst))
	for id, b := range byInst {
		list = append(list, ranked{points: b.points, instID: id, mayLead: cfg.mayLead(b.in), ref: len(bests)})
		bests = append(bests, b)
	}
	slices.SortFunc(list, func(a, b ranked) int {
		if a.points != b.points {
			return cmp.Compare(b.points, a.points)
		}
		return cmp.Compare(a.instID, b.instID)
	})
	return assemble(list, &cfg, func(r ranked, pk *Pick, comps []Component) {
		b := bests[r.ref]
		p, in := b.p, &b.in
		fillComponents(comps, &b.c, &cfg.Weights)
		*pk = Pick{
			InstitutionID: in.ID, ProductID: p.ID, ProductVersion: p.Version,
			Score: float64(b.points) / 100, Components: comps, points: b.points,
			MinTicketYuan: p.AmountMinYuan, MaxTicketYuan: p.Ticket(), CapacityLeftYuan: capacityLeft(p, in),
			Syndicable: Syndicable(p), CanLeadSyndicate: p.CanLeadSyndicate && cfg.mayLead(*in),
		}
	})
}
