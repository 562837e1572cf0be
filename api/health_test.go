package api_test

import (
	"context"
	"net"
	"net/http"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"finzone/embedded"
	"finzone/finzonetest"
	"finzone/usecase"
)

type readiness struct {
	Status string            `json:"status"`
	Checks map[string]string `json:"checks"`
}

func TestReadyz(t *testing.T) {
	e := newEnv(t)
	var got readiness
	e.ok(http.StatusOK, "GET", "/readyz", "", nil, &got)
	if got.Status != "ok" || got.Checks["mongodb"] != "ok" || got.Checks["redis"] != "ok" {
		t.Errorf("readyz: got %+v, want ok with mongodb and redis ok", got)
	}

	t.Run("redis unreachable", func(t *testing.T) {
		down := redis.NewClient(&redis.Options{Addr: closedPort(t), MaxRetries: -1, DialTimeout: time.Second})
		defer down.Close()
		r := newEnvWith(t, e.db, usecase.Config{Checks: redisReady(down)}).do("GET", "/readyz", "", nil)
		if r.Status != http.StatusServiceUnavailable {
			t.Fatalf("readyz without redis: got %s, want 503", r)
		}
		mustJSON(t, r, &got)
		if got.Status != "unavailable" || got.Checks["redis"] != "down" || got.Checks["mongodb"] != "ok" {
			t.Errorf("readyz without redis: got %+v, want redis down, mongodb ok", got)
		}
	})

	t.Run("mongodb client closed", func(t *testing.T) {
		db := finzonetest.NewStore(t)
		if err := db.Close(context.Background()); err != nil {
			t.Fatalf("close: %v", err)
		}
		ce := newEnvOn(t, db)
		r := ce.do("GET", "/readyz", "", nil)
		if r.Status != http.StatusServiceUnavailable {
			t.Fatalf("readyz with the store closed: got %s, want 503", r)
		}
		mustJSON(t, r, &got)
		if got.Checks["mongodb"] != "down" || got.Checks["redis"] != "ok" {
			t.Errorf("readyz with the store closed: got %+v, want mongodb down, redis ok", got)
		}
		wantError(t, ce.do("POST", "/api/v1/auth/login", "", map[string]any{"email": "a@b.cn", "password": "12345678"}),
			http.StatusServiceUnavailable, "unavailable")
	})
}

// When the MongoDB server stops, the API answers 503 unavailable: no 500, no
// panic, and /readyz says so.
func TestMongoDownIsUnavailable(t *testing.T) {
	t.Parallel() // it mostly waits for timeouts
	dir := t.TempDir()
	srv, err := embedded.StartMongo(dir, "127.0.0.1:0")
	if err != nil {
		t.Fatalf("start embedded mongo: %v", err)
	}
	stopped := false
	t.Cleanup(func() {
		if !stopped {
			srv.Close()
		}
	})
	e := newEnvOn(t, finzonetest.OpenStore(t, srv.URI, "finzone_down", false))
	ent := e.enterprise("341221")
	e.createProject(ent.Token, projectBody("停机前的项目"))
	e.ok(http.StatusOK, "GET", "/api/v1/projects", ent.Token, nil, nil)
	e.ok(http.StatusOK, "GET", "/readyz", "", nil, nil)

	srv.Close()
	stopped = true

	// Each request waits for the store's server-selection timeout, so only two
	// are made: one that fails while authenticating, one after it.
	r := e.send(req{method: "GET", path: "/api/v1/projects", token: ent.Token, lang: "en"})
	if got := wantError(t, r, http.StatusServiceUnavailable, "unavailable"); !isASCII(got.Message) {
		t.Errorf("503 in English: got %q", got.Message)
	}
	r = e.do("POST", "/api/v1/auth/login", "", map[string]any{"email": ent.Email, "password": testPassword})
	wantError(t, r, http.StatusServiceUnavailable, "unavailable")
	r = e.do("GET", "/readyz", "", nil)
	if r.Status != http.StatusServiceUnavailable {
		t.Fatalf("readyz with mongodb stopped: got %s, want 503", r)
	}
	var got readiness
	mustJSON(t, r, &got)
	if got.Checks["mongodb"] != "down" || got.Checks["redis"] != "ok" {
		t.Errorf("readyz with mongodb stopped: got %+v, want mongodb down, redis ok", got)
	}
	// Liveness does not depend on MongoDB.
	e.ok(http.StatusOK, "GET", "/healthz", "", nil, nil)
}

// closedPort returns a loopback address nothing listens on.
func closedPort(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatalf("listen: %v", err)
	}
	addr := ln.Addr().String()
	if err := ln.Close(); err != nil {
		t.Fatalf("close: %v", err)
	}
	return addr
}
