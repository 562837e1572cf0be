package finzone

import (
	"slices"
	"testing"
	"time"
)

func ptr[T any](v T) *T { return &v }

// wantErr checks an error's code and, for validation errors, its fields.
func wantErr(t *testing.T, err error, code string, fields ...string) {
	t.Helper()
	if got := ErrorCode(err); got != code {
		t.Fatalf("error code: got %q (%v), want %q", got, err, code)
	}
	have := map[string]bool{}
	for _, f := range FieldErrors(err) {
		have[f.Field+":"+f.Code] = true
	}
	for _, f := range fields {
		if !have[f] {
			t.Errorf("fields: got %v, want %s", FieldErrors(err), f)
		}
	}
	if len(fields) > 0 && len(have) != len(fields) {
		t.Errorf("fields: got %v, want exactly %v", FieldErrors(err), fields)
	}
}

func TestStep(t *testing.T) {
	now := time.Date(2026, 12, 1, 10, 0, 0, 0, time.UTC)
	d := Deadlines{AcceptDays: 3, ContactDays: 5, CreditDays: 20, DayLength: time.Hour}
	p := Project{AmountYuan: 3_000_000, SubmittedAt: now.AddDate(0, -1, 0)}
	approved := Match{Stage: StageContracted, Offer: Offer{AmountYuan: 2_000_000, Status: OfferAccepted}, Tranches: []Tranche{{AmountYuan: 500_000}}}
	offer := ActionInput{Action: ActionApprove, AmountYuan: ptr[int64](3_000_000), RateBps: ptr(420), TermMonths: ptr(36),
		GuaranteeMode: CollateralMortgage, RepaymentMethod: RepayEqualPrincipal}
	paused := Match{Stage: StageDueDiligence, Pause: Pause{At: now.Add(-time.Hour), Left: 7 * time.Hour}}
	enh := func(s Stage) Match { return Match{Stage: s, Role: RoleEnhancer} }
	for _, tt := range []struct {
		name   string
		m      Match
		in     ActionInput
		to     Stage
		due    time.Time
		keep   bool
		code   string
		fields []string
	}{
		{name: "accept starts the contact clock", m: Match{Stage: StagePushed}, in: ActionInput{Action: ActionAccept},
			to: StageAccepted, due: now.Add(5 * time.Hour)},
		{name: "first contact starts the credit clock", m: Match{Stage: StageAccepted}, in: ActionInput{Action: ActionRecordContact},
			to: StageContacted, due: now.Add(20 * time.Hour)},
		{name: "documents keep the credit clock", m: Match{Stage: StageContacted}, in: ActionInput{Action: ActionRequestDocuments},
			to: StageDueDiligence, keep: true},
		{name: "credit review keeps it", m: Match{Stage: StageDueDiligence}, in: ActionInput{Action: ActionSubmitCredit},
			to: StageCreditReview, keep: true},
		{name: "an offer waits on the enterprise, with no deadline", m: Match{Stage: StageCreditReview}, in: offer, to: StageApproved},
		{name: "contract needs an accepted offer", m: Match{Stage: StageApproved, Offer: Offer{Status: OfferPending}},
			in: ActionInput{Action: ActionContract}, code: ECInvalidState},
		{name: "contract starts the drawdown clock", m: Match{Stage: StageApproved, Offer: Offer{Status: OfferAccepted}},
			in: ActionInput{Action: ActionContract}, to: StageContracted, due: now.Add(30 * time.Hour)},
		{name: "a lease offer records its mode, not a repayment method", m: Match{Stage: StageCreditReview, Category: CategoryLeasing},
			in:   offer,
			code: ECValidation, fields: []string{"lease_mode:required", "repayment_method:invalid_value"}},
		{name: "rate and spread both given", m: Match{Stage: StageCreditReview},
			in:   ActionInput{Action: ActionApprove, AmountYuan: ptr[int64](1_000_000), RateBps: ptr(400), LPRSpreadBps: ptr(-20), TermMonths: ptr(12), GuaranteeMode: CollateralCredit, RepaymentMethod: RepayRevolving},
			code: ECValidation, fields: []string{"lpr_spread_bps:invalid_value"}},
		{name: "pause stops the clock", m: Match{Stage: StageCreditReview, DueAt: now.Add(5 * time.Hour)}, in: ActionInput{Action: ActionPause, Note: "等企业补充财报"},
			to: StageCreditReview},
		{name: "pause says why", m: Match{Stage: StageCreditReview, DueAt: now.Add(5 * time.Hour)}, in: ActionInput{Action: ActionPause},
			code: ECValidation, fields: []string{"note:required"}},
		{name: "no pause before first contact", m: Match{Stage: StageAccepted}, in: ActionInput{Action: ActionPause, Note: "x"}, code: ECInvalidState},
		{name: "no pause twice", m: paused, in: ActionInput{Action: ActionPause, Note: "x"}, code: ECInvalidState},
		{name: "resume restarts with the time left", m: paused, in: ActionInput{Action: ActionResume}, to: StageDueDiligence, due: now.Add(7 * time.Hour)},
		{name: "moving on from a pause keeps the time left", m: paused, in: ActionInput{Action: ActionSubmitCredit}, to: StageCreditReview, due: now.Add(7 * time.Hour)},
		{name: "a lender asks for an enhancer", m: Match{Stage: StageCreditReview}, in: ActionInput{Action: ActionRequestEnhancer}, to: StageCreditReview, keep: true},
		{name: "an enhancer asks for none", m: enh(StageAssessing), in: ActionInput{Action: ActionRequestEnhancer}, code: ECInvalidState},
		{name: "an enhancer assesses", m: enh(StageAccepted), in: ActionInput{Action: ActionAssess}, to: StageAssessing, due: now.Add(20 * time.Hour)},
		{name: "an enhancer never records a loan step", m: enh(StageAccepted), in: ActionInput{Action: ActionRecordContact}, code: ECInvalidState},
		{name: "commit records cover", m: enh(StageAssessing), in: ActionInput{Action: ActionCommit, CoverYuan: ptr[int64](2_000_000), FeeBps: ptr(100), RiskSharePct: ptr(40)},
			to: StageCommitted},
		{name: "commit without terms", m: enh(StageAssessing), in: ActionInput{Action: ActionCommit, CoverYuan: ptr[int64](3_000_001)},
			code: ECValidation, fields: []string{"cover_yuan:out_of_range", "fee_bps:required", "risk_share_pct:required"}},
		{name: "an enhancer never disburses", m: enh(StageIssued), in: ActionInput{Action: ActionDisburse, TrancheAmountYuan: ptr[int64](1)}, code: ECInvalidState},
		{name: "release", m: enh(StageIssued), in: ActionInput{Action: ActionRelease}, to: StageReleased},
		{name: "no action", m: Match{Stage: StagePushed}, in: ActionInput{}, code: ECValidation, fields: []string{"action:required"}},
		{name: "not in this stage", m: Match{Stage: StagePushed}, in: ActionInput{Action: ActionApprove}, code: ECInvalidState},
		{name: "decline needs a reason and words", m: Match{Stage: StageAccepted}, in: ActionInput{Action: ActionDecline},
			code: ECValidation, fields: []string{"reason_code:required", "note:required"}},
		{name: "decline with an unknown reason", m: Match{Stage: StageAccepted}, in: ActionInput{Action: ActionDecline, ReasonCode: "bored", Note: "x"},
			code: ECValidation, fields: []string{"reason_code:invalid_value"}},
		{name: "decline", m: Match{Stage: StageApproved}, in: ActionInput{Action: ActionDecline, ReasonCode: "credit_risk", Note: " 负债率高 "},
			to: StageDeclined},
		{name: "approval above the need", m: Match{Stage: StageCreditReview},
			in:   ActionInput{Action: ActionApprove, AmountYuan: ptr[int64](3_000_001), RateBps: ptr(420), TermMonths: ptr(36), GuaranteeMode: CollateralCredit, RepaymentMethod: RepayRevolving},
			code: ECValidation, fields: []string{"amount_yuan:out_of_range"}},
		{name: "approval without terms", m: Match{Stage: StageCreditReview}, in: ActionInput{Action: ActionApprove},
			code: ECValidation, fields: []string{"amount_yuan:required", "rate_bps:required", "term_months:required", "guarantee_mode:required", "repayment_method:required"}},
		{name: "tranche within what is left", m: approved, in: ActionInput{Action: ActionDisburse, TrancheAmountYuan: ptr[int64](1_500_000)},
			to: StageDisbursed},
		{name: "tranche above what is left", m: approved, in: ActionInput{Action: ActionDisburse, TrancheAmountYuan: ptr[int64](1_500_001)},
			code: ECValidation, fields: []string{"tranche_amount_yuan:out_of_range"}},
		{name: "tranche before the project was submitted", m: approved,
			in:   ActionInput{Action: ActionDisburse, TrancheAmountYuan: ptr[int64](1), TrancheDate: ptr(now.AddDate(0, -2, 0))},
			code: ECValidation, fields: []string{"tranche_date:invalid_value"}},
		{name: "tranche in year one", m: approved,
			in:   ActionInput{Action: ActionDisburse, TrancheAmountYuan: ptr[int64](1), TrancheDate: ptr(time.Date(1, 1, 1, 0, 0, 0, 0, time.UTC))},
			code: ECValidation, fields: []string{"tranche_date:invalid_value"}},
		{name: "tranche in the future", m: approved,
			in:   ActionInput{Action: ActionDisburse, TrancheAmountYuan: ptr[int64](1), TrancheDate: ptr(now.Add(48 * time.Hour))},
			code: ECValidation, fields: []string{"tranche_date:invalid_value"}},
		{name: "note too long", m: Match{Stage: StagePushed}, in: ActionInput{Action: ActionAccept, Note: string(make([]rune, 2001))},
			code: ECValidation, fields: []string{"note:too_long"}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			ch, err := tt.m.Step(p, tt.in, "u1", now, Policy{Deadlines: d.WithDefaults(), LPR: DefaultLPR()})
			if tt.code != "" {
				wantErr(t, err, tt.code, tt.fields...)
				return
			}
			if err != nil {
				t.Fatalf("Step: %v", err)
			}
			if ch.To != tt.to || !ch.DueAt.Equal(tt.due) || ch.KeepDue != tt.keep {
				t.Errorf("got to %s due %v keep %v, want %s %v %v", ch.To, ch.DueAt, ch.KeepDue, tt.to, tt.due, tt.keep)
			}
			if ch.Event.Actor != "u1" || ch.Event.From != tt.m.Stage || ch.Event.To != tt.to || ch.Event.Action != string(tt.in.Action) {
				t.Errorf("event: got %+v", ch.Event)
			}
		})
	}
}

func TestStepSetsTheTermsItRecords(t *testing.T) {
	now := time.Date(2026, 12, 1, 10, 0, 0, 0, time.UTC)
	pol := Policy{Deadlines: DefaultDeadlines(), LPR: DefaultLPR()}
	ch, err := Match{Stage: StageAccepted}.Step(Project{}, ActionInput{Action: ActionDecline, ReasonCode: "pricing", Note: " 利率 "}, "u", now, pol)
	if err != nil || ch.DeclineReason != "pricing" || ch.DeclineNote != "利率" || ch.Event.Note != "利率" {
		t.Errorf("decline: got %+v, %v", ch, err)
	}
	ch, err = Match{Stage: StageCreditReview}.Step(Project{AmountYuan: 5_000_000},
		ActionInput{Action: ActionApprove, AmountYuan: ptr[int64](4_000_000), LPRSpreadBps: ptr(-20), TermMonths: ptr(84),
			GuaranteeMode: CollateralMortgage, RepaymentMethod: RepayEqualInstallment}, "u", now, pol)
	if err != nil || ch.Offer == nil || *ch.Offer != (Offer{AmountYuan: 4_000_000, RateBps: 330, LPRBps: 350, LPRSpreadBps: -20, TermMonths: 84,
		GuaranteeMode: CollateralMortgage, RepaymentMethod: RepayEqualInstallment, Status: OfferPending}) {
		t.Errorf("approve over the five-year LPR: got %+v, %v", ch.Offer, err)
	}
	ch, err = Match{Stage: StageAssessing, Role: RoleEnhancer}.Step(Project{AmountYuan: 5_000_000},
		ActionInput{Action: ActionCommit, CoverYuan: ptr[int64](4_000_000), FeeBps: ptr(80), RiskSharePct: ptr(40)}, "u", now, pol)
	if err != nil || ch.Cover == nil || *ch.Cover != (Cover{CoverYuan: 4_000_000, FeeBps: 80, RiskSharePct: 40}) {
		t.Errorf("commit: got %+v, %v", ch.Cover, err)
	}
	ch, err = Match{Stage: StageContracted, Offer: Offer{AmountYuan: 10, Status: OfferAccepted}}.Step(Project{}, ActionInput{Action: ActionDisburse, TrancheAmountYuan: ptr[int64](10)}, "u", now, pol)
	if err != nil || ch.Tranche == nil || ch.Tranche.AmountYuan != 10 || !ch.Tranche.Date.Equal(now) {
		t.Errorf("disburse: got %+v, %v", ch, err)
	}
	_, err = Match{Stage: StageClosed}.Step(Project{}, ActionInput{Action: ActionAccept}, "u", now, pol)
	var e *Error
	if !asError(err, &e) || e.Code != ECInvalidState || len(e.Allowed) != 0 {
		t.Errorf("closed: got %v, want invalid_state allowing nothing", err)
	}
	_, err = Match{Stage: StageDisbursed}.Step(Project{}, ActionInput{Action: ActionAccept}, "u", now, pol)
	if !asError(err, &e) || !slices.Equal(e.Allowed, []string{"disburse", "close"}) {
		t.Errorf("disbursed: allowed %v, want disburse and close", e.Allowed)
	}
}

func asError(err error, e **Error) bool {
	x, ok := err.(*Error)
	*e = x
	return ok
}
