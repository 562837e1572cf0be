package finzone

import (
	"slices"
	"strings"
	"time"
)

// ActionInput is one step an institution asks for on its match, from the
// JSON API or a page's form. Nil numbers were not given.
type ActionInput struct {
	Action            Action
	ReasonCode        string
	Note              string
	AmountYuan        *int64
	RateBps           *int
	TermMonths        *int
	TrancheAmountYuan *int64
	TrancheDate       *time.Time
}

// maxNoteRunes bounds the free text of a step.
const maxNoteRunes = 2000

// Step works out what an action does to match m of project p, taken by the
// user `by` at now: the stage it leads to, the fields it sets and the
// deadline it starts. What is wrong with the input comes back as a
// validation *Error naming the fields; an action the stage does not allow as
// invalid_state listing the actions it does. Who may act is the caller's
// check (Actor.CanActOnMatch).
func (m Match) Step(p Project, in ActionInput, by string, now time.Time, d Deadlines) (MatchChange, error) {
	if in.Action == "" {
		var probs Problems
		probs.Add("action", FCRequired)
		return MatchChange{}, probs.Err()
	}
	to, ok := m.Stage.Next(in.Action)
	if !ok {
		return MatchChange{}, StepRefused(m.Stage, "%s not allowed in %s", in.Action, m.Stage)
	}
	note := strings.TrimSpace(in.Note)
	ch := MatchChange{To: to, Event: Event{At: now, Actor: by, Action: string(in.Action), From: m.Stage, To: to, Note: note}}
	var probs Problems
	probs.Text("note", note, false, maxNoteRunes)
	switch in.Action {
	case ActionDecline:
		declineTerms(&ch, in.ReasonCode, note, &probs)
	case ActionApprove:
		approvalTerms(&ch, in, p.AmountYuan, &probs)
	case ActionDisburse:
		trancheTerms(&ch, in, m.ApprovedAmountYuan-m.DisbursedYuan(), now, &probs)
	}
	if err := probs.Err(); err != nil {
		return MatchChange{}, err
	}
	ch.DueAt, ch.KeepDue = d.AfterStep(to, now)
	return ch, nil
}

// StepRefused is the invalid_state error of a step the stage does not
// allow, with the actions it does.
func StepRefused(s Stage, format string, args ...any) *Error {
	e := Errorf(ECInvalidState, format, args...)
	for _, a := range s.Actions() {
		e.Allowed = append(e.Allowed, string(a))
	}
	return e
}

// declineTerms: a decline carries a stable reason code and, in words, why.
func declineTerms(ch *MatchChange, reason, note string, probs *Problems) {
	switch {
	case reason == "":
		probs.Add("reason_code", FCRequired)
	case !slices.Contains(DeclineReasons, reason):
		probs.Add("reason_code", FCInvalid)
	}
	if note == "" {
		probs.Add("note", FCRequired)
	}
	ch.DeclineReason, ch.DeclineNote = reason, note
}

// approvalTerms: an approval states amount, rate and term; it never exceeds
// what the project asked for.
func approvalTerms(ch *MatchChange, in ActionInput, asked int64, probs *Problems) {
	n := len(*probs)
	if in.AmountYuan == nil {
		probs.Add("amount_yuan", FCRequired)
	} else {
		probs.Range("amount_yuan", *in.AmountYuan, MinAmountYuan, asked)
	}
	if in.RateBps == nil {
		probs.Add("rate_bps", FCRequired)
	} else {
		probs.Range("rate_bps", int64(*in.RateBps), 1, MaxRateBps)
	}
	if in.TermMonths == nil {
		probs.Add("term_months", FCRequired)
	} else {
		probs.Range("term_months", int64(*in.TermMonths), 1, MaxTermMonths)
	}
	if len(*probs) == n {
		ch.ApprovedAmountYuan, ch.ApprovedRateBps, ch.ApprovedTermMonths = *in.AmountYuan, *in.RateBps, *in.TermMonths
	}
}

// trancheTerms: a disbursement never exceeds what is approved and not yet
// paid out, and is recorded after it happens (a day's grace for time
// zones).
func trancheTerms(ch *MatchChange, in ActionInput, left int64, now time.Time, probs *Problems) {
	if in.TrancheAmountYuan == nil {
		probs.Add("tranche_amount_yuan", FCRequired)
	} else {
		probs.Range("tranche_amount_yuan", *in.TrancheAmountYuan, 1, left)
	}
	date := now
	if in.TrancheDate != nil {
		date = *in.TrancheDate
	}
	if date.After(now.Add(24 * time.Hour)) {
		probs.Add("tranche_date", FCInvalid)
	}
	if in.TrancheAmountYuan != nil {
		ch.Tranche = &Tranche{AmountYuan: *in.TrancheAmountYuan, Date: date}
	}
}
