package web_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"finzone"
	"finzone/finzonetest"
	"finzone/server"
	"finzone/usecase"
)

// TestPrivacyNoticeInBothLanguages: /privacy is open to anyone, names its
// version, and every page's footer links to it.
func TestPrivacyNoticeInBothLanguages(t *testing.T) {
	e := newEnv(t)
	wantPage(t, e.page(pageReq{method: "GET", path: "/privacy"}), http.StatusOK,
		"隐私政策", "版本 "+finzone.PrivacyVersion, "谁能看到", "地方金融管理部门", "注销", `id="footer-privacy"`)
	wantPage(t, e.page(pageReq{method: "GET", path: "/privacy", lang: "en"}), http.StatusOK,
		"Privacy notice", "Version "+finzone.PrivacyVersion, "Who sees it", "coordinators", "delete your account")
	wantPage(t, e.page(pageReq{method: "GET", path: "/register"}), http.StatusOK,
		`id="f-privacy_consent"`, `name="privacy_version" value="`+finzone.PrivacyVersion+`"`, `href="/privacy"`)
}

// TestRegisterPageAsksForConsent: the form refuses a registration without
// the box ticked, or ticked on a notice since replaced, with the field's
// message; ticked, it registers.
func TestRegisterPageAsksForConsent(t *testing.T) {
	e := newEnv(t)
	form := url.Values{"kind": {"enterprise"}, "org_name": {"临泉县绿源食品有限公司"}, "uscc": {finzonetest.USCC()},
		"region_code": {"341221"}, "industry_code": {"C13"}, "size": {"small"}, "name": {"王经理"},
		"email": {finzonetest.Email("consent")}, "password": {finzonetest.Password}, "privacy_version": {finzone.PrivacyVersion}}
	r := e.page(pageReq{method: "POST", path: "/register", form: form})
	wantPage(t, r, http.StatusBadRequest, `id="f-privacy_consent-err"`, "请勾选同意隐私政策", `href="#f-privacy_consent"`)
	form.Set("privacy_consent", "on")
	form.Set("privacy_version", "2025-01-01")
	r = e.page(pageReq{method: "POST", path: "/register", form: form})
	wantPage(t, r, http.StatusBadRequest, `id="f-privacy_consent-err"`)
	if strings.Contains(string(r.Body), `value="on" checked`) {
		t.Errorf("consent to a replaced notice stays ticked")
	}
	form.Set("privacy_version", finzone.PrivacyVersion)
	r = e.page(pageReq{method: "POST", path: "/register", form: form})
	if r.Status != http.StatusSeeOther {
		t.Fatalf("register with consent: got %d, want 303: %.300s", r.Status, r.Body)
	}
}

// TestProjectPageShowsWhoViewed: a coordinator opening the project page and
// an institution opening its match page (which shows the project's
// details) appear on the enterprise's project page; nobody else sees the
// section.
func TestProjectPageShowsWhoViewed(t *testing.T) {
	e := newEnv(t)
	owner := e.enterprise("341221")
	bank := e.institution("341200")
	p := e.submitProject(owner, e.createProject(owner, "太和县中药饮片智能工厂"))
	mid := e.addMatch(p, bank, finzone.RolePartner, finzone.CategoryLoan)
	coord := e.coordinator("341200")

	wantPage(t, e.page(pageReq{method: "GET", path: "/projects/" + p.ID, session: owner.Token}), http.StatusOK,
		"谁查看了我的项目", `id="views-none"`)
	r := e.page(pageReq{method: "GET", path: "/projects/" + p.ID, session: coord.Token})
	wantPage(t, r, http.StatusOK, "购置自动化生产线")
	if strings.Contains(string(r.Body), `id="views"`) {
		t.Errorf("a coordinator sees who viewed the project")
	}
	wantPage(t, e.page(pageReq{method: "GET", path: "/matches/" + mid, session: bank.Token}), http.StatusOK, "购置自动化生产线")

	r = e.page(pageReq{method: "GET", path: "/projects/" + p.ID, session: owner.Token})
	wantPage(t, r, http.StatusOK, `id="views-table"`, bank.Actor.Org.Name, "金融机构", coord.Actor.Org.Name, "地方金融管理部门",
		"共记录 2 次查看")
	wantPage(t, e.page(pageReq{method: "GET", path: "/projects/" + p.ID, session: owner.Token, lang: "en"}), http.StatusOK,
		"Who viewed my project", "Institution", "Coordinator")
}

// TestDeleteAccountFromThePage: the data page offers the download and the
// deletion; a wrong password comes back onto the form, the right one signs
// out for good.
func TestDeleteAccountFromThePage(t *testing.T) {
	e := newEnv(t)
	owner := e.enterprise("341221")
	wantPage(t, e.page(pageReq{method: "GET", path: "/privacy/data", session: owner.Token}), http.StatusOK,
		`href="/api/v1/me/export"`, "您已于", finzone.PrivacyVersion, `id="footer-data"`)

	r := e.page(pageReq{method: "POST", path: "/privacy/delete", session: owner.Token,
		form: url.Values{"delete_password": {"not-my-password-1"}}})
	wantPage(t, r, http.StatusBadRequest, `id="f-delete_password-err"`, "与当前密码不符")
	r = e.page(pageReq{method: "POST", path: "/privacy/delete", session: owner.Token,
		form: url.Values{"delete_password": {finzonetest.Password}}})
	if r.Status != http.StatusSeeOther || r.Header.Get("Location") != "/" || r.Cookie(server.SessionCookie) != "" {
		t.Fatalf("delete: got %d to %q, want 303 to / with the session cookie cleared", r.Status, r.Header.Get("Location"))
	}
	if _, err := e.uc.Authenticate(ctx, owner.Token); !finzone.IsCode(err, finzone.ECUnauthenticated) {
		t.Errorf("session after deletion: got %v, want unauthenticated", err)
	}
	if _, err := e.uc.SignIn(ctx, finzone.Actor{}, usecase.SignInInput{Email: owner.Email, Password: finzonetest.Password}); !finzone.IsCode(err, finzone.ECInvalidCredentials) {
		t.Errorf("sign-in after deletion: got %v, want invalid_credentials", err)
	}
}
