package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"os"
	"testing"
	"time"
)

// freeAddr finds a loopback address nobody listens on.
func freeAddr(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().String()
}

// startAll runs the all-in-one process in this test process, the way
// `go run ./cmd/finzone` does, and waits until it is ready.
func startAll(t *testing.T, dataDir string, extra ...string) (base string, stop func()) {
	t.Helper()
	addr := freeAddr(t)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() {
		done <- serve(ctx, "all", append([]string{"-addr", addr, "-data-dir", dataDir, "-embedded-mongo-addr", "127.0.0.1:0",
			"-mongo-uri", "", "-redis-url", "", "-log-level", "warn"}, extra...))
	}()
	base = "http://" + addr
	deadline := time.Now().Add(60 * time.Second)
	for {
		resp, err := http.Get(base + "/readyz")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				break
			}
		}
		select {
		case err := <-done:
			t.Fatalf("finzone exited before it was ready: %v", err)
		default:
		}
		if time.Now().After(deadline) {
			t.Fatal("finzone not ready within 60 s")
		}
		time.Sleep(100 * time.Millisecond)
	}
	return base, func() {
		cancel()
		select {
		case err := <-done:
			if err != nil {
				t.Errorf("shutdown: %v", err)
			}
		case <-time.After(30 * time.Second):
			t.Error("no graceful shutdown within 30 s")
		}
	}
}

func login(t *testing.T, base, email, password string) string {
	t.Helper()
	body, _ := json.Marshal(map[string]string{"email": email, "password": password})
	resp, err := http.Post(base+"/api/v1/auth/login", "application/json", bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var out struct{ Token string }
	if err := json.NewDecoder(resp.Body).Decode(&out); err != nil || resp.StatusCode != http.StatusOK || out.Token == "" {
		t.Fatalf("login %s: status %d, err %v", email, resp.StatusCode, err)
	}
	return out.Token
}

func getJSON(t *testing.T, url, token string, v any) int {
	t.Helper()
	req, _ := http.NewRequest(http.MethodGet, url, nil)
	req.Header.Set("Authorization", "Bearer "+token)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if v != nil {
		if err := json.NewDecoder(resp.Body).Decode(v); err != nil {
			t.Fatalf("decode %s: %v", url, err)
		}
	}
	return resp.StatusCode
}

// TestAllInOneStartsWithDemoDataAndPersists is the README's first command:
// an empty data directory gets demo data and working demo accounts; a
// restart on the same directory keeps everything and seeds nothing twice.
func TestAllInOneStartsWithDemoDataAndPersists(t *testing.T) {
	dir := t.TempDir()
	base, stop := startAll(t, dir)

	token := login(t, base, "enterprise@demo.finzone.cn", DemoPassword)
	var projects struct {
		Items []struct{ ID string }
		Next  string
	}
	if code := getJSON(t, base+"/api/v1/projects?limit=100", token, &projects); code != http.StatusOK {
		t.Fatalf("list projects: status %d", code)
	}
	if len(projects.Items) == 0 {
		t.Fatal("the demo enterprise has no projects")
	}
	coord := login(t, base, "coordinator@demo.finzone.cn", DemoPassword)
	var products struct{ Items []struct{ ID string } }
	if code := getJSON(t, base+"/api/v1/products?limit=100", coord, &products); code != http.StatusOK || len(products.Items) == 0 {
		t.Fatalf("published products: status %d, %d items", code, len(products.Items))
	}
	var clusters struct{ Items []struct{ Name string } }
	if code := getJSON(t, base+"/api/v1/clusters", "", &clusters); code != http.StatusOK || len(clusters.Items) < 10 {
		t.Fatalf("clusters: status %d, %d items, want about a dozen", code, len(clusters.Items))
	}
	firstProjects := len(projects.Items)
	stop()

	base, stop = startAll(t, dir)
	defer stop()
	// The old session survives the restart: sessions live in MongoDB.
	var again struct{ Items []struct{ ID string } }
	if code := getJSON(t, base+"/api/v1/projects?limit=100", token, &again); code != http.StatusOK {
		t.Fatalf("after restart: status %d", code)
	}
	if len(again.Items) != firstProjects {
		t.Errorf("after restart: %d projects, want %d (no loss, no second seed)", len(again.Items), firstProjects)
	}
	if _, err := os.Stat(fmt.Sprintf("%s/db", dir)); err != nil {
		t.Errorf("data directory: %v", err)
	}
}
