package api_test

import (
	"context"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"go.mongodb.org/mongo-driver/v2/event"

	"finzone"
	"finzone/finzonetest"
	"finzone/mongodb"
)

// commandLog records the MongoDB commands a store sends, through the
// driver's command monitor.
type commandLog struct {
	mu   sync.Mutex
	cmds []string
}

func (l *commandLog) monitor() *event.CommandMonitor {
	return &event.CommandMonitor{Started: func(_ context.Context, e *event.CommandStartedEvent) {
		coll, _ := e.Command.Lookup(e.CommandName).StringValueOK()
		if coll == "meta" {
			// The process's own reads of the auth generation, at most
			// one each authRefresh whatever the traffic: not a request's.
			return
		}
		l.mu.Lock()
		l.cmds = append(l.cmds, e.CommandName+" "+coll)
		l.mu.Unlock()
	}}
}

// during runs fn and returns the commands sent while it ran.
func (l *commandLog) during(fn func()) []string {
	l.mu.Lock()
	start := len(l.cmds)
	l.mu.Unlock()
	fn()
	l.mu.Lock()
	defer l.mu.Unlock()
	return slices.Clone(l.cmds[start:])
}

// TestRoundTripsPerRequest counts the MongoDB commands each kind of
// request sends, the session check included: a read at most 2, a list at
// most 3, a match action at most 4. Every round trip to the embedded store
// costs 1–4 ms, so these bounds are what keeps a request near 10 ms. The
// session check costs nothing while the process's auth cache is fresh
// (usecase/authcache.go); a process idle for over 750 ms reads the auth
// generation once, in the first request's path.
func TestRoundTripsPerRequest(t *testing.T) {
	var log commandLog
	e := newEnvOn(t, finzonetest.NewStore(t, mongodb.WithCommandMonitor(log.monitor())))
	ent := e.enterprise("341221")
	bank := e.institution("341221")
	p := e.createProject(ent.Token, projectBody("年产5万吨粮油加工项目"))
	e.ok(http.StatusOK, "POST", "/api/v1/projects/"+p.ID+"/submit", ent.Token, nil, nil)
	e.pushTo(p, bank)
	matchID := fmt.Sprintf("/api/v1/matches/%s", finzone.MatchID(p.ID, bank.OrgID))
	// Warm what may be cached (sessions, reference data), as a running
	// platform has.
	for _, tok := range []string{ent.Token, bank.Token} {
		e.ok(http.StatusOK, "GET", "/api/v1/me", tok, nil, nil)
	}
	for _, tt := range []struct {
		kind, method, path, token string
		body                      any
		max                       int
	}{
		{"read", "GET", "/api/v1/me", ent.Token, nil, 2},
		{"read", "GET", "/api/v1/projects/" + p.ID, ent.Token, nil, 2},
		// The first time its institution opens a match, the read also
		// marks it read: a write, one more round trip, once.
		{"first open", "GET", matchID, bank.Token, nil, 3},
		{"read", "GET", matchID, bank.Token, nil, 2},
		{"read", "GET", matchID, ent.Token, nil, 2},
		{"list", "GET", "/api/v1/projects", ent.Token, nil, 3},
		{"list", "GET", "/api/v1/matches", bank.Token, nil, 3},
		{"list", "GET", "/api/v1/notifications", bank.Token, nil, 3},
		{"list", "GET", "/api/v1/products", bank.Token, nil, 3},
		{"list", "GET", "/api/v1/projects/" + p.ID + "/matches", ent.Token, nil, 3},
		{"action", "POST", matchID + "/actions", bank.Token, map[string]any{"action": "accept"}, 4},
	} {
		var r resp
		cmds := log.during(func() { r = e.do(tt.method, tt.path, tt.token, tt.body) })
		if r.Status >= 300 {
			t.Fatalf("%s %s: %s", tt.method, tt.path, r)
		}
		t.Logf("%-6s %s %s: %d commands %v", tt.kind, tt.method, tt.path, len(cmds), cmds)
		if len(cmds) > tt.max {
			t.Errorf("%s %s %s sent %d MongoDB commands (%s), want at most %d",
				tt.kind, tt.method, tt.path, len(cmds), strings.Join(cmds, ", "), tt.max)
		}
	}
}

// TestRevokedTokenStopsWorkingInEveryProcessWithinASecond: two API
// processes on one store, each remembering sessions. A sign-out and a
// password change made through one are refused by the other within 1 s.
func TestRevokedTokenStopsWorkingInEveryProcessWithinASecond(t *testing.T) {
	name := finzonetest.DBName("revoke")
	one := newEnvOn(t, finzonetest.OpenStore(t, finzonetest.MongoURI(), name, true))
	other := newEnvOn(t, finzonetest.OpenStore(t, finzonetest.MongoURI(), name, false))
	acct := one.enterprise("341221")
	second := one.signIn(acct.Email, testPassword)
	for _, tok := range []string{acct.Token, second} {
		other.ok(http.StatusOK, "GET", "/api/v1/me", tok, nil, nil) // remembered there now
	}
	for _, tt := range []struct {
		name   string
		revoke func()
		token  string
	}{
		{"sign-out", func() { one.ok(http.StatusNoContent, "POST", "/api/v1/auth/logout", second, nil, nil) }, second},
		{"password change", func() {
			one.ok(http.StatusNoContent, "POST", "/api/v1/me/password", acct.Token,
				map[string]any{"current_password": testPassword, "new_password": "another-long-passphrase-7"}, nil)
		}, ""},
	} {
		token := tt.token
		if token == "" { // the password change keeps the session that made it: sign in again for one it ends
			token = one.signIn(acct.Email, testPassword)
			other.ok(http.StatusOK, "GET", "/api/v1/me", token, nil, nil)
			one.ok(http.StatusNoContent, "POST", "/api/v1/auth/logout", acct.Token, nil, nil)
			acct.Token = one.signIn(acct.Email, testPassword)
			other.ok(http.StatusOK, "GET", "/api/v1/me", token, nil, nil)
		}
		start := time.Now()
		tt.revoke()
		for {
			r := other.do("GET", "/api/v1/me", token, nil)
			if r.Status == http.StatusUnauthorized {
				t.Logf("%s: refused by the other process %v after the revocation", tt.name, time.Since(start).Round(time.Millisecond))
				break
			}
			if r.Status != http.StatusOK {
				t.Fatalf("%s: %s", tt.name, r)
			}
			if time.Since(start) > time.Second {
				t.Fatalf("%s: the other process still accepts the token %v after it was revoked", tt.name, time.Since(start))
			}
			time.Sleep(10 * time.Millisecond)
		}
		// The process that revoked it refuses it at once.
		if r := one.do("GET", "/api/v1/me", token, nil); r.Status != http.StatusUnauthorized {
			t.Errorf("%s: the revoking process answers %s", tt.name, r)
		}
	}
}
