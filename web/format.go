package web

import (
	"fmt"
	"html/template"
	"strconv"
	"strings"
	"time"

	"finzone"
	"finzone/i18n"
)

// China keeps one time zone and no daylight saving, so a fixed zone is exact
// and needs no tz database.
var chinaTime = time.FixedZone("CST", 8*3600)

const (
	wan = 10_000
	yi  = 100_000_000
)

// Money shows yuan in 万元, or 亿元 from one 亿 up, with the exact amount in
// the title so it appears on hover. Both languages use 万元/亿元: these are
// the units bank and government staff read and write.
func Money(yuan int64) template.HTML {
	return template.HTML(fmt.Sprintf(`<span class="money" title="¥%s">%s</span>`,
		Grouped(yuan), template.HTMLEscapeString(MoneyText(yuan))))
}

// MoneyText is Money without the markup.
func MoneyText(yuan int64) string {
	neg := yuan < 0
	if neg {
		yuan = -yuan
	}
	var s string
	switch {
	case yuan >= yi:
		s = decimal(yuan, yi) + "亿元"
	case yuan >= wan:
		s = decimal(yuan, wan) + "万元"
	default:
		s = Grouped(yuan) + "元"
	}
	if neg {
		s = "-" + s
	}
	return s
}

// WanPlain shows yuan as a number of 万元 without grouping, as typed into a
// form: 12345600 → "1234.56".
func WanPlain(yuan int64) string {
	whole, frac := yuan/wan, yuan%wan
	if frac == 0 {
		return strconv.FormatInt(whole, 10)
	}
	return strings.TrimRight(fmt.Sprintf("%d.%04d", whole, frac), "0")
}

// ParseWan reads a number of 万元 as typed (up to four decimals, so any whole
// yuan) into yuan. ok is false for anything else.
func ParseWan(s string) (yuan int64, ok bool) {
	s = strings.ReplaceAll(strings.TrimSpace(s), ",", "")
	if s == "" {
		return 0, false
	}
	whole, frac, _ := strings.Cut(s, ".")
	if len(frac) > 4 || whole == "" && frac == "" {
		return 0, false
	}
	for _, r := range whole + frac {
		if r < '0' || r > '9' {
			return 0, false
		}
	}
	frac += strings.Repeat("0", 4-len(frac))
	if len(whole) > 12 {
		return 0, false
	}
	w, _ := strconv.ParseInt("0"+whole, 10, 64)
	f, _ := strconv.ParseInt(frac, 10, 64)
	return w*wan + f, true
}

// PercentPlain shows basis points as a percent: 435 → "4.35".
func PercentPlain(bps int64) string {
	if bps%100 == 0 {
		return strconv.FormatInt(bps/100, 10)
	}
	return strings.TrimRight(fmt.Sprintf("%d.%02d", bps/100, bps%100), "0")
}

// ParsePercent reads a percent with up to two decimals into basis points.
func ParsePercent(s string) (int, bool) {
	s = strings.TrimSuffix(strings.TrimSpace(s), "%")
	if s == "" {
		return 0, false
	}
	whole, frac, _ := strings.Cut(s, ".")
	if len(frac) > 2 || whole == "" && frac == "" || len(whole) > 4 {
		return 0, false
	}
	for _, r := range whole + frac {
		if r < '0' || r > '9' {
			return 0, false
		}
	}
	frac += strings.Repeat("0", 2-len(frac))
	w, _ := strconv.Atoi("0" + whole)
	f, _ := strconv.Atoi(frac)
	return w*100 + f, true
}

// decimal divides with two decimals, rounded half up, trailing zeros cut.
func decimal(v, unit int64) string {
	hundredths := (v*100 + unit/2) / unit
	s := Grouped(hundredths/100) + fmt.Sprintf(".%02d", hundredths%100)
	return strings.TrimSuffix(strings.TrimRight(s, "0"), ".")
}

// Grouped writes an integer with thousands separators.
func Grouped(n int64) string { return i18n.Grouped(n) }

// Date formats a day in the language's usual way, in China time.
func Date(lang finzone.Lang, t time.Time) string {
	if t.IsZero() {
		return "—"
	}
	t = t.In(chinaTime)
	if lang == finzone.LangEN {
		return t.Format("2 Jan 2006")
	}
	return fmt.Sprintf("%d年%d月%d日", t.Year(), t.Month(), t.Day())
}

// DateTime formats a moment in the language's usual way, in China time.
func DateTime(lang finzone.Lang, t time.Time) string {
	if t.IsZero() {
		return "—"
	}
	t = t.In(chinaTime)
	if lang == finzone.LangEN {
		return t.Format("2 Jan 2006 15:04")
	}
	return fmt.Sprintf("%d年%d月%d日 %s", t.Year(), t.Month(), t.Day(), t.Format("15:04"))
}

// DateInput formats a day for <input type="date">.
func DateInput(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.In(chinaTime).Format("2006-01-02")
}

// ParseDateInput reads <input type="date"> as midnight China time.
func ParseDateInput(s string) (time.Time, bool) {
	t, err := time.ParseInLocation("2006-01-02", strings.TrimSpace(s), chinaTime)
	return t, err == nil
}
