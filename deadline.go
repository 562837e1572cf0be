package finzone

import "time"

// Deadlines says how long an institution has for each step, in working days
// (weekends and Holidays skipped). Tests set DayLength to count plain
// durations instead, so a "working day" can be a second.
type Deadlines struct {
	AcceptDays  int // pushed → accepted or declined
	ContactDays int // accepted → first contact
	CreditDays  int // contacted → credit decision; accepted enhancer → commitment
	// ContractDays runs from the enterprise accepting an offer to the
	// contract; DrawdownDays from the contract to the first disbursement;
	// ScreenDays is a coordinator's screening of a submitted project.
	ContractDays int
	DrawdownDays int
	ScreenDays   int
	// ExtendMaxDays bounds one coordinator extension.
	ExtendMaxDays int
	// RemindBefore is how long before the due time a reminder goes out; 0
	// means one working day (or one DayLength).
	RemindBefore time.Duration
	DayLength    time.Duration
	Holidays     map[string]bool // "2026-10-01"
	Location     *time.Location  // where days start and end; default China Standard Time
}

// DefaultDeadlines are the platform's defaults in working days: accept 3,
// first contact 5, credit decision 20, contract 15 after the offer is
// accepted, first drawdown 30 after the contract, screening 2; a
// coordinator extends by at most 10.
func DefaultDeadlines() Deadlines {
	return Deadlines{AcceptDays: 3, ContactDays: 5, CreditDays: 20, ContractDays: 15, DrawdownDays: 30, ScreenDays: 2, ExtendMaxDays: 10}
}

// WithDefaults fills the day counts left zero with the defaults, keeping
// the calendar, day length and location.
func (d Deadlines) WithDefaults() Deadlines {
	def := DefaultDeadlines()
	for _, f := range []struct{ v, def *int }{{&d.AcceptDays, &def.AcceptDays}, {&d.ContactDays, &def.ContactDays},
		{&d.CreditDays, &def.CreditDays}, {&d.ContractDays, &def.ContractDays}, {&d.DrawdownDays, &def.DrawdownDays},
		{&d.ScreenDays, &def.ScreenDays}, {&d.ExtendMaxDays, &def.ExtendMaxDays}} {
		if *f.v == 0 {
			*f.v = *f.def
		}
	}
	return d
}

var chinaTime = time.FixedZone("CST", 8*3600)

// Due returns when a match that entered stage s at t must next move, and
// whether the stage starts a deadline at all. An approval waits on the
// enterprise (its contract clock starts when the offer is accepted: see
// ContractDue); a first disbursement ends the deadlines.
func (d Deadlines) Due(s Stage, t time.Time) (time.Time, bool) {
	switch s {
	case StagePushed:
		return d.add(t, d.AcceptDays), true
	case StageAccepted:
		return d.add(t, d.ContactDays), true
	case StageContacted, StageAssessing:
		return d.add(t, d.CreditDays), true
	case StageContracted:
		return d.add(t, d.DrawdownDays), d.DrawdownDays > 0
	}
	return time.Time{}, false
}

// ContractDue is when the contract of an offer accepted at t is due.
func (d Deadlines) ContractDue(t time.Time) (time.Time, bool) {
	return d.add(t, d.ContractDays), d.ContractDays > 0
}

// ScreenDue is when a coordinator's screening of a project submitted at t
// is due.
func (d Deadlines) ScreenDue(t time.Time) time.Time { return d.add(t, d.ScreenDays) }

// AfterStep is the deadline of a match entering stage to at now: a stage
// with a deadline of its own starts it; due diligence and credit review keep
// the credit deadline that first contact started (keep is true); the stages
// after approval, and the side exits, have none.
func (d Deadlines) AfterStep(to Stage, now time.Time) (due time.Time, keep bool) {
	if due, ok := d.Due(to, now); ok {
		return due, false
	}
	if to == StageDueDiligence || to == StageCreditReview {
		return time.Time{}, true
	}
	return time.Time{}, false
}

// RemindAt is when the reminder for a deadline goes out.
func (d Deadlines) RemindAt(due time.Time) time.Time {
	switch {
	case d.RemindBefore > 0:
		return due.Add(-d.RemindBefore)
	case d.DayLength > 0:
		return due.Add(-d.DayLength)
	}
	return d.add(due, -1)
}

// add moves t by n working days (n may be negative).
func (d Deadlines) add(t time.Time, n int) time.Time {
	if d.DayLength > 0 {
		return t.Add(time.Duration(n) * d.DayLength)
	}
	loc := d.Location
	if loc == nil {
		loc = chinaTime
	}
	step := 1
	if n < 0 {
		step, n = -1, -n
	}
	cur := t.In(loc)
	for n > 0 {
		cur = cur.AddDate(0, 0, step)
		if cur.Weekday() == time.Saturday || cur.Weekday() == time.Sunday || d.Holidays[cur.Format("2006-01-02")] {
			continue
		}
		n--
	}
	return cur
}
