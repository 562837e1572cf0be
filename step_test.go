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
	p := Project{AmountYuan: 3_000_000}
	approved := Match{Stage: StageContracted, ApprovedAmountYuan: 2_000_000, Tranches: []Tranche{{AmountYuan: 500_000}}}
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
		{name: "approval ends deadlines", m: Match{Stage: StageCreditReview},
			in: ActionInput{Action: ActionApprove, AmountYuan: ptr[int64](3_000_000), RateBps: ptr(420), TermMonths: ptr(36)}, to: StageApproved},
		{name: "no action", m: Match{Stage: StagePushed}, in: ActionInput{}, code: ECValidation, fields: []string{"action:required"}},
		{name: "not in this stage", m: Match{Stage: StagePushed}, in: ActionInput{Action: ActionApprove}, code: ECInvalidState},
		{name: "decline needs a reason and words", m: Match{Stage: StageAccepted}, in: ActionInput{Action: ActionDecline},
			code: ECValidation, fields: []string{"reason_code:required", "note:required"}},
		{name: "decline with an unknown reason", m: Match{Stage: StageAccepted}, in: ActionInput{Action: ActionDecline, ReasonCode: "bored", Note: "x"},
			code: ECValidation, fields: []string{"reason_code:invalid_value"}},
		{name: "decline", m: Match{Stage: StageApproved}, in: ActionInput{Action: ActionDecline, ReasonCode: "credit_risk", Note: " 负债率高 "},
			to: StageDeclined},
		{name: "approval above the need", m: Match{Stage: StageCreditReview},
			in:   ActionInput{Action: ActionApprove, AmountYuan: ptr[int64](3_000_001), RateBps: ptr(420), TermMonths: ptr(36)},
			code: ECValidation, fields: []string{"amount_yuan:out_of_range"}},
		{name: "approval without terms", m: Match{Stage: StageCreditReview}, in: ActionInput{Action: ActionApprove},
			code: ECValidation, fields: []string{"amount_yuan:required", "rate_bps:required", "term_months:required"}},
		{name: "tranche within what is left", m: approved, in: ActionInput{Action: ActionDisburse, TrancheAmountYuan: ptr[int64](1_500_000)},
			to: StageDisbursed},
		{name: "tranche above what is left", m: approved, in: ActionInput{Action: ActionDisburse, TrancheAmountYuan: ptr[int64](1_500_001)},
			code: ECValidation, fields: []string{"tranche_amount_yuan:out_of_range"}},
		{name: "tranche in the future", m: approved,
			in:   ActionInput{Action: ActionDisburse, TrancheAmountYuan: ptr[int64](1), TrancheDate: ptr(now.Add(48 * time.Hour))},
			code: ECValidation, fields: []string{"tranche_date:invalid_value"}},
		{name: "note too long", m: Match{Stage: StagePushed}, in: ActionInput{Action: ActionAccept, Note: string(make([]rune, 2001))},
			code: ECValidation, fields: []string{"note:too_long"}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			ch, err := tt.m.Step(p, tt.in, "u1", now, d)
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
	ch, err := Match{Stage: StageAccepted}.Step(Project{}, ActionInput{Action: ActionDecline, ReasonCode: "pricing", Note: " 利率 "}, "u", now, DefaultDeadlines())
	if err != nil || ch.DeclineReason != "pricing" || ch.DeclineNote != "利率" || ch.Event.Note != "利率" {
		t.Errorf("decline: got %+v, %v", ch, err)
	}
	ch, err = Match{Stage: StageCreditReview}.Step(Project{AmountYuan: 5_000_000},
		ActionInput{Action: ActionApprove, AmountYuan: ptr[int64](4_000_000), RateBps: ptr(385), TermMonths: ptr(24)}, "u", now, DefaultDeadlines())
	if err != nil || ch.ApprovedAmountYuan != 4_000_000 || ch.ApprovedRateBps != 385 || ch.ApprovedTermMonths != 24 {
		t.Errorf("approve: got %+v, %v", ch, err)
	}
	ch, err = Match{Stage: StageContracted, ApprovedAmountYuan: 10}.Step(Project{}, ActionInput{Action: ActionDisburse, TrancheAmountYuan: ptr[int64](10)}, "u", now, DefaultDeadlines())
	if err != nil || ch.Tranche == nil || ch.Tranche.AmountYuan != 10 || !ch.Tranche.Date.Equal(now) {
		t.Errorf("disburse: got %+v, %v", ch, err)
	}
	_, err = Match{Stage: StageClosed}.Step(Project{}, ActionInput{Action: ActionAccept}, "u", now, DefaultDeadlines())
	var e *Error
	if !asError(err, &e) || e.Code != ECInvalidState || len(e.Allowed) != 0 {
		t.Errorf("closed: got %v, want invalid_state allowing nothing", err)
	}
	_, err = Match{Stage: StageDisbursed}.Step(Project{}, ActionInput{Action: ActionAccept}, "u", now, DefaultDeadlines())
	if !asError(err, &e) || !slices.Equal(e.Allowed, []string{"disburse", "close"}) {
		t.Errorf("disbursed: allowed %v, want disburse and close", e.Allowed)
	}
}

func asError(err error, e **Error) bool {
	x, ok := err.(*Error)
	*e = x
	return ok
}
