package web_test

import (
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"finzone"
	"finzone/finzonetest"
	"finzone/usecase"
)

var csrfField = regexp.MustCompile(`name="_csrf" value="([^"]+)"`)

// pageToken is the token the page at path carries for session.
func (e *env) pageToken(path, session string) string {
	e.t.Helper()
	r := e.page(pageReq{method: "GET", path: path, session: session})
	m := csrfField.FindSubmatch(r.Body)
	if r.Status != http.StatusOK || m == nil {
		e.t.Fatalf("GET %s: got %d without a page token", path, r.Status)
	}
	return string(m[1])
}

// TestPageTokenIsBoundToTheSession: the attack of issue 11 (a page on
// another port of the same host sets the token cookie and posts the same
// value) and a token from another session, even the same user's, are
// refused; a form posted from another origin is refused whatever its
// token; the page's own token works.
func TestPageTokenIsBoundToTheSession(t *testing.T) {
	e := newEnv(t)
	ent := e.enterprise("341221")
	p := e.createProject(ent, "临泉县冷链物流中心")
	del := "/projects/" + p.ID + "/delete"
	again, err := e.uc.SignIn(ctx, finzone.Actor{}, usecase.SignInInput{Email: ent.Email, Password: finzonetest.Password})
	if err != nil {
		t.Fatal(err)
	}
	other := e.enterprise("341221")
	attacker := strings.Repeat("a", 43)
	own := e.pageToken("/projects/"+p.ID, ent.Token)
	for _, tc := range []struct {
		name string
		r    pageReq
	}{
		{"the attacker's cookie and the same value", pageReq{csrf: attacker, cookies: map[string]string{"finzone_csrf": attacker}}},
		{"the attacker's pre-session cookie and the same value", pageReq{csrf: attacker, cookies: map[string]string{"finzone_pre": attacker}}},
		{"the token of the user's other session", pageReq{csrf: e.uc.PageToken(again.Token)}},
		{"another user's token", pageReq{csrf: e.uc.PageToken(other.Token)}},
		{"no token", pageReq{noCSRF: true}},
		{"its own token from a sibling port", pageReq{csrf: own, header: map[string]string{"Origin": "http://example.com:19444"}}},
		{"its own token, same-site", pageReq{csrf: own, header: map[string]string{"Sec-Fetch-Site": "same-site"}}},
	} {
		tc.r.method, tc.r.path, tc.r.session = "POST", del, ent.Token
		wantPage(t, e.page(tc.r), http.StatusForbidden, "表单已过期")
		if l := e.myProjects(ent); len(l) != 1 {
			t.Fatalf("%s: the draft was deleted", tc.name)
		}
	}
	if own == e.pageToken("/projects/"+p.ID, again.Token) {
		t.Errorf("two sessions got the same page token")
	}
	r := e.page(pageReq{method: "POST", path: del, session: ent.Token, csrf: own, header: map[string]string{"Origin": "http://example.com"}})
	if r.Status != http.StatusSeeOther {
		t.Fatalf("the page's own token: got %d, want 303: %.300s", r.Status, r.Body)
	}
	if l := e.myProjects(ent); len(l) != 0 {
		t.Errorf("after a good delete: %d drafts, want 0", len(l))
	}
}

// TestSignInFormToken: the sign-in form's token is bound to the browser's
// pre-session cookie; one made for another cookie is refused.
func TestSignInFormToken(t *testing.T) {
	e := newEnv(t)
	ent := e.enterprise("341221")
	form := url.Values{"email": {ent.Email}, "password": {finzonetest.Password}}
	wantPage(t, e.page(pageReq{method: "POST", path: "/login", form: form, csrf: e.uc.PageToken(strings.Repeat("z", 43))}),
		http.StatusForbidden, "表单已过期")
	wantPage(t, e.page(pageReq{method: "POST", path: "/login", form: form, csrf: preSession}), http.StatusForbidden)
	r := e.page(pageReq{method: "POST", path: "/login", form: form, csrf: e.pageToken("/login", "")})
	if r.Status != http.StatusSeeOther || r.Cookie("finzone_session") == "" {
		t.Fatalf("sign-in with the page's token: got %d, want 303 and a session", r.Status)
	}
}

// TestSignInPageThrottle: after five wrong passwords the sign-in page says
// in the visitor's language how long to wait, with 429 and Retry-After, and
// refuses the right password too.
func TestSignInPageThrottle(t *testing.T) {
	now := time.Now().Truncate(finzone.AccountThrottle.Window).Add(time.Minute)
	e := newEnvOn(t, finzonetest.NewStore(t), usecase.Config{Now: func() time.Time { return now }})
	ent := e.enterprise("341221")
	for range finzone.AccountThrottle.Max {
		r := e.page(pageReq{method: "POST", path: "/login", form: url.Values{"email": {ent.Email}, "password": {"wrong-password"}}})
		wantPage(t, r, http.StatusUnauthorized)
	}
	good := url.Values{"email": {ent.Email}, "password": {finzonetest.Password}}
	r := e.page(pageReq{method: "POST", path: "/login", form: good})
	wantPage(t, r, http.StatusTooManyRequests, "登录失败次数过多", "15 分钟后再试")
	if s, err := strconv.Atoi(r.Header.Get("Retry-After")); err != nil || s < 14*60 || s > 15*60 {
		t.Errorf("Retry-After: got %q, want about 14 minutes", r.Header.Get("Retry-After"))
	}
	wantPage(t, e.page(pageReq{method: "POST", path: "/login", form: good, lang: "en"}), http.StatusTooManyRequests,
		"Too many failed sign-ins", "try again in 15 minutes")
}

// TestAccountPage: the account page lists the user's sessions and signs
// one out; its form changes the password, keeping this session and
// signing out the others, and shows a wrong current password on its field.
func TestAccountPage(t *testing.T) {
	e := newEnv(t)
	ent := e.enterprise("341221")
	var others []string
	for range 2 {
		s, err := e.uc.SignIn(usecase.WithClient(ctx, usecase.Client{IP: "203.0.113.7", UserAgent: "TestBrowser/1.0"}), finzone.Actor{},
			usecase.SignInInput{Email: ent.Email, Password: finzonetest.Password})
		if err != nil {
			t.Fatal(err)
		}
		others = append(others, s.Token)
	}
	r := e.page(pageReq{method: "GET", path: "/account", session: ent.Token})
	wantPage(t, r, http.StatusOK, "我的账号", ent.Email, "本次登录", "TestBrowser/1.0", "203.0.113.7", "/account/sessions/")
	if n := strings.Count(string(r.Body), `action="/account/sessions/`); n != 2 {
		t.Errorf("revoke buttons: got %d, want 2 (not for this session)", n)
	}
	ss, _ := e.uc.Sessions(ctx, e.signedIn(others[0], ent.Email).Actor, others[0])
	r = e.page(pageReq{method: "POST", path: "/account/sessions/" + ss[1].ID + "/revoke", session: ent.Token})
	if r.Status != http.StatusSeeOther || r.Header.Get("Location") != "/account" {
		t.Fatalf("revoke: got %d to %q, want 303 to /account", r.Status, r.Header.Get("Location"))
	}
	if _, err := e.uc.Authenticate(ctx, others[0]); !finzone.IsCode(err, finzone.ECUnauthenticated) {
		t.Errorf("the revoked session: got %v, want unauthenticated", err)
	}

	bad := url.Values{"current_password": {"not-my-password"}, "new_password": {"a-new-long-passphrase"}}
	wantPage(t, e.page(pageReq{method: "POST", path: "/account/password", session: ent.Token, form: bad, lang: "en"}),
		http.StatusBadRequest, "This is not your current password", `id="f-current_password-err"`)
	good := url.Values{"current_password": {finzonetest.Password}, "new_password": {"a-new-long-passphrase"}}
	r = e.page(pageReq{method: "POST", path: "/account/password", session: ent.Token, form: good})
	if r.Status != http.StatusSeeOther || r.Header.Get("Location") != "/account" {
		t.Fatalf("change: got %d to %q, want 303 to /account", r.Status, r.Header.Get("Location"))
	}
	if _, err := e.uc.Authenticate(ctx, others[1]); !finzone.IsCode(err, finzone.ECUnauthenticated) {
		t.Errorf("another session after the change: got %v, want unauthenticated", err)
	}
	r = e.page(pageReq{method: "GET", path: "/account", session: ent.Token, cookies: map[string]string{"finzone_flash": "flash.password_changed"}})
	wantPage(t, r, http.StatusOK, "密码已修改")
	if strings.Contains(string(r.Body), `action="/account/sessions/`) {
		t.Errorf("after the change the page still lists other sessions")
	}
}
