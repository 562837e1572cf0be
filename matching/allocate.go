package matching

// Allocate splits amountYuan among the candidates under the rules. It picks
// the highest-ranked candidate that can hold a sole lead's share as lead and
// gives it as much as it may hold (at most 70%), then fills the rest from the
// next candidates in rank order, each taking as much as it can, so the
// syndicate has few members and the best-ranked ones carry the most. When no
// candidate can hold 15% it tries two co-leads holding 10% each. A
// candidate's minimum ticket is met by taking the difference back from the
// lowest-ranked members with room above their own minimum. The result is
// deterministic; when the candidates cannot cover the amount it is the best
// partial allocation and the gap, never more than they may hold.
//
// Shares are whole units (¥1万) except one, the lead's when it has room,
// that carries the remainder of an amount that is not whole units.
func Allocate(amountYuan int64, candidates []Candidate, rules Rules) Allocation {
	a := newAlloc(amountYuan, candidates, rules)
	if a.U <= 0 || len(candidates) == 0 {
		return Allocation{AmountYuan: amountYuan, GapYuan: max(amountYuan, 0), Shortfall: ShortNoLead}
	}
	if !a.chooseLeads() {
		return Allocation{AmountYuan: amountYuan, GapYuan: amountYuan, Shortfall: ShortNoLead}
	}
	a.fill()
	return a.result()
}

// alloc is an allocation in progress, in units.
type alloc struct {
	r       Rules
	A, U    int64 // amount in yuan, and in whole units
	c       []Candidate
	lo, hi  []int64 // each candidate's share bounds in units; lo > hi: unusable
	share   []int64
	role    []Role
	order   []int // members, in the order they joined
	coLeads bool
	leadMin int64 // units a lead must hold under the current structure
}

func ceilDiv(a, b int64) int64 { return (a + b - 1) / b }

func newAlloc(amount int64, cands []Candidate, rules Rules) *alloc {
	r := rules.withDefaults()
	a := &alloc{r: r, A: amount, c: cands}
	if amount <= 0 {
		return a
	}
	a.U = amount / r.UnitYuan
	memberMax := amount * r.MemberMaxBps / 10_000
	a.lo, a.hi = make([]int64, len(cands)), make([]int64, len(cands))
	a.share, a.role = make([]int64, len(cands)), make([]Role, len(cands))
	for i, c := range cands {
		a.lo[i] = max(ceilDiv(max(c.MinTicketYuan, 0), r.UnitYuan), 1)
		a.hi[i] = min(c.MaxTicketYuan, c.CapacityYuan, memberMax) / r.UnitYuan
	}
	return a
}

func (a *alloc) pctUnits(bps int64) int64 { return ceilDiv(ceilDiv(a.A*bps, 10_000), a.r.UnitYuan) }

func (a *alloc) usable(i int) bool { return a.lo[i] <= a.hi[i] }

func (a *alloc) member(i int) bool { return a.share[i] > 0 }

// lower is the least a member may hold.
func (a *alloc) lower(i int) int64 {
	if a.role[i] == RoleLead || a.role[i] == RoleCoLead {
		return max(a.lo[i], a.leadMin)
	}
	return a.lo[i]
}

func (a *alloc) left() int64 {
	left := a.U
	for _, i := range a.order {
		left -= a.share[i]
	}
	return left
}

func (a *alloc) join(i int, role Role, units int64) {
	a.share[i], a.role[i] = units, role
	a.order = append(a.order, i)
}

// chooseLeads seats a sole lead, or two co-leads when nobody can hold a sole
// lead's share.
func (a *alloc) chooseLeads() bool {
	sole := a.pctUnits(a.r.SingleLeadMinBps)
	for i := range a.c {
		if a.c[i].CanLead && a.usable(i) && a.hi[i] >= max(a.lo[i], sole) && max(a.lo[i], sole) <= a.U {
			a.leadMin = sole
			a.join(i, RoleLead, min(a.hi[i], a.U))
			return true
		}
	}
	co := a.pctUnits(a.r.CoLeadMinBps)
	var leads []int
	for i := range a.c {
		if a.c[i].CanLead && a.usable(i) && a.hi[i] >= max(a.lo[i], co) {
			leads = append(leads, i)
			if len(leads) == 2 {
				break
			}
		}
	}
	if len(leads) < 2 || max(a.lo[leads[0]], co)+max(a.lo[leads[1]], co) > a.U {
		return false
	}
	a.coLeads, a.leadMin = true, co
	second := max(a.lo[leads[1]], co)
	a.join(leads[0], RoleLead, min(a.hi[leads[0]], a.U-second))
	a.join(leads[1], RoleCoLead, min(a.hi[leads[1]], a.left()))
	return true
}

// fill adds non-members in rank order until the amount is covered.
func (a *alloc) fill() {
	for i := range a.c {
		left := a.left()
		if left <= 0 {
			return
		}
		if a.member(i) || !a.usable(i) || a.taken(i) {
			continue
		}
		take := min(a.hi[i], left)
		if take >= a.lo[i] {
			a.join(i, RoleParticipant, take)
			continue
		}
		// The rest is below this candidate's minimum: make room by trimming
		// the lowest-ranked members that have slack, if they have enough.
		need := a.lo[i] - left
		if a.slack() < need {
			continue
		}
		a.trim(need)
		a.join(i, RoleParticipant, a.lo[i])
	}
}

// taken reports whether another candidate entry already seated the same
// institution (a list may name one twice).
func (a *alloc) taken(i int) bool {
	for _, j := range a.order {
		if a.c[j].InstitutionID == a.c[i].InstitutionID {
			return true
		}
	}
	return false
}

func (a *alloc) slack() int64 {
	var s int64
	for _, j := range a.order {
		s += a.share[j] - a.lower(j)
	}
	return s
}

// trim takes need units back, from the lowest-ranked members first.
func (a *alloc) trim(need int64) {
	rank := append([]int(nil), a.order...)
	for k := len(rank) - 1; k >= 0 && need > 0; k-- {
		// order is join order; members joined in rank order after the leads,
		// so walking it backwards trims participants before leads.
		j := rank[k]
		d := min(a.share[j]-a.lower(j), need)
		a.share[j] -= d
		need -= d
	}
}

// topUp raises existing members, best-ranked first, to cover what is left.
func (a *alloc) topUp() {
	for _, j := range a.order {
		left := a.left()
		if left <= 0 {
			return
		}
		a.share[j] += min(a.hi[j]-a.share[j], left)
	}
}

// result turns units into yuan, gives the lead any remainder below one unit
// when it may hold it, and records the gap.
func (a *alloc) result() Allocation {
	out := Allocation{AmountYuan: a.A}
	var sum int64
	add := func(role Role) {
		for _, j := range a.order {
			if a.role[j] == role && a.share[j] > 0 {
				out.Shares = append(out.Shares, Share{InstitutionID: a.c[j].InstitutionID, Role: role, AmountYuan: a.share[j] * a.r.UnitYuan})
				sum += a.share[j] * a.r.UnitYuan
			}
		}
	}
	add(RoleLead)
	add(RoleCoLead)
	add(RoleParticipant)
	// An amount that is not whole units leaves a remainder: the lead carries
	// it when it may, else the first member with room.
	if rem := a.A - a.U*a.r.UnitYuan; rem > 0 {
		for k := range out.Shares {
			s := &out.Shares[k]
			c := a.c[a.indexOf(s.InstitutionID)]
			if y := s.AmountYuan + rem; y <= c.MaxTicketYuan && y <= c.CapacityYuan && y*10_000 <= a.A*a.r.MemberMaxBps {
				s.AmountYuan = y
				sum += rem
				break
			}
		}
	}
	out.GapYuan = a.A - sum
	if out.GapYuan > 0 {
		out.Shortfall = ShortCapacity
		if len(out.Shares) == 0 {
			out.Shortfall = ShortNoLead
		}
	}
	return out
}

func (a *alloc) indexOf(id string) int {
	for _, j := range a.order {
		if a.c[j].InstitutionID == id {
			return j
		}
	}
	return -1
}
