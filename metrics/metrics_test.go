package metrics_test

import (
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/gofiber/fiber/v2"
	dto "github.com/prometheus/client_model/go"
	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"

	"finzone"
	"finzone/metrics"
)

// scrape serves m's handler over real HTTP, GETs it and parses the answer
// in the Prometheus text format.
func scrape(t *testing.T, m *metrics.Metrics) map[string]*dto.MetricFamily {
	t.Helper()
	srv := httptest.NewServer(m.Handler())
	defer srv.Close()
	resp, err := http.Get(srv.URL)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		b, _ := io.ReadAll(resp.Body)
		t.Fatalf("scrape: status %d: %s", resp.StatusCode, b)
	}
	p := expfmt.NewTextParser(model.UTF8Validation)
	fams, err := p.TextToMetricFamilies(resp.Body)
	if err != nil {
		t.Fatalf("scrape: not the text format: %v", err)
	}
	return fams
}

// series finds the sample of family name whose labels include want.
func series(fams map[string]*dto.MetricFamily, name string, want map[string]string) *dto.Metric {
	f := fams[name]
	if f == nil {
		return nil
	}
next:
	for _, m := range f.GetMetric() {
		have := map[string]string{}
		for _, l := range m.GetLabel() {
			have[l.GetName()] = l.GetValue()
		}
		for k, v := range want {
			if have[k] != v {
				continue next
			}
		}
		return m
	}
	return nil
}

// TestMiddlewareLabelsByRouteTemplate: requests are counted under the
// route's template, never their URL, with the status the error handler
// gives a returned error; paths no route knows share one label.
func TestMiddlewareLabelsByRouteTemplate(t *testing.T) {
	m := metrics.New(metrics.Config{})
	// Like the platform's: Fiber's own errors keep their status, the
	// domain's get theirs (here every one is a conflict).
	statusOf := func(err error) int {
		var fe *fiber.Error
		if errors.As(err, &fe) {
			return fe.Code
		}
		return http.StatusConflict
	}
	app := fiber.New(fiber.Config{ErrorHandler: func(c *fiber.Ctx, err error) error {
		return c.Status(statusOf(err)).SendString(err.Error())
	}})
	app.Use(m.Middleware(statusOf))
	app.Get("/items/:id", func(c *fiber.Ctx) error { return c.SendString("ok") })
	app.Post("/items/:id/move", func(c *fiber.Ctx) error { return errors.New("moved already") })
	for _, r := range []struct {
		method, path string
		status       int
	}{
		{"GET", "/items/1", 200}, {"GET", "/items/2", 200}, {"GET", "/items/3", 200},
		{"POST", "/items/1/move", 409}, {"GET", "/nowhere/123", 404}, {"GET", "/nowhere/456", 404},
	} {
		resp, err := app.Test(httptest.NewRequest(r.method, r.path, nil))
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != r.status {
			t.Fatalf("%s %s: status %d, want %d", r.method, r.path, resp.StatusCode, r.status)
		}
	}
	fams := scrape(t, m)
	for _, c := range []struct {
		method, route, status string
		want                  float64
	}{
		{"GET", "/items/:id", "200", 3}, {"POST", "/items/:id/move", "409", 1}, {"GET", metrics.Unmatched, "404", 2},
	} {
		labels := map[string]string{"method": c.method, "route": c.route, "status": c.status}
		got := series(fams, "finzone_http_requests_total", labels)
		if got == nil || got.GetCounter().GetValue() != c.want {
			t.Errorf("requests %v: got %v, want %v", labels, got, c.want)
		}
		h := series(fams, "finzone_http_request_duration_seconds", labels)
		if h == nil || h.GetHistogram().GetSampleCount() != uint64(c.want) {
			t.Errorf("latency %v: got %v, want %v samples", labels, h, c.want)
		}
	}
	for _, s := range fams["finzone_http_requests_total"].GetMetric() {
		for _, l := range s.GetLabel() {
			if l.GetName() == "route" && strings.ContainsAny(l.GetValue(), "0123456789") {
				t.Errorf("route label %q holds a URL's parts", l.GetValue())
			}
		}
	}
}

// TestQueueSizesAskedAtScrape: the queue gauges are what the reader says
// at scrape time; a reader that does not answer in time costs the scrape
// its timeout and those gauges, not the other metrics.
func TestQueueSizesAskedAtScrape(t *testing.T) {
	m := metrics.New(metrics.Config{})
	pending := 3
	m.WatchQueues(func(ctx context.Context) ([]finzone.QueueStat, error) {
		return []finzone.QueueStat{{Queue: "q", Pending: pending, Retry: 1}}, nil
	}, time.Second)
	for _, want := range []int{3, 7} {
		pending = want
		got := series(scrape(t, m), "finzone_queue_tasks", map[string]string{"queue": "q", "state": "pending"})
		if got.GetGauge().GetValue() != float64(want) {
			t.Errorf("pending: got %v, want %d", got, want)
		}
	}

	slow := metrics.New(metrics.Config{})
	slow.Pushed(2)
	slow.WatchQueues(func(ctx context.Context) ([]finzone.QueueStat, error) {
		<-ctx.Done()
		return nil, ctx.Err()
	}, 200*time.Millisecond)
	start := time.Now()
	fams := scrape(t, slow)
	if d := time.Since(start); d > 5*time.Second {
		t.Errorf("scrape with a stuck queue reader took %s", d)
	}
	if fams["finzone_queue_tasks"] != nil {
		t.Errorf("queue gauges exported without an answer: %v", fams["finzone_queue_tasks"])
	}
	if got := fams["finzone_pushes_total"].GetMetric(); len(got) != 1 || got[0].GetCounter().GetValue() != 2 {
		t.Errorf("pushes beside a failed queue read: %v, want 2", got)
	}
}

// TestOverdueExportedWhileFresh: the overdue gauge holds the last count
// and disappears once older than its max age, so a process that no longer
// runs the reconciler exports no stale figure.
func TestOverdueExportedWhileFresh(t *testing.T) {
	m := metrics.New(metrics.Config{OverdueMaxAge: 300 * time.Millisecond})
	if fams := scrape(t, m); fams["finzone_overdue_matches"] != nil {
		t.Fatalf("overdue exported before anything counted it")
	}
	m.Overdue(4)
	got := scrape(t, m)["finzone_overdue_matches"].GetMetric()
	if len(got) != 1 || got[0].GetGauge().GetValue() != 4 {
		t.Fatalf("overdue: got %v, want 4", got)
	}
	time.Sleep(400 * time.Millisecond)
	if fams := scrape(t, m); fams["finzone_overdue_matches"] != nil {
		t.Errorf("overdue still exported past its max age")
	}
}

// TestCountersByLabel: the pipeline's counters add up per label.
func TestCountersByLabel(t *testing.T) {
	m := metrics.New(metrics.Config{})
	m.MatchEntered(finzone.StagePushed, 11)
	m.MatchEntered(finzone.StageAccepted, 1)
	m.MatchEntered(finzone.StagePushed, 1)
	m.Relayed("pushed", 2)
	m.Relayed("promoted", 1)
	m.Expired(3)
	m.Delivered("delivered")
	m.Delivered("retry")
	m.Delivered("retry")
	m.PeriodicRun("reconcile")
	m.PeriodicSkipped("reconcile")
	fams := scrape(t, m)
	for _, c := range []struct {
		name   string
		labels map[string]string
		want   float64
	}{
		{"finzone_match_stage_entered_total", map[string]string{"stage": "pushed"}, 12},
		{"finzone_match_stage_entered_total", map[string]string{"stage": "accepted"}, 1},
		{"finzone_relays_total", map[string]string{"kind": "pushed"}, 2},
		{"finzone_relays_total", map[string]string{"kind": "promoted"}, 1},
		{"finzone_expiries_total", nil, 3},
		{"finzone_webhook_deliveries_total", map[string]string{"outcome": "retry"}, 2},
		{"finzone_webhook_deliveries_total", map[string]string{"outcome": "delivered"}, 1},
		{"finzone_periodic_runs_total", map[string]string{"task": "reconcile"}, 1},
		{"finzone_periodic_skipped_total", map[string]string{"task": "reconcile"}, 1},
	} {
		if got := series(fams, c.name, c.labels); got.GetCounter().GetValue() != c.want {
			t.Errorf("%s%v: got %v, want %v", c.name, c.labels, got, c.want)
		}
	}
}

// TestNilMetricsServeNothing: with metrics off the process wires a nil
// *Metrics; its middleware passes requests through and its handler has
// nothing to serve.
func TestNilMetricsServeNothing(t *testing.T) {
	var m *metrics.Metrics
	m.Pushed(1)
	m.MatchEntered(finzone.StagePushed, 1)
	if m.CommandMonitor() != nil {
		t.Error("a nil Metrics gave a command monitor")
	}
	app := fiber.New()
	app.Use(m.Middleware(nil))
	app.Get("/", func(c *fiber.Ctx) error { return c.SendString("ok") })
	resp, err := app.Test(httptest.NewRequest("GET", "/", nil))
	if err != nil || resp.StatusCode != http.StatusOK {
		t.Fatalf("request through a nil Metrics' middleware: %v, %v", resp, err)
	}
	rec := httptest.NewRecorder()
	m.Handler().ServeHTTP(rec, httptest.NewRequest("GET", "/metrics", nil))
	if rec.Code != http.StatusNotFound {
		t.Errorf("nil Metrics' handler: status %d, want 404", rec.Code)
	}
}
