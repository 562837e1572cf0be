package finzone

import (
	"slices"
	"time"
)

// Signing and what follows: drawdowns through the agent bank and transfers
// of shares between banks.

// Sign is the lead arranger signing a book that covers the facility under
// every rule. A gap refuses it as rule "covered" with the gap; otherwise a
// broken rule refuses it, naming the rule.
func (s Syndicate) Sign(by, org string, now time.Time) (Syndicate, error) {
	if s.State != SyndicateBookBuilding {
		return s, syndicateState(s, "signature")
	}
	if !s.Signable() {
		// A gap is named first (whatever rule keeps the book short of the
		// facility is in the book's checks), then the first broken rule.
		rule := RuleCovered
		if s.GapYuan == 0 {
			for _, c := range s.Checks {
				if !c.OK {
					rule = c.Rule
					break
				}
			}
		}
		return s, RuleBroken(rule, s.GapYuan)
	}
	s.State, s.SignedAt = SyndicateSigned, now
	s.Members = slices.Clone(s.Members)
	for i := range s.Members {
		if s.Members[i].Status == MemberInvited {
			s.Members[i].Status = MemberDeclined // never answered: not in the loan
			s.Members[i].DeclineReason = "no_answer"
		}
	}
	return s.event(SyndicateEvent{At: now, Actor: by, OrgID: org, Action: "signed", AmountYuan: s.Facility.AmountYuan}), nil
}

// RuleBroken is the refusal of a change that would break a syndicate rule
// (or leave a gap: rule "covered").
func RuleBroken(rule string, gapYuan int64) *Error {
	e := Errorf(ECSyndicateRule, "the change would break rule %s (gap ¥%d)", rule, gapYuan)
	e.Params = map[string]any{"rule": rule, "gap_yuan": gapYuan}
	return e
}

// Draw is the agent bank recording a drawdown of amount from a tranche
// group after signing; it is split among the tranche's members by their
// allocations, so each member's drawn total follows its share and never
// passes it. The drawn total never passes the tranche.
func (s Syndicate) Draw(id, ref, tranche string, amount int64, by string, now time.Time) (Syndicate, Drawdown, error) {
	if s.State != SyndicateSigned {
		return s, Drawdown{}, syndicateState(s, "drawdown")
	}
	if tranche == "" && len(s.Facility.Tranches) == 1 {
		tranche = s.Facility.Tranches[0].ID
	}
	t, ok := s.Facility.Tranche(tranche)
	var probs Problems
	if !ok {
		probs.Add("tranche", FCInvalid, "allowed", s.trancheList())
	}
	if ref != "" && !validRef(ref) {
		probs.Add("reference", FCInvalid)
	}
	if i := slices.IndexFunc(s.Drawdowns, func(d Drawdown) bool { return ref != "" && d.Ref == ref }); i >= 0 && probs.Err() == nil {
		if d := s.Drawdowns[i]; d.Tranche == tranche && d.AmountYuan == amount {
			return s, d, nil // a retry of a drawdown recorded already
		}
		return s, Drawdown{}, Errorf(ECConflict, "reference %s names another drawdown", ref)
	}
	left := t.AmountYuan - s.DrawnYuan(tranche)
	if amount <= 0 {
		probs.Add("amount_yuan", FCRequired)
	} else if ok && amount > left {
		probs.Add("amount_yuan", FCOutOfRange, "min", 1, "max", left)
	}
	if err := probs.Err(); err != nil {
		return s, Drawdown{}, err
	}
	d := Drawdown{ID: id, Ref: ref, Tranche: tranche, AmountYuan: amount, At: now, By: by}
	drawn := s.DrawnYuan(tranche)
	before := splitCumulative(s.Members, tranche, t.AmountYuan, drawn)
	after := splitCumulative(s.Members, tranche, t.AmountYuan, drawn+amount)
	for _, m := range s.Members {
		if n := after[m.InstitutionID] - before[m.InstitutionID]; n > 0 {
			d.Splits = append(d.Splits, Split{InstitutionID: m.InstitutionID, AmountYuan: n})
		}
	}
	s.Drawdowns = append(slices.Clone(s.Drawdowns), d)
	return s.event(SyndicateEvent{At: now, Actor: by, OrgID: s.Facility.AgentID, Action: "drawdown", Tranche: tranche, AmountYuan: amount}), d, nil
}

// validRef reports whether a drawdown reference is 1–64 letters, digits,
// dots, dashes or underscores (a bank's payment reference).
func validRef(ref string) bool {
	if len(ref) > 64 {
		return false
	}
	for _, r := range ref {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '.' || r == '-' || r == '_') {
			return false
		}
	}
	return ref != ""
}

// splitCumulative splits a tranche's cumulative drawn amount among its
// members by their allocations, largest remainder first (ties to the
// earlier member), so the parts sum exactly and reach each allocation when
// the tranche is drawn in full.
func splitCumulative(ms []SyndicateMember, tranche string, total, drawn int64) map[string]int64 {
	out := map[string]int64{}
	if total <= 0 {
		return out
	}
	type part struct {
		id  string
		rem int64
	}
	var parts []part
	var sum int64
	for _, m := range ms {
		a := m.AllocatedIn(tranche)
		if a == 0 {
			continue
		}
		out[m.InstitutionID] = a * drawn / total
		sum += out[m.InstitutionID]
		parts = append(parts, part{m.InstitutionID, a * drawn % total})
	}
	slices.SortStableFunc(parts, func(a, b part) int {
		switch {
		case a.rem > b.rem:
			return -1
		case a.rem < b.rem:
			return 1
		}
		return 0
	})
	for i := 0; sum < drawn && i < len(parts); i++ {
		out[parts[i].id]++
		sum++
	}
	return out
}

// Transfer is a member passing amount of its share in a tranche group to
// another bank after signing and before the first drawdown (a member whose
// whole share goes leaves the syndicate). The change is refused, naming the
// rule, when the allocation would break one.
func (s Syndicate) Transfer(from, to, tranche string, amount int64, kindOf func(string) (OrgKind, bool),
	r SyndicateRules, by string, now time.Time) (Syndicate, error) {
	i := s.memberIndex(from)
	if i < 0 {
		return s, Errorf(ECForbidden, "only members transfer their share")
	}
	if s.State != SyndicateSigned || s.Members[i].AllocatedYuan() == 0 {
		return s, syndicateState(s, "transfer")
	}
	if len(s.Drawdowns) > 0 {
		return s, Errorf(ECInvalidState, "shares move through the agent bank once money is drawn")
	}
	if tranche == "" && len(s.Facility.Tranches) == 1 {
		tranche = s.Facility.Tranches[0].ID
	}
	r = r.WithDefaults()
	var probs Problems
	has := s.Members[i].AllocatedIn(tranche)
	if _, ok := s.Facility.Tranche(tranche); !ok {
		probs.Add("tranche", FCInvalid, "allowed", s.trancheList())
	}
	amountField(&probs, "amount_yuan", amount, r)
	if amount > has {
		probs.Add("amount_yuan", FCOutOfRange, "min", r.UnitYuan, "max", has)
	}
	if to == "" {
		probs.Add("to_institution_id", FCRequired)
	} else if to == from {
		probs.Add("to_institution_id", FCInvalid)
	} else if k, ok := kindOf(to); !ok {
		probs.Add("to_institution_id", FCNotFound)
	} else if k != KindBank {
		probs.Add("to_institution_id", FCNotBank, "kind", string(k))
	}
	if err := probs.Err(); err != nil {
		return s, err
	}
	s.Members = slices.Clone(s.Members)
	s.Members[i].Allocations = setAmount(s.Members[i].Allocations, tranche, has-amount)
	if s.Members[i].AllocatedYuan() == 0 {
		s.Members[i].Status = MemberLeft
	}
	j := s.memberIndex(to)
	if j < 0 {
		s.Members = append(s.Members, SyndicateMember{InstitutionID: to, Role: SyndicateParticipant, Status: MemberCommitted, InvitedAt: now, AnsweredAt: now})
		j = len(s.Members) - 1
	}
	s.Members[j].Status = MemberCommitted
	s.Members[j].Allocations = setAmount(s.Members[j].Allocations, tranche, s.Members[j].AllocatedIn(tranche)+amount)
	s.Checks = s.Check(r)
	for _, c := range s.Checks {
		if !c.OK {
			return Syndicate{}, RuleBroken(c.Rule, s.GapYuan)
		}
	}
	action := "transferred"
	if s.Members[i].Status == MemberLeft {
		action = "left"
	}
	return s.event(SyndicateEvent{At: now, Actor: by, OrgID: from, Action: action, InstitutionID: to, Tranche: tranche, AmountYuan: amount}), nil
}

// The members' matches follow the signed book: each member's match is
// contracted with its share as the approved amount, records its part of
// every drawdown, and ends when the member leaves. The pipeline applies
// these changes (idempotently) after each change to a signed syndicate.

// memberTerm is the term of the tranche group holding most of a member's
// share.
func (s Syndicate) memberTerm(m SyndicateMember) int {
	best, term := int64(-1), 0
	for _, a := range m.Allocations {
		if t, ok := s.Facility.Tranche(a.Tranche); ok && a.AmountYuan > best {
			best, term = a.AmountYuan, t.TermMonths
		}
	}
	return term
}

func (s Syndicate) memberOffer(m SyndicateMember) Offer {
	return Offer{AmountYuan: m.AllocatedYuan(), TermMonths: s.memberTerm(m), Status: OfferAccepted, DecidedAt: s.SignedAt,
		DecidedBy: "syndicate", Note: "syndicate share"}
}

// MemberMatch is the match of a member the project was never pushed to (a
// bank the lead picked from the catalogue), made at signing: contracted,
// with its share as the accepted offer.
func (s Syndicate) MemberMatch(m SyndicateMember, now time.Time) Match {
	return Match{ID: MatchID(s.ProjectID, m.InstitutionID), ProjectID: s.ProjectID, InstitutionID: m.InstitutionID,
		ProjectTitle: s.ProjectTitle, ProjectAmountYuan: s.AmountYuan, OwnerOrgID: s.OwnerOrgID, RegionCode: s.RegionCode,
		ClusterID: s.ClusterID, Role: RolePartner, Category: CategorySyndicatedLoan, Stage: StageContracted,
		Offer: s.memberOffer(m), Syndicated: true, CreatedAt: now, UpdatedAt: now,
		Events: []Event{{At: now, Actor: "system", Action: "syndicate_signed", From: StageContracted, To: StageContracted}}}
}

// ShareChange is the change that makes match x the signed member's: its
// share becomes the accepted offer and a match not yet contracted is. ok is
// false when x already says so.
func (s Syndicate) ShareChange(x Match, m SyndicateMember, now time.Time) (MatchChange, bool) {
	o := s.memberOffer(m)
	if x.Syndicated && x.Offer.AmountYuan == o.AmountYuan && x.Offer.Status == OfferAccepted {
		return MatchChange{}, false
	}
	to := x.Stage
	if x.Stage.Order() < StageContracted.Order() || !x.Stage.Live() {
		to = StageContracted
	}
	return MatchChange{To: to, Offer: &o, Syndicated: true,
		Event: Event{At: now, Actor: "system", Action: "syndicate_signed", From: x.Stage, To: to}}, true
}

// DrawChange is the change recording match x's part of drawdown d: ok is
// false when it is recorded already or x has no part.
func (d Drawdown) DrawChange(x Match) (MatchChange, bool) {
	var amount int64
	for _, sp := range d.Splits {
		if sp.InstitutionID == x.InstitutionID {
			amount = sp.AmountYuan
		}
	}
	if amount == 0 || !x.Stage.Live() || slices.ContainsFunc(x.Tranches, func(t Tranche) bool { return t.Ref == d.ID }) {
		return MatchChange{}, false
	}
	return MatchChange{To: StageDisbursed, Tranche: &Tranche{AmountYuan: amount, Date: d.At, Ref: d.ID},
		Event: Event{At: d.At, Actor: "system", Action: "syndicate_drawdown", From: x.Stage, To: StageDisbursed}}, true
}

// LeaveChange ends the match of a member that passed its whole share on.
func LeaveChange(x Match, now time.Time) (MatchChange, bool) {
	if !x.Syndicated || !x.Stage.Live() {
		return MatchChange{}, false
	}
	return MatchChange{To: StageWithdrawn, Event: Event{At: now, Actor: "system", Action: "syndicate_left", From: x.Stage, To: StageWithdrawn}}, true
}

// BookSyndicate books the signed members' shares as the project's accepted
// offers, replacing any the members had: the accepted total never exceeds
// the amount asked for (exceeds_need names the room left).
func (p *Project) BookSyndicate(s Syndicate) ([]AcceptedOffer, error) {
	in := map[string]bool{}
	for _, m := range s.Members {
		in[MatchID(p.ID, m.InstitutionID)] = true
	}
	var out []AcceptedOffer
	for _, o := range p.Offers {
		if !in[o.MatchID] {
			out = append(out, o)
		}
	}
	rest := Project{AmountYuan: p.AmountYuan, Offers: out}
	if room := p.AmountYuan - rest.AcceptedYuan(); s.Facility.AmountYuan > room {
		e := Errorf(ECExceedsNeed, "the facility of ¥%d exceeds the ¥%d left of the need", s.Facility.AmountYuan, max(room, 0))
		e.Params = map[string]any{"room_yuan": max(room, 0), "amount_yuan": p.AmountYuan}
		return nil, e
	}
	for _, m := range s.Members {
		if n := m.AllocatedYuan(); n > 0 {
			out = append(out, AcceptedOffer{MatchID: MatchID(p.ID, m.InstitutionID), InstitutionID: m.InstitutionID, AmountYuan: n})
		}
	}
	return out, nil
}

// SyndicateRoom is what a facility may take of p: its need less the offers
// it accepted from lenders outside the syndicate.
func (p *Project) SyndicateRoom(s Syndicate) int64 {
	var other int64
	for _, o := range p.Offers {
		if _, in := s.Member(o.InstitutionID); !in {
			other += o.AmountYuan
		}
	}
	return p.AmountYuan - other
}
