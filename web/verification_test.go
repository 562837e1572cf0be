package web_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"finzone"
	"finzone/finzonetest"
	"finzone/i18n"
	"finzone/usecase"
)

var bothLanguages = []struct {
	accept string
	lang   finzone.Lang
}{{"zh-CN", finzone.LangZH}, {"en", finzone.LangEN}}

// An institution sees that the enterprise behind a push is not verified, on
// its inbox, the match and the project; a coordinator covering the
// enterprise verifies it from Enterprise checks, and the flag goes.
func TestEnterpriseFlagAndVerifyButtonInBothLanguages(t *testing.T) {
	e := newEnv(t)
	owner, lead, _, p := pushed(t, e)
	matchPath := "/matches/" + finzone.MatchID(p.ID, lead.OrgID)
	fuyang, hefei := e.coordinator("341200"), e.coordinator("340100")
	for _, l := range bothLanguages {
		flag := i18n.T(l.lang, "enterprise.unverified")
		wantPage(t, e.page(pageReq{method: "GET", path: "/inbox", session: lead.Token, lang: l.accept}), http.StatusOK,
			`class="tag unverified"`, flag)
		wantPage(t, e.page(pageReq{method: "GET", path: matchPath, session: lead.Token, lang: l.accept}), http.StatusOK,
			`id="enterprise-unverified"`, i18n.T(l.lang, "enterprise.unverified_notice"))
		wantPage(t, e.page(pageReq{method: "GET", path: "/projects/" + p.ID, session: lead.Token, lang: l.accept}), http.StatusOK,
			`id="enterprise-unverified"`, flag)
		wantPage(t, e.page(pageReq{method: "GET", path: "/review/enterprises", session: fuyang.Token, lang: l.accept}), http.StatusOK,
			`id="verify-`+owner.OrgID+`"`, i18n.T(l.lang, "review.enterprises_title"), `href="/review/enterprises"`,
			i18n.T(l.lang, "review.verify"))
		r := e.page(pageReq{method: "GET", path: "/review/enterprises", session: hefei.Token, lang: l.accept})
		wantPage(t, r, http.StatusOK, i18n.T(l.lang, "review.enterprises_empty"))
	}
	// A coordinator elsewhere cannot verify it, even by posting the form.
	r := e.page(pageReq{method: "POST", path: "/review/enterprises/" + owner.OrgID + "/verify", session: hefei.Token})
	if r.Status != http.StatusNotFound {
		t.Fatalf("合肥 verifying a 阜阳 enterprise: status %d, want 404", r.Status)
	}
	if o, err := e.db.Org(ctx, owner.OrgID); err != nil || o.Verified {
		t.Fatalf("after 合肥's attempt: %+v, %v", o, err)
	}
	r = e.page(pageReq{method: "POST", path: "/review/enterprises/" + owner.OrgID + "/verify", session: fuyang.Token})
	if r.Status != http.StatusSeeOther {
		t.Fatalf("verify: status %d, want 303", r.Status)
	}
	for _, l := range bothLanguages {
		for _, path := range []string{"/inbox", matchPath, "/projects/" + p.ID} {
			r := e.page(pageReq{method: "GET", path: path, session: lead.Token, lang: l.accept})
			wantPage(t, r, http.StatusOK)
			if body := string(r.Body); strings.Contains(body, "tag unverified") || strings.Contains(body, "enterprise-unverified") {
				t.Errorf("%s %s still flags the verified enterprise", l.accept, path)
			}
		}
	}
}

// A need held for verification tells its owner why, in both languages, and
// coordinators verify rather than screen it.
func TestHeldNeedSaysWhy(t *testing.T) {
	e := newEnv(t)
	owner := e.enterprise("341221")
	p := e.submitProject(owner, e.createProject(owner, "临泉县粮油仓储改造"))
	ch, err := p.HoldForVerification(time.Now())
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.db.ChangeProject(ctx, p, ch, time.Now()); err != nil {
		t.Fatal(err)
	}
	coord := e.coordinator("341200")
	for _, l := range bothLanguages {
		wantPage(t, e.page(pageReq{method: "GET", path: "/projects/" + p.ID, session: owner.Token, lang: l.accept}), http.StatusOK,
			`id="held-notice"`, i18n.T(l.lang, "project.held_unverified"), i18n.T(l.lang, "enterprise.unverified_owner"))
		r := e.page(pageReq{method: "GET", path: "/projects/" + p.ID, session: coord.Token, lang: l.accept})
		wantPage(t, r, http.StatusOK, `id="held-notice"`)
		if strings.Contains(string(r.Body), `action="/projects/`+p.ID+`/screen"`) {
			t.Errorf("%s: a held need offers the screening form", l.accept)
		}
	}
}

// A coordinator covering the holder upholds a claim from Enterprise checks;
// one elsewhere does not see it.
func TestClaimDecidedFromTheReviewPage(t *testing.T) {
	e := newEnv(t)
	holder := e.enterprise("341221")
	code := holder.Actor.Org.USCC
	filed, err := e.uc.FileCodeClaim(ctx, finzone.Actor{}, usecase.ClaimInput{Contact: "0558-6543210", EvidenceNote: "营业执照",
		Signup: finzone.Signup{Org: finzone.Organization{Kind: finzone.KindEnterprise, Name: "真·临泉粮油有限公司", USCC: code,
			RegionCode: "341221", IndustryCode: "C13", Size: finzone.SizeSmall},
			Email: finzonetest.Email("claimant"), Name: "李四", Password: finzonetest.Password, PrivacyConsent: finzone.PrivacyVersion}})
	if err != nil {
		t.Fatal(err)
	}
	fuyang, hefei := e.coordinator("341200"), e.coordinator("340100")
	for _, l := range bothLanguages {
		wantPage(t, e.page(pageReq{method: "GET", path: "/review/enterprises", session: fuyang.Token, lang: l.accept}), http.StatusOK,
			`id="uphold-`+filed.Claim.ID+`"`, `id="reject-`+filed.Claim.ID+`"`, i18n.T(l.lang, "claim.h2"), "营业执照")
		r := e.page(pageReq{method: "GET", path: "/review/enterprises", session: hefei.Token, lang: l.accept})
		wantPage(t, r, http.StatusOK, i18n.T(l.lang, "claim.empty"))
	}
	r := e.page(pageReq{method: "POST", path: "/review/claims/" + filed.Claim.ID, session: hefei.Token, form: url.Values{"decision": {"uphold"}}})
	if r.Status != http.StatusNotFound {
		t.Fatalf("合肥 upholding: status %d, want 404", r.Status)
	}
	r = e.page(pageReq{method: "POST", path: "/review/claims/" + filed.Claim.ID, session: fuyang.Token, form: url.Values{"decision": {"uphold"}}})
	if r.Status != http.StatusSeeOther {
		t.Fatalf("阜阳 upholding: status %d, want 303", r.Status)
	}
	if o, err := e.db.OrgByUSCC(ctx, code); err != nil || o.ID != filed.Org.ID || !o.Verified {
		t.Errorf("the code is held by %+v (%v), want the claimant, verified", o, err)
	}
}
