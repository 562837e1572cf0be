package finzone

import (
	"testing"
	"time"
)

func TestDeadlinesSkipWeekendsAndHolidays(t *testing.T) {
	d := DefaultDeadlines() // on DefaultCalendar: 1–7 Oct off, Sat 10 Oct a working day
	friday := time.Date(2026, 11, 27, 10, 0, 0, 0, chinaTime)
	tests := []struct {
		name  string
		stage Stage
		from  time.Time
		want  time.Time
	}{
		{"accept over a weekend", StagePushed, friday, time.Date(2026, 12, 2, 10, 0, 0, 0, chinaTime)},
		{"contact", StageAccepted, friday, time.Date(2026, 12, 4, 10, 0, 0, 0, chinaTime)},
		{"credit", StageContacted, friday, time.Date(2026, 12, 25, 10, 0, 0, 0, chinaTime)},
		{"national day skipped, make-up Saturday counted", StagePushed, time.Date(2026, 9, 30, 9, 0, 0, 0, chinaTime), time.Date(2026, 10, 10, 9, 0, 0, 0, chinaTime)},
	}
	for _, tt := range tests {
		got, ok := d.Due(tt.stage, tt.from)
		if !ok || !got.Equal(tt.want) {
			t.Errorf("%s: Due = %v, %v; want %v", tt.name, got, ok, tt.want)
		}
	}
	if _, ok := d.Due(StageApproved, friday); ok {
		t.Error("approved has a deadline, want none")
	}
	due, _ := d.Due(StagePushed, friday)
	if got, want := d.RemindAt(due), time.Date(2026, 12, 1, 10, 0, 0, 0, chinaTime); !got.Equal(want) {
		t.Errorf("RemindAt = %v, want %v", got, want)
	}
	fast := Deadlines{AcceptDays: 3, DayLength: time.Second}
	if got, _ := fast.Due(StagePushed, friday); !got.Equal(friday.Add(3 * time.Second)) {
		t.Errorf("test clock: Due = %v, want 3 s later", got)
	}
}

func TestDeadlinesCountTheHolidayCalendar(t *testing.T) {
	d := DefaultDeadlines()
	at := func(y int, m time.Month, day int) time.Time { return time.Date(y, m, day, 10, 0, 0, 0, chinaTime) }
	tests := []struct {
		name string
		from time.Time
		n    int
		want time.Time
	}{
		// Fri 13 Feb + 3: Sat 14 (make-up), then 15–23 off, Tue 24, Wed 25.
		{"pushed before the Spring Festival", at(2026, 2, 13), 3, at(2026, 2, 25)},
		{"make-up Saturday counts", at(2026, 2, 13), 1, at(2026, 2, 14)},
		{"the festival is skipped", at(2026, 2, 14), 1, at(2026, 2, 24)},
		{"pushed during the festival", at(2026, 2, 18), 1, at(2026, 2, 24)},
		{"second make-up Saturday", at(2026, 2, 27), 1, at(2026, 2, 28)},
		{"then the Sunday is off", at(2026, 2, 28), 1, at(2026, 3, 2)},
		{"make-up Sunday after 元旦", at(2025, 12, 31), 1, at(2026, 1, 4)},
		{"backwards over the festival", at(2026, 2, 24), -1, at(2026, 2, 14)},
		{"backwards onto a make-up Sunday", at(2026, 1, 5), -1, at(2026, 1, 4)},
		{"national day and its make-up days", at(2026, 9, 18), 5, at(2026, 9, 24)}, // Sun 20 Sep works
		{"an uncovered year counts weekends only", at(2026, 12, 31), 2, at(2027, 1, 4)},
		{"zero", at(2026, 2, 15), 0, at(2026, 2, 15)},
	}
	for _, tt := range tests {
		if got := d.AddDays(tt.from, tt.n); !got.Equal(tt.want) {
			t.Errorf("%s: AddDays(%s, %d) = %s, want %s", tt.name, tt.from.Format(time.DateOnly), tt.n, got.Format(time.DateOnly), tt.want.Format(time.DateOnly))
		}
	}
	if due, _ := d.Due(StagePushed, at(2026, 2, 13)); !due.Equal(at(2026, 2, 25)) {
		t.Errorf("pushed Fri 13 Feb: due %v, want Wed 25 Feb", due)
	}
	// A calendar of its own, with an extra day off, is the one counted.
	extra, err := DaysOff("extra", "2026-02-24")
	if err != nil {
		t.Fatal(err)
	}
	d.Calendar = DefaultCalendar().Merge(extra)
	if got, want := d.AddDays(at(2026, 2, 13), 3), at(2026, 2, 26); !got.Equal(want) {
		t.Errorf("with 24 Feb off too: got %s, want %s", got.Format(time.DateOnly), want.Format(time.DateOnly))
	}
}

func TestWorkingLeft(t *testing.T) {
	d := DefaultDeadlines()
	h := time.Hour
	tests := []struct {
		name     string
		now, due time.Time
		want     time.Duration
	}{
		{"same working day", cst(2026, 3, 2, 10), cst(2026, 3, 2, 15), 5 * h},
		{"over a weekend", cst(2026, 3, 6, 18), cst(2026, 3, 9, 6), 12 * h},
		{"over the Spring Festival with its make-up Saturday", cst(2026, 2, 13, 12), cst(2026, 2, 24, 12), 12*h + 24*h + 12*h},
		{"from inside the festival", cst(2026, 2, 15, 9), cst(2026, 2, 24, 10), 10 * h},
		{"second make-up Saturday, Sunday off", cst(2026, 2, 27, 0), cst(2026, 3, 2, 0), 48 * h},
		{"due on a day off", cst(2026, 9, 30, 12), cst(2026, 10, 3, 12), 12 * h},
		{"an uncovered year counts weekends only", cst(2027, 1, 1, 0), cst(2027, 1, 4, 0), 24 * h},
		{"due already passed", cst(2026, 3, 2, 10), cst(2026, 3, 2, 9), 0},
		{"due now", cst(2026, 3, 2, 10), cst(2026, 3, 2, 10), 0},
		{"times in UTC count China's days", time.Date(2026, 2, 13, 16, 0, 0, 0, time.UTC), time.Date(2026, 2, 14, 16, 0, 0, 0, time.UTC), 24 * h},
	}
	for _, tt := range tests {
		if got := d.WorkingLeft(tt.now, tt.due); got != tt.want {
			t.Errorf("%s: WorkingLeft = %v, want %v", tt.name, got, tt.want)
		}
	}
	fast := Deadlines{DayLength: time.Second}
	if got := fast.WorkingLeft(cst(2026, 2, 15, 0), cst(2026, 2, 15, 2)); got != 2*h {
		t.Errorf("test clock: WorkingLeft = %v, want plain 2h", got)
	}
	if got := fast.WorkingLeft(cst(2026, 2, 15, 2), cst(2026, 2, 15, 0)); got != 0 {
		t.Errorf("test clock, due passed: WorkingLeft = %v, want 0", got)
	}
}

func TestAddWorking(t *testing.T) {
	d := DefaultDeadlines()
	h := time.Hour
	tests := []struct {
		name string
		from time.Time
		left time.Duration
		want time.Time
	}{
		{"within the day", cst(2026, 3, 2, 10), 5 * h, cst(2026, 3, 2, 15)},
		{"over a weekend", cst(2026, 3, 6, 18), 12 * h, cst(2026, 3, 9, 6)},
		{"over the Spring Festival", cst(2026, 2, 13, 12), 48 * h, cst(2026, 2, 24, 12)},
		{"resumed during the festival", cst(2026, 2, 16, 9), 10 * h, cst(2026, 2, 24, 10)},
		// Time that runs out at the end of the make-up Saturday ends at
		// the start of the next working day.
		{"ends at a day's end", cst(2026, 2, 13, 12), 36 * h, cst(2026, 2, 24, 0)},
		{"nothing left on a working day", cst(2026, 2, 24, 9), 0, cst(2026, 2, 24, 9)},
		{"nothing left on a day off", cst(2026, 2, 16, 9), 0, cst(2026, 2, 24, 0)},
		{"negative is nothing left", cst(2026, 2, 24, 9), -h, cst(2026, 2, 24, 9)},
	}
	for _, tt := range tests {
		if got := d.AddWorking(tt.from, tt.left); !got.Equal(tt.want) {
			t.Errorf("%s: AddWorking = %s, want %s", tt.name, got.Format(time.RFC3339), tt.want.Format(time.RFC3339))
		}
	}
	fast := Deadlines{DayLength: time.Second}
	if got, want := fast.AddWorking(cst(2026, 2, 15, 0), 2*h), cst(2026, 2, 15, 2); !got.Equal(want) {
		t.Errorf("test clock: AddWorking = %v, want %v", got, want)
	}
}

// TestAddWorkingUndoesWorkingLeft: a clock paused at now and resumed at now
// gets its due time back, whenever the due time is on a working day.
func TestAddWorkingUndoesWorkingLeft(t *testing.T) {
	d := DefaultDeadlines()
	cal := d.WorkingCalendar()
	checked := 0
	for now := cst(2025, 12, 28, 0).Add(17 * time.Minute); now.Before(cst(2026, 3, 10, 0)); now = now.Add(11 * time.Hour) {
		for _, span := range []time.Duration{0, time.Hour, 7 * time.Hour, 23*time.Hour + 43*time.Minute, 24 * time.Hour, 61 * time.Hour, 9 * 24 * time.Hour, 17*24*time.Hour + 5*time.Hour} {
			due := now.Add(span)
			// Midnight dues matter most: AddDays keeps the hour, and a
			// clock started at 00:00 ends at 00:00.
			for _, due := range []time.Time{due, time.Date(due.Year(), due.Month(), due.Day(), 0, 0, 0, 0, chinaTime)} {
				if !cal.Workday(due) || due.Before(now) {
					continue
				}
				checked++
				left := d.WorkingLeft(now, due)
				if got := d.AddWorking(now, left); !got.Equal(due) {
					t.Fatalf("now %s, due %s: WorkingLeft %v, AddWorking gives %s", now.Format(time.RFC3339), due.Format(time.RFC3339), left, got.Format(time.RFC3339))
				}
			}
		}
	}
	if checked < 1000 {
		t.Fatalf("checked %d pairs, want many", checked)
	}
}
