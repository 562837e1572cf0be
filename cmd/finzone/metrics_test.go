package main

import (
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	dto "github.com/prometheus/client_model/go"
	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"
)

// scrapeMetrics GETs url and parses it in the Prometheus text format.
func scrapeMetrics(t *testing.T, url string) map[string]*dto.MetricFamily {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatalf("scrape: %v", err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("scrape %s: status %d", url, resp.StatusCode)
	}
	p := expfmt.NewTextParser(model.UTF8Validation)
	fams, err := p.TextToMetricFamilies(resp.Body)
	if err != nil {
		t.Fatalf("scrape %s: not the Prometheus text format: %v", url, err)
	}
	return fams
}

// sample is the sample of family name whose labels are exactly labels.
func sample(fams map[string]*dto.MetricFamily, name string, labels map[string]string) *dto.Metric {
	for _, m := range fams[name].GetMetric() {
		have := map[string]string{}
		for _, l := range m.GetLabel() {
			have[l.GetName()] = l.GetValue()
		}
		if fmt.Sprint(have) == fmt.Sprint(labels) {
			return m
		}
	}
	return nil
}

// TestMetricsAfterAProjectIsPushed runs the all-in-one platform with a
// metrics address, has the demo enterprise create and submit a project
// through the API, waits until the workers pushed it, then scrapes
// /metrics over HTTP.
func TestMetricsAfterAProjectIsPushed(t *testing.T) {
	maddr := freeAddr(t)
	base, stop := startAll(t, t.TempDir(), "-metrics-addr", maddr, "-live-demo=false")
	defer stop()
	ent := matrixActor{token: login(t, base, "enterprise@demo.finzone.cn", DemoPassword)}
	code, body := send(t, base, "POST", "/api/v1/projects", ent, map[string]any{"title": "指标测试项目",
		"project_type": "manufacturing_medium_long", "amount_yuan": 5_000_000, "term_months": 36,
		"purpose": "购置自动化生产线", "collateral": []string{"mortgage"}, "rate_ceiling_bps": 450}, false)
	var p struct{ ID string }
	if err := json.Unmarshal(body, &p); code != http.StatusCreated || err != nil || p.ID == "" {
		t.Fatalf("create project: status %d, %s", code, body)
	}
	submit, body := send(t, base, "POST", "/api/v1/projects/"+p.ID+"/submit", ent, nil, false)
	if submit != http.StatusOK {
		t.Fatalf("submit: status %d, %s", submit, body)
	}
	pushed, polls := 0, 0
	for deadline := time.Now().Add(60 * time.Second); pushed == 0; polls++ {
		if time.Now().After(deadline) {
			t.Fatal("the project was not pushed within 60 s")
		}
		time.Sleep(200 * time.Millisecond)
		var ms struct{ Items []struct{ Stage string } }
		if code := getJSON(t, base+"/api/v1/projects/"+p.ID+"/matches", ent.token, &ms); code != http.StatusOK {
			t.Fatalf("project matches: status %d", code)
		}
		for _, m := range ms.Items {
			if m.Stage == "pushed" {
				pushed++
			}
		}
	}

	// The overdue gauge comes once the reconciler queued at start-up has
	// counted; it waits behind the demo's own fills.
	var fams map[string]*dto.MetricFamily
	for deadline := time.Now().Add(60 * time.Second); fams["finzone_overdue_matches"] == nil; {
		if time.Now().After(deadline) {
			t.Fatal("no finzone_overdue_matches within 60 s: the start-up reconcile did not count them")
		}
		fams = scrapeMetrics(t, "http://"+maddr+"/metrics")
		time.Sleep(200 * time.Millisecond)
	}
	if got := sample(fams, "finzone_pushes_total", nil).GetCounter().GetValue(); got < float64(pushed) {
		t.Errorf("finzone_pushes_total %v, want at least the %d pushes of the project", got, pushed)
	}
	stage := sample(fams, "finzone_match_stage_entered_total", map[string]string{"stage": "pushed"})
	if got := stage.GetCounter().GetValue(); got < float64(pushed) {
		t.Errorf("finzone_match_stage_entered_total{stage=pushed} %v, want at least %d", got, pushed)
	}
	checkRequestMetrics(t, fams, p.ID, []requestCount{
		{"POST", "/api/v1/projects", "201", 1, 1},
		{"POST", "/api/v1/projects/:id/submit", strconv.Itoa(submit), 1, 1},
		{"GET", "/api/v1/projects/:id/matches", "200", polls, polls},
		{"POST", "/api/v1/auth/login", "200", 1, 1},
	})
	for _, cmd := range []string{"find", "insert", "update"} {
		h := sample(fams, "finzone_mongodb_command_duration_seconds", map[string]string{"command": cmd}).GetHistogram()
		if h.GetSampleCount() == 0 || h.GetSampleSum() <= 0 || h.GetSampleSum() > float64(h.GetSampleCount())*5 {
			t.Errorf("finzone_mongodb_command_duration_seconds{command=%s}: %d commands taking %v s in all", cmd, h.GetSampleCount(), h.GetSampleSum())
		}
	}
	for _, state := range []string{"pending", "active", "scheduled", "retry", "archived"} {
		g := sample(fams, "finzone_queue_tasks", map[string]string{"queue": "finzone", "state": state})
		if g == nil || g.GetGauge().GetValue() < 0 {
			t.Errorf("finzone_queue_tasks{queue=finzone,state=%s}: %v", state, g)
		}
	}
	// The deadlines the project's pushes started wait in the queue.
	if g := sample(fams, "finzone_queue_tasks", map[string]string{"queue": "finzone", "state": "scheduled"}); g.GetGauge().GetValue() < 1 {
		t.Errorf("finzone_queue_tasks{state=scheduled} %v, want the push's deadline tasks", g.GetGauge().GetValue())
	}
	if g := sample(fams, "finzone_overdue_matches", nil); g.GetGauge().GetValue() < 0 {
		t.Errorf("finzone_overdue_matches: %v", g)
	}
	for _, path := range []string{"http://" + maddr + "/", "http://" + maddr + "/debug/pprof/", base + "/metrics"} {
		resp, err := http.Get(path)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusNotFound {
			t.Errorf("GET %s: status %d, want 404: the metrics listener serves /metrics only, and the app none", path, resp.StatusCode)
		}
	}
}

type requestCount struct {
	method, route, status string
	min, max              int
}

// checkRequestMetrics: each route called was counted and timed under its
// template, and no route label holds a project's ID.
func checkRequestMetrics(t *testing.T, fams map[string]*dto.MetricFamily, projectID string, want []requestCount) {
	t.Helper()
	for _, w := range want {
		labels := map[string]string{"method": w.method, "route": w.route, "status": w.status}
		n := int(sample(fams, "finzone_http_requests_total", labels).GetCounter().GetValue())
		if n < w.min || n > w.max {
			t.Errorf("finzone_http_requests_total%v = %d, want %d–%d", labels, n, w.min, w.max)
		}
		h := sample(fams, "finzone_http_request_duration_seconds", labels).GetHistogram()
		if int(h.GetSampleCount()) != n || h.GetSampleSum() <= 0 {
			t.Errorf("finzone_http_request_duration_seconds%v: %d requests taking %v s, want %d", labels, h.GetSampleCount(), h.GetSampleSum(), n)
		}
	}
	for _, m := range fams["finzone_http_requests_total"].GetMetric() {
		for _, l := range m.GetLabel() {
			if l.GetName() == "route" && strings.Contains(l.GetValue(), projectID) {
				t.Errorf("route label %q holds the project's ID", l.GetValue())
			}
		}
	}
}

// TestMetricsOffByDefaultOpensNoListener: without a metrics address the
// process listens on nothing more than without metrics at all; with one it
// listens on exactly one more address, the one that answers /metrics.
func TestMetricsOffByDefaultOpensNoListener(t *testing.T) {
	t.Setenv("FINZONE_METRICS_ADDR", "")
	os.Unsetenv("FINZONE_METRICS_ADDR")
	before := ownListeners(t)
	base, stop := startAll(t, t.TempDir(), "-demo=false")
	off := without(ownListeners(t), before)
	for _, port := range off {
		if servesMetrics("127.0.0.1:" + port) {
			t.Errorf("with no metrics address, port %s answers /metrics", port)
		}
	}
	if resp, err := http.Get(base + "/metrics"); err != nil || resp.StatusCode != http.StatusNotFound {
		t.Errorf("the app's own /metrics: %v %v, want 404", resp, err)
	}
	stop()

	maddr := freeAddr(t)
	_, stop = startAll(t, t.TempDir(), "-demo=false", "-metrics-addr", maddr)
	defer stop()
	on := without(ownListeners(t), before)
	_, mport, _ := strings.Cut(maddr, ":")
	if len(on) != len(off)+1 || !slices.Contains(on, mport) || !servesMetrics(maddr) {
		t.Errorf("listening ports without metrics %v, with metrics on %s: %v; want one more, serving /metrics", off, maddr, on)
	}
}

// servesMetrics reports whether addr answers GET /metrics with the
// platform's metrics. The embedded servers' ports answer no HTTP.
func servesMetrics(addr string) bool {
	c := http.Client{Timeout: 2 * time.Second}
	resp, err := c.Get("http://" + addr + "/metrics")
	if err != nil {
		return false
	}
	defer resp.Body.Close()
	p := expfmt.NewTextParser(model.UTF8Validation)
	fams, err := p.TextToMetricFamilies(resp.Body)
	return err == nil && resp.StatusCode == http.StatusOK && fams["finzone_http_requests_total"] != nil
}

// ownListeners are the TCP ports this process listens on: the listening
// sockets of /proc/net/tcp{,6} whose inodes are among its descriptors.
func ownListeners(t *testing.T) []string {
	t.Helper()
	mine := map[string]bool{}
	fds, err := os.ReadDir("/proc/self/fd")
	if err != nil {
		t.Fatal(err)
	}
	for _, fd := range fds {
		link, err := os.Readlink(filepath.Join("/proc/self/fd", fd.Name()))
		if inode, ok := strings.CutPrefix(link, "socket:["); err == nil && ok {
			mine[strings.TrimSuffix(inode, "]")] = true
		}
	}
	var ports []string
	for _, table := range []string{"/proc/net/tcp", "/proc/net/tcp6"} {
		b, err := os.ReadFile(table)
		if err != nil {
			t.Fatal(err)
		}
		for _, line := range strings.Split(string(b), "\n")[1:] {
			f := strings.Fields(line)
			if len(f) < 10 || f[3] != "0A" || !mine[f[9]] { // 0A: LISTEN
				continue
			}
			hexPort := f[1][strings.LastIndex(f[1], ":")+1:]
			n, err := strconv.ParseUint(hexPort, 16, 16)
			if err != nil {
				t.Fatalf("%s: local address %q", table, f[1])
			}
			ports = append(ports, strconv.FormatUint(n, 10))
		}
	}
	slices.Sort(ports)
	return ports
}

// without is list less what was in base.
func without(list, base []string) []string {
	var out []string
	for _, x := range list {
		if !slices.Contains(base, x) {
			out = append(out, x)
		}
	}
	return out
}
