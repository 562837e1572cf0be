package i18n_test

import (
	"strings"
	"testing"

	"finzone"
	"finzone/i18n"
	"finzone/matching"
)

func TestLanguagesHaveTheSameKeys(t *testing.T) {
	zh, en := keySet(finzone.LangZH), keySet(finzone.LangEN)
	if len(zh) < 500 {
		t.Fatalf("zh has %d keys, want the whole catalogue", len(zh))
	}
	for k := range zh {
		if !en[k] {
			t.Errorf("key %q is in zh.json but not in en.json", k)
		}
	}
	for k := range en {
		if !zh[k] {
			t.Errorf("key %q is in en.json but not in zh.json", k)
		}
	}
	for _, lang := range i18n.Languages {
		for _, k := range i18n.Keys(lang) {
			if strings.TrimSpace(i18n.T(lang, k)) == "" && !strings.HasPrefix(string(k), "u.") {
				t.Errorf("%s: key %q is empty", lang, k)
			}
		}
	}
}

// TestEveryCodeHasAText: each error code, field code, why-not reason and
// score component the platform emits has a text in both languages.
func TestEveryCodeHasAText(t *testing.T) {
	var want []i18n.Key
	for _, c := range []string{finzone.ECValidation, finzone.ECInvalidUSCC, finzone.ECUnknownRegion, finzone.ECInvalidCursor, finzone.ECNotFound,
		finzone.ECConflict, finzone.ECInvalidState, finzone.ECExceedsNeed, finzone.ECUnauthenticated, finzone.ECInvalidCredentials, finzone.ECForbidden,
		finzone.ECPayloadTooLarge, finzone.ECMalformedJSON, finzone.ECUnavailable, finzone.ECRateLimited, finzone.ECTooManyAttempts, finzone.ECInternal} {
		want = append(want, i18n.Key("code."+c))
	}
	for _, c := range []string{finzone.FCRequired, finzone.FCOutOfRange, finzone.FCTooLong, finzone.FCTooShort,
		finzone.FCInvalid, finzone.FCInvalidEmail, finzone.FCInvalidUSCC, finzone.FCInvalidCursor, finzone.FCUnknown, finzone.FCUnknownField,
		finzone.FCReadOnly, finzone.FCWrongType, finzone.FCTaken, finzone.FCOrder, finzone.FCConsentRequired,
		finzone.FCIncorrect, finzone.FCInvalid + "_one_of"} {
		want = append(want, i18n.Key("field."+c))
	}
	for _, c := range matching.ReasonCodes {
		want = append(want, i18n.Key("reason."+c))
	}
	for _, c := range matching.ComponentNames {
		want = append(want, i18n.Key("score."+c))
	}
	for _, k := range finzone.NoticeKinds {
		want = append(want, i18n.Key("notice."+k))
	}
	// The lending workflow's stages, roles, statuses, offers and terms.
	for _, s := range finzone.Stages {
		want = append(want, i18n.Key("stage."+s))
	}
	for _, a := range finzone.Actions {
		want = append(want, i18n.Key("act."+a), i18n.Key("event."+a))
	}
	for _, s := range finzone.ProjectStatuses {
		want = append(want, i18n.Key("status."+s))
	}
	for _, k := range []string{"role." + string(finzone.RoleEnhancer), "offer." + string(finzone.OfferPending),
		"offer." + string(finzone.OfferAccepted), "offer." + string(finzone.OfferDeclined),
		"decline." + finzone.DeclinedOfferReason, "screen." + finzone.ScreenRegion, "screen." + finzone.ScreenOutsideHome} {
		want = append(want, i18n.Key(k))
	}
	for _, m := range finzone.RepaymentMethods {
		want = append(want, i18n.Key("repay."+m))
	}
	for _, m := range finzone.LeaseModes {
		want = append(want, i18n.Key("lease."+m))
	}
	for _, k := range want {
		for _, lang := range i18n.Languages {
			if !i18n.Has(lang, k) {
				t.Errorf("%s: no text for %q", lang, k)
			}
		}
	}
}

func TestMessagesFillTheirPlaceholders(t *testing.T) {
	fe := finzone.FieldError{Field: "amount_yuan", Code: finzone.FCOutOfRange, Params: map[string]any{"min": 10000, "max": 5}}
	if got, want := i18n.Field(finzone.LangEN, fe), "must be between 10000 and 5"; got != want {
		t.Errorf("Field en = %q, want %q", got, want)
	}
	if got := i18n.Field(finzone.LangZH, finzone.FieldError{Code: "no_such_code"}); got != i18n.T(finzone.LangZH, "field.invalid_value") {
		t.Errorf("unknown field code = %q, want the invalid_value text", got)
	}
	if got, want := i18n.Error(finzone.LangEN, "no_such_code"), "Internal server error"; got != want {
		t.Errorf("unknown error code = %q, want %q", got, want)
	}
	got := i18n.Reason(finzone.LangEN, matching.ReasonAmountBelowMin, map[string]any{"amount": 500000, "min": 1000000})
	if want := "The amount ¥500000 is below the product minimum ¥1000000"; got != want {
		t.Errorf("Reason en = %q, want %q", got, want)
	}
	room := map[string]any{"room_yuan": int64(2_000_000), "amount_yuan": int64(5_000_000)}
	if got, want := i18n.T(finzone.LangZH, "code."+finzone.ECExceedsNeed, i18n.Params(room)...), "接受该授信方案将超出融资需求，尚可接受 ¥2000000"; got != want {
		t.Errorf("exceeds_need zh = %q, want %q", got, want)
	}
	if got := i18n.T(finzone.LangEN, "no.such.key"); got != "no.such.key" {
		t.Errorf("unknown key = %q, want the key itself", got)
	}
}

// TestNoticeSpeaksTheReadersLanguage: a notification's line comes from its
// kind and parameters, in the reader's language, with the enterprise's
// wording for the owner; a notice stored as Chinese text before notices were
// rendered when read shows that text.
func TestNoticeSpeaksTheReadersLanguage(t *testing.T) {
	title := map[string]string{finzone.NoticeTitle: "Cold chain"}
	with := func(k, v string) map[string]string {
		m := map[string]string{finzone.NoticeTitle: "Cold chain", k: v}
		return m
	}
	for _, tc := range []struct {
		n     finzone.Notification
		owner bool
		lang  finzone.Lang
		want  string
	}{
		{finzone.Notification{Kind: finzone.NoticeMatchPushed, Params: with(finzone.NoticeRole, "lead")}, false, finzone.LangEN, "New project for you (Lead): Cold chain"},
		{finzone.Notification{Kind: finzone.NoticeMatchPushed, Params: with(finzone.NoticeRole, "partner")}, false, finzone.LangZH, "新项目推送（协办）：Cold chain"},
		{finzone.Notification{Kind: finzone.NoticeMatchPushed, Params: title}, true, finzone.LangEN, "Your project was sent to an institution: Cold chain"},
		{finzone.Notification{Kind: finzone.NoticeProjectPushed, Params: with(finzone.NoticeCount, "7")}, true, finzone.LangZH, "项目已推送至 7 家金融机构：Cold chain"},
		{finzone.Notification{Kind: finzone.NoticeMatchChanged, Stage: finzone.StageAccepted, Params: title}, true, finzone.LangEN,
			"Progress on Cold chain: " + i18n.T(finzone.LangEN, "stage.accepted")},
		{finzone.Notification{Kind: finzone.NoticeDeadlineSoon, Params: title}, true, finzone.LangEN, "A deadline is near, please act: Cold chain"},
		{finzone.Notification{Kind: finzone.NoticeSyndicateProposed, Params: with(finzone.NoticeShareYuan, "30000000")}, false, finzone.LangEN,
			"A syndicated loan share awaits your answer: Cold chain, share ¥30,000,000"},
		{finzone.Notification{Kind: finzone.NoticePromotedLead, Params: title}, false, finzone.LangZH, "您的机构已递补为主办机构：Cold chain"},
		{finzone.Notification{Kind: finzone.NoticeMatchPushed, Params: map[string]string{finzone.NoticeLegacyText: "新项目推送（主办）：冷链"}}, false, finzone.LangEN, "新项目推送（主办）：冷链"},
		{finzone.Notification{Kind: "brand_new_kind", Params: title}, false, finzone.LangEN, "brand_new_kind"},
		// A coordinator's note and a deadline follow the line when the notice carries them.
		{finzone.Notification{Kind: finzone.NoticeExtended, Stage: finzone.StageCreditReview,
			Params: map[string]string{finzone.NoticeTitle: "Cold chain", finzone.NoticeNote: "+3: 企业补件中", finzone.NoticeDueAt: "2026-12-10"}}, false, finzone.LangZH,
			"地方金融管理部门已为您延期：Cold chain（上报审批），期限 2026-12-10（说明：+3: 企业补件中）"},
		{finzone.Notification{Kind: finzone.NoticeOfferDeclined, Params: with(finzone.NoticeNote, "rate {too} high")}, false, finzone.LangEN,
			"The enterprise declined your offer: Cold chain (note: rate {too} high)"},
		{finzone.Notification{Kind: finzone.NoticeScreenReturned, Params: with(finzone.NoticeNote, "补充环评批复")}, true, finzone.LangZH,
			"您的融资需求预审未通过，已退回修改：Cold chain（说明：补充环评批复）"},
		{finzone.Notification{Kind: finzone.NoticeOfferAccepted, Params: title}, true, finzone.LangEN, "You accepted an offer: Cold chain"},
	} {
		if got := i18n.Notice(tc.lang, tc.n, tc.owner); got != tc.want {
			t.Errorf("Notice(%s, %s, owner=%v) = %q, want %q", tc.lang, tc.n.Kind, tc.owner, got, tc.want)
		}
	}
}

// TestEveryNoticeRendersWhole: with the parameters the workers set, no
// notice text keeps a placeholder in either language.
func TestEveryNoticeRendersWhole(t *testing.T) {
	params := map[string]string{finzone.NoticeTitle: "冷链", finzone.NoticeRole: "lead", finzone.NoticeCount: "3",
		finzone.NoticeShareYuan: "1000000"}
	for _, kind := range finzone.NoticeKinds {
		for _, owner := range []bool{false, true} {
			for _, lang := range i18n.Languages {
				n := finzone.Notification{Kind: kind, Stage: finzone.StagePushed, Params: params}
				if got := i18n.Notice(lang, n, owner); strings.ContainsAny(got, "{}") || !strings.Contains(got, "冷链") {
					t.Errorf("%s %s owner=%v: %q", lang, kind, owner, got)
				}
			}
		}
	}
}

func TestGrouped(t *testing.T) {
	for n, want := range map[int64]string{0: "0", 999: "999", 1000: "1,000", -1234567: "-1,234,567", 100000000: "100,000,000"} {
		if got := i18n.Grouped(n); got != want {
			t.Errorf("Grouped(%d) = %q, want %q", n, got, want)
		}
	}
}

func keySet(lang finzone.Lang) map[i18n.Key]bool {
	m := map[i18n.Key]bool{}
	for _, k := range i18n.Keys(lang) {
		m[k] = true
	}
	return m
}
