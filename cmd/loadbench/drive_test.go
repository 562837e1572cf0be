package main

import (
	"bytes"
	"context"
	"net/http"
	"strings"
	"testing"
	"time"
)

// The whole command (seed, start, settle, every case) takes minutes even
// at -scale 1, so the suite tests its driver and table against bare Fiber
// over real HTTP; docs/benchmarks.md shows how to run the command.

func TestDriveCountsAnswersAndErrors(t *testing.T) {
	bare, err := startBare([]byte(`{"items":[],"next":""}`))
	if err != nil {
		t.Fatal(err)
	}
	defer bare.stop()
	client := newClient(5 * time.Second)
	ctx := context.Background()

	ok := drive(ctx, client, bare.base, benchCase{name: "list", path: "/list"}, 4, 200*time.Millisecond)
	if ok.requests < 4 || ok.errs != 0 {
		t.Fatalf("bare list, 4 clients: %d requests, %d errors; want at least 4, no error (%s)", ok.requests, ok.errs, ok.firstErr)
	}
	if ok.p50 <= 0 || ok.p50 > ok.p99 {
		t.Errorf("p50 %s, p99 %s: want 0 < p50 <= p99", ok.p50, ok.p99)
	}
	if ok.first != 0 {
		t.Errorf("first = %s with 4 clients; want it recorded only for one client", ok.first)
	}

	missing := drive(ctx, client, bare.base, benchCase{name: "missing", path: "/missing"}, 1, 100*time.Millisecond)
	if missing.requests == 0 || missing.errs != missing.requests || !strings.Contains(missing.firstErr, "404") {
		t.Errorf("a 404 path: %d requests, %d errors, first %q; want every request an error naming 404",
			missing.requests, missing.errs, missing.firstErr)
	}
	if missing.first <= 0 {
		t.Errorf("first = %s with one client; want the first request's latency", missing.first)
	}
}

func TestDriveStopsWhenThePoolRunsDry(t *testing.T) {
	bare, err := startBare([]byte(`[]`))
	if err != nil {
		t.Fatal(err)
	}
	defer bare.stop()
	pool := make(chan string, 5)
	for _, id := range []string{"a", "b", "c", "d", "e"} {
		pool <- id
	}
	c := benchCase{name: "action", pool: pool, request: func(ctx context.Context, base, id string) (*http.Request, error) {
		return http.NewRequestWithContext(ctx, http.MethodGet, base+"/list?id="+id, nil)
	}}
	start := time.Now()
	r := drive(context.Background(), newClient(5*time.Second), bare.base, c, 3, 10*time.Second)
	if r.requests != 5 || r.errs != 0 {
		t.Errorf("%d requests, %d errors; want the pool's 5, no error (%s)", r.requests, r.errs, r.firstErr)
	}
	if took := time.Since(start); took > 5*time.Second {
		t.Errorf("took %s; want the run to end when the pool is empty, not at its 10 s", took)
	}
}

func TestPercentile(t *testing.T) {
	ms := func(ns ...int) []time.Duration {
		var out []time.Duration
		for _, n := range ns {
			out = append(out, time.Duration(n)*time.Millisecond)
		}
		return out
	}
	hundred := make([]int, 100)
	for i := range hundred {
		hundred[i] = i + 1
	}
	tests := []struct {
		name   string
		sorted []time.Duration
		p      float64
		want   time.Duration
	}{
		{"none", nil, 0.5, 0},
		{"one", ms(7), 0.99, 7 * time.Millisecond},
		{"median of four is the second", ms(1, 2, 3, 4), 0.5, 2 * time.Millisecond},
		{"p99 of 100 is the 99th", ms(hundred...), 0.99, 99 * time.Millisecond},
		{"p50 of 100 is the 50th", ms(hundred...), 0.50, 50 * time.Millisecond},
		{"p99 of 10 is the largest", ms(1, 2, 3, 4, 5, 6, 7, 8, 9, 10), 0.99, 10 * time.Millisecond},
	}
	for _, tt := range tests {
		if got := percentile(tt.sorted, tt.p); got != tt.want {
			t.Errorf("%s: percentile(p=%.2f) = %s; want %s", tt.name, tt.p, got, tt.want)
		}
	}
}

func TestReportTable(t *testing.T) {
	results := []result{
		{name: "bare Fiber, the same JSON", path: "/list", as: "-", clients: 1, requests: 1000, elapsed: time.Second,
			p50: 40 * time.Microsecond, p99: 300 * time.Microsecond, first: time.Millisecond},
		{name: "dashboard", path: "/dashboard", as: "coordinator@demo.finzone.cn", clients: 1, requests: 2, errs: 1,
			elapsed: 2 * time.Second, p50: 900 * time.Millisecond, p99: 1500 * time.Millisecond, first: 1500 * time.Millisecond,
			ratio: 0.001, firstErr: "GET /dashboard: 503 Service Unavailable"},
		{name: "dashboard", path: "/dashboard", as: "coordinator@demo.finzone.cn", clients: 32, skipped: "not run: slow"},
	}
	var b bytes.Buffer
	report(&b, runInfo{scale: 20, seeded: true, seed: 9 * time.Second, ready: 1200 * time.Millisecond, bareBytes: 3465}, results)
	out := b.String()
	for _, want := range []string{
		"finzone seed -scale 20: 9s",
		"start to ready (GET /readyz 200): 1.2s",
		"| bare Fiber, the same JSON | `/list` | - | 1 | 1000 | 0 | 1000 | 40 µs | 300 µs | 1.0 ms |  |",
		"| dashboard | `/dashboard` | coordinator | 1 | 2 | 1 | 1 | 900.0 ms | 1.50 s | 1.50 s | 0.100 % |",
		"| dashboard | `/dashboard` | coordinator | 32 | not run: slow |",
		"dashboard, 1 clients, first error: GET /dashboard: 503",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("the report lacks %q:\n%s", want, out)
		}
	}
}
