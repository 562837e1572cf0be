package finzone

import (
	"fmt"
	"strings"
	"time"
)

// The rules of the steps that are not an institution's own: the enterprise
// answering an offer, coordinators extending, urging and screening, the
// platform expiring, escalating and closing what is no longer needed. Each
// is a pure function returning the change to write; the caller checks who
// may act.

// DeclinedOfferReason is the decline reason recorded when the enterprise
// turns an offer down.
const DeclinedOfferReason = "offer_declined"

// OfferDecision is the enterprise's answer to an offer.
type OfferDecision string

const (
	DecisionAccept  OfferDecision = "accept"
	DecisionDecline OfferDecision = "decline"
)

// DecideOffer is the enterprise's answer to the offer on match m, at now by
// user `by`. Accepting starts the contract clock; declining ends the match
// (its slot is relayed to the next lender). Whether the accepted total
// still fits the need is the project's rule (Project.AcceptOffer).
func (m Match) DecideOffer(decision OfferDecision, note, by string, now time.Time, d Deadlines) (MatchChange, error) {
	note = strings.TrimSpace(note)
	var probs Problems
	switch decision {
	case "":
		probs.Add("decision", FCRequired)
	case DecisionAccept:
	case DecisionDecline:
		if note == "" {
			probs.Add("note", FCRequired)
		}
	default:
		probs.OneOf("decision", Names([]OfferDecision{DecisionAccept, DecisionDecline}))
	}
	probs.Text("note", note, false, maxNoteRunes)
	if err := probs.Err(); err != nil {
		return MatchChange{}, err
	}
	if m.Stage != StageApproved || m.Offer.Status != OfferPending {
		return MatchChange{}, Errorf(ECInvalidState, "no open offer on this match (%s, offer %q)", m.Stage, m.Offer.Status)
	}
	o := m.Offer
	o.DecidedAt, o.DecidedBy, o.Note = now, by, note
	ch := MatchChange{To: m.Stage, Offer: &o, Event: Event{At: now, Actor: by, Action: "offer_" + string(decision), From: m.Stage, To: m.Stage, Note: note}}
	if decision == DecisionAccept {
		o.Status = OfferAccepted
		var ok bool
		if ch.DueAt, ok = d.ContractDue(now); !ok {
			ch.DueAt = time.Time{}
		}
		return ch, nil
	}
	o.Status = OfferDeclined
	ch.To, ch.Event.To = StageDeclined, StageDeclined
	ch.DeclineReason, ch.DeclineNote = DeclinedOfferReason, note
	return ch, nil
}

// AcceptOffer adds an accepted offer to the project's book: the accepted
// total never exceeds the amount asked for. Accepting the same match again
// changes nothing. A refusal is a conflict naming the room left.
func (p *Project) AcceptOffer(m Match) ([]AcceptedOffer, error) {
	for _, o := range p.Offers {
		if o.MatchID == m.ID {
			return p.Offers, nil
		}
	}
	if !m.Role.Lends() {
		return nil, Errorf(ECInvalidState, "an enhancer makes no offer")
	}
	room := p.AmountYuan - p.AcceptedYuan()
	if m.Offer.AmountYuan > room {
		room = max(room, 0)
		e := Errorf(ECExceedsNeed, "accepting ¥%d would exceed the amount asked for: ¥%d left of ¥%d", m.Offer.AmountYuan, room, p.AmountYuan)
		e.Params = map[string]any{"room_yuan": room, "amount_yuan": p.AmountYuan}
		return nil, e
	}
	out := append(append([]AcceptedOffer(nil), p.Offers...), AcceptedOffer{MatchID: m.ID, InstitutionID: m.InstitutionID, AmountYuan: m.Offer.AmountYuan})
	return out, nil
}

// ReleaseOffer removes a match's accepted offer from the book (the lender
// withdrew before contract); ok is false when it was not there.
func (p *Project) ReleaseOffer(matchID string) ([]AcceptedOffer, bool) {
	out := make([]AcceptedOffer, 0, len(p.Offers))
	for _, o := range p.Offers {
		if o.MatchID != matchID {
			out = append(out, o)
		}
	}
	return out, len(out) != len(p.Offers)
}

// OnDeadline is what a missed deadline does to match m at now: a push not
// answered expires (its slot is relayed); work under way escalates to the
// coordinators and stays live. ok is false when the match has nothing due.
func (m Match) OnDeadline(now time.Time) (ch MatchChange, escalated, ok bool) {
	if m.DueAt.IsZero() || now.Before(m.DueAt) || !m.Stage.Open() || !contains(DueStages, m.Stage) {
		return MatchChange{}, false, false
	}
	if !m.Stage.Escalates() {
		return MatchChange{To: StageExpired, Event: Event{At: now, Actor: "system", Action: "expire", From: m.Stage, To: StageExpired}}, false, true
	}
	if !m.EscalatedAt.IsZero() {
		return MatchChange{}, false, false // escalated already
	}
	at := now
	return MatchChange{To: m.Stage, KeepDue: true, Escalated: &at,
		Event: Event{At: now, Actor: "system", Action: "escalate", From: m.Stage, To: m.Stage}}, true, true
}

// Extend is a coordinator's extension of the running deadline by days
// working days, once per stage, with a note. A deadline moved past now
// is no longer escalated.
func (m Match) Extend(days int, note, by string, now time.Time, d Deadlines) (MatchChange, error) {
	d = d.WithDefaults()
	note = strings.TrimSpace(note)
	var probs Problems
	probs.Range("days", int64(days), 1, int64(d.ExtendMaxDays))
	probs.Text("note", note, true, maxNoteRunes)
	if err := probs.Err(); err != nil {
		return MatchChange{}, err
	}
	switch {
	case !m.Stage.Open() || m.DueAt.IsZero():
		return MatchChange{}, Errorf(ECInvalidState, "no running deadline to extend (%s)", m.Stage)
	case m.ExtendedIn == m.Stage:
		return MatchChange{}, Errorf(ECInvalidState, "the %s deadline was extended once already", m.Stage)
	}
	due := d.AddDays(m.DueAt, days)
	ch := MatchChange{To: m.Stage, DueAt: due, ExtendedIn: m.Stage,
		Event: Event{At: now, Actor: by, Action: "extend", From: m.Stage, To: m.Stage, Note: fmt.Sprintf("+%d: %s", days, note)}}
	if due.After(now) && !m.EscalatedAt.IsZero() {
		ch.Escalated = &time.Time{}
	}
	return ch, nil
}

// Urge is a coordinator's 督办: a note to the institution, shown on the
// match.
func (m Match) Urge(note, by string, now time.Time) (MatchChange, error) {
	note = strings.TrimSpace(note)
	var probs Problems
	probs.Text("note", note, true, maxNoteRunes)
	if err := probs.Err(); err != nil {
		return MatchChange{}, err
	}
	if !m.Stage.Open() {
		return MatchChange{}, Errorf(ECInvalidState, "a %s match has nothing left to urge", m.Stage)
	}
	return MatchChange{To: m.Stage, KeepDue: true, Urged: true,
		Event: Event{At: now, Actor: by, Action: "urge", From: m.Stage, To: m.Stage, Note: note}}, nil
}

// CloseNeedMet closes a lender's match the project no longer needs: its
// accepted offers reached the amount, and this one has no accepted offer of
// its own. ok is false for a match that stays.
func (m Match) CloseNeedMet(now time.Time) (MatchChange, bool) {
	if !m.Role.Lends() || !m.Stage.Open() || m.Offer.Status == OfferAccepted || m.Stage.Order() > StageApproved.Order() {
		return MatchChange{}, false
	}
	ch := MatchChange{To: StageNeedMet, Event: Event{At: now, Actor: "system", Action: "need_met", From: m.Stage, To: StageNeedMet}}
	if m.Offer.Status == OfferPending {
		o := m.Offer
		o.Status = OfferDeclined
		ch.Offer = &o
	}
	return ch, true
}

// Screening reasons.
const (
	ScreenRegion      = "region"       // the region screens every need
	ScreenOutsideHome = "outside_home" // filed outside the owner's registered city
)

// ScreeningReason says why a project submitted by owner needs a
// coordinator's screening before any push, or "" when it needs none:
// its county lies in a screening region, or outside the city where its
// owner is registered (so a Hefei enterprise cannot file in a 皖北 county
// for the flag unseen).
func ScreeningReason(p Project, owner Organization, screening []string) string {
	if cityOf(p.RegionCode) != cityOf(owner.RegionCode) {
		return ScreenOutsideHome
	}
	for _, r := range screening {
		if RegionCovers(r, p.RegionCode) {
			return ScreenRegion
		}
	}
	return ""
}

// ScreenDecision is a coordinator's screening outcome.
type ScreenDecision string

const (
	ScreenPass   ScreenDecision = "pass"
	ScreenReturn ScreenDecision = "return"
)

// Screen is a coordinator's decision on a project waiting in screening:
// pass sends it into matching, return sends it back to the enterprise as a
// draft with the note saying why.
func (p Project) Screen(decision ScreenDecision, note, by string, now time.Time) (ProjectChange, error) {
	note = strings.TrimSpace(note)
	var probs Problems
	switch decision {
	case "":
		probs.Add("decision", FCRequired)
	case ScreenPass, ScreenReturn:
	default:
		probs.OneOf("decision", Names([]ScreenDecision{ScreenPass, ScreenReturn}))
	}
	probs.Text("note", note, decision == ScreenReturn, maxNoteRunes)
	if err := probs.Err(); err != nil {
		return ProjectChange{}, err
	}
	if p.Status != ProjectScreening {
		return ProjectChange{}, Errorf(ECInvalidState, "a %s project is not waiting for screening", p.Status)
	}
	if decision == ScreenPass && p.HeldForVerification() {
		return ProjectChange{}, Errorf(ECInvalidState, "the need waits for its enterprise's verification: verify the enterprise")
	}
	to := ProjectSubmitted
	if decision == ScreenReturn {
		to = ProjectDraft
	}
	zero := time.Time{}
	return ProjectChange{To: to, ScreenDueAt: &zero, ScreenEscalatedAt: &zero,
		Event: &ProjectEvent{At: now, Actor: by, Action: "screen_" + string(decision), Note: note}}, nil
}

// cityOf is the city a division lies in (a city is its own).
func cityOf(code string) string {
	r, ok := LookupRegion(code)
	if !ok {
		return code
	}
	return r.CityCode
}

// Assign is a coordinator's assignment of an institution (through one of
// its products) to a project still open to money. The pipeline pushes it
// (Project.PendingAssignments).
func (p Project) Assign(institutionID, productID, note, by string, now time.Time) (ProjectChange, error) {
	note = strings.TrimSpace(note)
	var probs Problems
	probs.Text("note", note, true, maxNoteRunes)
	if err := probs.Err(); err != nil {
		return ProjectChange{}, err
	}
	switch {
	case !p.Withdrawable() || p.Status == ProjectScreening:
		return ProjectChange{}, Errorf(ECInvalidState, "a %s project takes no assignment", p.Status)
	case p.NeedMet():
		return ProjectChange{}, Errorf(ECInvalidState, "the project's need is met")
	}
	for _, e := range p.Events {
		if e.Action == EventAssign && e.InstitutionID == institutionID {
			return ProjectChange{}, Errorf(ECConflict, "institution %s is assigned already", institutionID)
		}
	}
	return ProjectChange{Event: &ProjectEvent{At: now, Actor: by, Action: EventAssign, InstitutionID: institutionID, ProductID: productID, Note: note}}, nil
}

// PendingAssignments are the assignments whose institution the ledger does
// not hold yet: what the next fill pushes.
func (p Project) PendingAssignments(led Ledger) []ProjectEvent {
	in := map[string]bool{}
	for _, e := range led.Entries {
		in[e.InstitutionID] = true
	}
	var out []ProjectEvent
	for _, e := range p.Events {
		if e.Action == EventAssign && !in[e.InstitutionID] {
			out = append(out, e)
		}
	}
	return out
}
