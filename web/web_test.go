package web

import (
	"bytes"
	"encoding/xml"
	"io/fs"
	"regexp"
	"sort"
	"strings"
	"testing"
	"time"

	"finzone"
	"finzone/i18n"
)

// TestTemplateKeysExist finds every literal key the templates translate and
// every field they draw, and wants a text for each in both languages.
func TestTemplateKeysExist(t *testing.T) {
	keyRe := regexp.MustCompile(`\.T "([a-z0-9_.]+)"`)
	fieldRe := regexp.MustCompile(`\.(?:Input|TextArea|Check|Choice|Checks|RegionSelect|IndustrySelect|ClusterSelect) "([a-z0-9_]+)"`)
	names, _ := fs.Glob(files, "templates/*.html")
	if len(names) < 10 {
		t.Fatalf("found %d templates, want the full set", len(names))
	}
	var missing []string
	for _, n := range names {
		b, _ := fs.ReadFile(files, n)
		for _, m := range keyRe.FindAllStringSubmatch(string(b), -1) {
			for _, lang := range i18n.Languages {
				if !i18n.Has(lang, i18n.Key(m[1])) {
					missing = append(missing, string(lang)+":"+m[1]+" ("+n+")")
				}
			}
		}
		for _, m := range fieldRe.FindAllStringSubmatch(string(b), -1) {
			for _, lang := range i18n.Languages {
				if !i18n.Has(lang, i18n.Key("f."+m[1])) {
					missing = append(missing, string(lang)+":f."+m[1]+" ("+n+")")
				}
			}
		}
	}
	sort.Strings(missing)
	for _, m := range missing {
		t.Errorf("missing translation %s", m)
	}
}

// TestEnumKeysExist wants a label for every value of every enumeration the
// pages show.
func TestEnumKeysExist(t *testing.T) {
	want := map[string][]string{
		"stage": strs(finzone.Stages), "status": strs(finzone.ProjectStatuses), "review": strs(finzone.ReviewStatuses),
		"type": strs(finzone.ProjectTypes), "collateral": strs(finzone.Collaterals), "category": strs(finzone.ProductCategories),
		"size": strs(finzone.Sizes), "kind": strs(finzone.OrgKinds), "decline": finzone.DeclineReasons,
		"role":     {string(finzone.RoleLead), string(finzone.RolePartner), string(finzone.RoleEnhancer)},
		"act":      strs(finzone.Actions),
		"offer":    {string(finzone.OfferPending), string(finzone.OfferAccepted), string(finzone.OfferDeclined)},
		"repay":    strs(finzone.RepaymentMethods),
		"lease":    strs(finzone.LeaseModes),
		"screen":   {finzone.ScreenRegion, finzone.ScreenOutsideHome},
		"synstate": strs(finzone.SyndicateStates),
		"share":    strs(finzone.MemberStatuses),
		"synrole":  {string(finzone.SyndicateLead), string(finzone.SyndicateCoLead), string(finzone.SyndicateParticipant)},
		"synrule": {finzone.RuleCovered, finzone.RuleLeadMin, finzone.RuleCoLeadMin, finzone.RuleDistribute, finzone.RuleMemberMax,
			finzone.RuleTrancheBanks, finzone.RuleAgentMember},
		"synreason": {finzone.SyndicateReasonThreshold, finzone.SyndicateReasonLeadTicket, finzone.SyndicateReasonLeadCapacity},
		"err": {finzone.FCRequired, finzone.FCOutOfRange, finzone.FCTooLong, finzone.FCTooShort, finzone.FCInvalid,
			finzone.FCInvalidEmail, finzone.FCInvalidUSCC, finzone.FCUnknown, finzone.FCTaken, finzone.FCOrder,
			finzone.FCNotBank, finzone.FCNotEligible, finzone.FCNotWholeUnit, finzone.FCSumMismatch, finzone.FCNotFound},
		"error.title": {finzone.ECValidation, finzone.ECNotFound, finzone.ECConflict, finzone.ECInvalidState, finzone.ECExceedsNeed,
			finzone.ECForbidden, finzone.ECInternal, finzone.ECUnavailable, finzone.ECSyndicateRule, finzone.ECDeadlinePassed},
	}
	want["notice"] = finzone.NoticeKinds
	want["notice"] = append(want["notice"], "match_pushed_owner", "match_expired_owner")
	want["notice"] = append(want["notice"], "offer_accepted_owner", "offer_declined_owner", "need_met_owner")
	// Every action's note field, and a timeline label for every step,
	// including those that are not an institution's own.
	want["event"] = []string{"offer_accept", "offer_decline", "escalate", "extend", "urge", "need_met", "expire",
		"submit_for_screening", "screen_pass", "screen_return", "screen_escalate", finzone.EventAssign,
		"syndicate_signed", "syndicate_drawdown", "syndicate_left"}
	for _, a := range finzone.Actions {
		want["f"] = append(want["f"], "note_"+string(a))
		want["event"] = append(want["event"], string(a))
	}
	sep := "."
	for prefix, values := range want {
		for _, val := range values {
			key := prefix + sep + val
			if prefix == "error.title" {
				key = "error.title_" + val
			}
			for _, lang := range i18n.Languages {
				if !i18n.Has(lang, i18n.Key(key)) {
					t.Errorf("%s: no label for %s", lang, key)
				}
			}
		}
	}
}

func TestMoney(t *testing.T) {
	for _, tc := range []struct {
		yuan int64
		text string
		tip  string
	}{
		{0, "0元", "¥0"},
		{9_999, "9,999元", "¥9,999"},
		{10_000, "1万元", "¥10,000"},
		{12_345_600, "1,234.56万元", "¥12,345,600"},
		{12_345_678, "1,234.57万元", "¥12,345,678"},
		{99_999_999, "10,000万元", "¥99,999,999"},
		{100_000_000, "1亿元", "¥100,000,000"},
		{1_250_000_000, "12.5亿元", "¥1,250,000,000"},
		{-50_000, "-5万元", "¥-50,000"},
	} {
		if got := MoneyText(tc.yuan); got != tc.text {
			t.Errorf("MoneyText(%d) = %q, want %q", tc.yuan, got, tc.text)
		}
		if got := string(Money(tc.yuan)); !strings.Contains(got, `title="`+tc.tip+`"`) {
			t.Errorf("Money(%d) = %s, want the exact amount %s on hover", tc.yuan, got, tc.tip)
		}
	}
}

func TestParseWanRoundTrips(t *testing.T) {
	for _, tc := range []struct {
		in   string
		yuan int64
		ok   bool
	}{
		{"5000", 50_000_000, true}, {"1234.56", 12_345_600, true}, {"0.0001", 1, true}, {"1,000", 10_000_000, true},
		{".5", 5_000, true}, {"", 0, false}, {"abc", 0, false}, {"1.23456", 0, false}, {"-5", 0, false}, {"1e3", 0, false},
	} {
		got, ok := ParseWan(tc.in)
		if got != tc.yuan || ok != tc.ok {
			t.Errorf("ParseWan(%q) = %d, %v; want %d, %v", tc.in, got, ok, tc.yuan, tc.ok)
		}
		if ok {
			if back, _ := ParseWan(WanPlain(got)); back != got {
				t.Errorf("WanPlain(%d) = %q does not parse back", got, WanPlain(got))
			}
		}
	}
	for _, tc := range []struct {
		in  string
		bps int
		ok  bool
	}{{"4.35", 435, true}, {"4", 400, true}, {"4.5%", 450, true}, {"4.355", 0, false}, {"x", 0, false}} {
		got, ok := ParsePercent(tc.in)
		if got != tc.bps || ok != tc.ok {
			t.Errorf("ParsePercent(%q) = %d, %v; want %d, %v", tc.in, got, ok, tc.bps, tc.ok)
		}
	}
}

func TestDatesFollowTheLanguage(t *testing.T) {
	at := time.Date(2026, 11, 27, 2, 30, 0, 0, time.UTC) // 10:30 in China
	if got, want := DateTime("zh", at), "2026年11月27日 10:30"; got != want {
		t.Errorf("zh DateTime = %q, want %q", got, want)
	}
	if got, want := DateTime("en", at), "27 Nov 2026 10:30"; got != want {
		t.Errorf("en DateTime = %q, want %q", got, want)
	}
}

// TestChartsAreWellFormedSVG parses every chart kind as XML and counts its bars.
func TestChartsAreWellFormedSVG(t *testing.T) {
	bars := []Bar{{Label: "临泉县 <&>", Value: 30, Text: "3亿元"}, {Label: "界首市", Value: 10, Text: "1亿元", Flag: true}, {Label: "zero", Value: 0, Text: "0"}}
	for name, svg := range map[string]string{
		"hbars": string(HBars("t", bars)), "funnel": string(Funnel("t", bars)), "columns": string(Columns("t", bars)),
		"empty": string(HBars("t", nil)),
	} {
		dec := xml.NewDecoder(strings.NewReader(svg))
		rects := 0
		for {
			tok, err := dec.Token()
			if err != nil {
				if err.Error() != "EOF" {
					t.Errorf("%s: not well-formed SVG: %v\n%s", name, err, svg)
				}
				break
			}
			if se, ok := tok.(xml.StartElement); ok && se.Name.Local == "rect" {
				rects++
			}
		}
		want := len(bars)
		if name == "empty" {
			want = 0
		}
		if rects != want {
			t.Errorf("%s: %d bars, want %d", name, rects, want)
		}
	}
}

func TestEveryPageRendersInBothLanguages(t *testing.T) {
	r, err := NewRenderer()
	if err != nil {
		t.Fatal(err)
	}
	for _, lang := range i18n.Languages {
		v := NewView(lang)
		v.Title = "home.title"
		v.Data = []finzone.Stage{finzone.StagePushed}
		var b bytes.Buffer
		if err := r.Render(&b, "home", v); err != nil {
			t.Fatalf("%s: %v", lang, err)
		}
		if !strings.Contains(b.String(), i18n.T(lang, "home.h1")) {
			t.Errorf("%s: home page lacks its heading", lang)
		}
	}
}

func set(list []string) map[string]bool {
	m := map[string]bool{}
	for _, s := range list {
		m[s] = true
	}
	return m
}
