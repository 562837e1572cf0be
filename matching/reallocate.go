package matching

import (
	"errors"
	"fmt"
)

// Reallocate replaces a member that declined. The other members keep their
// shares where the rules allow: the declined share goes first to new
// candidates in rank order, then to existing members with room. A declined
// lead is replaced by its co-lead or by the best-ranked member that may lead,
// raised to a lead's minimum share. When the kept shares cannot be made to
// obey the rules, it allocates afresh without the declined institution.
func Reallocate(prev Allocation, declinedInstitutionID string, candidates []Candidate, rules Rules) Allocation {
	rest := make([]Candidate, 0, len(candidates))
	for _, c := range candidates {
		if c.InstitutionID != declinedInstitutionID {
			rest = append(rest, c)
		}
	}
	fresh := func() Allocation { return Allocate(prev.AmountYuan, rest, rules) }

	wasLead, found := false, false
	for _, s := range prev.Shares {
		if s.InstitutionID == declinedInstitutionID {
			found, wasLead = true, s.Role == RoleLead
		}
	}
	if !found {
		return prev
	}
	a := newAlloc(prev.AmountYuan, rest, rules)
	if a.U <= 0 {
		return fresh()
	}
	idx := map[string]int{}
	for i, c := range rest {
		if _, ok := idx[c.InstitutionID]; !ok {
			idx[c.InstitutionID] = i
		}
	}
	// Seat the kept members in their old roles, leads first.
	for _, s := range prev.Shares {
		if s.InstitutionID == declinedInstitutionID {
			continue
		}
		i, ok := idx[s.InstitutionID]
		if !ok || s.AmountYuan < a.r.UnitYuan {
			return fresh()
		}
		role := s.Role
		if role == RoleLead || role == RoleCoLead {
			a.coLeads = a.coLeads || role == RoleCoLead
		}
		a.join(i, role, s.AmountYuan/a.r.UnitYuan)
	}
	if wasLead && !a.promote() {
		return fresh()
	}
	// With co-leads gone, a lone lead must hold a sole lead's share.
	coLeads := 0
	for _, j := range a.order {
		if a.role[j] == RoleCoLead {
			coLeads++
		}
	}
	a.coLeads = coLeads > 0
	a.leadMin = a.pctUnits(a.r.SingleLeadMinBps)
	if a.coLeads {
		a.leadMin = a.pctUnits(a.r.CoLeadMinBps)
	}
	for _, j := range a.order {
		if a.role[j] == RoleLead || a.role[j] == RoleCoLead {
			need := a.lower(j) - a.share[j]
			if need <= 0 {
				continue
			}
			if a.share[j]+need > a.hi[j] || need > a.left() {
				return fresh()
			}
			a.share[j] += need
		}
	}
	a.fill()
	a.topUp()
	out := a.result()
	if CheckAllocation(out, rest, rules) != nil {
		return fresh()
	}
	return out
}

// promote makes a new lead after the lead declined: the first co-lead, or
// the best-ranked member that may lead.
func (a *alloc) promote() bool {
	for _, role := range []Role{RoleCoLead, RoleParticipant} {
		for i := range a.c {
			if a.member(i) && a.role[i] == role && a.c[i].CanLead {
				a.role[i] = RoleLead
				return true
			}
		}
	}
	return false
}

// CheckAllocation reports every way an allocation breaks the rules for these
// candidates, or nil. An allocation with a gap is partial: it is exempt only
// from the sole lead's 30% distribution, which a gap may leave unmet.
func CheckAllocation(a Allocation, candidates []Candidate, rules Rules) error {
	r := rules.withDefaults()
	var errs []error
	bad := func(format string, args ...any) { errs = append(errs, fmt.Errorf(format, args...)) }
	byID := map[string]Candidate{}
	for _, c := range candidates {
		if _, ok := byID[c.InstitutionID]; !ok {
			byID[c.InstitutionID] = c
		}
	}
	var sum int64
	leads, coLeads, odd := 0, 0, 0
	var leadShare int64
	seen := map[string]bool{}
	for _, s := range a.Shares {
		sum += s.AmountYuan
		c, ok := byID[s.InstitutionID]
		switch {
		case !ok:
			bad("%s is not a candidate", s.InstitutionID)
			continue
		case seen[s.InstitutionID]:
			bad("%s holds two shares", s.InstitutionID)
		}
		seen[s.InstitutionID] = true
		if s.AmountYuan <= 0 || s.AmountYuan < c.MinTicketYuan || s.AmountYuan > c.MaxTicketYuan || s.AmountYuan > c.CapacityYuan {
			bad("%s: share %d outside its ticket [%d, %d] or capacity %d", s.InstitutionID, s.AmountYuan, c.MinTicketYuan, c.MaxTicketYuan, c.CapacityYuan)
		}
		if s.AmountYuan*10_000 > a.AmountYuan*r.MemberMaxBps {
			bad("%s: share %d above %d bp of %d", s.InstitutionID, s.AmountYuan, r.MemberMaxBps, a.AmountYuan)
		}
		if s.AmountYuan%r.UnitYuan != 0 {
			odd++
			if s.AmountYuan%r.UnitYuan != a.AmountYuan%r.UnitYuan {
				bad("%s: share %d not in units of %d", s.InstitutionID, s.AmountYuan, r.UnitYuan)
			}
		}
		switch s.Role {
		case RoleLead:
			leads++
			leadShare = s.AmountYuan
			if !c.CanLead {
				bad("%s leads but may not", s.InstitutionID)
			}
		case RoleCoLead:
			coLeads++
			if !c.CanLead {
				bad("%s co-leads but may not", s.InstitutionID)
			}
		case RoleParticipant:
		default:
			bad("%s: unknown role %q", s.InstitutionID, s.Role)
		}
	}
	if a.GapYuan < 0 || sum+a.GapYuan != a.AmountYuan {
		bad("shares %d plus gap %d do not make the amount %d", sum, a.GapYuan, a.AmountYuan)
	}
	if odd > 1 {
		bad("%d shares carry a remainder below one unit, want at most 1", odd)
	}
	if len(a.Shares) > 0 && leads != 1 {
		bad("%d leads, want 1", leads)
	}
	for _, s := range a.Shares {
		if coLeads > 0 && (s.Role == RoleLead || s.Role == RoleCoLead) && s.AmountYuan*10_000 < a.AmountYuan*r.CoLeadMinBps {
			bad("%s: lead share %d below %d bp", s.InstitutionID, s.AmountYuan, r.CoLeadMinBps)
		}
	}
	if leads == 1 && coLeads == 0 {
		if leadShare*10_000 < a.AmountYuan*r.SingleLeadMinBps {
			bad("sole lead share %d below %d bp", leadShare, r.SingleLeadMinBps)
		}
		if a.GapYuan == 0 && (sum-leadShare)*10_000 < a.AmountYuan*r.DistributeMinBps {
			bad("sole lead distributes %d, below %d bp", sum-leadShare, r.DistributeMinBps)
		}
	}
	return errors.Join(errs...)
}
