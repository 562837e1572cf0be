package matching

import (
	"cmp"
	"slices"
	"time"

	"finzone"
)

// Scan is the plain baseline's catalogue: the products with their owners
// resolved once, as Index.Load resolves them, so that a scan pays for the
// filters and the score of each product, not for a map lookup and a copy
// of its institution too.
type Scan struct {
	products []finzone.Product
	insts    []*Institution // insts[i] owns products[i]; nil when unknown
}

// NewScan resolves each product's owner with inst, once per institution;
// a product whose owner inst does not know is skipped by Select.
func NewScan(products []finzone.Product, inst func(id string) (Institution, bool)) *Scan {
	s := &Scan{products: products, insts: make([]*Institution, len(products))}
	seen := map[string]*Institution{}
	for i := range products {
		id := products[i].OwnerOrgID
		in, ok := seen[id]
		if !ok {
			if v, found := inst(id); found {
				in = &v
			}
			seen[id] = in
		}
		s.insts[i] = in
	}
	return s
}

// SelectScan is NewScan(products, inst).Select(project, now, cfg).
func SelectScan(project finzone.Project, products []finzone.Product, inst func(id string) (Institution, bool), now time.Time, cfg Config) Selection {
	return NewScan(products, inst).Select(project, now, cfg)
}

// Select is the plain baseline: it applies Eligible and the score to every
// product in turn, with no index. Tests hold Index.Select to it; benchmarks
// measure the index against it.
func (s *Scan) Select(project finzone.Project, now time.Time, cfg Config) Selection {
	cfg = cfg.withDefaults()
	type best struct {
		points int32
		c      [numComponents]int32
		p      *finzone.Product
		in     *Institution
	}
	byInst := map[string]*best{}
	for i := range s.products {
		p, in := &s.products[i], s.insts[i]
		if in == nil || !Eligible(&project, p, in, now) {
			continue
		}
		c := scoreDomain(&project, p, in, &cfg.Weights)
		t := total(&c)
		b := byInst[in.ID]
		if b == nil || t > b.points || t == b.points && p.ID < b.p.ID {
			byInst[in.ID] = &best{t, c, p, in}
		}
	}
	bests := make([]*best, 0, len(byInst))
	list := make([]ranked, 0, len(byInst))
	for id, b := range byInst {
		list = append(list, ranked{points: b.points, instID: id, mayLead: cfg.mayLead(*b.in), ref: len(bests)})
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
		p, in := b.p, b.in
		fillComponents(comps, &b.c, &cfg.Weights)
		*pk = Pick{
			InstitutionID: in.ID, ProductID: p.ID, ProductVersion: p.Version,
			Score: float64(b.points) / 100, Components: comps, points: b.points,
			MinTicketYuan: p.AmountMinYuan, MaxTicketYuan: p.Ticket(), CapacityLeftYuan: capacityLeft(p, in),
			Syndicable: Syndicable(p), CanLeadSyndicate: p.CanLeadSyndicate && cfg.mayLead(*in),
		}
	})
}
