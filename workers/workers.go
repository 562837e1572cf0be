// Package workers runs the platform's background work on asynq: task types,
// their payloads (IDs only), idempotent handlers and the periodic scheduler.
// Redis only carries work; MongoDB stays the source of truth, so every
// handler is safe to run twice and on several worker processes at once.
package workers

import (
	"context"
	"fmt"
	"log/slog"
	"time"

	"github.com/hibiken/asynq"
)

// Queue names. Tests may prefix them to share a Redis safely.
const (
	QueueDefault = "finzone"
)

// Task types.
const (
	TypePurgeSessions = "sessions:purge"
)

// Store is what the handlers need from the store.
type Store interface {
	PurgeSessions(ctx context.Context, now time.Time) (int64, error)
}

// Config wires the workers.
type Config struct {
	Redis       asynq.RedisConnOpt
	Store       Store
	Log         *slog.Logger
	Concurrency int
	// Queue overrides QueueDefault, so tests can share one Redis.
	Queue string
	Now   func() time.Time
}

// Workers is the asynq server plus the periodic scheduler.
type Workers struct {
	srv   *asynq.Server
	sched *asynq.Scheduler
	mux   *asynq.ServeMux
	cfg   Config
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
	w := &Workers{cfg: cfg, mux: asynq.NewServeMux()}
	w.srv = asynq.NewServer(cfg.Redis, asynq.Config{
		Concurrency: cfg.Concurrency,
		Queues:      map[string]int{cfg.Queue: 1},
		Logger:      slogAdapter{cfg.Log},
		LogLevel:    asynq.WarnLevel,
	})
	w.sched = asynq.NewScheduler(cfg.Redis, &asynq.SchedulerOpts{Logger: slogAdapter{cfg.Log}, LogLevel: asynq.WarnLevel})
	w.mux.HandleFunc(TypePurgeSessions, w.purgeSessions)
	return w
}

// Start runs the task server and registers the periodic tasks.
func (w *Workers) Start() error {
	// The Unique window keeps several worker processes'
	// schedulers from piling up copies of the same periodic task.
	if _, err := w.sched.Register("@every 1h", asynq.NewTask(TypePurgeSessions, nil),
		asynq.Queue(w.cfg.Queue), asynq.Unique(50*time.Minute)); err != nil {
		return fmt.Errorf("workers: schedule: %w", err)
	}
	if err := w.srv.Start(w.mux); err != nil {
		return fmt.Errorf("workers: start: %w", err)
	}
	if err := w.sched.Start(); err != nil {
		w.srv.Shutdown()
		return fmt.Errorf("workers: scheduler: %w", err)
	}
	return nil
}

// Shutdown stops taking tasks, waits for running ones and stops the scheduler.
func (w *Workers) Shutdown() {
	w.sched.Shutdown()
	w.srv.Shutdown()
}

// purgeSessions deletes expired sessions; running it twice deletes nothing
// more, so retries are safe.
func (w *Workers) purgeSessions(ctx context.Context, _ *asynq.Task) error {
	n, err := w.cfg.Store.PurgeSessions(ctx, w.cfg.Now())
	if err != nil {
		return err
	}
	if n > 0 {
		w.cfg.Log.Info("purged expired sessions", "count", n)
	}
	return nil
}

// slogAdapter lets asynq log through slog.
type slogAdapter struct{ l *slog.Logger }

func (a slogAdapter) Debug(args ...any) { a.l.Debug(fmt.Sprint(args...)) }
func (a slogAdapter) Info(args ...any)  { a.l.Info(fmt.Sprint(args...)) }
func (a slogAdapter) Warn(args ...any)  { a.l.Warn(fmt.Sprint(args...)) }
func (a slogAdapter) Error(args ...any) { a.l.Error(fmt.Sprint(args...)) }
func (a slogAdapter) Fatal(args ...any) { a.l.Error(fmt.Sprint(args...)) }
