package finzone

import "time"

// Deadlines says how long an institution has for each step, in working days
// of the Calendar (weekends and days off skipped, make-up working days
// counted). Tests set DayLength to count plain durations instead, so a
// "working day" can be a second.
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
	// Calendar says which days are working days; nil means
	// DefaultCalendar().
	Calendar *Calendar
	Location *time.Location // where days start and end; default China Standard Time
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
	cal := d.WorkingCalendar()
	step := 1
	if n < 0 {
		step, n = -1, -n
	}
	cur := t.In(d.loc())
	for n > 0 {
		cur = cur.AddDate(0, 0, step)
		if cal.workdayOn(cur.Format(dateLayout), cur.Weekday()) {
			n--
		}
	}
	return cur
}

// AddDays moves t by n working days (n may be negative), keeping its time
// of day: what a new clock or an extension of one needs.
func (d Deadlines) AddDays(t time.Time, n int) time.Time { return d.add(t, n) }

// WorkingCalendar is the calendar the deadlines count on.
func (d Deadlines) WorkingCalendar() *Calendar {
	if d.Calendar == nil {
		return DefaultCalendar()
	}
	return d.Calendar
}

func (d Deadlines) loc() *time.Location {
	if d.Location == nil {
		return chinaTime
	}
	return d.Location
}

// nextMidnight is the start of the day after t's, in t's location.
func nextMidnight(t time.Time) time.Time {
	y, m, day := t.Date()
	return time.Date(y, m, day+1, 0, 0, 0, 0, t.Location())
}

// WorkingLeft is the working time between now and due: every moment of a
// working day counts, none of a day off, so a clock paused on Friday
// evening and resumed on Monday morning has lost no time. It is 0 when due
// is not after now; with DayLength set it is plain time.
func (d Deadlines) WorkingLeft(now, due time.Time) time.Duration {
	if !due.After(now) {
		return 0
	}
	if d.DayLength > 0 {
		return due.Sub(now)
	}
	cal := d.WorkingCalendar()
	var left time.Duration
	for cur := now.In(d.loc()); cur.Before(due); {
		end := nextMidnight(cur)
		if cal.workdayOn(cur.Format(dateLayout), cur.Weekday()) {
			if due.Before(end) {
				end = due
			}
			left += end.Sub(cur)
		}
		cur = end
	}
	return left
}

// AddWorking moves t forward by left of working time, skipping days off:
// the inverse of WorkingLeft, to restart a paused clock. It gives the
// latest such time: time that runs out at the end of a working day, or
// none left (0 or less) on a day off, ends at the start of the next working
// day, so a deadline at midnight before a working day survives a pause
// intact. With DayLength set it is plain time.
func (d Deadlines) AddWorking(t time.Time, left time.Duration) time.Time {
	if d.DayLength > 0 {
		return t.Add(max(left, 0))
	}
	left = max(left, 0)
	cal := d.WorkingCalendar()
	cur := t.In(d.loc())
	for {
		end := nextMidnight(cur)
		if cal.workdayOn(cur.Format(dateLayout), cur.Weekday()) {
			day := end.Sub(cur)
			if left < day {
				return cur.Add(left)
			}
			left -= day
		}
		cur = end
	}
}
