package finzone

import "time"

// Deadlines says how long an institution has for each step, in working days
// of the Calendar (weekends and days off skipped, make-up working days
// counted). Tests set DayLength to count plain durations instead, so a
// "working day" can be a second.
type Deadlines struct {
	AcceptDays  int // pushed → accepted or declined
	ContactDays int // accepted → first contact
	CreditDays  int // contacted → credit decision
	// RemindBefore is how long before the due time a reminder goes out; 0
	// means one working day (or one DayLength).
	RemindBefore time.Duration
	DayLength    time.Duration
	// Calendar says which days are working days; nil means
	// DefaultCalendar().
	Calendar *Calendar
	Location *time.Location // where days start and end; default China Standard Time
}

// DefaultDeadlines are the platform's defaults: accept 3, first contact 5,
// credit decision 20 working days.
func DefaultDeadlines() Deadlines {
	return Deadlines{AcceptDays: 3, ContactDays: 5, CreditDays: 20}
}

var chinaTime = time.FixedZone("CST", 8*3600)

// Due returns when a match that entered stage s at t must next move, and
// whether the stage has a deadline at all. Stages after approval have none.
func (d Deadlines) Due(s Stage, t time.Time) (time.Time, bool) {
	switch s {
	case StagePushed:
		return d.add(t, d.AcceptDays), true
	case StageAccepted:
		return d.add(t, d.ContactDays), true
	case StageContacted:
		return d.add(t, d.CreditDays), true
	}
	return time.Time{}, false
}

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
