package api_test

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"finzone"
	"finzone/finzonetest"
	"finzone/usecase"
)

// testClock is a clock tests move by hand, shared by several services.
type testClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *testClock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *testClock) Add(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

// newClock starts a minute into a throttle window, so a test's burst
// stays inside one.
func newClock() *testClock {
	return &testClock{t: time.Now().Truncate(finzone.AccountThrottle.Window).Add(time.Minute)}
}

// twoInstances are two API processes' worth of app, service and store
// connection over one database, on one clock.
func twoInstances(t *testing.T) (*env, *env, *testClock) {
	clock := newClock()
	name := finzonetest.DBName("throttle")
	cfg := usecase.Config{Checks: redisReady(redisClient), Now: clock.Now}
	a := newEnvWith(t, finzonetest.OpenStore(t, finzonetest.MongoURI(), name, true), cfg)
	b := newEnvWith(t, finzonetest.OpenStore(t, finzonetest.MongoURI(), name, false), cfg)
	return a, b, clock
}

func login(e *env, email, password string) resp {
	e.t.Helper()
	return e.do("POST", "/api/v1/auth/login", "", map[string]any{"email": email, "password": password})
}

// wantThrottled checks a 429 too_many_attempts with a Retry-After of at
// most max, and returns it.
func wantThrottled(t *testing.T, r resp, max time.Duration) time.Duration {
	t.Helper()
	e := wantError(t, r, http.StatusTooManyRequests, finzone.ECTooManyAttempts)
	secs, err := strconv.Atoi(r.Header.Get("Retry-After"))
	if err != nil || secs < 1 || time.Duration(secs)*time.Second > max {
		t.Fatalf("Retry-After: got %q, want 1 to %v seconds", r.Header.Get("Retry-After"), max.Seconds())
	}
	if got := e.Params["retry_after"]; got != float64(secs) {
		t.Errorf("params.retry_after: got %v, want %d", got, secs)
	}
	return time.Duration(secs) * time.Second
}

// TestSignInThrottlePerAccount: five wrong passwords for one account in
// fifteen minutes, made through two API instances over one store, lock
// the account's sign-in for both, the right password included, with a
// Retry-After; once that has passed, the right password works.
func TestSignInThrottlePerAccount(t *testing.T) {
	a, b, clock := twoInstances(t)
	acct := a.enterprise("341221")
	for i := range finzone.AccountThrottle.Max {
		e := []*env{a, b}[i%2]
		wantError(t, login(e, acct.Email, fmt.Sprintf("wrong-password-%d", i)), http.StatusUnauthorized, "invalid_credentials")
		clock.Add(10 * time.Second)
	}
	wait := wantThrottled(t, login(b, acct.Email, testPassword), finzone.AccountThrottle.Window)
	r := login(a, strings.ToUpper(acct.Email), testPassword)
	wantThrottled(t, r, wait)
	if r.Header.Get("Set-Cookie") != "" {
		t.Errorf("a throttled sign-in set a cookie: %q", r.Header.Get("Set-Cookie"))
	}
	// Another account from the same address is not locked by this one.
	other := a.enterprise("341221")
	a.ok(http.StatusOK, "POST", "/api/v1/auth/login", "", map[string]any{"email": other.Email, "password": testPassword}, nil)

	clock.Add(wait - time.Second)
	wantThrottled(t, login(a, acct.Email, testPassword), 2*time.Second)
	clock.Add(time.Second)
	b.ok(http.StatusOK, "POST", "/api/v1/auth/login", "", map[string]any{"email": acct.Email, "password": testPassword}, nil)
	// Success forgot the account's failures: five more are allowed.
	for i := range finzone.AccountThrottle.Max {
		wantError(t, login(a, acct.Email, fmt.Sprintf("again-%d", i)), http.StatusUnauthorized, "invalid_credentials")
	}
	wantThrottled(t, login(a, acct.Email, "again-x"), finzone.AccountThrottle.Window)
}

// TestSignInThrottlePerAddress: twenty failures from one address, spread
// over as many accounts (real or not), lock that address's sign-ins; an
// attacker's own successful sign-in in between does not reset its count.
func TestSignInThrottlePerAddress(t *testing.T) {
	a, b, clock := twoInstances(t)
	own := a.enterprise("341221")
	for i := range finzone.SourceThrottle.Max {
		if i == finzone.SourceThrottle.Max/2 {
			b.ok(http.StatusOK, "POST", "/api/v1/auth/login", "", map[string]any{"email": own.Email, "password": testPassword}, nil)
		}
		e := []*env{a, b}[i%2]
		wantError(t, login(e, fmt.Sprintf("guess-%d@example.cn", i), testPassword), http.StatusUnauthorized, "invalid_credentials")
		clock.Add(time.Second)
	}
	wait := wantThrottled(t, login(a, own.Email, testPassword), finzone.SourceThrottle.Window)
	clock.Add(wait)
	a.ok(http.StatusOK, "POST", "/api/v1/auth/login", "", map[string]any{"email": own.Email, "password": testPassword}, nil)
}

type sessionItem struct {
	ID         string    `json:"id"`
	CreatedAt  time.Time `json:"created_at"`
	LastSeenAt time.Time `json:"last_seen_at"`
	ExpiresAt  time.Time `json:"expires_at"`
	Current    bool      `json:"current"`
}

func (e *env) sessions(token string) []sessionItem {
	e.t.Helper()
	var out struct{ Items []sessionItem }
	r := e.ok(http.StatusOK, "GET", "/api/v1/me/sessions", token, nil, &out)
	sum := sha256.Sum256([]byte(token))
	if strings.Contains(string(r.Body), token) || strings.Contains(string(r.Body), hex.EncodeToString(sum[:])[:24]) {
		e.t.Errorf("the session list shows a token or its hash: %s", r.Body)
	}
	return out.Items
}

func (e *env) signIn(email, password string) string {
	e.t.Helper()
	var out sessionOut
	e.ok(http.StatusOK, "POST", "/api/v1/auth/login", "", map[string]any{"email": email, "password": password}, &out)
	return out.Token
}

// TestOwnSessions: a user lists their sessions (the request's own marked
// current) and revokes one, which is signed out at once; another user's
// session ID is not found.
func TestOwnSessions(t *testing.T) {
	e := newEnv(t)
	acct := e.enterprise("341221")
	second, third := e.signIn(acct.Email, testPassword), e.signIn(acct.Email, testPassword)
	list := e.sessions(second)
	if len(list) != 3 {
		t.Fatalf("sessions: got %d, want 3 (registration and two sign-ins)", len(list))
	}
	var current []string
	for _, s := range list {
		if s.ID == "" || s.CreatedAt.IsZero() || s.ExpiresAt.Before(s.CreatedAt) {
			t.Errorf("session %+v: want an id and times", s)
		}
		if s.Current {
			current = append(current, s.ID)
		}
	}
	if len(current) != 1 || current[0] != list[1].ID {
		t.Fatalf("current: got %v, want only the second session (%s)", current, list[1].ID)
	}

	other := e.enterprise("341221")
	otherID := e.sessions(other.Token)[0].ID
	wantError(t, e.do("DELETE", "/api/v1/me/sessions/"+otherID, second, nil), http.StatusNotFound, "not_found")
	wantError(t, e.do("DELETE", "/api/v1/me/sessions/not-an-id", second, nil), http.StatusNotFound, "not_found")
	e.ok(http.StatusOK, "GET", "/api/v1/me", other.Token, nil, nil)

	e.ok(http.StatusNoContent, "DELETE", "/api/v1/me/sessions/"+list[2].ID, second, nil, nil)
	wantError(t, e.do("GET", "/api/v1/me", third, nil), http.StatusUnauthorized, "unauthenticated")
	wantError(t, e.do("DELETE", "/api/v1/me/sessions/"+list[2].ID, second, nil), http.StatusNotFound, "not_found")
	if got := e.sessions(acct.Token); len(got) != 2 || !got[0].Current {
		t.Errorf("after revoking one: got %+v, want two, the first current", got)
	}
	// Revoking one's own session is signing out.
	r := e.ok(http.StatusNoContent, "DELETE", "/api/v1/me/sessions/"+list[1].ID, second, nil, nil)
	if c := findCookie(r, "finzone_session"); c == nil || c.Value != "" {
		t.Errorf("revoking the current session: cookie %+v, want it cleared", c)
	}
	wantError(t, e.do("GET", "/api/v1/me", second, nil), http.StatusUnauthorized, "unauthenticated")
}

// TestChangePassword: the current password is checked (and a wrong one
// counts against the sign-in throttle), the new one follows registration's
// rules, and a change signs out every other session but keeps this one.
func TestChangePassword(t *testing.T) {
	e := newEnvWith(t, finzonetest.NewStore(t), usecase.Config{Checks: redisReady(redisClient), Now: newClock().Now})
	acct := e.enterprise("341221")
	here, elsewhere := e.signIn(acct.Email, testPassword), e.signIn(acct.Email, testPassword)
	const path = "/api/v1/me/password"
	wantError(t, e.do("POST", path, here, map[string]any{"current_password": "not-the-password", "new_password": "a-new-long-passphrase"}),
		http.StatusBadRequest, "validation_failed", fieldCode{"current_password", "incorrect"})
	wantError(t, e.do("POST", path, here, map[string]any{"current_password": testPassword, "new_password": "password123"}),
		http.StatusBadRequest, "validation_failed", fieldCode{"new_password", "common_password"})
	wantError(t, e.do("POST", path, here, map[string]any{"new_password": "short"}),
		http.StatusBadRequest, "validation_failed", fieldCode{"new_password", "too_short"}, fieldCode{"current_password", "required"})
	wantError(t, e.do("POST", path, "", map[string]any{"current_password": testPassword, "new_password": "a-new-long-passphrase"}),
		http.StatusUnauthorized, "unauthenticated")
	e.ok(http.StatusOK, "GET", "/api/v1/me", elsewhere, nil, nil)

	e.ok(http.StatusNoContent, "POST", path, here, map[string]any{"current_password": testPassword, "new_password": "a-new-long-passphrase"}, nil)
	e.ok(http.StatusOK, "GET", "/api/v1/me", here, nil, nil)
	for _, tok := range []string{elsewhere, acct.Token} {
		wantError(t, e.do("GET", "/api/v1/me", tok, nil), http.StatusUnauthorized, "unauthenticated")
	}
	if got := e.sessions(here); len(got) != 1 || !got[0].Current {
		t.Errorf("sessions after the change: got %+v, want only this one", got)
	}
	wantError(t, login(e, acct.Email, testPassword), http.StatusUnauthorized, "invalid_credentials")
	e.signIn(acct.Email, "a-new-long-passphrase")

	// Guessing the current password through a stolen session is throttled
	// like the sign-in form: four wrong sign-ins and a wrong current
	// password make five failures.
	for i := 0; i < 4; i++ {
		wantError(t, login(e, acct.Email, "wrong-password"), http.StatusUnauthorized, "invalid_credentials")
	}
	wantError(t, e.do("POST", path, here, map[string]any{"current_password": "wrong-again", "new_password": "another-long-passphrase"}),
		http.StatusBadRequest, "validation_failed", fieldCode{"current_password", "incorrect"})
	wantThrottled(t, e.do("POST", path, here, map[string]any{"current_password": "a-new-long-passphrase", "new_password": "another-long-passphrase"}),
		finzone.AccountThrottle.Window)
	wantThrottled(t, login(e, acct.Email, "a-new-long-passphrase"), finzone.AccountThrottle.Window)
}

// TestDeleteConfirmationIsThrottled: the password that confirms an
// account's deletion cannot be guessed through a stolen session faster
// than at the sign-in form: wrong ones count, and past the limit even the
// right one is 429 and the account stays.
func TestDeleteConfirmationIsThrottled(t *testing.T) {
	e := newEnvWith(t, finzonetest.NewStore(t), usecase.Config{Checks: redisReady(redisClient), Now: newClock().Now})
	acct := e.enterprise("341221")
	const path = "/api/v1/me/delete"
	for i := 0; i < 5; i++ {
		wantError(t, e.do("POST", path, acct.Token, map[string]any{"password": "wrong-password-guess"}),
			http.StatusBadRequest, "validation_failed", fieldCode{"password", "incorrect"})
	}
	wantThrottled(t, e.do("POST", path, acct.Token, map[string]any{"password": testPassword}), finzone.AccountThrottle.Window)
	wantThrottled(t, login(e, acct.Email, testPassword), finzone.AccountThrottle.Window)
	e.ok(http.StatusOK, "GET", "/api/v1/me", acct.Token, nil, nil) // not deleted
}
