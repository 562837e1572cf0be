package finzone

import (
	"testing"
	"time"
)

func TestRequiresVerification(t *testing.T) {
	fuyang := Organization{Kind: KindEnterprise, RegionCode: "341221"} // 临泉县, 阜阳市
	verified := fuyang
	verified.Verified = true
	bank := Organization{Kind: KindBank, RegionCode: "341221"}
	for _, tt := range []struct {
		name    string
		region  string
		owner   Organization
		regions []string
		want    bool
	}{
		{"off by default", "341221", fuyang, nil, false},
		{"the need's county lies in a listed city", "341221", fuyang, []string{"341200"}, true},
		{"the owner's county lies in a listed region", "341102", fuyang, []string{"341221"}, true},
		{"neither lies in a listed region", "341102", fuyang, []string{"340100"}, false},
		{"the province covers every county", "341102", fuyang, []string{ProvinceCode}, true},
		{"a verified enterprise is never held", "341221", verified, []string{"341200"}, false},
		{"only enterprises are held", "341221", bank, []string{"341200"}, false},
	} {
		t.Run(tt.name, func(t *testing.T) {
			if got := RequiresVerification(tt.region, tt.owner, tt.regions); got != tt.want {
				t.Errorf("RequiresVerification(%s, %+v, %v) = %v, want %v", tt.region, tt.owner, tt.regions, got, tt.want)
			}
		})
	}
}

func TestHoldAndRelease(t *testing.T) {
	now := time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC)
	submitted := Project{Status: ProjectSubmitted}
	held := Project{Status: ProjectScreening, ScreenReason: ScreenUnverified}
	screening := Project{Status: ProjectScreening, ScreenReason: ScreenRegion}
	for _, tt := range []struct {
		name   string
		p      Project
		hold   bool
		to     ProjectStatus
		reason string
		code   string
	}{
		{"a submitted need is held", submitted, true, ProjectScreening, ScreenUnverified, ""},
		{"a need already pushed is not held", Project{Status: ProjectMatching}, true, "", "", ECInvalidState},
		{"a held need is not held twice", held, true, "", "", ECInvalidState},
		{"a held need is released into matching", held, false, ProjectSubmitted, "", ""},
		{"a need in ordinary screening is not released", screening, false, "", "", ECInvalidState},
		{"a submitted need is not released", submitted, false, "", "", ECInvalidState},
	} {
		t.Run(tt.name, func(t *testing.T) {
			var ch ProjectChange
			var err error
			if tt.hold {
				ch, err = tt.p.HoldForVerification(now)
			} else {
				ch, err = tt.p.ReleaseVerified(now)
			}
			if tt.code != "" {
				if !IsCode(err, tt.code) {
					t.Fatalf("err = %v, want %s", err, tt.code)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if ch.To != tt.to || ch.ScreenReason == nil || *ch.ScreenReason != tt.reason || ch.Event == nil {
				t.Errorf("change = %+v, want to %s with reason %q and an event", ch, tt.to, tt.reason)
			}
		})
	}
}

func TestCheckVerifyAndDetachedCodes(t *testing.T) {
	code := "91341200MA2N000007"
	if !ValidUSCC(code) {
		t.Fatalf("test code %s is not valid", code)
	}
	detached := DetachedUSCC(code, "65f000000000000000000001")
	for _, tt := range []struct {
		name  string
		o     Organization
		holds bool
		code  string
	}{
		{"an enterprise holding its code", Organization{Kind: KindEnterprise, USCC: code}, true, ""},
		{"an enterprise whose code was taken", Organization{Kind: KindEnterprise, USCC: detached}, false, ECInvalidState},
		{"an institution is verified as one", Organization{Kind: KindBank, USCC: code}, true, ECInvalidState},
	} {
		t.Run(tt.name, func(t *testing.T) {
			if got := tt.o.HoldsCode(); got != tt.holds {
				t.Errorf("HoldsCode() = %v, want %v", got, tt.holds)
			}
			if got := tt.o.ClaimedUSCC(); got != code {
				t.Errorf("ClaimedUSCC() = %q, want %q", got, code)
			}
			err := tt.o.CheckVerify()
			if (tt.code == "" && err != nil) || (tt.code != "" && !IsCode(err, tt.code)) {
				t.Errorf("CheckVerify() = %v, want %q", err, tt.code)
			}
		})
	}
	if ValidUSCC(detached) {
		t.Errorf("detached form %s is a valid code", detached)
	}
}

func TestClaimScopeAndDecision(t *testing.T) {
	fuyang := Actor{User: User{Regions: []string{"341200"}}, Org: Organization{Kind: KindCoordinator}}
	hefei := Actor{User: User{Regions: []string{"340100"}}, Org: Organization{Kind: KindCoordinator}}
	claimant := Actor{Org: Organization{ID: "c", Kind: KindEnterprise}}
	holder := Actor{Org: Organization{ID: "h", Kind: KindEnterprise}}
	c := CodeClaim{ClaimantOrgID: "c", HolderOrgID: "h", HolderRegion: "341221", Status: ClaimPending}
	for _, tt := range []struct {
		name        string
		a           Actor
		see, decide bool
	}{
		{"a coordinator covering the holder", fuyang, true, true},
		{"a coordinator elsewhere", hefei, false, false},
		{"the claimant", claimant, true, false},
		{"the holder", holder, false, false},
	} {
		t.Run(tt.name, func(t *testing.T) {
			if got := tt.a.CanSeeClaim(c); got != tt.see {
				t.Errorf("CanSeeClaim = %v, want %v", got, tt.see)
			}
			if got := tt.a.CanDecideClaim(c); got != tt.decide {
				t.Errorf("CanDecideClaim = %v, want %v", got, tt.decide)
			}
		})
	}
	upholding, upheld := c, c
	upholding.Status, upheld.Status = ClaimUpholding, ClaimUpheld
	for _, tt := range []struct {
		name string
		c    CodeClaim
		d    ClaimDecision
		note string
		want ClaimStatus
		code string
	}{
		{"upholding a pending claim", c, ClaimUphold, "", ClaimUpholding, ""},
		{"rejecting says why", c, ClaimReject, "licence does not match", ClaimRejected, ""},
		{"rejecting without a note", c, ClaimReject, " ", "", ECValidation},
		{"an unknown decision", c, "maybe", "", "", ECValidation},
		{"a half-done upholding is finished", upholding, ClaimUphold, "", ClaimUpholding, ""},
		{"a half-done upholding is not rejected", upholding, ClaimReject, "no", "", ECInvalidState},
		{"an upheld claim is decided", upheld, ClaimUphold, "", "", ECInvalidState},
	} {
		t.Run(tt.name, func(t *testing.T) {
			got, err := tt.c.Decide(tt.d, tt.note)
			if tt.code != "" {
				if !IsCode(err, tt.code) {
					t.Fatalf("err = %v, want %s", err, tt.code)
				}
				return
			}
			if err != nil || got != tt.want {
				t.Errorf("Decide = %s, %v; want %s", got, err, tt.want)
			}
		})
	}
}

func TestValidateClaim(t *testing.T) {
	for _, tt := range []struct {
		name, code, contact, evidence string
		field                         string
	}{
		{"complete", "91341200MA2N000007", "0558-1234567", "business licence no. 123", ""},
		{"no code", "", "x", "y", "credit_code"},
		{"a bad check character", "91341200MA2N000006", "x", "y", "credit_code"},
		{"no contact", "91341200MA2N000007", "", "y", "contact"},
		{"no evidence", "91341200MA2N000007", "x", "", "evidence_note"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			err := ValidateClaim(tt.code, tt.contact, tt.evidence)
			if tt.field == "" {
				if err != nil {
					t.Fatal(err)
				}
				return
			}
			if !hasField(err, tt.field) {
				t.Errorf("ValidateClaim = %v, want a problem with %s", err, tt.field)
			}
		})
	}
}

func hasField(err error, field string) bool {
	for _, f := range FieldErrors(err) {
		if f.Field == field {
			return true
		}
	}
	return false
}

// A held need is released by verifying its enterprise: a coordinator may
// return it to the owner, not pass it.
func TestHeldNeedIsNotScreenedThrough(t *testing.T) {
	held := Project{Status: ProjectScreening, ScreenReason: ScreenUnverified}
	now := time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC)
	if _, err := held.Screen(ScreenPass, "", "c", now); !IsCode(err, ECInvalidState) {
		t.Errorf("passing a held need: %v, want invalid_state", err)
	}
	ch, err := held.Screen(ScreenReturn, "请补充材料", "c", now)
	if err != nil || ch.To != ProjectDraft {
		t.Errorf("returning a held need: %+v, %v; want it back to draft", ch, err)
	}
}
