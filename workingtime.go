package finzone

import "time"

// Temporary until the calendar lands (branch cal): working time between
// two instants, counting whole working days.

// WorkingLeft is the working time from now to due; 0 when due has passed.
func (d Deadlines) WorkingLeft(now, due time.Time) time.Duration {
	if !due.After(now) {
		return 0
	}
	if d.DayLength > 0 {
		return due.Sub(now)
	}
	var left time.Duration
	cur := now
	for cur.Before(due) {
		loc := d.Location
		if loc == nil {
			loc = chinaTime
		}
		c := cur.In(loc)
		next := time.Date(c.Year(), c.Month(), c.Day()+1, 0, 0, 0, 0, loc)
		if next.After(due) {
			next = due
		}
		if c.Weekday() != time.Saturday && c.Weekday() != time.Sunday && !d.Holidays[c.Format("2006-01-02")] {
			left += next.Sub(cur)
		}
		cur = next
	}
	return left
}

// AddWorking moves t forward by left of working time.
func (d Deadlines) AddWorking(t time.Time, left time.Duration) time.Time {
	if d.DayLength > 0 {
		return t.Add(left)
	}
	loc := d.Location
	if loc == nil {
		loc = chinaTime
	}
	cur := t
	for left > 0 {
		c := cur.In(loc)
		next := time.Date(c.Year(), c.Month(), c.Day()+1, 0, 0, 0, 0, loc)
		if c.Weekday() == time.Saturday || c.Weekday() == time.Sunday || d.Holidays[c.Format("2006-01-02")] {
			cur = next
			continue
		}
		if span := next.Sub(cur); span < left {
			left -= span
			cur = next
			continue
		}
		return cur.Add(left)
	}
	return cur
}

// AddDays moves t by n working days.
func (d Deadlines) AddDays(t time.Time, n int) time.Time { return d.add(t, n) }
