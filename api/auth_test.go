package api_test

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"finzone/finzonetest"
	"finzone/server"
	"finzone/usecase"
)

func TestRegisterCreditCodes(t *testing.T) {
	e := newEnv(t)
	tests := []struct {
		name, uscc string
		status     int
		code       string
	}{
		{"valid digits", "914403001922038216", http.StatusCreated, ""},
		{"valid letter check", "91440300708461136T", http.StatusCreated, ""},
		{"check character changed", "914403001922038217", http.StatusBadRequest, "invalid_uscc"},
		{"body digit changed", "914403001922038316", http.StatusBadRequest, "invalid_uscc"},
		{"letter check changed", "91440300708461136U", http.StatusBadRequest, "invalid_uscc"},
		{"first character changed", "81440300708461136T", http.StatusBadRequest, "invalid_uscc"},
		{"too short", "91440300708461136", http.StatusBadRequest, "invalid_uscc"},
		{"letter outside the alphabet", "9144030070846113IT", http.StatusBadRequest, "invalid_uscc"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := e.do("POST", "/api/v1/auth/register", "", registerBody("enterprise", "341221", tt.uscc, finzonetest.Email("uscc")))
			if tt.status == http.StatusCreated {
				var out sessionOut
				if r.Status != http.StatusCreated {
					t.Fatalf("register %s: got %s, want 201", tt.uscc, r)
				}
				mustJSON(t, r, &out)
				if out.Org.USCC != tt.uscc || out.Token == "" {
					t.Errorf("register %s: got org %+v token %q, want the code kept and a token", tt.uscc, out.Org, out.Token)
				}
				return
			}
			wantError(t, r, tt.status, tt.code, fieldCode{"org.uscc", "invalid_uscc"})
		})
	}
	// A code typed in lower case with spaces is normalised, so it is the same
	// organization as the one registered above.
	r := e.do("POST", "/api/v1/auth/register", "", registerBody("enterprise", "341221", " 91440300708461136t ", finzonetest.Email("uscc")))
	wantError(t, r, http.StatusConflict, "conflict", fieldCode{"org.uscc", "taken"})
}

func TestRegisterRejects(t *testing.T) {
	e := newEnv(t)
	first := e.enterprise("341221")
	var me sessionOut
	e.ok(http.StatusOK, "GET", "/api/v1/me", first.Token, nil, &me)

	t.Run("unknown region", func(t *testing.T) {
		r := e.do("POST", "/api/v1/auth/register", "", registerBody("enterprise", "110101", finzonetest.USCC(), finzonetest.Email("x")))
		wantError(t, r, http.StatusBadRequest, "unknown_region", fieldCode{"org.region_code", "unknown_region"})
	})
	t.Run("coordinator office cannot self-register", func(t *testing.T) {
		r := e.do("POST", "/api/v1/auth/register", "", registerBody("coordinator_office", "341200", finzonetest.USCC(), finzonetest.Email("x")))
		wantError(t, r, http.StatusBadRequest, "validation_failed", fieldCode{"org.kind", "invalid_value"})
	})
	t.Run("missing parts and bad user fields", func(t *testing.T) {
		r := e.do("POST", "/api/v1/auth/register", "", map[string]any{"org": map[string]any{"kind": "bank"}})
		wantError(t, r, http.StatusBadRequest, "validation_failed", fieldCode{"user", "required"})
		body := registerBody("enterprise", "341221", finzonetest.USCC(), "not-an-email")
		body["user"].(map[string]any)["password"] = "short"
		r = e.do("POST", "/api/v1/auth/register", "", body)
		wantError(t, r, http.StatusBadRequest, "validation_failed",
			fieldCode{"user.email", "invalid_email"}, fieldCode{"user.password", "too_short"})
	})
	t.Run("read-only fields", func(t *testing.T) {
		body := registerBody("bank", "341200", finzonetest.USCC(), finzonetest.Email("x"))
		body["org"].(map[string]any)["verified"] = true
		body["user"].(map[string]any)["regions"] = []string{"340000"}
		r := e.do("POST", "/api/v1/auth/register", "", body)
		wantError(t, r, http.StatusBadRequest, "validation_failed",
			fieldCode{"org.verified", "read_only"}, fieldCode{"user.regions", "read_only"})
	})
	t.Run("duplicate credit code", func(t *testing.T) {
		email := finzonetest.Email("dup-uscc")
		r := e.do("POST", "/api/v1/auth/register", "", registerBody("enterprise", "341222", me.Org.USCC, email))
		wantError(t, r, http.StatusConflict, "conflict", fieldCode{"org.uscc", "taken"})
		// Nothing half-written: the new user cannot sign in.
		r = e.do("POST", "/api/v1/auth/login", "", map[string]any{"email": email, "password": testPassword})
		wantError(t, r, http.StatusUnauthorized, "invalid_credentials")
		// And the first organization is untouched.
		var again sessionOut
		e.ok(http.StatusOK, "GET", "/api/v1/me", first.Token, nil, &again)
		if again.Org.RegionCode != "341221" {
			t.Errorf("first org region: got %q, want 341221", again.Org.RegionCode)
		}
	})
	t.Run("duplicate email", func(t *testing.T) {
		// However it is capitalised, an email already in use is a conflict.
		r := e.do("POST", "/api/v1/auth/register", "", registerBody("enterprise", "341221", finzonetest.USCC(), strings.ToUpper(first.Email)))
		wantError(t, r, http.StatusConflict, "conflict", fieldCode{"user.email", "taken"})
	})
	t.Run("institutions start unverified", func(t *testing.T) {
		var out sessionOut
		e.ok(http.StatusCreated, "POST", "/api/v1/auth/register", "", registerBody("insurer", "341200", finzonetest.USCC(), finzonetest.Email("ins")), &out)
		if out.Org.Kind != "insurer" || out.Org.Verified || out.Org.VerifiedAt != nil {
			t.Errorf("new insurer: got %+v, want kind insurer, unverified", out.Org)
		}
		if out.User.Role != "admin" || out.User.OrgID != out.Org.ID {
			t.Errorf("first user: got %+v, want the org's admin", out.User)
		}
		var me sessionOut
		e.ok(http.StatusOK, "GET", "/api/v1/me", out.Token, nil, &me)
		if me.Org.Verified {
			t.Errorf("stored insurer: got verified, want unverified")
		}
	})
}

func TestLoginLogout(t *testing.T) {
	e := newEnv(t)
	acct := e.enterprise("341221")

	t.Run("wrong password and unknown email", func(t *testing.T) {
		for _, body := range []map[string]any{
			{"email": acct.Email, "password": "wrong-password"},
			{"email": "nobody@example.cn", "password": testPassword},
		} {
			r := e.do("POST", "/api/v1/auth/login", "", body)
			wantError(t, r, http.StatusUnauthorized, "invalid_credentials")
			if got := r.Header.Get("Set-Cookie"); got != "" {
				t.Errorf("failed login set a cookie: %q", got)
			}
			// It says what went wrong, not "please sign in".
			for lang, want := range map[string]string{"en": "Wrong email or password", "zh-CN": "邮箱或密码不正确"} {
				got := wantError(t, e.send(req{method: "POST", path: "/api/v1/auth/login", lang: lang, body: body}),
					http.StatusUnauthorized, "invalid_credentials")
				if got.Message != want {
					t.Errorf("wrong password in %s: message %q, want %q", lang, got.Message, want)
				}
			}
		}
		r := e.do("POST", "/api/v1/auth/login", "", map[string]any{"email": acct.Email})
		wantError(t, r, http.StatusBadRequest, "validation_failed", fieldCode{"password", "required"})
	})

	var login sessionOut
	// Email is matched however it is capitalised.
	r := e.ok(http.StatusOK, "POST", "/api/v1/auth/login", "", map[string]any{"email": strings.ToUpper(acct.Email), "password": testPassword}, &login)
	if login.Token == "" || login.Token == acct.Token || login.User.ID != acct.UserID || login.Org.ID != acct.OrgID {
		t.Fatalf("login: got %+v, want a new token for %+v", login, acct)
	}
	cookie := findCookie(r, server.SessionCookie)
	if cookie == nil {
		t.Fatalf("login: no %s cookie in %v", server.SessionCookie, r.Header.Values("Set-Cookie"))
	}
	if cookie.Value != login.Token || !cookie.HttpOnly || cookie.SameSite != http.SameSiteLaxMode || cookie.Path != "/" {
		t.Errorf("session cookie: got %+v, want the token, HttpOnly, SameSite=Lax, Path=/", cookie)
	}

	t.Run("me by bearer and by cookie", func(t *testing.T) {
		var me sessionOut
		e.ok(http.StatusOK, "GET", "/api/v1/me", login.Token, nil, &me)
		if me.User.ID != acct.UserID || me.Org.ID != acct.OrgID || me.User.Email != acct.Email {
			t.Errorf("me by bearer: got %+v, want %+v", me, acct)
		}
		r := e.send(req{method: "GET", path: "/api/v1/me", cookie: login.Token})
		if r.Status != http.StatusOK {
			t.Fatalf("me by cookie: got %s, want 200", r)
		}
		mustJSON(t, r, &me)
		if me.User.ID != acct.UserID {
			t.Errorf("me by cookie: got user %s, want %s", me.User.ID, acct.UserID)
		}
	})
	t.Run("no or bad token", func(t *testing.T) {
		r := e.do("GET", "/api/v1/me", "", nil)
		wantError(t, r, http.StatusUnauthorized, "unauthenticated")
		if got := r.Header.Get("WWW-Authenticate"); !strings.HasPrefix(got, "Bearer") {
			t.Errorf("WWW-Authenticate: got %q, want a Bearer challenge", got)
		}
		wantError(t, e.do("GET", "/api/v1/me", "not-a-token", nil), http.StatusUnauthorized, "unauthenticated")
		wantError(t, e.send(req{method: "GET", path: "/api/v1/me", cookie: "forged"}), http.StatusUnauthorized, "unauthenticated")
	})

	// Logging out revokes that token, by bearer and cookie alike, and clears
	// the cookie; the other session (from registration) stays signed in.
	r = e.do("POST", "/api/v1/auth/logout", login.Token, nil)
	if r.Status != http.StatusNoContent {
		t.Fatalf("logout: got %s, want 204", r)
	}
	if c := findCookie(r, server.SessionCookie); c == nil || c.Value != "" {
		t.Errorf("logout cookie: got %+v, want the session cookie cleared", c)
	}
	wantError(t, e.do("GET", "/api/v1/me", login.Token, nil), http.StatusUnauthorized, "unauthenticated")
	wantError(t, e.send(req{method: "GET", path: "/api/v1/projects", cookie: login.Token}), http.StatusUnauthorized, "unauthenticated")
	wantError(t, e.do("POST", "/api/v1/auth/logout", login.Token, nil), http.StatusUnauthorized, "unauthenticated")
	e.ok(http.StatusOK, "GET", "/api/v1/me", acct.Token, nil, nil)

	// A session lasts usecase.SessionTTL: on a clock past it the token is refused.
	later := newEnvWith(t, e.db, usecase.Config{Checks: redisReady(redisClient),
		Now: func() time.Time { return time.Now().Add(usecase.SessionTTL + time.Minute) }})
	if r := later.do("GET", "/api/v1/me", acct.Token, nil); r.Status != http.StatusUnauthorized {
		t.Errorf("expired session: got %s, want 401", r)
	}

	// A browser logs out with its cookie.
	r = e.send(req{method: "POST", path: "/api/v1/auth/logout", cookie: acct.Token})
	if r.Status != http.StatusNoContent {
		t.Fatalf("logout by cookie: got %s, want 204", r)
	}
	wantError(t, e.do("GET", "/api/v1/me", acct.Token, nil), http.StatusUnauthorized, "unauthenticated")
}

func findCookie(r resp, name string) *http.Cookie {
	for _, c := range (&http.Response{Header: r.Header}).Cookies() {
		if c.Name == name {
			return c
		}
	}
	return nil
}

// TestRegistrationRefusesWeakPasswords: the passwords the security test
// signed up with are refused, with field codes, and nobody is registered.
func TestRegistrationRefusesWeakPasswords(t *testing.T) {
	e := newEnv(t)
	for _, tt := range []struct{ pw, code string }{
		{"12345678", "too_short"}, {"password", "too_short"}, {"aaaaaaaa", "too_short"},
		{"1234567890", "common_password"}, {"Password123", "common_password"},
	} {
		email := finzonetest.Email("weak")
		body := registerBody("enterprise", "341221", finzonetest.USCC(), email)
		body["user"].(map[string]any)["password"] = tt.pw
		wantError(t, e.do("POST", "/api/v1/auth/register", "", body), http.StatusBadRequest, "validation_failed",
			fieldCode{"user.password", tt.code})
		wantError(t, e.do("POST", "/api/v1/auth/login", "", map[string]any{"email": email, "password": tt.pw}),
			http.StatusUnauthorized, "invalid_credentials")
	}
}
