package finzone

import (
	"testing"
	"time"
)

func TestDeadlinesSkipWeekendsAndHolidays(t *testing.T) {
	d := DefaultDeadlines()
	d.Holidays = map[string]bool{"2026-10-01": true, "2026-10-02": true}
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
		{"holidays skipped", StagePushed, time.Date(2026, 9, 30, 9, 0, 0, 0, chinaTime), time.Date(2026, 10, 7, 9, 0, 0, 0, chinaTime)},
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
