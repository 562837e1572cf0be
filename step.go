package finzone

import (
	"slices"
	"strings"
	"time"
)

// ActionInput is one step an institution asks for on its match, from the
// JSON API or a page's form. Nil numbers were not given.
type ActionInput struct {
	Action     Action
	ReasonCode string
	Note       string
	// Offer terms (approve).
	AmountYuan      *int64
	RateBps         *int
	LPRSpreadBps    *int
	TermMonths      *int
	GuaranteeMode   Collateral
	RepaymentMethod RepaymentMethod
	LeaseMode       LeaseMode
	// Enhancer commitment (commit).
	CoverYuan    *int64
	FeeBps       *int
	RiskSharePct *int
	// Disbursement (disburse).
	TrancheAmountYuan *int64
	TrancheDate       *time.Time
}

// LPR is the Loan Prime Rate in force, in basis points: one-year and
// over-five-year, published monthly; configuration holds the current values.
type LPR struct {
	OneYearBps  int
	FiveYearBps int
}

// DefaultLPR is the LPR of 2025-05-20 onwards: 3.0 % and 3.5 %.
func DefaultLPR() LPR { return LPR{OneYearBps: 300, FiveYearBps: 350} }

// For is the LPR a loan of this term is priced on: over five years the
// five-year rate, otherwise the one-year rate.
func (l LPR) For(termMonths int) int {
	if termMonths > 60 {
		return l.FiveYearBps
	}
	return l.OneYearBps
}

// Policy is the platform's settings the rules of a step follow.
type Policy struct {
	Deadlines Deadlines
	LPR       LPR
}

// maxNoteRunes bounds the free text of a step.
const maxNoteRunes = 2000

// Bounds on what an enhancer commits and on an extension.
const (
	MaxFeeBps = 1000 // 10 % a year: guarantees and insurance are priced far below loans
)

// Step works out what an action does to match m of project p, taken by the
// user `by` at now: the stage it leads to, the fields it sets and the
// deadline it starts. What is wrong with the input comes back as a
// validation *Error naming the fields; an action the match does not allow
// now as invalid_state listing the actions it does. Who may act is the
// caller's check (Actor.CanActOnMatch).
func (m Match) Step(p Project, in ActionInput, by string, now time.Time, pol Policy) (MatchChange, error) {
	if in.Action == "" {
		var probs Problems
		probs.Add("action", FCRequired)
		return MatchChange{}, probs.Err()
	}
	to, ok := m.next(in.Action)
	if !ok {
		return MatchChange{}, m.Refused("%s not allowed in %s", in.Action, m.Stage)
	}
	note := strings.TrimSpace(in.Note)
	ch := MatchChange{To: to, Event: Event{At: now, Actor: by, Action: string(in.Action), From: m.Stage, To: to, Note: note}}
	var probs Problems
	probs.Text("note", note, false, maxNoteRunes)
	switch in.Action {
	case ActionDecline:
		declineTerms(&ch, in.ReasonCode, note, &probs)
	case ActionApprove:
		offerTerms(&ch, m, in, p.AmountYuan, pol.LPR, &probs)
	case ActionCommit:
		coverTerms(&ch, in, p.AmountYuan, &probs)
	case ActionDisburse:
		trancheTerms(&ch, in, m.Offer.AmountYuan-m.DisbursedYuan(), p.SubmittedAt, now, &probs)
	case ActionPause:
		if note == "" {
			probs.Add("note", FCRequired) // the enterprise sees why
		}
	}
	if err := probs.Err(); err != nil {
		return MatchChange{}, err
	}
	m.clock(&ch, pol.Deadlines, now)
	return ch, nil
}

// clock sets the deadline a step leaves: a pause stops the clock with the
// working time left; a resume restarts it; a new stage starts its own, and
// a stage that keeps the running deadline keeps it (restarted from what was
// left when it was paused). Any stage change ends a pause and an
// escalation.
func (m Match) clock(ch *MatchChange, d Deadlines, now time.Time) {
	paused := !m.Pause.At.IsZero()
	switch ch.Event.Action {
	case string(ActionPause):
		ch.Pause = &Pause{At: now, Left: d.WorkingLeft(now, m.DueAt), Note: ch.Event.Note}
		return // DueAt zero: no deadline runs
	case string(ActionResume):
		ch.Pause, ch.DueAt = &Pause{}, d.AddWorking(now, m.Pause.Left)
		return
	case string(ActionRequestEnhancer):
		ch.KeepDue = true
		return
	}
	ch.DueAt, ch.KeepDue = d.AfterStep(ch.To, now)
	if paused {
		ch.Pause = &Pause{}
		if ch.KeepDue {
			ch.DueAt, ch.KeepDue = d.AddWorking(now, m.Pause.Left), false
		}
	}
	if !m.EscalatedAt.IsZero() && !ch.KeepDue {
		ch.Escalated = &time.Time{}
	}
}

// Refused is the invalid_state error of a step the match does not allow
// now, with the actions it does.
func (m Match) Refused(format string, args ...any) *Error {
	e := Errorf(ECInvalidState, format, args...)
	for _, a := range m.Actions() {
		e.Allowed = append(e.Allowed, string(a))
	}
	return e
}

// declineTerms: a decline carries a stable reason code and, in words, why.
func declineTerms(ch *MatchChange, reason, note string, probs *Problems) {
	checkDecline(reason, note, probs)
	ch.DeclineReason, ch.DeclineNote = reason, note
}

// checkDecline checks a decline's reason code (one of DeclineReasons) and
// note (required), for a match or a syndicate invitation.
func checkDecline(reason, note string, probs *Problems) {
	switch {
	case reason == "":
		probs.Add("reason_code", FCRequired)
	case !slices.Contains(DeclineReasons, reason):
		probs.OneOf("reason_code", DeclineReasons)
	}
	if note == "" {
		probs.Add("note", FCRequired)
	}
}

// offerTerms: an offer states its amount (never above what the project
// asked for), a fixed rate or a spread over the LPR of its term, the term,
// the guarantee mode, and the repayment method — or, for a lease, its mode.
// The enterprise then accepts or declines it.
func offerTerms(ch *MatchChange, m Match, in ActionInput, asked int64, lpr LPR, probs *Problems) {
	n := len(*probs)
	required := func(field string, given bool) bool {
		if !given {
			probs.Add(field, FCRequired)
		}
		return given
	}
	if required("amount_yuan", in.AmountYuan != nil) {
		probs.Range("amount_yuan", *in.AmountYuan, MinAmountYuan, asked)
	}
	if required("term_months", in.TermMonths != nil) {
		probs.Range("term_months", int64(*in.TermMonths), 1, MaxTermMonths)
	}
	switch {
	case in.RateBps != nil && in.LPRSpreadBps != nil:
		probs.Add("lpr_spread_bps", FCInvalid) // one or the other
	case in.RateBps == nil && in.LPRSpreadBps == nil:
		probs.Add("rate_bps", FCRequired)
	case in.RateBps != nil:
		probs.Range("rate_bps", int64(*in.RateBps), 1, MaxRateBps)
	default:
		probs.Range("lpr_spread_bps", int64(*in.LPRSpreadBps), -500, 2000)
	}
	if required("guarantee_mode", in.GuaranteeMode != "") && !in.GuaranteeMode.Valid() {
		probs.OneOf("guarantee_mode", Names(Collaterals))
	}
	if m.Category == CategoryLeasing {
		if required("lease_mode", in.LeaseMode != "") && !contains(LeaseModes, in.LeaseMode) {
			probs.OneOf("lease_mode", Names(LeaseModes))
		}
		if in.RepaymentMethod != "" {
			probs.Add("repayment_method", FCInvalid) // a lease records its mode instead
		}
	} else {
		if required("repayment_method", in.RepaymentMethod != "") && !contains(RepaymentMethods, in.RepaymentMethod) {
			probs.OneOf("repayment_method", Names(RepaymentMethods))
		}
		if in.LeaseMode != "" {
			probs.Add("lease_mode", FCInvalid)
		}
	}
	if len(*probs) > n {
		return
	}
	o := Offer{AmountYuan: *in.AmountYuan, TermMonths: *in.TermMonths, GuaranteeMode: in.GuaranteeMode,
		RepaymentMethod: in.RepaymentMethod, LeaseMode: in.LeaseMode, Status: OfferPending}
	if in.RateBps != nil {
		o.RateBps = *in.RateBps
	} else {
		o.LPRBps, o.LPRSpreadBps = lpr.For(o.TermMonths), *in.LPRSpreadBps
		o.RateBps = o.LPRBps + o.LPRSpreadBps
		if o.RateBps < 1 || o.RateBps > MaxRateBps {
			probs.Add("lpr_spread_bps", FCOutOfRange)
			return
		}
	}
	ch.Offer = &o
}

// coverTerms: an enhancer commits how much of the loan it covers (at most
// the amount asked for), its fee a year and its share of a default's loss.
func coverTerms(ch *MatchChange, in ActionInput, asked int64, probs *Problems) {
	n := len(*probs)
	if in.CoverYuan == nil {
		probs.Add("cover_yuan", FCRequired)
	} else {
		probs.Range("cover_yuan", *in.CoverYuan, MinAmountYuan, asked)
	}
	if in.FeeBps == nil {
		probs.Add("fee_bps", FCRequired)
	} else {
		probs.Range("fee_bps", int64(*in.FeeBps), 1, MaxFeeBps)
	}
	if in.RiskSharePct == nil {
		probs.Add("risk_share_pct", FCRequired)
	} else {
		probs.Range("risk_share_pct", int64(*in.RiskSharePct), 1, 100)
	}
	if len(*probs) == n {
		ch.Cover = &Cover{CoverYuan: *in.CoverYuan, FeeBps: *in.FeeBps, RiskSharePct: *in.RiskSharePct}
	}
}

// earliestTranche bounds how far back a disbursement may be dated.
var earliestTranche = time.Date(2000, 1, 1, 0, 0, 0, 0, time.UTC)

// trancheTerms: a disbursement never exceeds what the accepted offer left
// to pay out, and is recorded after it happens (a day's grace for time
// zones), and not before the day the project was submitted.
func trancheTerms(ch *MatchChange, in ActionInput, left int64, submitted, now time.Time, probs *Problems) {
	if in.TrancheAmountYuan == nil {
		probs.Add("tranche_amount_yuan", FCRequired)
	} else {
		probs.Range("tranche_amount_yuan", *in.TrancheAmountYuan, 1, left)
	}
	date := now
	if in.TrancheDate != nil {
		date = *in.TrancheDate
	}
	floor := earliestTranche
	if !submitted.IsZero() {
		floor = submitted.Add(-24 * time.Hour) // a day's grace for time zones
	}
	if date.After(now.Add(24*time.Hour)) || date.Before(floor) {
		probs.Add("tranche_date", FCInvalid)
	}
	if in.TrancheAmountYuan != nil {
		ch.Tranche = &Tranche{AmountYuan: *in.TrancheAmountYuan, Date: date}
	}
}
