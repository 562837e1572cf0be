package matching

import "slices"

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

// ranked is one eligible institution's best product during selection; ref
// lets the caller find the product again when it builds the pick.
type ranked struct {
	points  int32
	instID  string
	mayLead bool
	ref     int
}

// better orders by score, then institution ID, so equal scores rank the
// same way every run.
func better(ap int32, aid string, bp int32, bid string) bool {
	if ap != bp {
		return ap > bp
	}
	return aid < bid
}

// assemble splits a fully ranked list into leads, partners and waitlist and
// builds only the picks it keeps, in one backing array.
func assemble(list []ranked, cfg *Config, build func(r ranked, p *Pick, comps []Component)) Selection {
	role := make([]int8, len(list)) // 0 dropped, 1 lead, 2 partner, 3 waitlist
	var nl, np, nw int
	for i := range list {
		if nl < cfg.Leads && list[i].mayLead {
			role[i] = 1
			nl++
		}
	}
	for i := range list {
		if role[i] != 0 {
			continue
		}
		switch {
		case np < cfg.Partners:
			role[i] = 2
			np++
		case cfg.Waitlist < 0 || nw < cfg.Waitlist:
			role[i] = 3
			nw++
		}
	}
	n := nl + np + nw
	picks := make([]Pick, n)
	comps := make([]Component, n*numComponents)
	next := [4]int{0, 0, nl, nl + np}
	for i := range list {
		if r := role[i]; r != 0 {
			k := next[r]
			next[r]++
			build(list[i], &picks[k], comps[k*numComponents:(k+1)*numComponents:(k+1)*numComponents])
		}
	}
	var sel Selection
	if nl > 0 {
		sel.Leads = picks[:nl:nl]
	}
	if np > 0 {
		sel.Partners = picks[nl : nl+np : nl+np]
	}
	if nw > 0 {
		sel.Waitlist = picks[nl+np:]
	}
	return sel
}

func fillComponents(out []Component, c *[numComponents]int32, w *Weights) {
	max := [numComponents]int{w.Rate, w.Amount, w.Term, w.Specialisation, w.Locality, w.TrackRecord, w.Load}
	for i := range out {
		out[i] = Component{Name: ComponentNames[i], Value: float64(c[i]) / 100, Max: float64(max[i])}
	}
}
