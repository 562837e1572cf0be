// Package metrics is the process's Prometheus registry and what feeds it:
// the HTTP middleware, the MongoDB driver's command monitor, the pipeline's
// counters and the task queues' sizes read at scrape time. It is a leaf:
// the edges (cmd, and through small hooks the store, the workers and the
// server) use it; the domain and the use cases know nothing of it.
//
// Every method is safe on a nil *Metrics and then does nothing, so a process
// with metrics off (FINZONE_METRICS_ADDR unset) wires the same code.
package metrics

import (
	"log/slog"
	"net/http"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"finzone"
)

// Namespace prefixes every metric the platform defines.
const Namespace = "finzone"

// Config sets up a process's metrics.
type Config struct {
	Log *slog.Logger
	// OverdueMaxAge is how long an overdue count stays exported after it
	// was measured (default 3 minutes): the reconciler measures it, and
	// runs on one worker process per period, so a process that has not run
	// it lately stops exporting a stale figure.
	OverdueMaxAge time.Duration
}

// Metrics is one process's registry and its instruments. Create it once per
// process: the registry is not the global one, so tests can run several.
type Metrics struct {
	reg *prometheus.Registry
	log *slog.Logger

	requests   *prometheus.CounterVec
	latency    *prometheus.HistogramVec
	mongo      *prometheus.HistogramVec
	stages     *prometheus.CounterVec
	pushes     prometheus.Counter
	relays     *prometheus.CounterVec
	expiries   prometheus.Counter
	deliveries *prometheus.CounterVec
	periodic   *prometheus.CounterVec
	skipped    *prometheus.CounterVec
	overdue    *overdueCollector
}

// New builds the registry with the Go runtime's and the process's
// collectors and every instrument of the platform.
func New(cfg Config) *Metrics {
	if cfg.Log == nil {
		cfg.Log = slog.Default()
	}
	if cfg.OverdueMaxAge <= 0 {
		cfg.OverdueMaxAge = 3 * time.Minute
	}
	f := factory{prometheus.NewRegistry()}
	m := &Metrics{reg: f.reg, log: cfg.Log,
		requests: f.counterVec("http_requests_total", "HTTP requests answered, by method, route template and status.",
			"method", "route", "status"),
		latency: f.histogramVec("http_request_duration_seconds", "Time to answer an HTTP request, by method, route template and status.",
			prometheus.DefBuckets, "method", "route", "status"),
		mongo: f.histogramVec("mongodb_command_duration_seconds", "Round trip of a MongoDB command as the driver saw it, by command name.",
			[]float64{.0005, .001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5}, "command"),
		stages: f.counterVec("match_stage_entered_total", "Matches that entered a stage, counted once when the store confirms the write.",
			"stage"),
		pushes: f.counter("pushes_total", "Institutions a project was pushed to (ledger entries saved by a fill)."),
		relays: f.counterVec("relays_total", "Relays of freed slots: partners pushed into a ledger that had entries (kind=pushed), partners promoted to lead (kind=promoted).",
			"kind"),
		expiries: f.counter("expiries_total", "Matches expired because their deadline passed."),
		deliveries: f.counterVec("webhook_deliveries_total", "Webhook delivery attempts, by outcome.",
			"outcome"),
		periodic: f.counterVec("periodic_runs_total", "Periodic tasks run to completion by this process, by task; summed over the cluster with periodic_skipped_total it is one per period.",
			"task"),
		skipped: f.counterVec("periodic_skipped_total", "Periods of a periodic task this process left to the run of an earlier period still in progress, by task.",
			"task"),
		overdue: newOverdueCollector(cfg.OverdueMaxAge),
	}
	f.reg.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}), m.overdue)
	return m
}

// factory registers instruments in one registry as it makes them.
type factory struct{ reg *prometheus.Registry }

func (f factory) counter(name, help string) prometheus.Counter {
	c := prometheus.NewCounter(prometheus.CounterOpts{Namespace: Namespace, Name: name, Help: help})
	f.reg.MustRegister(c)
	return c
}

func (f factory) counterVec(name, help string, labels ...string) *prometheus.CounterVec {
	c := prometheus.NewCounterVec(prometheus.CounterOpts{Namespace: Namespace, Name: name, Help: help}, labels)
	f.reg.MustRegister(c)
	return c
}

func (f factory) histogramVec(name, help string, buckets []float64, labels ...string) *prometheus.HistogramVec {
	h := prometheus.NewHistogramVec(prometheus.HistogramOpts{Namespace: Namespace, Name: name, Help: help, Buckets: buckets}, labels)
	f.reg.MustRegister(h)
	return h
}

// Handler serves the registry in the Prometheus text format. A collector
// that fails (Redis not answering the queue sizes) is logged and left out;
// the other metrics are still served.
func (m *Metrics) Handler() http.Handler {
	if m == nil {
		return http.NotFoundHandler()
	}
	return promhttp.HandlerFor(m.reg, promhttp.HandlerOpts{
		ErrorHandling: promhttp.ContinueOnError,
		ErrorLog:      errorLog{m.log},
		Timeout:       10 * time.Second,
	})
}

// errorLog passes promhttp's complaints to slog.
type errorLog struct{ l *slog.Logger }

func (e errorLog) Println(v ...any) { e.l.Warn("metrics", "err", v) }

// Registry is the process's registry, for tests and extra collectors.
func (m *Metrics) Registry() *prometheus.Registry {
	if m == nil {
		return nil
	}
	return m.reg
}

// MatchEntered counts n matches entering stage.
func (m *Metrics) MatchEntered(stage finzone.Stage, n int) {
	if m == nil || n <= 0 {
		return
	}
	m.stages.WithLabelValues(string(stage)).Add(float64(n))
}

// Pushed counts n institutions pushed a project.
func (m *Metrics) Pushed(n int) {
	if m == nil || n <= 0 {
		return
	}
	m.pushes.Add(float64(n))
}

// Relayed counts n relays of kind ("pushed" or "promoted").
func (m *Metrics) Relayed(kind string, n int) {
	if m == nil || n <= 0 {
		return
	}
	m.relays.WithLabelValues(kind).Add(float64(n))
}

// Expired counts n matches expired at their deadline.
func (m *Metrics) Expired(n int) {
	if m == nil || n <= 0 {
		return
	}
	m.expiries.Add(float64(n))
}

// Delivered counts one webhook delivery attempt's outcome.
func (m *Metrics) Delivered(outcome string) {
	if m == nil {
		return
	}
	m.deliveries.WithLabelValues(outcome).Inc()
}

// PeriodicRun counts one completed run of a periodic task.
func (m *Metrics) PeriodicRun(task string) {
	if m == nil {
		return
	}
	m.periodic.WithLabelValues(task).Inc()
}

// PeriodicSkipped counts one period of a periodic task left to the run of
// an earlier period still in progress.
func (m *Metrics) PeriodicSkipped(task string) {
	if m == nil {
		return
	}
	m.skipped.WithLabelValues(task).Inc()
}

// Overdue records the number of matches past their deadline, as the
// reconciler just found it.
func (m *Metrics) Overdue(n int) {
	if m == nil {
		return
	}
	m.overdue.set(n, time.Now())
}

// overdueCollector exports the last overdue count while it is fresh.
type overdueCollector struct {
	desc   *prometheus.Desc
	maxAge time.Duration
	mu     sync.Mutex
	n      int
	at     time.Time
}

func newOverdueCollector(maxAge time.Duration) *overdueCollector {
	return &overdueCollector{maxAge: maxAge, desc: prometheus.NewDesc(Namespace+"_overdue_matches",
		"Matches past their deadline still in a stage with one, as the reconciler last counted them (exported while younger than the overdue max age; take max() over processes).",
		nil, nil)}
}

func (o *overdueCollector) set(n int, at time.Time) {
	o.mu.Lock()
	defer o.mu.Unlock()
	o.n, o.at = n, at
}

func (o *overdueCollector) Describe(ch chan<- *prometheus.Desc) { ch <- o.desc }

func (o *overdueCollector) Collect(ch chan<- prometheus.Metric) {
	o.mu.Lock()
	n, at := o.n, o.at
	o.mu.Unlock()
	if at.IsZero() || time.Since(at) > o.maxAge {
		return
	}
	ch <- prometheus.MustNewConstMetric(o.desc, prometheus.GaugeValue, float64(n))
}
