package web_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"finzone"
	"finzone/finzonetest"
	"finzone/server"
	"finzone/usecase"
)

func TestAdminPageShowsTheHolidayCalendar(t *testing.T) {
	e := newEnv(t)
	admin, err := e.uc.CreateStaff(ctx, usecase.Console, usecase.StaffInput{Email: finzonetest.Email("admin"), Name: "平台管理员",
		Password: finzonetest.Password, PlatformAdmin: true})
	if err != nil {
		t.Fatal(err)
	}
	r := e.page(pageReq{method: "POST", path: "/login", form: url.Values{"email": {admin.Email}, "password": {finzonetest.Password}}})
	token := r.Cookie(server.SessionCookie)
	if token == "" {
		t.Fatalf("admin sign-in: got %d without a session cookie", r.Status)
	}
	year := func(y int) *finzone.Calendar {
		c, err := finzone.NewCalendar(y, nil)
		if err != nil {
			t.Fatal(err)
		}
		return c
	}
	june2026 := time.Date(2026, 6, 1, 9, 0, 0, 0, time.FixedZone("CST", 8*3600))
	tests := []struct {
		name    string
		cal     *finzone.Calendar // nil: the default
		lang    string
		want    []string
		missing bool
	}{
		{"only this year", year(2026), "", []string{`id="calendar-years"`, "已有年份：2026", `id="calendar-missing"`, "尚无 2027 年的节假日安排"}, true},
		{"only this year, in English", year(2026), "en", []string{"Years on file: 2026", "No holiday arrangement for 2027 yet"}, true},
		{"next year loaded", year(2026).Merge(year(2027)), "", []string{"已有年份：2026、2027"}, false},
		{"next year loaded, in English", year(2026).Merge(year(2027)), "en", []string{"Years on file: 2026, 2027"}, false},
		{"this year missing", year(2025), "", []string{"已有年份：2025", "尚无 2026 年"}, true},
		{"the embedded default", nil, "", []string{"已有年份：2026"}, false},
	}
	// The default's warning depends on which years data/holidays holds.
	_, tests[len(tests)-1].missing = finzone.DefaultCalendar().Uncovered(june2026, 1)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			env := newEnvOn(t, e.db, usecase.Config{Deadlines: finzone.Deadlines{Calendar: tt.cal}, Now: func() time.Time { return june2026 }})
			r := env.page(pageReq{method: "GET", path: "/admin", session: token, lang: tt.lang})
			wantPage(t, r, http.StatusOK, tt.want...)
			if got := strings.Contains(string(r.Body), `id="calendar-missing"`); got != tt.missing {
				t.Errorf("warning shown: got %v, want %v", got, tt.missing)
			}
		})
	}
}
