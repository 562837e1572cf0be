package main

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"strings"
	"time"

	"finzone"
)

// calendarStore keeps the holiday arrangements an admin loads, a year each.
type calendarStore interface {
	SaveCalendar(ctx context.Context, c *finzone.Calendar) error
	LoadCalendar(ctx context.Context) (*finzone.Calendar, error)
}

// loadCalendar is the calendar deadlines count on: the embedded years,
// replaced or joined by the years an admin stored, plus FINZONE_HOLIDAYS's
// extra days off.
func loadCalendar(ctx context.Context, st calendarStore, holidays string) (*finzone.Calendar, error) {
	extra, err := parseHolidays(holidays)
	if err != nil {
		return nil, err
	}
	stored, err := st.LoadCalendar(ctx)
	if err != nil {
		return nil, fmt.Errorf("holiday calendar: %w", err)
	}
	return finzone.DefaultCalendar().Merge(stored).Merge(extra), nil
}

// parseHolidays reads FINZONE_HOLIDAYS: days off besides the State
// Council's arrangement, merged over the calendar.
func parseHolidays(s string) (*finzone.Calendar, error) {
	var dates []string
	for _, d := range strings.Split(s, ",") {
		if d = strings.TrimSpace(d); d != "" {
			dates = append(dates, d)
		}
	}
	c, err := finzone.DaysOff("FINZONE_HOLIDAYS", dates...)
	if err != nil {
		return nil, fmt.Errorf("holidays: %w", err)
	}
	return c, nil
}

// logCalendar says which years the calendar covers and warns, from the
// November before, when deadlines are about to run past it.
func logCalendar(log *slog.Logger, c *finzone.Calendar, now time.Time) {
	years := c.Years()
	last := 0
	if len(years) > 0 {
		last = years[len(years)-1]
	}
	log.Info("holiday calendar", "years", fmt.Sprint(years), "last_year", last)
	if y, ok := c.RunsOut(now); ok {
		log.Warn(fmt.Sprintf("no holiday arrangement for %d: deadlines running into %d count weekends only; load it with: finzone admin load-holidays %d.csv", y, y, y),
			"calendar_years", fmt.Sprint(years), "last_year", last)
	}
}

// loadHolidaysCmd checks a year's arrangement and stores it; processes use
// it from their next start.
func loadHolidaysCmd(ctx context.Context, args []string) error {
	var cfg config
	fs, err := parseFlags("admin load-holidays", args, &cfg, &cmdOptions{})
	if err != nil {
		return err
	}
	if fs.NArg() != 1 {
		fs.SetOutput(os.Stderr)
		fs.Usage()
		return fmt.Errorf("admin load-holidays needs one CSV file")
	}
	f, err := os.Open(fs.Arg(0))
	if err != nil {
		return err
	}
	cal, err := finzone.ParseCalendar(f)
	f.Close()
	if err != nil {
		return fmt.Errorf("%s: %w", fs.Arg(0), err)
	}
	log := newLogger(cfg.LogLevel)
	in, err := openInfra(ctx, cfg, log)
	if err != nil {
		return err
	}
	defer in.Close()
	var st calendarStore = in.store
	if err := st.SaveCalendar(ctx, cal); err != nil {
		return err
	}
	for _, y := range cal.Years() {
		off, work := 0, 0
		for _, d := range cal.Days(y) {
			if d.Kind == finzone.DayWorkday {
				work++
			} else {
				off++
			}
		}
		fmt.Printf("stored the %d holiday calendar (days off: %d, make-up working days: %d); restart running processes to use it\n", y, off, work)
	}
	return nil
}
