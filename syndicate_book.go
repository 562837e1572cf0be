package finzone

import (
	"fmt"
	"slices"
	"strings"
	"time"
)

// The steps of book-building, each a pure function of the syndicate: the
// mandate, the facility, invitations, commitments, declines and
// withdrawals.

// Mandate is the enterprise mandating a lead arranger, at now by user `by`
// of org `org`. eligible are the banks that accepted the project's push;
// the lead must be one of them. The mandate may change hands until the
// facility is set.
func (s Syndicate) Mandate(lead string, eligible []string, by, org string, now time.Time) (Syndicate, error) {
	if lead == "" {
		var probs Problems
		probs.Add("institution_id", FCRequired)
		return s, probs.Err()
	}
	if s.State != SyndicateSuggested && s.State != SyndicateMandated {
		return s, syndicateState(s, "mandate")
	}
	if !slices.Contains(eligible, lead) {
		var probs Problems
		probs.Add("institution_id", FCNotEligible)
		return s, probs.Err()
	}
	s.State, s.LeadID = SyndicateMandated, lead
	s.Members = []SyndicateMember{{InstitutionID: lead, Role: SyndicateLead, Status: MemberInvited, InvitedAt: now}}
	return s.event(SyndicateEvent{At: now, Actor: by, OrgID: org, Action: "mandated", InstitutionID: lead}), nil
}

func syndicateState(s Syndicate, what string) *Error {
	e := Errorf(ECInvalidState, "a %s syndicate takes no %s", s.State, what)
	e.Allowed = s.Actions()
	return e
}

// Actions are the syndicate's steps open now, for invalid_state answers.
func (s Syndicate) Actions() []string {
	switch s.State {
	case SyndicateSuggested:
		return []string{"mandate"}
	case SyndicateMandated:
		return []string{"mandate", "facility"}
	case SyndicateBookBuilding:
		out := []string{"facility", "invite", "commit", "decline", "withdraw"}
		if s.Signable() {
			out = append(out, "sign")
		}
		return out
	case SyndicateSigned:
		if len(s.Drawdowns) == 0 {
			return []string{"drawdown", "transfer"}
		}
		return []string{"drawdown"}
	}
	return nil
}

// FacilityInput is what the lead arranger sets.
type FacilityInput struct {
	AmountYuan        int64
	Tranches          []TrancheInput
	AgentID           string
	ArrangementFeeBps int
	AgencyFeeBps      int
	CommitDays        int
}

// TrancheInput is one tranche group as set.
type TrancheInput struct {
	AmountYuan int64
	TermMonths int
}

// trancheIDs name the tranche groups in order.
var trancheIDs = []string{"A", "B", "C"}

// SetFacility is the lead arranger setting the facility: its amount (at
// most room, the project's need less the offers it accepted outside the
// syndicate), up to three tranche groups summing to it (each by default
// for the project's term; none given is one for the whole amount), the agent bank (the
// lead unless named; it must be a bank, isBank says), the fees and the
// commitment deadline in working days (commitBy computes it). Tranches
// that hold commitments cannot be dropped. Book-building opens.
func (s Syndicate) SetFacility(in FacilityInput, room int64, r SyndicateRules, isBank func(string) bool,
	commitBy func(days int) time.Time, by, org string, now time.Time) (Syndicate, error) {
	if s.State != SyndicateMandated && s.State != SyndicateBookBuilding {
		return s, syndicateState(s, "facility")
	}
	r = r.WithDefaults()
	var probs Problems
	amountField(&probs, "amount_yuan", in.AmountYuan, r)
	if in.AmountYuan > room {
		probs.Add("amount_yuan", FCOutOfRange, "min", r.UnitYuan, "max", room)
	}
	if len(in.Tranches) == 0 {
		in.Tranches = []TrancheInput{{AmountYuan: in.AmountYuan}}
	}
	if len(in.Tranches) > MaxTrancheGroups {
		probs.Add("tranches", FCOutOfRange, "min", 1, "max", MaxTrancheGroups)
	}
	var sum int64
	f := Facility{AmountYuan: in.AmountYuan, AgentID: in.AgentID, ArrangementFeeBps: in.ArrangementFeeBps,
		AgencyFeeBps: in.AgencyFeeBps, CommitDays: in.CommitDays}
	for i, t := range in.Tranches[:min(len(in.Tranches), MaxTrancheGroups)] {
		if t.TermMonths == 0 {
			t.TermMonths = s.TermMonths
		}
		amountField(&probs, fmt.Sprintf("tranches[%d].amount_yuan", i), t.AmountYuan, r)
		probs.Range(fmt.Sprintf("tranches[%d].term_months", i), int64(t.TermMonths), 1, 360)
		sum += t.AmountYuan
		f.Tranches = append(f.Tranches, TrancheGroup{ID: trancheIDs[i], AmountYuan: t.AmountYuan, TermMonths: t.TermMonths})
	}
	if sum != in.AmountYuan && in.AmountYuan > 0 {
		probs.Add("tranches", FCSumMismatch, "sum", sum, "amount", in.AmountYuan)
	}
	if f.AgentID == "" {
		f.AgentID = s.LeadID
	} else if !isBank(f.AgentID) {
		probs.Add("agent_id", FCNotBank)
	}
	probs.Range("arrangement_fee_bps", int64(in.ArrangementFeeBps), 0, MaxSyndicateFee)
	probs.Range("agency_fee_bps", int64(in.AgencyFeeBps), 0, MaxSyndicateFee)
	probs.Range("commit_days", int64(in.CommitDays), 1, MaxCommitDays)
	if err := probs.Err(); err != nil {
		return s, err
	}
	for _, m := range s.Members {
		for _, c := range m.Commitments {
			if _, ok := f.Tranche(c.Tranche); !ok {
				return s, Errorf(ECInvalidState, "tranche %s holds commitments and cannot be dropped", c.Tranche)
			}
		}
	}
	f.CommitBy = commitBy(f.CommitDays)
	s.Facility, s.State = f, SyndicateBookBuilding
	return s.event(SyndicateEvent{At: now, Actor: by, OrgID: org, Action: "facility_set", AmountYuan: f.AmountYuan}), nil
}

func amountField(probs *Problems, field string, v int64, r SyndicateRules) {
	switch {
	case v <= 0:
		probs.Add(field, FCRequired)
	case v%r.UnitYuan != 0:
		probs.Add(field, FCNotWholeUnit, "unit", r.UnitYuan)
	}
}

// Invite is the lead arranger inviting banks, as co-leads (at most two in
// all) or participants, with the participation fee it offers each. Only
// banks are invited (kindOf says what an organization is); a bank invited
// already keeps its place.
func (s Syndicate) Invite(ids []string, role SyndicateRole, feeBps int, kindOf func(string) (OrgKind, bool),
	by, org string, now time.Time) (Syndicate, error) {
	if s.State != SyndicateBookBuilding {
		return s, syndicateState(s, "invitation")
	}
	var probs Problems
	if len(ids) == 0 {
		probs.Add("institution_ids", FCRequired)
	}
	if role == "" {
		role = SyndicateParticipant
	}
	if role != SyndicateParticipant && role != SyndicateCoLead {
		probs.Add("role", FCInvalid, "allowed", "co_lead, participant")
	}
	probs.Range("fee_bps", int64(feeBps), 0, MaxSyndicateFee)
	coLeads := 0
	for _, m := range s.Members {
		if m.Role == SyndicateCoLead && m.Status != MemberDeclined && m.Status != MemberWithdrawn {
			coLeads++
		}
	}
	for i, id := range ids {
		field := fmt.Sprintf("institution_ids[%d]", i)
		if k, ok := kindOf(id); !ok {
			probs.Add(field, FCNotFound)
		} else if k != KindBank {
			probs.Add(field, FCNotBank, "kind", string(k))
		} else if _, in := s.Member(id); in {
			probs.Add(field, FCTaken)
		} else if role == SyndicateCoLead {
			if coLeads++; coLeads > MaxCoLeads {
				probs.Add(field, FCOutOfRange, "min", 0, "max", MaxCoLeads)
			}
		}
	}
	if err := probs.Err(); err != nil {
		return s, err
	}
	s.Members = slices.Clone(s.Members)
	for _, id := range ids {
		s.Members = append(s.Members, SyndicateMember{InstitutionID: id, Role: role, Status: MemberInvited, FeeBps: feeBps, InvitedAt: now})
		s = s.event(SyndicateEvent{At: now, Actor: by, OrgID: org, Action: "invited", InstitutionID: id, Note: string(role)})
	}
	return s, nil
}

// Commit is an invited bank committing amount to a tranche group (the only
// one when tranche is ""), before the commitment deadline. A bank that
// committed may change its amount; one that withdrew may commit again. The
// lead commits its own share the same way.
func (s Syndicate) Commit(inst, tranche string, amount int64, r SyndicateRules, by string, now time.Time) (Syndicate, error) {
	i, err := s.answering(inst, now)
	if err != nil {
		return s, err
	}
	r = r.WithDefaults()
	var probs Problems
	amountField(&probs, "amount_yuan", amount, r)
	if amount > s.Facility.AmountYuan {
		probs.Add("amount_yuan", FCOutOfRange, "min", r.UnitYuan, "max", s.Facility.AmountYuan)
	}
	if tranche == "" && len(s.Facility.Tranches) == 1 {
		tranche = s.Facility.Tranches[0].ID
	}
	if tranche == "" {
		probs.Add("tranche", FCRequired)
	} else if _, ok := s.Facility.Tranche(tranche); !ok {
		probs.Add("tranche", FCInvalid, "allowed", s.trancheList())
	}
	if err := probs.Err(); err != nil {
		return s, err
	}
	m := s.Members[i]
	if m.Status == MemberDeclined {
		return s, Errorf(ECInvalidState, "the bank declined the invitation")
	}
	if m.Status != MemberCommitted {
		m.Commitments = nil
	}
	m.Status, m.AnsweredAt = MemberCommitted, now
	m.Commitments = setAmount(m.Commitments, tranche, amount)
	return s.answered(i, m, SyndicateEvent{At: now, Actor: by, OrgID: inst, Action: "committed", Tranche: tranche, AmountYuan: amount}), nil
}

func (s Syndicate) trancheList() string {
	var ids []string
	for _, t := range s.Facility.Tranches {
		ids = append(ids, t.ID)
	}
	return strings.Join(ids, ", ")
}

// answering is the index of an invited bank answering before the deadline.
func (s Syndicate) answering(inst string, now time.Time) (int, error) {
	i := s.memberIndex(inst)
	if i < 0 {
		return -1, Errorf(ECForbidden, "only invited banks answer")
	}
	if s.State != SyndicateBookBuilding {
		return -1, syndicateState(s, "commitment")
	}
	if !s.Facility.CommitBy.IsZero() && now.After(s.Facility.CommitBy) {
		e := Errorf(ECDeadlinePassed, "commitments closed at %s", s.Facility.CommitBy.Format(time.RFC3339))
		e.Params = map[string]any{"deadline": s.Facility.CommitBy.Format("2006-01-02 15:04")}
		return -1, e
	}
	return i, nil
}

// Decline is an invited bank declining, with a reason code and a note.
// The lead arranger does not decline its own mandate.
func (s Syndicate) Decline(inst, reason, note, by string, now time.Time) (Syndicate, error) {
	note = strings.TrimSpace(note)
	i, err := s.answeringWithNote(inst, note, now, func(probs *Problems) { checkDecline(reason, note, probs) })
	if err != nil {
		return s, err
	}
	m := s.Members[i]
	if m.Role == SyndicateLead {
		return s, Errorf(ECInvalidState, "the lead arranger holds the mandate")
	}
	if m.Status != MemberInvited {
		return s, Errorf(ECInvalidState, "the bank answered already (%s); withdraw a commitment instead", m.Status)
	}
	m.Status, m.DeclineReason, m.Note, m.AnsweredAt = MemberDeclined, reason, note, now
	return s.answered(i, m, SyndicateEvent{At: now, Actor: by, OrgID: inst, Action: "declined", Note: reason}), nil
}

// answeringWithNote checks an answer's note (and whatever check adds),
// then that inst may answer now; it returns the member's index.
func (s Syndicate) answeringWithNote(inst, note string, now time.Time, check func(*Problems)) (int, error) {
	var probs Problems
	if check != nil {
		check(&probs)
	}
	probs.Text("note", note, false, maxSyndicateNotes)
	if err := probs.Err(); err != nil {
		return -1, err
	}
	return s.answering(inst, now)
}

// answered is s with member i's answer m, and its event.
func (s Syndicate) answered(i int, m SyndicateMember, e SyndicateEvent) Syndicate {
	s.Members = slices.Clone(s.Members)
	s.Members[i] = m
	return s.event(e)
}

// Withdraw is a bank taking its commitment back before signing.
func (s Syndicate) Withdraw(inst, note, by string, now time.Time) (Syndicate, error) {
	note = strings.TrimSpace(note)
	i, err := s.answeringWithNote(inst, note, now, nil)
	if err != nil {
		return s, err
	}
	m := s.Members[i]
	if m.Status != MemberCommitted {
		return s, Errorf(ECInvalidState, "the bank has no commitment to withdraw (%s)", m.Status)
	}
	if m.Role == SyndicateLead {
		return s, Errorf(ECInvalidState, "the lead arranger changes its commitment rather than withdrawing it")
	}
	m.Status, m.Note, m.AnsweredAt, m.Commitments = MemberWithdrawn, note, now, nil
	return s.answered(i, m, SyndicateEvent{At: now, Actor: by, OrgID: inst, Action: "withdrawn", Note: note}), nil
}
