package finzone

import (
	"bytes"
	"embed"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"maps"
	"path"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"
)

// Kinds of calendar day.
const (
	DayHoliday = "holiday" // a day off (放假), even on a weekday
	DayWorkday = "workday" // a make-up working day (调休上班) on a weekend
)

// dateLayout is how calendar dates are written: China's civil date.
const dateLayout = "2006-01-02"

// CalendarDay is one day the State Council's arrangement makes differ from
// "Monday to Friday work".
type CalendarDay struct {
	Date string // "2026-10-01"
	Kind string // DayHoliday or DayWorkday
	Name string // 国庆节, 国庆节调休上班
}

// Calendar says which days are working days. It covers the years whose
// arrangement it holds; on days of other years only weekends are off. A
// Calendar is never changed once built, so processes share one; the nil
// Calendar covers nothing.
type Calendar struct {
	days  map[string]CalendarDay
	years map[int]bool
}

// maxCalendarProblems bounds the problems one parse reports.
const maxCalendarProblems = 20

// ParseCalendar reads one year's arrangement: a header "date,kind,name",
// then one row per day off or make-up working day. Lines starting with #
// are comments. Every problem is reported with its line number.
func ParseCalendar(r io.Reader) (*Calendar, error) {
	b, err := io.ReadAll(r)
	if err != nil {
		return nil, Wrap(ECValidation, err)
	}
	// Spreadsheets save UTF-8 with a byte-order mark.
	b = bytes.TrimPrefix(b, []byte("\ufeff"))
	cr := csv.NewReader(bytes.NewReader(b))
	cr.Comment = '#'
	cr.FieldsPerRecord = -1
	cr.TrimLeadingSpace = true
	cp := calendarParse{seen: map[string]int{}, header: true}
	for len(cp.problems) < maxCalendarProblems {
		rec, err := cr.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			var pe *csv.ParseError
			if errors.As(err, &pe) {
				cp.bad(pe.StartLine, "%v", pe.Err)
				break
			}
			return nil, Wrap(ECValidation, err)
		}
		line, _ := cr.FieldPos(0)
		if !cp.row(line, rec) {
			break
		}
	}
	switch {
	case len(cp.problems) > 0:
	case cp.header:
		cp.problems = append(cp.problems, "empty file: want a header date,kind,name and one row per day")
	case len(cp.days) == 0:
		cp.problems = append(cp.problems, "no rows after the header")
	}
	if len(cp.problems) > 0 {
		return nil, Errorf(ECValidation, "holiday calendar: %s", strings.Join(cp.problems, "; "))
	}
	return newCalendar(cp.year, cp.days), nil
}

// calendarParse is ParseCalendar's state: what was read and what is wrong.
type calendarParse struct {
	problems []string
	days     []CalendarDay
	year     int
	seen     map[string]int // date → line
	header   bool
}

func (cp *calendarParse) bad(line int, format string, args ...any) {
	cp.problems = append(cp.problems, fmt.Sprintf("line %d: ", line)+fmt.Sprintf(format, args...))
}

// row takes one record; false stops the parse (a wrong header).
func (cp *calendarParse) row(line int, rec []string) bool {
	for i := range rec {
		rec[i] = strings.TrimSpace(rec[i])
	}
	if cp.header {
		cp.header = false
		if !slices.Equal(rec, []string{"date", "kind", "name"}) {
			cp.bad(line, "header is %q, want date,kind,name", strings.Join(rec, ","))
			return false
		}
		return true
	}
	if len(rec) != 3 {
		cp.bad(line, "%d fields, want 3 (date,kind,name)", len(rec))
		return true
	}
	d := CalendarDay{Date: rec[0], Kind: rec[1], Name: rec[2]}
	t, err := time.Parse(dateLayout, d.Date)
	if err != nil {
		cp.bad(line, "date %q is not YYYY-MM-DD", d.Date)
		return true
	}
	if cp.year == 0 {
		cp.year = t.Year()
	}
	if msg := checkDay(d, t, cp.year); msg != "" {
		cp.bad(line, "%s", msg)
		return true
	}
	if first, ok := cp.seen[d.Date]; ok {
		cp.bad(line, "%s is already on line %d", d.Date, first)
		return true
	}
	cp.seen[d.Date] = line
	cp.days = append(cp.days, d)
	return true
}

// checkDay returns what is wrong with one day of year's arrangement, or "".
func checkDay(d CalendarDay, t time.Time, year int) string {
	weekend := t.Weekday() == time.Saturday || t.Weekday() == time.Sunday
	switch {
	case t.Year() != year:
		return fmt.Sprintf("%s is not in %d: one calendar holds one year", d.Date, year)
	case d.Kind != DayHoliday && d.Kind != DayWorkday:
		return fmt.Sprintf("kind %q, want %s or %s", d.Kind, DayHoliday, DayWorkday)
	case d.Kind == DayWorkday && !weekend:
		return fmt.Sprintf("%s is a %s: a make-up working day falls on a weekend", d.Date, t.Weekday())
	case d.Name == "":
		return fmt.Sprintf("%s has no name", d.Date)
	}
	return ""
}

// NewCalendar builds the calendar of one year from its days, checked as
// ParseCalendar checks a file's rows. A year without days is covered and
// simply has no exceptions.
func NewCalendar(year int, days []CalendarDay) (*Calendar, error) {
	seen := map[string]bool{}
	for _, d := range days {
		t, err := time.Parse(dateLayout, d.Date)
		msg := ""
		switch {
		case err != nil:
			msg = fmt.Sprintf("date %q is not YYYY-MM-DD", d.Date)
		case seen[d.Date]:
			msg = fmt.Sprintf("%s appears twice", d.Date)
		default:
			msg = checkDay(d, t, year)
		}
		if msg != "" {
			return nil, Errorf(ECValidation, "holiday calendar %d: %s", year, msg)
		}
		seen[d.Date] = true
	}
	return newCalendar(year, days), nil
}

func newCalendar(year int, days []CalendarDay) *Calendar {
	c := &Calendar{days: make(map[string]CalendarDay, len(days)), years: map[int]bool{year: true}}
	for _, d := range days {
		c.days[d.Date] = d
	}
	return c
}

// DaysOff is a calendar of extra days off that covers no year: merged over
// another calendar it adds them (over make-up working days too) and
// replaces no year's arrangement.
func DaysOff(name string, dates ...string) (*Calendar, error) {
	c := &Calendar{days: map[string]CalendarDay{}, years: map[int]bool{}}
	for _, d := range dates {
		if _, err := time.Parse(dateLayout, d); err != nil {
			return nil, Errorf(ECValidation, "day off %q is not a YYYY-MM-DD date", d)
		}
		c.days[d] = CalendarDay{Date: d, Kind: DayHoliday, Name: name}
	}
	return c, nil
}

// Merge returns c with over laid on top: a year over covers is over's
// arrangement alone (a stored year replaces the embedded one), and any day
// over names is as over says. Neither calendar changes.
func (c *Calendar) Merge(over *Calendar) *Calendar {
	out := &Calendar{days: map[string]CalendarDay{}, years: map[int]bool{}}
	if c != nil {
		maps.Copy(out.years, c.years)
		for date, d := range c.days {
			if y, _ := strconv.Atoi(date[:4]); over == nil || !over.years[y] {
				out.days[date] = d
			}
		}
	}
	if over != nil {
		maps.Copy(out.years, over.years)
		maps.Copy(out.days, over.days)
	}
	return out
}

// Workday reports whether the day t falls on, in China time, is a working
// day: a make-up working day is one even on a weekend, a day off is not even
// on a weekday, and otherwise Monday to Friday are.
func (c *Calendar) Workday(t time.Time) bool {
	t = t.In(chinaTime)
	return c.workdayOn(t.Format(dateLayout), t.Weekday())
}

// workdayOn is Workday for a civil date and its weekday.
func (c *Calendar) workdayOn(date string, wd time.Weekday) bool {
	if c != nil {
		if d, ok := c.days[date]; ok {
			return d.Kind == DayWorkday
		}
	}
	return wd != time.Saturday && wd != time.Sunday
}

// Years lists the years c covers, in order.
func (c *Calendar) Years() []int {
	if c == nil {
		return nil
	}
	return slices.Sorted(maps.Keys(c.years))
}

// Covers reports whether c holds the arrangement of t's year (China time).
func (c *Calendar) Covers(t time.Time) bool {
	return c != nil && c.years[t.In(chinaTime).Year()]
}

// Days lists c's days of one year in date order.
func (c *Calendar) Days(year int) []CalendarDay {
	if c == nil {
		return nil
	}
	prefix := fmt.Sprintf("%04d-", year)
	var out []CalendarDay
	for date, d := range c.days {
		if strings.HasPrefix(date, prefix) {
			out = append(out, d)
		}
	}
	slices.SortFunc(out, func(a, b CalendarDay) int { return strings.Compare(a.Date, b.Date) })
	return out
}

// Uncovered returns the first year c does not cover from now's (in China
// time) through the one ahead years later.
func (c *Calendar) Uncovered(now time.Time, ahead int) (int, bool) {
	from := now.In(chinaTime).Year()
	for y := from; y <= from+ahead; y++ {
		if c == nil || !c.years[y] {
			return y, true
		}
	}
	return 0, false
}

// RunsOut returns the first year that deadlines set at now may run into
// and c does not cover: this year, or from November on, when next year's
// arrangement is due and credit deadlines reach into it, next year too.
func (c *Calendar) RunsOut(now time.Time) (int, bool) {
	ahead := 0
	if now.In(chinaTime).Month() >= time.November {
		ahead = 1
	}
	return c.Uncovered(now, ahead)
}

//go:embed data/holidays/*.csv
var holidayFiles embed.FS

// DefaultCalendar is the arrangement of every year in data/holidays, one
// file per year, built into the binary.
func DefaultCalendar() *Calendar { return defaultCalendar() }

var defaultCalendar = sync.OnceValue(func() *Calendar {
	c, err := embeddedCalendar(holidayFiles, "data/holidays")
	if err != nil {
		panic("finzone: bad embedded holiday calendar: " + err.Error()) // a build defect; the tests catch it
	}
	return c
})

// embeddedCalendar merges the calendars of dir, each file named for its year.
func embeddedCalendar(fsys embed.FS, dir string) (*Calendar, error) {
	entries, err := fsys.ReadDir(dir)
	if err != nil {
		return nil, err
	}
	var out *Calendar
	for _, e := range entries {
		name := path.Join(dir, e.Name())
		b, err := fsys.ReadFile(name)
		if err != nil {
			return nil, err
		}
		c, err := ParseCalendar(bytes.NewReader(b))
		if err != nil {
			return nil, fmt.Errorf("%s: %w", name, err)
		}
		if want := strings.TrimSuffix(e.Name(), ".csv"); fmt.Sprint(c.Years()) != "["+want+"]" {
			return nil, fmt.Errorf("%s holds %v, want %s", name, c.Years(), want)
		}
		out = out.Merge(c)
	}
	return out, nil
}
