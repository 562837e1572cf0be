package finzone

import (
	"testing"
	"time"
)

func TestSignupNeedsConsentToTheCurrentNotice(t *testing.T) {
	org := Organization{Kind: KindEnterprise, Name: "测试", USCC: "91340000MA0000001X", RegionCode: "341221", IndustryCode: "C13", Size: SizeSmall}
	for _, tt := range []struct {
		consent string
		want    bool
	}{{"", false}, {"2025-01-01", false}, {PrivacyVersion, true}} {
		s := Signup{Org: org, Email: "a@example.cn", Name: "张三", Password: "correct-horse", PrivacyConsent: tt.consent}
		var refused bool
		for _, f := range s.Validate() {
			if f.Field == "privacy_consent" {
				refused = f.Code == FCConsentRequired && f.Params["version"] == PrivacyVersion
			}
		}
		if refused == tt.want {
			t.Errorf("consent %q: refused %v, want %v", tt.consent, refused, !tt.want)
		}
	}
}

func TestViewLogCollapsesAVisitAndKeepsTheLatest(t *testing.T) {
	t0 := time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC)
	var l ViewLog
	view := func(user string, at time.Time) bool {
		return l.Record(ProjectView{UserID: user, OrgID: "org-" + user, Role: ViewerInstitution, At: at})
	}
	for _, tt := range []struct {
		user  string
		after time.Duration
		want  bool
	}{
		{"a", 0, true},
		{"a", 59 * time.Minute, false}, // the same visit
		{"b", 10 * time.Minute, true},  // another person of the same hour
		{"a", time.Hour, true},         // a new visit
		{"a", 90 * time.Minute, false},
	} {
		if got := view(tt.user, t0.Add(tt.after)); got != tt.want {
			t.Errorf("%s at +%v: recorded %v, want %v", tt.user, tt.after, got, tt.want)
		}
	}
	if l.Count != 3 || len(l.Views) != 3 || l.Views[0].UserID != "a" || !l.Views[0].At.Equal(t0.Add(time.Hour)) {
		t.Errorf("log: got %+v, want 3 visits, the newest a's second", l)
	}
	for i := range 2 * ViewLogKeep {
		view("u"+string(rune('A'+i%26))+string(rune('a'+i/26)), t0.Add(2*time.Hour))
	}
	if len(l.Views) != ViewLogKeep || l.Count != 3+2*ViewLogKeep {
		t.Errorf("full log: kept %d, count %d; want %d kept of %d", len(l.Views), l.Count, ViewLogKeep, 3+2*ViewLogKeep)
	}
}

func TestViewOfLeavesTheOwnerOut(t *testing.T) {
	p := Project{ID: "p", OwnerOrgID: "ent"}
	at := time.Now()
	for _, tt := range []struct {
		name string
		a    Actor
		role string
		ok   bool
	}{
		{"owner", Actor{User: User{ID: "u1"}, Org: Organization{ID: "ent", Kind: KindEnterprise}}, "", false},
		{"bank", Actor{User: User{ID: "u2"}, Org: Organization{ID: "b", Kind: KindBank, Name: "某银行"}}, ViewerInstitution, true},
		{"coordinator", Actor{User: User{ID: "u3", Regions: []string{"341200"}}, Org: Organization{ID: "c", Kind: KindCoordinator}}, ViewerCoordinator, true},
		{"platform admin", Actor{User: User{ID: "u4", PlatformAdmin: true}}, ViewerAdmin, true},
	} {
		v, ok := ViewOf(tt.a, p, at)
		if ok != tt.ok || ok && (v.Role != tt.role || v.UserID != tt.a.User.ID || v.OrgName != tt.a.Org.Name) {
			t.Errorf("%s: got %+v %v, want role %q recorded %v", tt.name, v, ok, tt.role, tt.ok)
		}
	}
}
