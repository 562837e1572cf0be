package finzone

import (
	"slices"
	"strings"
	"testing"
	"time"
)

func validProduct() Product {
	return Product{Name: "集群贷", Category: CategoryLoan, AmountMinYuan: 1_000_000, AmountMaxYuan: 50_000_000,
		TermMinMonths: 12, TermMaxMonths: 60, RateFloorBps: 300, RateCeilingBps: 600,
		ProjectTypes: []ProjectType{TypeWorkingCapital}, Regions: []string{"341200"}, Collateral: []Collateral{CollateralCredit},
		Sizes: []Size{SizeSmall}, ValidFrom: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC), ValidTo: time.Date(2028, 1, 1, 0, 0, 0, 0, time.UTC)}
}

func TestProductRevise(t *testing.T) {
	at := time.Date(2026, 6, 1, 0, 0, 0, 0, time.UTC)
	for _, tt := range []struct {
		from    ReviewStatus
		version int
		newVer  bool
		code    string
	}{
		{ReviewDraft, 1, false, ""},
		{ReviewRejected, 1, false, ""},
		{ReviewPublished, 2, true, ""},
		{ReviewSuperseded, 2, true, ""},
		{ReviewPending, 0, false, ECInvalidState},
	} {
		head := validProduct()
		head.ID, head.Version, head.Status = "p1", 1, tt.from
		head.ReviewedBy, head.ReviewNote, head.ReviewedAt, head.CreatedAt = "coord", "ok", at, at
		edit := head
		edit.Name = "  新名  "
		got, newVer, err := head.Revise(edit)
		if tt.code != "" {
			wantErr(t, err, tt.code)
			continue
		}
		if err != nil || got.Version != tt.version || newVer != tt.newVer || got.Status != ReviewDraft || got.Name != "新名" {
			t.Errorf("%s: got v%d %s %q new=%v, %v", tt.from, got.Version, got.Status, got.Name, newVer, err)
		}
		if newVer && (got.ReviewedBy != "" || !got.ReviewedAt.IsZero() || !got.CreatedAt.IsZero()) {
			t.Errorf("%s: a new version kept the old review: %+v", tt.from, got)
		}
	}
	head := validProduct()
	head.Status = ReviewDraft
	bad := head
	bad.AmountMinYuan = 0
	if _, _, err := head.Revise(bad); ErrorCode(err) != ECValidation {
		t.Errorf("invalid edit: got %v, want validation_failed", err)
	}
}

func TestProductReview(t *testing.T) {
	at := time.Date(2026, 6, 1, 0, 0, 0, 0, time.UTC)
	pending := validProduct()
	pending.Status = ReviewPending
	for _, tt := range []struct {
		name, decision, note string
		p                    Product
		status               ReviewStatus
		code                 string
		fields               []string
	}{
		{"approve", "approve", "", pending, ReviewPublished, "", nil},
		{"reject with a reason", "reject", " 利率区间需说明 ", pending, ReviewRejected, "", nil},
		{"reject without one", "reject", "   ", pending, "", ECValidation, []string{"note:required"}},
		{"no decision", "", "", pending, "", ECValidation, []string{"decision:required"}},
		{"unknown decision", "maybe", "", pending, "", ECValidation, []string{"decision:invalid_value"}},
		{"note too long", "approve", strings.Repeat("长", 1001), pending, "", ECValidation, []string{"note:too_long"}},
		{"not in review", "approve", "", validProduct(), "", ECInvalidState, nil},
	} {
		got, err := tt.p.Review(tt.decision, tt.note, "coord", at)
		if tt.code != "" {
			wantErr(t, err, tt.code, tt.fields...)
			continue
		}
		if err != nil || got.Status != tt.status || got.ReviewedBy != "coord" || !got.ReviewedAt.Equal(at) || got.ReviewNote != strings.TrimSpace(tt.note) {
			t.Errorf("%s: got %+v, %v", tt.name, got, err)
		}
	}
	draft := validProduct()
	draft.Status = ReviewDraft
	if p, err := draft.SendForReview(); err != nil || p.Status != ReviewPending {
		t.Errorf("send a draft: got %s, %v", p.Status, err)
	}
	if _, err := pending.SendForReview(); ErrorCode(err) != ECInvalidState {
		t.Errorf("send a pending version: got %v", err)
	}
	draft.Regions = nil
	if _, err := draft.SendForReview(); ErrorCode(err) != ECValidation {
		t.Errorf("send an incomplete draft: got %v", err)
	}
}

func TestWebhookValidate(t *testing.T) {
	for _, tt := range []struct {
		w         Webhook
		allowHTTP bool
		fields    []string
	}{
		{Webhook{URL: "https://bank.example.cn/hook"}, false, nil},
		{Webhook{URL: ""}, false, nil}, // off
		{Webhook{URL: "http://bank.example.cn/hook"}, false, []string{"url:invalid_value"}},
		{Webhook{URL: "http://bank.example.cn/hook"}, true, nil},
		{Webhook{URL: "https://"}, false, []string{"url:invalid_value"}},
		{Webhook{URL: "https://bank.example.cn/" + strings.Repeat("a", 2000)}, false, []string{"url:too_long"}},
	} {
		err := tt.w.Validate(tt.allowHTTP)
		if tt.fields == nil {
			if err != nil {
				t.Errorf("%q: got %v, want ok", tt.w.URL, err)
			}
			continue
		}
		wantErr(t, err, ECValidation, tt.fields...)
	}
}

func TestSignupValidate(t *testing.T) {
	org := Organization{Kind: KindEnterprise, Name: "测试", USCC: "91340000000000001X", RegionCode: "341221", IndustryCode: "c13", Size: SizeSmall}
	s := Signup{Org: org, Email: " Zhang@Example.CN ", Name: " 张三 ", Password: "correct-horse", PrivacyConsent: PrivacyVersion}
	s.Normalize()
	if s.Email != "zhang@example.cn" || s.Name != "张三" || s.Org.IndustryCode != "C13" {
		t.Errorf("Normalize: got %+v", s)
	}
	got := map[string]bool{}
	for _, f := range s.Validate() {
		got[f.Field+":"+f.Code] = true
	}
	if !got["org.uscc:invalid_uscc"] || len(got) != 1 {
		t.Errorf("Validate: got %v, want only the bad credit code", got)
	}
	s.Org.Kind, s.Password = KindCoordinator, "short"
	got = map[string]bool{}
	for _, f := range s.Validate() {
		got[f.Field+":"+f.Code] = true
	}
	if !got["org.kind:invalid_value"] || !got["user.password:too_short"] {
		t.Errorf("coordinator signup: got %v, want org.kind refused and the short password", got)
	}
	wantErr(t, ValidateSignIn("", ""), ECValidation, "email:required", "password:required")
}

func TestActorScope(t *testing.T) {
	city := Actor{User: User{Regions: []string{"341200"}}, Org: Organization{Kind: KindCoordinator}}
	admin := Actor{User: User{PlatformAdmin: true}}
	if got := admin.Scope(""); got != nil {
		t.Errorf("admin's scope: got %v, want nil (everything)", got)
	}
	if got := admin.Scope("341221"); !slices.Equal(got, []string{"341221"}) {
		t.Errorf("admin narrowed to a county: got %v", got)
	}
	all := city.Scope("")
	if !slices.Contains(all, "341221") || slices.Contains(all, "340100") {
		t.Errorf("city scope: got %v, want Fuyang's divisions only", all)
	}
	if got := city.Scope("341221"); !slices.Equal(got, []string{"341221"}) {
		t.Errorf("city narrowed to its county: got %v", got)
	}
	if got := city.Scope("340100"); len(got) != 0 {
		t.Errorf("city narrowed to another city: got %v, want nothing", got)
	}
	if !city.IsStaff() || !admin.IsStaff() || (Actor{Org: Organization{Kind: KindBank}}).IsStaff() {
		t.Errorf("IsStaff wrong")
	}
	bank := Actor{User: User{Role: RoleMember}, Org: Organization{ID: "b", Kind: KindBank}}
	if bank.CanManageWebhook() || !bank.HasInbox() || city.HasInbox() {
		t.Errorf("bank member: webhook %v inbox %v; coordinator inbox %v", bank.CanManageWebhook(), bank.HasInbox(), city.HasInbox())
	}
}

func TestMatchReached(t *testing.T) {
	declinedAfterReview := Match{Stage: StageDeclined, Events: []Event{{From: StagePushed, To: StageAccepted},
		{From: StageAccepted, To: StageContacted}, {From: StageContacted, To: StageCreditReview}, {From: StageCreditReview, To: StageDeclined}}}
	for _, tt := range []struct {
		m    Match
		want Stage
	}{
		{Match{Stage: StagePushed}, StagePushed},
		{Match{Stage: StageExpired, Events: []Event{{To: StagePushed}, {From: StagePushed, To: StageExpired}}}, StagePushed},
		{declinedAfterReview, StageCreditReview},
		{Match{Stage: StageClosed}, StageClosed},
	} {
		if got := tt.m.Reached(); got != tt.want {
			t.Errorf("Reached(%s): got %s, want %s", tt.m.Stage, got, tt.want)
		}
	}
	if StageClosed.Order() != StageDisbursed.Order() || StageDeclined.Order() != -1 || StageAccepted.Order() != 1 {
		t.Errorf("Order wrong")
	}
}

func TestSignupRefusesWeakPasswords(t *testing.T) {
	for _, tt := range []struct {
		pw   string
		code string
	}{
		{"12345678", FCTooShort},
		{"password", FCTooShort},
		{"aaaaaaaa", FCTooShort},
		{"1234567890", FCCommonPassword},
		{"Password123", FCCommonPassword},
		{"qwertyuiop", FCCommonPassword},
		{"zzzzzzzzzzzz", FCCommonPassword},
		{"woaini5201314", FCCommonPassword},
		{"correct-horse-battery", ""},
		{"集群融资专区的密码", ""}, // 9 runes, 27 bytes: the bound is on bytes, as bcrypt reads them
	} {
		p := ValidateSignup("", "a@b.cn", "张三", tt.pw)
		got := ""
		for _, f := range p {
			if f.Field == "password" {
				got = f.Code
			}
		}
		if got != tt.code {
			t.Errorf("%q: got %q, want %q", tt.pw, got, tt.code)
		}
	}
}
