package matching

import (
	"cmp"
	"slices"
	"time"

	"finzone"
)

// Pick is one institution chosen for a project, through its best product.
type Pick struct {
	InstitutionID  string `json:"institution_id"`
	ProductID      string `json:"product_id"`
	ProductVersion int    `json:"product_version"`
	// Score is 0–100 (with default weights), the sum of Components.
	Score      float64     `json:"score"`
	Components []Component `json:"components"`
	// Syndicate terms of the product, so an allocation needs no other lookup:
	// the smallest and largest share it takes and the capacity left to it.
	MinTicketYuan    int64 `json:"min_ticket_yuan"`
	MaxTicketYuan    int64 `json:"max_ticket_yuan"`
	CapacityLeftYuan int64 `json:"capacity_left_yuan"`
	Syndicable       bool  `json:"syndicable"`
	// CanLeadSyndicate: the product can lead one and the institution may lead.
	CanLeadSyndicate bool `json:"can_lead_syndicate"`
	points           int32
}

// Selection is the "1+10" for one project: the leads (one by default), the
// partners, and the ranked waitlist that refills a declined or expired slot.
// Each list is ordered best first.
type Selection struct {
	Leads    []Pick `json:"leads"`
	Partners []Pick `json:"partners"`
	Waitlist []Pick `json:"waitlist"`
}

// Lead returns the first lead, or nil when no eligible institution may lead.
func (s Selection) Lead() *Pick {
	if len(s.Leads) == 0 {
		return nil
	}
	return &s.Leads[0]
}

// All returns leads, partners and waitlist in rank order of their roles.
func (s Selection) All() []Pick {
	return slices.Concat(s.Leads, s.Partners, s.Waitlist)
}

// ranked is one eligible institution's best product during selection.
type ranked struct {
	points  int32
	instID  string
	mayLead bool
	pick    func() Pick // built only for the institutions kept
}

// better orders by score, then institution ID, so equal scores rank the
// same way every run.
func better(ap int32, aid string, bp int32, bid string) bool {
	if ap != bp {
		return ap > bp
	}
	return aid < bid
}

// assemble splits a fully ranked list into leads, partners and waitlist.
func assemble(list []ranked, cfg *Config) Selection {
	var sel Selection
	taken := make([]bool, len(list))
	for i := range list {
		if len(sel.Leads) == cfg.Leads {
			break
		}
		if list[i].mayLead {
			sel.Leads = append(sel.Leads, list[i].pick())
			taken[i] = true
		}
	}
	for i := range list {
		if taken[i] {
			continue
		}
		switch {
		case len(sel.Partners) < cfg.Partners:
			sel.Partners = append(sel.Partners, list[i].pick())
		case cfg.Waitlist < 0 || len(sel.Waitlist) < cfg.Waitlist:
			sel.Waitlist = append(sel.Waitlist, list[i].pick())
		}
	}
	return sel
}

func components(c *[numComponents]int32, w *Weights) []Component {
	max := [numComponents]int{w.Rate, w.Amount, w.Term, w.Specialisation, w.Locality, w.TrackRecord, w.Load}
	out := make([]Component, numComponents)
	for i := range out {
		out[i] = Component{Name: ComponentNames[i], Value: float64(c[i]) / 100, Max: float64(max[i])}
	}
	return out
}

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
	list := make([]ranked, 0, len(byInst))
	for id, b := range byInst {
		list = append(list, ranked{points: b.points, instID: id, mayLead: cfg.mayLead(b.in), pick: func() Pick {
			p, in := b.p, &b.in
			return Pick{
				InstitutionID: in.ID, ProductID: p.ID, ProductVersion: p.Version,
				Score: float64(b.points) / 100, Components: components(&b.c, &cfg.Weights), points: b.points,
				MinTicketYuan: p.AmountMinYuan, MaxTicketYuan: p.Ticket(), CapacityLeftYuan: capacityLeft(p, in),
				Syndicable: Syndicable(p), CanLeadSyndicate: p.CanLeadSyndicate && cfg.mayLead(*in),
			}
		}})
	}
	slices.SortFunc(list, func(a, b ranked) int {
		if a.points != b.points {
			return cmp.Compare(b.points, a.points)
		}
		return cmp.Compare(a.instID, b.instID)
	})
	return assemble(list, &cfg)
}
