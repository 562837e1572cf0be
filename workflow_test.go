package finzone

import (
	"slices"
	"testing"
	"time"
)

func TestStageMachine(t *testing.T) {
	for _, tt := range []struct {
		m    Match
		want []Action
	}{
		{Match{Stage: StagePushed}, []Action{ActionAccept, ActionDecline}},
		{Match{Stage: StageContacted}, []Action{ActionRequestDocuments, ActionSubmitCredit, ActionPause, ActionRequestEnhancer, ActionDecline}},
		{Match{Stage: StageCreditReview, Pause: Pause{At: time.Now()}}, []Action{ActionApprove, ActionResume, ActionRequestEnhancer, ActionDecline}},
		{Match{Stage: StageApproved, Offer: Offer{Status: OfferPending}}, []Action{ActionRequestEnhancer, ActionDecline}},
		{Match{Stage: StageApproved, Offer: Offer{Status: OfferAccepted}}, []Action{ActionContract, ActionRequestEnhancer, ActionDecline}},
		{Match{Stage: StageDisbursed}, []Action{ActionDisburse, ActionClose}},
		{Match{Stage: StagePushed, Role: RoleEnhancer}, []Action{ActionAccept, ActionDecline}},
		{Match{Stage: StageAssessing, Role: RoleEnhancer}, []Action{ActionCommit, ActionPause, ActionDecline}},
		{Match{Stage: StageIssued, Role: RoleEnhancer}, []Action{ActionRelease}},
		{Match{Stage: StageDeclined}, nil},
		{Match{Stage: StageNeedMet}, nil},
		{Match{Stage: StageClosed}, nil},
		{Match{Stage: StageReleased, Role: RoleEnhancer}, nil},
	} {
		if got := tt.m.Actions(); !slices.Equal(got, tt.want) {
			t.Errorf("%s %s: actions %v, want %v", tt.m.Role, tt.m.Stage, got, tt.want)
		}
	}
	if StageDeclined.Live() || StageNeedMet.Live() || !StageClosed.Live() || StageClosed.Open() || StageReleased.Open() {
		t.Error("liveness of final stages is wrong")
	}
}

func TestDecideOffer(t *testing.T) {
	now := time.Date(2026, 12, 1, 10, 0, 0, 0, time.UTC)
	d := Deadlines{ContractDays: 15, DayLength: time.Hour}
	offered := Match{Stage: StageApproved, Offer: Offer{AmountYuan: 100, Status: OfferPending}}
	for _, tt := range []struct {
		name     string
		m        Match
		decision OfferDecision
		note     string
		to       Stage
		status   OfferStatus
		due      time.Time
		code     string
		fields   []string
	}{
		{"accept starts the contract clock", offered, DecisionAccept, "", StageApproved, OfferAccepted, now.Add(15 * time.Hour), "", nil},
		{"decline ends the match", offered, DecisionDecline, "利率偏高", StageDeclined, OfferDeclined, time.Time{}, "", nil},
		{"decline says why", offered, DecisionDecline, "", "", "", time.Time{}, ECValidation, []string{"note:required"}},
		{"an unknown answer", offered, "maybe", "", "", "", time.Time{}, ECValidation, []string{"decision:invalid_value"}},
		{"no offer to answer", Match{Stage: StageCreditReview}, DecisionAccept, "", "", "", time.Time{}, ECInvalidState, nil},
		{"answered once", Match{Stage: StageApproved, Offer: Offer{Status: OfferAccepted}}, DecisionAccept, "", "", "", time.Time{}, ECInvalidState, nil},
	} {
		t.Run(tt.name, func(t *testing.T) {
			ch, err := tt.m.DecideOffer(tt.decision, tt.note, "owner", now, d)
			if tt.code != "" {
				wantErr(t, err, tt.code, tt.fields...)
				return
			}
			if err != nil || ch.To != tt.to || ch.Offer.Status != tt.status || !ch.DueAt.Equal(tt.due) || ch.Offer.DecidedBy != "owner" {
				t.Errorf("got %s %+v due %v, %v", ch.To, ch.Offer, ch.DueAt, err)
			}
		})
	}
}

func TestAcceptedOffersNeverExceedTheNeed(t *testing.T) {
	offer := func(id string, amount int64) Match {
		return Match{ID: id, InstitutionID: "i" + id, Offer: Offer{AmountYuan: amount, Status: OfferPending}}
	}
	p := Project{AmountYuan: 3_000_000, Offers: []AcceptedOffer{{MatchID: "a", AmountYuan: 2_000_000}}}
	if got, err := p.AcceptOffer(offer("b", 1_000_000)); err != nil || len(got) != 2 {
		t.Errorf("the exact rest: got %v, %v", got, err)
	}
	_, err := p.AcceptOffer(offer("b", 1_000_001))
	wantErr(t, err, ECExceedsNeed)
	if e := err.(*Error); e.Params["room_yuan"] != int64(1_000_000) {
		t.Errorf("room: got %v", e.Params)
	}
	if got, err := p.AcceptOffer(offer("a", 2_000_000)); err != nil || len(got) != 1 {
		t.Errorf("accepting again: got %v, %v", got, err)
	}
	enh := offer("c", 1)
	enh.Role = RoleEnhancer
	_, err = p.AcceptOffer(enh)
	wantErr(t, err, ECInvalidState)
	if left, ok := p.ReleaseOffer("a"); !ok || len(left) != 0 || len(p.Offers) != 1 {
		t.Errorf("release: got %v, %v", left, ok)
	}
	if !(&Project{AmountYuan: 5, Offers: []AcceptedOffer{{AmountYuan: 5}}}).NeedMet() {
		t.Error("need met not seen")
	}
}

func TestOnDeadline(t *testing.T) {
	now := time.Date(2026, 12, 1, 10, 0, 0, 0, time.UTC)
	past := now.Add(-time.Minute)
	for _, tt := range []struct {
		name      string
		m         Match
		to        Stage
		escalated bool
		ok        bool
	}{
		{"an unanswered push expires", Match{Stage: StagePushed, DueAt: past}, StageExpired, false, true},
		{"an accepted push not contacted expires", Match{Stage: StageAccepted, DueAt: past}, StageExpired, false, true},
		{"late credit review escalates and stays", Match{Stage: StageCreditReview, DueAt: past}, StageCreditReview, true, true},
		{"a late contract escalates", Match{Stage: StageApproved, Offer: Offer{Status: OfferAccepted}, DueAt: past}, StageApproved, true, true},
		{"a late first drawdown escalates", Match{Stage: StageContracted, DueAt: past}, StageContracted, true, true},
		{"escalated once", Match{Stage: StageCreditReview, DueAt: past, EscalatedAt: past}, "", false, false},
		{"a paused review has nothing due", Match{Stage: StageCreditReview, Pause: Pause{At: past, Left: time.Hour}}, "", false, false},
		{"not yet due", Match{Stage: StagePushed, DueAt: now.Add(time.Minute)}, "", false, false},
	} {
		ch, esc, ok := tt.m.OnDeadline(now)
		if ok != tt.ok || esc != tt.escalated || (ok && ch.To != tt.to) {
			t.Errorf("%s: got %s escalated=%v ok=%v", tt.name, ch.To, esc, ok)
		}
		if esc && (ch.Escalated == nil || !ch.KeepDue) {
			t.Errorf("%s: an escalation must flag the match and keep its deadline", tt.name)
		}
	}
}

func TestExtendAndUrge(t *testing.T) {
	now := time.Date(2026, 12, 1, 10, 0, 0, 0, time.UTC)
	d := Deadlines{ExtendMaxDays: 10, DayLength: time.Hour}
	late := Match{Stage: StageCreditReview, DueAt: now.Add(-time.Hour), EscalatedAt: now.Add(-time.Hour)}
	ch, err := late.Extend(5, " 企业春节停工 ", "coord", now, d)
	if err != nil || !ch.DueAt.Equal(now.Add(4*time.Hour)) || ch.ExtendedIn != StageCreditReview || ch.Escalated == nil || !ch.Escalated.IsZero() {
		t.Errorf("extend: got %+v, %v", ch, err)
	}
	for _, tt := range []struct {
		name   string
		m      Match
		days   int
		note   string
		code   string
		fields []string
	}{
		{"too long", late, 11, "x", ECValidation, []string{"days:out_of_range"}},
		{"no note", late, 3, " ", ECValidation, []string{"note:required"}},
		{"once per stage", Match{Stage: StageCreditReview, DueAt: now, ExtendedIn: StageCreditReview}, 3, "x", ECInvalidState, nil},
		{"nothing running", Match{Stage: StageCreditReview, Pause: Pause{At: now}}, 3, "x", ECInvalidState, nil},
	} {
		_, err := tt.m.Extend(tt.days, tt.note, "coord", now, d)
		wantErr(t, err, tt.code, tt.fields...)
	}
	if ch, err := late.Urge("请尽快审批", "coord", now); err != nil || !ch.Urged || !ch.KeepDue || ch.Event.Action != "urge" {
		t.Errorf("urge: got %+v, %v", ch, err)
	}
	if _, err := (Match{Stage: StageClosed}).Urge("x", "coord", now); ErrorCode(err) != ECInvalidState {
		t.Errorf("urging a closed match: %v", err)
	}
}

func TestCloseNeedMet(t *testing.T) {
	now := time.Now()
	for _, tt := range []struct {
		m    Match
		want bool
	}{
		{Match{Stage: StagePushed}, true},
		{Match{Stage: StageCreditReview}, true},
		{Match{Stage: StageApproved, Offer: Offer{Status: OfferPending}}, true},
		{Match{Stage: StageApproved, Offer: Offer{Status: OfferAccepted}}, false},
		{Match{Stage: StageContracted, Offer: Offer{Status: OfferAccepted}}, false},
		{Match{Stage: StageDeclined}, false},
		{Match{Stage: StageAssessing, Role: RoleEnhancer}, false},
	} {
		ch, ok := tt.m.CloseNeedMet(now)
		if ok != tt.want || (ok && ch.To != StageNeedMet) {
			t.Errorf("%s %s offer %q: got %v %s", tt.m.Role, tt.m.Stage, tt.m.Offer.Status, ok, ch.To)
		}
	}
}

func TestScreening(t *testing.T) {
	hefei := Organization{RegionCode: "340100"}
	for _, tt := range []struct {
		name      string
		county    string
		owner     Organization
		screening []string
		want      string
	}{
		{"home county, no screening region", "340121", hefei, nil, ""},
		{"filed outside the home city", "341221", hefei, nil, ScreenOutsideHome},
		{"a screening city", "340121", hefei, []string{"340100"}, ScreenRegion},
		{"another city screens", "340121", hefei, []string{"341200"}, ""},
	} {
		if got := ScreeningReason(Project{RegionCode: tt.county}, tt.owner, tt.screening); got != tt.want {
			t.Errorf("%s: got %q, want %q", tt.name, got, tt.want)
		}
	}
	p := Project{Status: ProjectScreening}
	if ch, err := p.Screen(ScreenPass, "", "c", time.Now()); err != nil || ch.To != ProjectSubmitted {
		t.Errorf("pass: %+v, %v", ch, err)
	}
	if ch, err := p.Screen(ScreenReturn, "请补充项目批文", "c", time.Now()); err != nil || ch.To != ProjectDraft || ch.Event.Note != "请补充项目批文" {
		t.Errorf("return: %+v, %v", ch, err)
	}
	_, err := p.Screen(ScreenReturn, "", "c", time.Now())
	wantErr(t, err, ECValidation, "note:required")
	_, err = (Project{Status: ProjectMatching}).Screen(ScreenPass, "", "c", time.Now())
	wantErr(t, err, ECInvalidState)
}

func TestTextRefusesHiddenCharacters(t *testing.T) {
	for _, tt := range []struct {
		v    string
		code string
	}{
		{"年产5万吨粮油加工项目", ""},
		{"第一行\n第二行\t缩进", ""},
		{"项目\x00名称", FCInvalidChars},
		{"项目\u200b名称", FCInvalidChars},           // zero-width space
		{"invoice\u202egpj.exe", FCInvalidChars}, // right-to-left override
		{"项目\u2066名称\u2069", FCInvalidChars},     // bidi isolate
		{"\ufeff项目", FCInvalidChars},             // byte-order mark
		{"项目\x1b[31m", FCInvalidChars},           // escape
	} {
		var p Problems
		p.Text("title", tt.v, true, 100)
		got := ""
		if len(p) > 0 {
			got = p[0].Code
		}
		if got != tt.code {
			t.Errorf("%q: got %q, want %q", tt.v, got, tt.code)
		}
	}
}
