package main

import (
	"bytes"
	"context"
	"flag"
	"log/slog"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"finzone"
)

// TestLoadHolidays stores a year with the admin command and reads it back
// the way a starting process does, over the embedded years and under the
// extra days off.
func TestLoadHolidays(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	infraArgs := []string{"-data-dir", dir, "-embedded-mongo-addr", "127.0.0.1:0", "-mongo-uri", "", "-redis-url", "", "-log-level", "warn"}
	write := func(name, body string) string {
		path := filepath.Join(dir, name)
		if err := os.WriteFile(path, []byte(body), 0o600); err != nil {
			t.Fatal(err)
		}
		return path
	}
	// Not the real 2027 arrangement (published around November 2026): a
	// test year.
	good := write("2027.csv", "# test year\ndate,kind,name\n2027-01-01,holiday,元旦\n2027-01-04,holiday,测试假日\n2027-01-09,workday,测试调休上班\n")
	bad := write("bad.csv", "date,kind,name\n2028-01-01,holiday,元旦\n2028-01-02,rest,元旦\n")

	if err := adminCmd(ctx, append([]string{"load-holidays"}, append(infraArgs, bad)...)); err == nil || !strings.Contains(err.Error(), `line 3: kind "rest"`) {
		t.Fatalf("bad file: got %v, want the line and the kind named", err)
	}
	if err := adminCmd(ctx, append([]string{"load-holidays"}, infraArgs...)); err == nil {
		t.Fatal("no file: got no error")
	}
	if err := adminCmd(ctx, append([]string{"load-holidays"}, append(infraArgs, good)...)); err != nil {
		t.Fatalf("load 2027: %v", err)
	}

	var cfg config
	fs := flag.NewFlagSet("test", flag.ContinueOnError)
	cfg.register(fs)
	if err := fs.Parse(infraArgs); err != nil {
		t.Fatal(err)
	}
	in, err := openInfra(ctx, cfg, slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	defer in.Close()
	cal, err := loadCalendar(ctx, in.store, "2026-03-02, 2027-01-08")
	if err != nil {
		t.Fatal(err)
	}
	if got, want := cal.Years(), []int{2026, 2027}; !slices.Equal(got, want) {
		t.Errorf("years: got %v, want %v (the bad 2028 file stored nothing)", got, want)
	}
	at := func(y int, m time.Month, d int) time.Time {
		return time.Date(y, m, d, 10, 0, 0, 0, time.FixedZone("CST", 8*3600))
	}
	tests := []struct {
		name string
		day  time.Time
		want bool
	}{
		{"embedded make-up Saturday", at(2026, 2, 14), true},
		{"embedded Spring Festival", at(2026, 2, 16), false},
		{"stored day off", at(2027, 1, 4), false},
		{"stored make-up Saturday", at(2027, 1, 9), true},
		{"extra day off", at(2026, 3, 2), false},
		{"extra day off in a stored year", at(2027, 1, 8), false},
		{"ordinary Tuesday", at(2027, 1, 5), true},
	}
	for _, tt := range tests {
		if got := cal.Workday(tt.day); got != tt.want {
			t.Errorf("%s: Workday(%s) = %v, want %v", tt.name, tt.day.Format(time.DateOnly), got, tt.want)
		}
	}
	if _, err := loadCalendar(ctx, in.store, "2026-3-2"); err == nil {
		t.Error("FINZONE_HOLIDAYS 2026-3-2: got no error")
	}
}

func TestLogCalendarWarnsBeforeTheLastYearEnds(t *testing.T) {
	// A calendar of its own, so the test holds when data/holidays gains
	// 2027.
	cal, err := finzone.NewCalendar(2026, nil)
	if err != nil {
		t.Fatal(err)
	}
	cst := time.FixedZone("CST", 8*3600)
	tests := []struct {
		name string
		now  time.Time
		want string // in the warning; "" for none
	}{
		{"October of the last year", time.Date(2026, 10, 31, 12, 0, 0, 0, cst), ""},
		{"November of the last year", time.Date(2026, 11, 1, 9, 0, 0, 0, cst), "no holiday arrangement for 2027: deadlines running into 2027 count weekends only"},
		{"past the last year", time.Date(2028, 5, 1, 9, 0, 0, 0, cst), "no holiday arrangement for 2028"},
	}
	for _, tt := range tests {
		var buf bytes.Buffer
		logCalendar(slog.New(slog.NewTextHandler(&buf, nil)), cal, tt.now)
		out := buf.String()
		if !strings.Contains(out, "last_year=2026") {
			t.Errorf("%s: got %q, want the last year logged", tt.name, out)
		}
		switch {
		case tt.want == "" && strings.Contains(out, "level=WARN"):
			t.Errorf("%s: got a warning %q, want none", tt.name, out)
		case tt.want != "" && (!strings.Contains(out, "level=WARN") || !strings.Contains(out, tt.want)):
			t.Errorf("%s: got %q, want a warning with %q", tt.name, out, tt.want)
		}
	}
}
