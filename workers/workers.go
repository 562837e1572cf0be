// Package workers runs the platform's background work on asynq: the 1+10
// pipeline (push, deadlines, relay, syndicates), notifications and webhooks,
// the reconciler and housekeeping. Redis only carries work; MongoDB stays the
// source of truth, so every handler is safe to run twice and on several
// worker processes at once, and the reconciler re-enqueues whatever the store
// says is due.
package workers

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"sync"
	"time"

	"github.com/hibiken/asynq"

	"finzone"
	"finzone/keys"
	"finzone/matching"
	"finzone/outbound"
)

// QueueDefault is the asynq queue; tests use their own to share a Redis.
const QueueDefault = "finzone"

// TaskCheckInterval is how often an idle worker looks for new tasks.
const TaskCheckInterval = 100 * time.Millisecond

// Config wires the workers.
type Config struct {
	Redis       asynq.RedisConnOpt
	Store       Store
	Log         *slog.Logger
	Concurrency int
	Queue       string
	Now         func() time.Time
	Matching    matching.Config
	// TrackRecords scores institutions by how they answered past pushes and
	// how much they have open; off, every institution scores as new, which
	// keeps selections fixed for a fixed catalogue (tests compare them).
	TrackRecords bool
	Deadlines    finzone.Deadlines
	// RequireVerification are the regions where a need of an unverified
	// enterprise is held before any push until the enterprise is verified.
	RequireVerification []string
	// CatalogueEvery is how often the catalogue version is polled (default 2 s).
	CatalogueEvery time.Duration
	// ReconcileEvery is how often the reconciler runs (default 30 s).
	ReconcileEvery time.Duration
	// HTTP sends webhooks (default: outbound's guarded client);
	// AllowHTTPWebhooks permits plain http and loopback receivers (tests only).
	HTTP              *http.Client
	AllowHTTPWebhooks bool
	// Keys open the webhook secrets the use cases sealed: the same key as
	// the API processes'. The zero Ring gets a random key, which opens
	// nothing stored: deliveries then fail as secret_unreadable.
	Keys keys.Ring
	// Observer counts what the workers do (the process's metrics); nil
	// counts nothing.
	Observer Observer
}

// Workers is the asynq server, the periodic tasks and the catalogue watcher.
type Workers struct {
	srv    *asynq.Server
	obs    Observer
	mux    *asynq.ServeMux
	client *Client
	insp   *asynq.Inspector // finds tasks orphaned by a dead worker
	leases leases           // one reconcile pass at a time (lease.go)
	cat    *catalogue
	tried  triedAll
	cfg    Config
	stop   context.CancelFunc
	// offices caches coordinators' office IDs by region.
	offices sync.Map
}

// New builds the workers; Start runs them.
func New(cfg Config) *Workers {
	if cfg.Log == nil {
		cfg.Log = slog.Default()
	}
	if cfg.Queue == "" {
		cfg.Queue = QueueDefault
	}
	if cfg.Concurrency == 0 {
		cfg.Concurrency = 10
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	cfg.Deadlines = cfg.Deadlines.WithDefaults()
	if cfg.CatalogueEvery == 0 {
		cfg.CatalogueEvery = 2 * time.Second
	}
	if cfg.ReconcileEvery == 0 {
		cfg.ReconcileEvery = 30 * time.Second
	}
	if cfg.Keys.Empty() {
		cfg.Keys = keys.Random()
	}
	if cfg.HTTP == nil {
		// The one guarded client for users' URLs: public addresses only, no
		// redirects; tests that run a loopback receiver allow loopback.
		cfg.HTTP = outbound.Policy{AllowLoopback: cfg.AllowHTTPWebhooks}.Client(10 * time.Second)
	}
	// Relay asks ever further down the ranking, so keep every eligible
	// institution on the waitlist.
	cfg.Matching.Waitlist = -1
	if cfg.Observer == nil {
		cfg.Observer = nopObserver{}
	}
	w := &Workers{cfg: cfg, obs: cfg.Observer, mux: asynq.NewServeMux(), client: NewClient(cfg.Redis, cfg.Queue),
		insp: asynq.NewInspector(cfg.Redis), leases: newLeases(cfg.Redis, cfg.Queue), cat: newCatalogue(cfg.Store, cfg.Matching, cfg.TrackRecords, cfg.Log)}
	w.srv = asynq.NewServer(cfg.Redis, asynq.Config{
		Concurrency:    cfg.Concurrency,
		Queues:         map[string]int{cfg.Queue: 1},
		Logger:         slogAdapter{cfg.Log},
		LogLevel:       asynq.WarnLevel,
		RetryDelayFunc: retryDelay,
		// An idle server looks for new tasks this often (asynq's default is
		// a second): a submitted project waits at most this long before it
		// is matched, at the cost of ten queue checks a second per idle
		// worker process.
		TaskCheckInterval: TaskCheckInterval,
		// A lapsed lease is not the task failing: its worker died or lost
		// Redis, and rescueOrphans has re-run it (periodic work: its next
		// run does). Not counting it keeps the failed count to real failures
		// and leaves the task its retries.
		IsFailure: func(err error) bool { return !errors.Is(err, asynq.ErrLeaseExpired) },
	})
	w.cat.loaded = w.catalogueLoaded
	w.mux.Use(w.logFailures)
	w.mux.HandleFunc(TypeFill, w.handleFill)
	w.mux.HandleFunc(TypeWithdraw, w.handleWithdraw)
	w.mux.HandleFunc(TypeMatchChanged, w.handleMatchChanged)
	w.mux.HandleFunc(TypeExpire, w.handleExpire)
	w.mux.HandleFunc(TypeRemind, w.handleRemind)
	w.mux.HandleFunc(TypeDeliver, w.handleDeliver)
	w.mux.HandleFunc(TypeSyndicate, w.handleSyndicateChanged)
	w.mux.HandleFunc(TypeRematch, w.handleRematch)
	w.mux.HandleFunc(TypeReconcile, w.handleReconcile)
	w.mux.HandleFunc(TypePurgeSessions, w.purgeSessions)
	w.mux.HandleFunc(TypeProjectChanged, w.handleProjectChanged)
	w.mux.HandleFunc(TypeScreenDue, w.handleScreenDue)
	return w
}

// catalogueLoaded queues the rematch of a catalogue version this process
// loaded for the first time. Were Redis to refuse it, the reconciler does
// the same work within its period.
func (w *Workers) catalogueLoaded(version int64) {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := w.queueRematch(ctx, version); err != nil {
		w.cfg.Log.Warn("rematch not queued; the reconciler will catch up", "catalogue_version", version, "err", err)
	}
}

// retryDelay retries a lost optimistic race at once and everything else
// with a capped exponential backoff.
func retryDelay(n int, err error, t *asynq.Task) time.Duration {
	if finzone.IsCode(err, finzone.ECConflict) {
		return time.Second
	}
	d := time.Duration(1<<min(n, 6)) * time.Second
	return min(d, time.Minute)
}

// Start runs the task server, the periodic tasks and the catalogue watcher.
func (w *Workers) Start() error {
	ctx, cancel := context.WithCancel(context.Background())
	w.stop = cancel
	go w.cat.watch(ctx, w.cfg.CatalogueEvery)
	go w.watchOrphans(ctx)
	if err := w.srv.Start(w.mux); err != nil {
		cancel()
		return fmt.Errorf("workers: start: %w", err)
	}
	// Every process offers each periodic task once per period; the task ID
	// per period makes the cluster run it once (periodic.go).
	for _, p := range w.periodics() {
		go w.runPeriodic(ctx, p)
	}
	// Catch up at once on whatever a previous run left, rather than waiting
	// for the first tick: offer the current period's reconcile, which no
	// process has run yet unless one started or ticked in this period (its
	// run is as recent). If Redis refuses it, the periodic reconcile does
	// the same work later: no reason to refuse to start.
	rec := w.reconcilePeriodic()
	if err := w.offerPeriod(ctx, rec, time.Now().Truncate(rec.every)); err != nil {
		w.cfg.Log.Warn("start-up reconcile not queued; the periodic one will run", "err", err)
	}
	return nil
}

// Shutdown stops taking tasks, waits for running ones and stops offering
// periodic tasks.
func (w *Workers) Shutdown() {
	w.srv.Shutdown()
	if w.stop != nil {
		w.stop()
	}
	if err := w.client.Close(); err != nil {
		w.cfg.Log.Warn("closing the task client", "err", err)
	}
	if err := w.insp.Close(); err != nil {
		w.cfg.Log.Warn("closing the task inspector", "err", err)
	}
	if err := w.leases.rdb.Close(); err != nil {
		w.cfg.Log.Warn("closing the lease client", "err", err)
	}
}

// purgeSessions deletes expired sessions; running it twice deletes nothing
// more, so retries are safe.
func (w *Workers) purgeSessions(ctx context.Context, t *asynq.Task) error {
	n, err := w.cfg.Store.PurgeSessions(ctx, w.cfg.Now())
	if err != nil {
		return err
	}
	c, err := w.cfg.Store.PurgeClaims(ctx, w.cfg.Now())
	if err != nil {
		return err
	}
	if n > 0 || c > 0 {
		w.cfg.Log.Info("housekeeping", "expired_sessions", n, "old_claims", c)
	}
	w.ranPeriodic(t, "purge")
	return nil
}

// logFailures logs every failed task attempt: asynq only records them.
func (w *Workers) logFailures(h asynq.Handler) asynq.Handler {
	return asynq.HandlerFunc(func(ctx context.Context, t *asynq.Task) error {
		err := h.ProcessTask(ctx, t)
		if err != nil {
			level := slog.LevelWarn
			if finzone.IsCode(err, finzone.ECConflict) {
				level = slog.LevelDebug // a lost optimistic race, retried at once
			}
			w.cfg.Log.Log(ctx, level, "task failed", "type", t.Type(), "payload", string(t.Payload()), "err", err)
		}
		return err
	})
}

// slogAdapter lets asynq log through slog.
type slogAdapter struct{ l *slog.Logger }

func (a slogAdapter) Debug(args ...any) { a.l.Debug(fmt.Sprint(args...)) }
func (a slogAdapter) Info(args ...any)  { a.l.Info(fmt.Sprint(args...)) }
func (a slogAdapter) Warn(args ...any)  { a.l.Warn(fmt.Sprint(args...)) }
func (a slogAdapter) Error(args ...any) { a.l.Error(fmt.Sprint(args...)) }
func (a slogAdapter) Fatal(args ...any) { a.l.Error(fmt.Sprint(args...)) }
