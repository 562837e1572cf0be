package mongodb_test

import (
	"context"
	"slices"
	"testing"

	"finzone"
)

func TestCalendarYearsReplaceEachOther(t *testing.T) {
	ctx := context.Background()
	db := openDB(t)
	c, err := db.LoadCalendar(ctx)
	if err != nil || c == nil || len(c.Years()) != 0 {
		t.Fatalf("empty store: got %v, %v; want an empty calendar", c.Years(), err)
	}
	def := finzone.DefaultCalendar()
	if err := db.SaveCalendar(ctx, def); err != nil {
		t.Fatal(err)
	}
	c, err = db.LoadCalendar(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if got, want := c.Years(), def.Years(); !slices.Equal(got, want) {
		t.Errorf("years: got %v, want %v", got, want)
	}
	if got, want := c.Days(2026), def.Days(2026); !slices.Equal(got, want) {
		t.Errorf("2026 read back: got %d days, want %d the same", len(got), len(want))
	}

	// Loading 2026 again replaces the year's document; 2027 adds one.
	again, err := finzone.NewCalendar(2026, []finzone.CalendarDay{{Date: "2026-01-01", Kind: finzone.DayHoliday, Name: "元旦"}})
	if err != nil {
		t.Fatal(err)
	}
	next, err := finzone.NewCalendar(2027, nil)
	if err != nil {
		t.Fatal(err)
	}
	if err := db.SaveCalendar(ctx, again.Merge(next)); err != nil {
		t.Fatal(err)
	}
	c, err = db.LoadCalendar(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if got, want := c.Years(), []int{2026, 2027}; !slices.Equal(got, want) {
		t.Errorf("years: got %v, want %v", got, want)
	}
	if got := c.Days(2026); len(got) != 1 || got[0].Name != "元旦" {
		t.Errorf("2026 after replacing: got %v, want the one stored day", got)
	}
}
