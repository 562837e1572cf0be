package finzone

import (
	"slices"
	"strings"
	"time"
)

// A syndicated loan (银团贷款) as banks arrange it, under the NFRA measures
// of 2024: the platform suggests one for a project too large for one lender;
// the enterprise mandates a lead arranger from the banks that accepted its
// push; the lead sets the facility (tranche groups, agent bank, fees, a
// commitment deadline) and invites banks; banks commit or decline; the book
// is allocated on every change (matching.AllocateBook); the lead signs once
// the allocation covers the facility under every rule; the agent bank then
// records drawdowns. Each step is a pure function here returning the next
// syndicate; the caller checks who acts (the lead, the agent, a member) and
// writes it conditional on the version it read.

// SyndicateState is where a syndicated loan stands.
type SyndicateState string

const (
	SyndicateSuggested    SyndicateState = "suggested"     // the platform suggests one; the enterprise mandates a lead
	SyndicateMandated     SyndicateState = "mandated"      // a lead arranger holds the mandate; no facility yet
	SyndicateBookBuilding SyndicateState = "book_building" // the lead collects commitments
	SyndicateSigned       SyndicateState = "signed"        // the loan agreement is signed
)

// SyndicateStates lists every state in order.
var SyndicateStates = []SyndicateState{SyndicateSuggested, SyndicateMandated, SyndicateBookBuilding, SyndicateSigned}

// Valid reports whether s is a known state.
func (s SyndicateState) Valid() bool { return contains(SyndicateStates, s) }

// SyndicateRole is a member's part: lead arranger (牵头行), co-lead (联合牵头行)
// or participant (参加行). The agent bank (代理行) is a member named by the
// facility.
type SyndicateRole string

const (
	SyndicateLead        SyndicateRole = "lead"
	SyndicateCoLead      SyndicateRole = "co_lead"
	SyndicateParticipant SyndicateRole = "participant"
)

// MemberStatus is where an invited bank stands in the book.
type MemberStatus string

const (
	MemberInvited   MemberStatus = "invited"
	MemberCommitted MemberStatus = "committed"
	MemberDeclined  MemberStatus = "declined"
	MemberWithdrawn MemberStatus = "withdrawn" // took its commitment back before signing
	MemberLeft      MemberStatus = "left"      // transferred its whole share after signing
)

// Why a syndicate is suggested.
const (
	SyndicateReasonThreshold    = "threshold"     // the amount exceeds the platform's threshold
	SyndicateReasonLeadTicket   = "lead_ticket"   // more than the best lead lends alone
	SyndicateReasonLeadCapacity = "lead_capacity" // more than the best lead can still commit
)

// Rule codes: the checks an allocation must pass, named in reports and in
// refusals (Error.Params["rule"]).
const (
	RuleCovered      = "covered"        // allocations sum exactly to the facility
	RuleLeadMin      = "lead_min"       // a sole lead holds ≥ 15 %; with co-leads each lead ≥ 10 %
	RuleCoLeadMin    = "co_lead_min"    // each co-lead holds ≥ 10 %
	RuleDistribute   = "distribute_min" // a sole lead passes ≥ 30 % to others
	RuleMemberMax    = "member_max"     // nobody holds more than 70 %
	RuleTrancheBanks = "tranche_banks"  // each tranche group has at least 2 banks
	RuleAgentMember  = "agent_member"   // the agent bank holds a share
)

// SyndicateRules are the allocation rules of the NFRA measures with the
// platform's rounding unit. Shares are in basis points of the facility.
type SyndicateRules struct {
	UnitYuan         int64 // shares are multiples of it; default ¥10,000
	SingleLeadMinBps int64 // a sole lead holds at least this; default 15 %
	DistributeMinBps int64 // a sole lead passes at least this to others; default 30 %
	CoLeadMinBps     int64 // with co-leads, each lead holds at least this; default 10 %
	MemberMaxBps     int64 // nobody holds more; default 70 %
	TrancheMinBanks  int   // banks in each tranche group; default 2
}

// DefaultSyndicateRules returns the NFRA rules with ¥1万 units.
func DefaultSyndicateRules() SyndicateRules {
	return SyndicateRules{UnitYuan: 10_000, SingleLeadMinBps: 1500, DistributeMinBps: 3000, CoLeadMinBps: 1000,
		MemberMaxBps: 7000, TrancheMinBanks: 2}
}

// WithDefaults fills unset rules from DefaultSyndicateRules.
func (r SyndicateRules) WithDefaults() SyndicateRules {
	d := DefaultSyndicateRules()
	for _, f := range []struct{ v, d *int64 }{{&r.UnitYuan, &d.UnitYuan}, {&r.SingleLeadMinBps, &d.SingleLeadMinBps},
		{&r.DistributeMinBps, &d.DistributeMinBps}, {&r.CoLeadMinBps, &d.CoLeadMinBps}, {&r.MemberMaxBps, &d.MemberMaxBps}} {
		if *f.v <= 0 {
			*f.v = *f.d
		}
	}
	if r.TrancheMinBanks <= 0 {
		r.TrancheMinBanks = d.TrancheMinBanks
	}
	return r
}

// Limits for a facility.
const (
	MaxTrancheGroups  = 3
	MaxCoLeads        = 2
	MaxSyndicateFee   = 1000 // bps
	MaxCommitDays     = 30   // working days
	maxSyndicateNotes = 500
)

// TrancheGroup is one tranche of a tranched syndicate (分组银团): A, B or C.
type TrancheGroup struct {
	ID         string
	AmountYuan int64
	TermMonths int
}

// Facility is what the lead arranger sets: the amount, its tranche groups,
// the agent bank and the fees the borrower pays, and until when banks
// commit.
type Facility struct {
	AmountYuan        int64
	Tranches          []TrancheGroup
	AgentID           string
	ArrangementFeeBps int // one-off, to the lead arranger
	AgencyFeeBps      int // a year, to the agent bank
	CommitDays        int // working days from when the facility was set
	CommitBy          time.Time
}

// Tranche returns the tranche group with the given ID.
func (f Facility) Tranche(id string) (TrancheGroup, bool) {
	for _, t := range f.Tranches {
		if t.ID == id {
			return t, true
		}
	}
	return TrancheGroup{}, false
}

// TrancheAmount is an amount in one tranche group.
type TrancheAmount struct {
	Tranche    string
	AmountYuan int64
}

func sumAmounts(as []TrancheAmount) int64 {
	var n int64
	for _, a := range as {
		n += a.AmountYuan
	}
	return n
}

func amountIn(as []TrancheAmount, tranche string) int64 {
	for _, a := range as {
		if a.Tranche == tranche {
			return a.AmountYuan
		}
	}
	return 0
}

// setAmount returns as with tranche's amount set to n (removed when 0), in
// tranche order.
func setAmount(as []TrancheAmount, tranche string, n int64) []TrancheAmount {
	out := slices.DeleteFunc(slices.Clone(as), func(a TrancheAmount) bool { return a.Tranche == tranche })
	if n > 0 {
		out = append(out, TrancheAmount{Tranche: tranche, AmountYuan: n})
	}
	slices.SortFunc(out, func(a, b TrancheAmount) int { return strings.Compare(a.Tranche, b.Tranche) })
	return out
}

// SyndicateMember is one invited bank: its role, its answer, what it
// committed and what the allocation gives it, per tranche group.
type SyndicateMember struct {
	InstitutionID string
	Role          SyndicateRole
	Status        MemberStatus
	// FeeBps is the participation fee the lead offered this bank: shown to
	// the bank itself and the lead only.
	FeeBps        int
	Commitments   []TrancheAmount
	Allocations   []TrancheAmount
	DeclineReason string
	Note          string
	InvitedAt     time.Time
	AnsweredAt    time.Time
}

// CommittedYuan and AllocatedYuan sum the member's amounts; CommittedIn
// and AllocatedIn are those in one tranche group.
func (m SyndicateMember) CommittedYuan() int64             { return sumAmounts(m.Commitments) }
func (m SyndicateMember) AllocatedYuan() int64             { return sumAmounts(m.Allocations) }
func (m SyndicateMember) CommittedIn(tranche string) int64 { return amountIn(m.Commitments, tranche) }
func (m SyndicateMember) AllocatedIn(tranche string) int64 { return amountIn(m.Allocations, tranche) }

// RuleCheck is one rule and whether the allocation keeps it.
type RuleCheck struct {
	Rule string
	OK   bool
}

// Split is one member's part of a drawdown.
type Split struct {
	InstitutionID string
	AmountYuan    int64
}

// Drawdown is money the agent bank paid out of one tranche group, split
// among the members by their shares of it.
type Drawdown struct {
	ID string
	// Ref is the agent bank's own reference for the payment, if it gave
	// one: a drawdown sent again with it is recorded once.
	Ref        string
	Tranche    string
	AmountYuan int64
	At         time.Time
	By         string
	Splits     []Split
}

// MemberStatuses lists every member status in order.
var MemberStatuses = []MemberStatus{MemberInvited, MemberCommitted, MemberDeclined, MemberWithdrawn, MemberLeft}

// SyndicateEvent is one step in a syndicate's history.
type SyndicateEvent struct {
	At            time.Time
	Actor         string // a user ID, or "system"
	OrgID         string // the organization that acted
	Action        string
	InstitutionID string // whom it is about, when not the actor
	Tranche       string
	AmountYuan    int64
	Note          string
}

// Syndicate is a project's syndicated loan. Version guards concurrent
// changes (no transactions on FerretDB).
type Syndicate struct {
	ProjectID string
	// Copied from the project when suggested, so lists need no join.
	ProjectTitle string
	OwnerOrgID   string
	RegionCode   string
	ClusterID    string
	AmountYuan   int64 // the project's need when suggested
	TermMonths   int   // the project's term: a tranche's default
	State        SyndicateState
	// Reason says why the platform suggested a syndicate; SuggestedLeadID
	// is the bank it would mandate (preselected, not imposed).
	Reason          string
	SuggestedLeadID string
	LeadID          string
	Facility        Facility
	Members         []SyndicateMember
	// GapYuan is what the allocation leaves uncovered; Binding names the
	// rule that stops the book covering the facility, when one does.
	GapYuan   int64
	Binding   string
	Checks    []RuleCheck
	Drawdowns []Drawdown
	Events    []SyndicateEvent
	SignedAt  time.Time
	Version   int
	CreatedAt time.Time
	UpdatedAt time.Time
}

// Member returns the member for an institution.
func (s Syndicate) Member(institutionID string) (SyndicateMember, bool) {
	i := s.memberIndex(institutionID)
	if i < 0 {
		return SyndicateMember{}, false
	}
	return s.Members[i], true
}

func (s Syndicate) memberIndex(institutionID string) int {
	return slices.IndexFunc(s.Members, func(m SyndicateMember) bool { return m.InstitutionID == institutionID })
}

// AllocatedYuan sums the members' allocations.
func (s Syndicate) AllocatedYuan() int64 {
	var n int64
	for _, m := range s.Members {
		n += m.AllocatedYuan()
	}
	return n
}

// CommittedYuan sums the live commitments.
func (s Syndicate) CommittedYuan() int64 {
	var n int64
	for _, m := range s.Members {
		if m.Status == MemberCommitted {
			n += m.CommittedYuan()
		}
	}
	return n
}

// DrawnYuan sums the drawdowns, of one tranche group or (tranche "") all.
func (s Syndicate) DrawnYuan(tranche string) int64 {
	var n int64
	for _, d := range s.Drawdowns {
		if tranche == "" || d.Tranche == tranche {
			n += d.AmountYuan
		}
	}
	return n
}

// CoverageBps is the share of the facility allocated, in basis points.
func (s Syndicate) CoverageBps() int64 {
	if s.Facility.AmountYuan == 0 {
		return 0
	}
	return s.AllocatedYuan() * 10_000 / s.Facility.AmountYuan
}

// Signable reports whether the lead may sign: the book covers the facility
// and every rule holds.
func (s Syndicate) Signable() bool {
	return s.State == SyndicateBookBuilding && s.Facility.AmountYuan > 0 && s.GapYuan == 0 && s.Binding == "" && s.allOK()
}

func (s Syndicate) allOK() bool {
	for _, c := range s.Checks {
		if !c.OK {
			return false
		}
	}
	return len(s.Checks) > 0
}

// CanSee reports whether an institution may see the syndicate as a member
// would: it is invited to it.
func (s Syndicate) CanSee(institutionID string) bool { return s.memberIndex(institutionID) >= 0 }

// SeenBy is the syndicate as orgID sees it: a member's fee terms are shown
// to its own bank and the lead arranger only.
func (s Syndicate) SeenBy(orgID string) Syndicate {
	if orgID == s.LeadID && orgID != "" {
		return s
	}
	s.Members = slices.Clone(s.Members)
	for i := range s.Members {
		if s.Members[i].InstitutionID != orgID {
			s.Members[i].FeeBps = 0
		}
	}
	return s
}

// FeeVisible reports whether orgID may see member's fee terms.
func (s Syndicate) FeeVisible(orgID, member string) bool {
	return orgID != "" && (orgID == s.LeadID || orgID == member)
}

// SuggestSyndicate is the platform's suggestion of a syndicate for p, with
// the reason and the lead it would mandate.
func SuggestSyndicate(p Project, reason, suggestedLead string, now time.Time) Syndicate {
	return Syndicate{ProjectID: p.ID, ProjectTitle: p.Title, OwnerOrgID: p.OwnerOrgID, RegionCode: p.RegionCode,
		ClusterID: p.ClusterID, AmountYuan: p.AmountYuan, TermMonths: p.TermMonths, State: SyndicateSuggested, Reason: reason,
		SuggestedLeadID: suggestedLead, Events: []SyndicateEvent{{At: now, Actor: "system", Action: "suggested", Note: reason}}}
}

func (s Syndicate) event(e SyndicateEvent) Syndicate {
	s.Events = append(slices.Clone(s.Events), e)
	return s
}

// Allocated returns the syndicate with an allocation applied: each
// member's shares by tranche group (matching.AllocateBook computes them),
// the gap, the rule checks and the binding rule (capped says the 70 % cap
// cut a member's commitment while the book had a gap).
func (s Syndicate) Allocated(shares map[string][]TrancheAmount, capped bool, r SyndicateRules) Syndicate {
	s.Members = slices.Clone(s.Members)
	for i := range s.Members {
		s.Members[i].Allocations = shares[s.Members[i].InstitutionID]
	}
	s.GapYuan = s.Facility.AmountYuan - s.AllocatedYuan()
	s.Checks = s.Check(r)
	s.Binding = ""
	for _, c := range s.Checks {
		if !c.OK && c.Rule != RuleCovered {
			s.Binding = c.Rule
			break
		}
	}
	if s.Binding == "" && s.GapYuan > 0 && capped {
		s.Binding = RuleMemberMax
		if s.soleLead() {
			s.Binding = RuleDistribute
		}
	}
	return s
}

func (s Syndicate) soleLead() bool {
	for _, m := range s.Members {
		if m.Role == SyndicateCoLead && m.AllocatedYuan() > 0 {
			return false
		}
	}
	return true
}

// Check judges the allocation against every rule.
func (s Syndicate) Check(r SyndicateRules) []RuleCheck {
	r = r.WithDefaults()
	a := s.Facility.AmountYuan
	atLeast := func(v, bps int64) bool { return v*10_000 >= a*bps }
	sole := s.soleLead()
	leadMin := r.SingleLeadMinBps
	if !sole {
		leadMin = r.CoLeadMinBps
	}
	lead, _ := s.Member(s.LeadID)
	out := []RuleCheck{{RuleCovered, s.GapYuan == 0 && s.AllocatedYuan() == a}, {RuleLeadMin, atLeast(lead.AllocatedYuan(), leadMin)}}
	if !sole {
		ok := true
		for _, m := range s.Members {
			if m.Role == SyndicateCoLead && m.AllocatedYuan() > 0 && !atLeast(m.AllocatedYuan(), r.CoLeadMinBps) {
				ok = false
			}
		}
		out = append(out, RuleCheck{RuleCoLeadMin, ok})
	} else {
		out = append(out, RuleCheck{RuleDistribute, atLeast(s.AllocatedYuan()-lead.AllocatedYuan(), r.DistributeMinBps)})
	}
	maxOK := true
	for _, m := range s.Members {
		if m.AllocatedYuan()*10_000 > a*r.MemberMaxBps {
			maxOK = false
		}
	}
	out = append(out, RuleCheck{RuleMemberMax, maxOK})
	banksOK := true
	for _, t := range s.Facility.Tranches {
		n := 0
		for _, m := range s.Members {
			if m.AllocatedIn(t.ID) > 0 {
				n++
			}
		}
		if n < r.TrancheMinBanks {
			banksOK = false
		}
	}
	agent, _ := s.Member(s.Facility.AgentID)
	return append(out, RuleCheck{RuleTrancheBanks, banksOK}, RuleCheck{RuleAgentMember, agent.AllocatedYuan() > 0})
}
