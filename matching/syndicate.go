package matching

import "finzone"

// NeedsSyndicate reports whether a project should be financed by a
// syndicate (银团): when its amount exceeds the configured threshold, or more
// than the lead's product lends alone (its max ticket) or the lead can still
// commit. Without a lead only the threshold counts.
func NeedsSyndicate(project finzone.Project, lead *Pick, cfg Config) bool {
	cfg = cfg.withDefaults()
	if project.AmountYuan > cfg.SyndicationThresholdYuan {
		return true
	}
	return lead != nil && (project.AmountYuan > lead.MaxTicketYuan || project.AmountYuan > lead.CapacityLeftYuan)
}

// Candidate is an institution that may take a share of a syndicate, with the
// bounds of its share. Allocate prefers candidates earlier in its list.
type Candidate struct {
	InstitutionID string
	MinTicketYuan int64
	MaxTicketYuan int64
	CapacityYuan  int64
	CanLead       bool
}

// Candidates returns the syndicable picks of a selection as allocation
// candidates, leads first, then partners, then the waitlist.
func Candidates(sel Selection) []Candidate {
	var out []Candidate
	for _, p := range sel.All() {
		if !p.Syndicable {
			continue
		}
		out = append(out, Candidate{InstitutionID: p.InstitutionID, MinTicketYuan: p.MinTicketYuan,
			MaxTicketYuan: p.MaxTicketYuan, CapacityYuan: p.CapacityLeftYuan, CanLead: p.CanLeadSyndicate})
	}
	return out
}

// Role is a member's part in a syndicate.
type Role string

const (
	RoleLead        Role = "lead"    // 牵头行
	RoleCoLead      Role = "co_lead" // 联合牵头行
	RoleParticipant Role = "participant"
)

// Rules are the allocation rules, from the NFRA syndicated loan measures
// (2024) with the platform's rounding unit. Shares are in basis points of
// the facility.
type Rules struct {
	UnitYuan         int64 // shares are multiples of it; default ¥10,000
	SingleLeadMinBps int64 // a sole lead holds at least this; default 15%
	DistributeMinBps int64 // a sole lead passes at least this to others; default 30%
	CoLeadMinBps     int64 // with co-leads, each lead holds at least this; default 10%
	MemberMaxBps     int64 // nobody holds more; default 70%
}

// DefaultRules returns the NFRA rules with ¥1万 units.
func DefaultRules() Rules {
	return Rules{UnitYuan: 10_000, SingleLeadMinBps: 1500, DistributeMinBps: 3000, CoLeadMinBps: 1000, MemberMaxBps: 7000}
}

func (r Rules) withDefaults() Rules {
	d := DefaultRules()
	if r.UnitYuan <= 0 {
		r.UnitYuan = d.UnitYuan
	}
	if r.SingleLeadMinBps <= 0 {
		r.SingleLeadMinBps = d.SingleLeadMinBps
	}
	if r.DistributeMinBps <= 0 {
		r.DistributeMinBps = d.DistributeMinBps
	}
	if r.CoLeadMinBps <= 0 {
		r.CoLeadMinBps = d.CoLeadMinBps
	}
	if r.MemberMaxBps <= 0 {
		r.MemberMaxBps = d.MemberMaxBps
	}
	return r
}

// Share is one member's part of an allocation.
type Share struct {
	InstitutionID string `json:"institution_id"`
	Role          Role   `json:"role"`
	AmountYuan    int64  `json:"amount_yuan"`
}

// Shortfall codes say why an allocation leaves a gap.
const (
	ShortNoLead   = "no_lead"        // nobody may lead with the share a lead must hold
	ShortCapacity = "capacity_short" // the candidates cannot take the whole amount
)

// Allocation splits a facility among members. Shares plus GapYuan equal
// AmountYuan; a gap means the candidates cannot cover the facility under the
// rules and Shortfall says why. Shares list the lead, co-leads, then
// participants by rank.
type Allocation struct {
	AmountYuan int64   `json:"amount_yuan"`
	Shares     []Share `json:"shares"`
	GapYuan    int64   `json:"gap_yuan"`
	Shortfall  string  `json:"shortfall,omitempty"`
}

// Lead returns the lead's institution ID, or "" when there is none.
func (a Allocation) Lead() string {
	for _, s := range a.Shares {
		if s.Role == RoleLead {
			return s.InstitutionID
		}
	}
	return ""
}
