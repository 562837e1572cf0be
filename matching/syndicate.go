package matching

import "finzone"

// SyndicateReason says why a project should be financed by a syndicate
// (银团): its amount exceeds the configured threshold, or is more than the
// lead's product lends alone (its max ticket) or the lead can still commit.
// Without a lead only the threshold counts. "" means one lender will do.
func SyndicateReason(project finzone.Project, lead *Pick, cfg Config) string {
	cfg = cfg.withDefaults()
	switch {
	case project.AmountYuan > cfg.SyndicationThresholdYuan:
		return finzone.SyndicateReasonThreshold
	case lead == nil:
		return ""
	case project.AmountYuan > lead.MaxTicketYuan:
		return finzone.SyndicateReasonLeadTicket
	case project.AmountYuan > lead.CapacityLeftYuan:
		return finzone.SyndicateReasonLeadCapacity
	}
	return ""
}

// NeedsSyndicate reports whether SyndicateReason gives a reason.
func NeedsSyndicate(project finzone.Project, lead *Pick, cfg Config) bool {
	return SyndicateReason(project, lead, cfg) != ""
}

// SuggestedLead is the pick a syndicate's enterprise is offered as lead
// arranger: the best-ranked pick whose product can lead one and whose
// institution isBank says is a bank, or nil.
func SuggestedLead(sel Selection, isBank func(institutionID string) bool) *Pick {
	for _, p := range sel.All() {
		if p.CanLeadSyndicate && isBank(p.InstitutionID) {
			return &p
		}
	}
	return nil
}

// Rules are the syndicate allocation rules (the domain's).
type Rules = finzone.SyndicateRules

// DefaultRules returns the NFRA rules with ¥1万 units.
func DefaultRules() Rules { return finzone.DefaultSyndicateRules() }
