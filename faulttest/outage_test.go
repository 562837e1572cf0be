package faulttest_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"syscall"
	"testing"
	"time"

	"finzone"
	"finzone/api"
	"finzone/server"
	"finzone/usecase"
)

// TestStoreOutageMidRun stops the MongoDB-wire server (`finzone db`, a
// process of its own) for 20 s while two workers push projects and an API
// serves. During the outage the API answers a store-backed route with 503
// and the code "unavailable" (never a 500, never a hang past the store's
// timeouts) and the workers' tasks fail and retry. After the server comes
// back on the same data directory and port, everything completes and nothing
// is lost.
func TestStoreOutageMidRun(t *testing.T) {
	const projects = 200
	uri, db := startDB(t)
	redisURL, _ := startRedis(t)
	queue := fmt.Sprintf("outage-%d", time.Now().UnixNano())
	r := newRun(t, uri, redisURL, queue)
	r.expect(data.Projects[:projects])

	// The API on its own store client, as `finzone api` runs it.
	app := server.New(quietLog())
	api.Mount(app, usecase.New(openStore(t, uri), usecase.Config{Pipeline: r.client, Log: quietLog()}))
	token := registerEnterprise(t, app)
	list := func() (int, string) {
		req := httptest.NewRequest("GET", "/api/v1/projects", nil)
		req.Header.Set("Authorization", "Bearer "+token)
		resp, err := app.Test(req, 30_000)
		if err != nil {
			return 0, err.Error()
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		var body struct {
			Error struct {
				Code string `json:"code"`
			} `json:"error"`
		}
		_ = json.Unmarshal(b, &body)
		return resp.StatusCode, body.Error.Code
	}
	if st, code := list(); st != http.StatusOK {
		t.Fatalf("GET /api/v1/projects before the outage: %d %s", st, code)
	}

	ctx := context.Background()
	for i, p := range r.projects {
		if err := r.submit(ctx, p); err != nil {
			t.Fatalf("submit %d: %v", i, err)
		}
	}
	env := workerEnv(uri, redisURL, queue, 5*time.Second)
	newProc(t, "worker-a", env, bin, "worker")
	newProc(t, "worker-b", env, bin, "worker")
	// Stop the store once the workers are well into the run.
	var left int
	for deadline := time.Now().Add(2 * time.Minute); ; {
		n, err := r.submitted(ctx)
		must(t, err)
		if left = n; n <= projects*3/4 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("%d of %d projects still submitted after 2 minutes, before any fault", n, projects)
		}
		time.Sleep(200 * time.Millisecond)
	}
	if left == 0 {
		t.Fatal("every project was pushed before the outage: it proves nothing")
	}
	db.kill(syscall.SIGKILL)
	down := time.Now()
	t.Logf("store stopped (SIGKILL) with %d of %d projects not yet pushed", left, projects)
	answers := map[string]int{}
	for time.Since(down) < 20*time.Second {
		began := time.Now()
		st, code := list()
		answers[fmt.Sprintf("%d %s", st, code)]++
		if st != http.StatusServiceUnavailable || code != finzone.ECUnavailable {
			t.Errorf("GET /api/v1/projects with the store down: %d %q, want 503 %q", st, code, finzone.ECUnavailable)
		}
		if d := time.Since(began); d > 12*time.Second {
			t.Errorf("GET /api/v1/projects took %s with the store down", d)
		}
		time.Sleep(500 * time.Millisecond)
	}
	db.start()
	t.Logf("store restarted after %.1fs; the API answered %v meanwhile", time.Since(down).Seconds(), answers)
	back := time.Now()
	waitTCP(t, hostOf(t, uri), 20*time.Second)
	for {
		if st, _ := list(); st == http.StatusOK {
			break
		}
		if time.Since(back) > 30*time.Second {
			t.Fatal("the API still fails 30 s after the store came back")
		}
		time.Sleep(200 * time.Millisecond)
	}
	took := r.awaitOutcome(3*time.Minute, "completion after the store outage")
	t.Logf("everything complete %.1fs after the store came back: %d projects, %d live matches with their deadlines",
		took.Seconds(), projects, r.wantLive)
}

// registerEnterprise signs an enterprise up through the API and returns its
// session token.
func registerEnterprise(t *testing.T, app interface {
	Test(*http.Request, ...int) (*http.Response, error)
}) string {
	t.Helper()
	first := fmt.Sprintf("91340000%09d", time.Now().UnixNano()%1_000_000_000)
	c, ok := finzone.USCCCheck(first)
	if !ok {
		t.Fatalf("no check character for %s", first)
	}
	body, _ := json.Marshal(map[string]any{
		"org": map[string]any{"kind": "enterprise", "name": "故障测试企业", "uscc": first + string(c), "region_code": "341221",
			"industry_code": "C13", "size": "small"},
		"user":            map[string]any{"email": fmt.Sprintf("fault-%d@example.cn", time.Now().UnixNano()), "password": "fault-test-password-1", "name": "张三"},
		"privacy_consent": finzone.PrivacyVersion,
	})
	req := httptest.NewRequest("POST", "/api/v1/auth/register", bytes.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	resp, err := app.Test(req, 30_000)
	must(t, err)
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	var out struct {
		Token string `json:"token"`
	}
	if err := json.Unmarshal(b, &out); err != nil || resp.StatusCode != http.StatusCreated || out.Token == "" {
		t.Fatalf("register: %d %s", resp.StatusCode, b)
	}
	return out.Token
}
