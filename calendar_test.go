package finzone

import (
	"slices"
	"strings"
	"testing"
	"time"
)

// cst is a time in China Standard Time.
func cst(y int, m time.Month, d, h int) time.Time { return time.Date(y, m, d, h, 0, 0, 0, chinaTime) }

func TestParseCalendar(t *testing.T) {
	const head = "date,kind,name\n"
	tests := []struct {
		name string
		csv  string
		want string // a piece of the error; "" for none
	}{
		{"good", head + "2026-01-01,holiday,元旦\n2026-01-04,workday,元旦调休上班\n", ""},
		{"comments, a byte-order mark and spaces", "\ufeff# 国务院办公厅\n# second comment\n" + head + "2026-01-01, holiday , 元旦\n", ""},
		{"bad header", "day,kind,name\n2026-01-01,holiday,元旦\n", `line 1: header is "day,kind,name"`},
		{"header after comments", "# source\n" + "date,type,name\n", "line 2: header"},
		{"bad kind", head + "2026-01-01,holiday,元旦\n2026-01-02,off,元旦\n", `line 3: kind "off", want holiday or workday`},
		{"bad date", head + "2026-13-01,holiday,元旦\n", `line 2: date "2026-13-01" is not YYYY-MM-DD`},
		{"years mixed", head + "2026-01-01,holiday,元旦\n2027-01-01,holiday,元旦\n", "line 3: 2027-01-01 is not in 2026"},
		{"duplicate date", head + "2026-01-01,holiday,元旦\n2026-01-02,holiday,元旦\n2026-01-01,holiday,元旦\n", "line 4: 2026-01-01 is already on line 2"},
		{"make-up day on a weekday", head + "2026-01-05,workday,元旦调休上班\n", "line 2: 2026-01-05 is a Monday"},
		{"no name", head + "2026-01-01,holiday,\n", "line 2: 2026-01-01 has no name"},
		{"too few fields", head + "2026-01-01,holiday\n", "line 2: 2 fields, want 3"},
		{"line numbers count comments", "# a\n" + head + "# b\n2026-01-01,holiday,元旦\n2026-01-01,holiday,元旦\n", "line 5: 2026-01-01 is already on line 4"},
		{"every problem reported", head + "2026-01-01,x,元旦\n2026-01-02,holiday,\n", "line 2: kind \"x\", want holiday or workday; line 3: 2026-01-02 has no name"},
		{"broken quoting", head + "2026-01-01,holiday,\"元旦\n", "line 2"},
		{"empty", "", "empty file"},
		{"only comments", "# nothing\n", "empty file"},
		{"header only", head, "no rows after the header"},
	}
	for _, tt := range tests {
		c, err := ParseCalendar(strings.NewReader(tt.csv))
		switch {
		case tt.want == "" && err != nil:
			t.Errorf("%s: got %v, want no error", tt.name, err)
		case tt.want == "" && !slices.Equal(c.Years(), []int{2026}):
			t.Errorf("%s: got years %v, want [2026]", tt.name, c.Years())
		case tt.want != "" && (err == nil || !strings.Contains(err.Error(), tt.want)):
			t.Errorf("%s: got %v, want an error containing %q", tt.name, err, tt.want)
		case tt.want != "" && !IsCode(err, ECValidation):
			t.Errorf("%s: got code %s, want %s", tt.name, ErrorCode(err), ECValidation)
		}
	}
}

func TestDefaultCalendarHolds2026(t *testing.T) {
	c := DefaultCalendar()
	if got := c.Years(); !slices.Contains(got, 2026) {
		t.Fatalf("years = %v, want 2026 among them", got)
	}
	var off, work int
	names := map[string]bool{}
	for _, d := range c.Days(2026) {
		names[d.Name] = true
		if d.Kind == DayHoliday {
			off++
		} else {
			work++
		}
	}
	if off != 33 || work != 6 {
		t.Errorf("2026: got %d days off and %d make-up working days, want 33 and 6", off, work)
	}
	for _, n := range []string{"元旦", "春节", "清明节", "劳动节", "端午节", "中秋节", "国庆节", "元旦调休上班", "春节调休上班", "劳动节调休上班", "国庆节调休上班"} {
		if !names[n] {
			t.Errorf("2026: no day named %s", n)
		}
	}
	tests := []struct {
		day  time.Time
		want bool
	}{
		{cst(2026, 1, 1, 10), false},   // 元旦, Thursday
		{cst(2026, 1, 3, 10), false},   // 元旦, Saturday
		{cst(2026, 1, 4, 10), true},    // Sunday, make-up
		{cst(2026, 1, 5, 10), true},    // ordinary Monday
		{cst(2026, 1, 10, 10), false},  // ordinary Saturday
		{cst(2026, 2, 13, 10), true},   // Friday before the Spring Festival
		{cst(2026, 2, 14, 10), true},   // Saturday, make-up
		{cst(2026, 2, 15, 10), false},  // 春节 begins (Sunday)
		{cst(2026, 2, 18, 10), false},  // 春节, Wednesday
		{cst(2026, 2, 23, 10), false},  // 春节 ends (Monday)
		{cst(2026, 2, 24, 10), true},   // back at work
		{cst(2026, 2, 28, 10), true},   // Saturday, make-up
		{cst(2026, 3, 1, 10), false},   // ordinary Sunday
		{cst(2026, 4, 6, 10), false},   // 清明节, Monday
		{cst(2026, 5, 5, 10), false},   // 劳动节, Tuesday
		{cst(2026, 5, 9, 10), true},    // Saturday, make-up
		{cst(2026, 6, 19, 10), false},  // 端午节, Friday
		{cst(2026, 9, 20, 10), true},   // Sunday, make-up for 国庆节
		{cst(2026, 9, 25, 10), false},  // 中秋节, Friday
		{cst(2026, 10, 7, 10), false},  // 国庆节, Wednesday
		{cst(2026, 10, 8, 10), true},   // Thursday
		{cst(2026, 10, 10, 10), true},  // Saturday, make-up
		{cst(2026, 10, 11, 10), false}, // ordinary Sunday
		// China time decides: 20:00 UTC on Friday 13 Feb is Saturday 14
		// Feb in China, a make-up day; 16:00 UTC on 14 Feb is 15 Feb, off.
		{time.Date(2026, 2, 13, 20, 0, 0, 0, time.UTC), true},
		{time.Date(2026, 2, 14, 16, 0, 0, 0, time.UTC), false},
	}
	for _, tt := range tests {
		if got := c.Workday(tt.day); got != tt.want {
			t.Errorf("Workday(%s) = %v, want %v", tt.day.Format(time.RFC3339), got, tt.want)
		}
	}
}

func TestUncoveredYearsCountWeekendsOnly(t *testing.T) {
	c, err := NewCalendar(2026, DefaultCalendar().Days(2026))
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		cal  *Calendar
		day  time.Time
		want bool
	}{
		{c, cst(2027, 1, 1, 10), true}, // New Year's Day 2027, but 2027 is not covered
		{c, cst(2027, 1, 2, 10), false},
		{c, cst(2025, 10, 1, 10), true},
		{nil, cst(2026, 1, 1, 10), true}, // the nil calendar covers nothing
		{nil, cst(2026, 2, 14, 10), false},
	}
	for _, tt := range tests {
		if got := tt.cal.Workday(tt.day); got != tt.want {
			t.Errorf("%v: Workday(%s) = %v, want %v", tt.cal.Years(), tt.day.Format(time.DateOnly), got, tt.want)
		}
	}
	if (*Calendar)(nil).Covers(cst(2026, 1, 1, 0)) || len((*Calendar)(nil).Years()) != 0 {
		t.Error("the nil calendar covers something")
	}
}

func TestNewCalendar(t *testing.T) {
	tests := []struct {
		name string
		year int
		days []CalendarDay
		want string
	}{
		{"no days", 2027, nil, ""},
		{"good", 2026, []CalendarDay{{"2026-01-01", DayHoliday, "元旦"}}, ""},
		{"other year", 2027, []CalendarDay{{"2026-01-01", DayHoliday, "元旦"}}, "2026-01-01 is not in 2027"},
		{"bad kind", 2026, []CalendarDay{{"2026-01-01", "off", "元旦"}}, `kind "off"`},
		{"twice", 2026, []CalendarDay{{"2026-01-01", DayHoliday, "元旦"}, {"2026-01-01", DayHoliday, "元旦"}}, "appears twice"},
		{"bad date", 2026, []CalendarDay{{"1 Jan", DayHoliday, "元旦"}}, "not YYYY-MM-DD"},
	}
	for _, tt := range tests {
		c, err := NewCalendar(tt.year, tt.days)
		switch {
		case tt.want == "" && (err != nil || !slices.Equal(c.Years(), []int{tt.year})):
			t.Errorf("%s: got %v, %v; want year %d covered", tt.name, c.Years(), err, tt.year)
		case tt.want != "" && (err == nil || !strings.Contains(err.Error(), tt.want)):
			t.Errorf("%s: got %v, want an error containing %q", tt.name, err, tt.want)
		}
	}
}

func TestMergeReplacesYearsAndAddsDaysOff(t *testing.T) {
	base := DefaultCalendar()
	stored, err := NewCalendar(2026, []CalendarDay{{"2026-01-01", DayHoliday, "元旦"}})
	if err != nil {
		t.Fatal(err)
	}
	next, err := NewCalendar(2027, []CalendarDay{{"2027-01-01", DayHoliday, "元旦"}})
	if err != nil {
		t.Fatal(err)
	}
	extra, err := DaysOff("extra", "2026-10-08", "2026-10-10", "2028-03-01")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := DaysOff("extra", "2026-10-32"); !IsCode(err, ECValidation) {
		t.Errorf("DaysOff(2026-10-32): got %v, want validation_failed", err)
	}
	replaced := base.Merge(stored).Merge(next)
	withExtra := base.Merge(extra)
	tests := []struct {
		name string
		cal  *Calendar
		day  time.Time
		want bool
	}{
		{"stored year replaces the embedded one", replaced, cst(2026, 2, 16, 10), true},
		{"stored year drops embedded make-up days", replaced, cst(2026, 2, 14, 10), false},
		{"stored year's own day off", replaced, cst(2026, 1, 1, 10), false},
		{"new stored year", replaced, cst(2027, 1, 1, 10), false},
		{"extra day off", withExtra, cst(2026, 10, 8, 10), false},
		{"extra day off over a make-up day", withExtra, cst(2026, 10, 10, 10), false},
		{"extra day off in an uncovered year", withExtra, cst(2028, 3, 1, 10), false},
		{"embedded arrangement kept under extras", withExtra, cst(2026, 2, 14, 10), true},
		{"merging changed neither calendar", base, cst(2026, 10, 8, 10), true},
	}
	for _, tt := range tests {
		if got := tt.cal.Workday(tt.day); got != tt.want {
			t.Errorf("%s: Workday(%s) = %v, want %v", tt.name, tt.day.Format(time.DateOnly), got, tt.want)
		}
	}
	if got, want := replaced.Years(), []int{2026, 2027}; !slices.Equal(got, want) {
		t.Errorf("replaced: years %v, want %v", got, want)
	}
	if got, want := withExtra.Years(), base.Years(); !slices.Equal(got, want) {
		t.Errorf("extra days off: years %v, want %v (days off cover no year)", got, want)
	}
	if got := len(replaced.Days(2026)); got != 1 {
		t.Errorf("replaced: %d days in 2026, want the stored 1", got)
	}
}

func TestCoversAndRunsOut(t *testing.T) {
	c, err := NewCalendar(2026, nil)
	if err != nil {
		t.Fatal(err)
	}
	both := c.Merge(mustCalendar(t, 2027))
	tests := []struct {
		name     string
		cal      *Calendar
		now      time.Time
		covers   bool
		wantYear int // 0: nothing runs out
	}{
		{"October of the last year", c, cst(2026, 10, 31, 23), true, 0},
		{"November of the last year", c, cst(2026, 11, 1, 0), true, 2027},
		{"China's new year, still 2026 in UTC", c, time.Date(2026, 12, 31, 16, 0, 0, 0, time.UTC), false, 2027},
		{"beyond the last year", c, cst(2028, 3, 1, 0), false, 2028},
		{"next year loaded", both, cst(2026, 12, 15, 0), true, 0},
		{"before the first year", c, cst(2025, 6, 1, 0), false, 2025},
	}
	for _, tt := range tests {
		if got := tt.cal.Covers(tt.now); got != tt.covers {
			t.Errorf("%s: Covers = %v, want %v", tt.name, got, tt.covers)
		}
		y, ok := tt.cal.RunsOut(tt.now)
		if ok != (tt.wantYear != 0) || y != tt.wantYear {
			t.Errorf("%s: RunsOut = %d, %v; want %d", tt.name, y, ok, tt.wantYear)
		}
	}
	if y, ok := c.Uncovered(cst(2026, 3, 1, 0), 1); !ok || y != 2027 {
		t.Errorf("Uncovered(March 2026, 1) = %d, %v; want 2027", y, ok)
	}
	if y, ok := c.Uncovered(cst(2026, 3, 1, 0), 0); ok {
		t.Errorf("Uncovered(March 2026, 0) = %d, want none", y)
	}
	if y, ok := both.Uncovered(time.Date(2026, 12, 31, 16, 0, 0, 0, time.UTC), 1); !ok || y != 2028 {
		t.Errorf("Uncovered(1 Jan 2027 in China, 1) = %d, %v; want 2028", y, ok)
	}
}

func mustCalendar(t *testing.T, year int) *Calendar {
	t.Helper()
	c, err := NewCalendar(year, nil)
	if err != nil {
		t.Fatal(err)
	}
	return c
}
