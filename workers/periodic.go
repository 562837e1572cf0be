package workers

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/hibiken/asynq"
)

// periodic is a task every worker process offers once per period; the
// cluster runs it once per period, however many processes offer it.
type periodic struct {
	name  string // the task ID's prefix, and the task label of its runs
	typ   string
	every time.Duration
	opts  []asynq.Option
}

// periodPayload names the period a periodic task is for.
type periodPayload struct {
	Period int64 `json:"period"` // the period's start, Unix seconds
}

// periodics are the platform's periodic tasks. The reconcile gets one
// retry, not none: asynq archives, as failed, an orphan it recovers from a
// dead worker when the orphan has no retry left. Task IDs name periods in
// whole seconds, so a period is a second at least.
func (w *Workers) periodics() []periodic {
	return []periodic{w.reconcilePeriodic(), {name: "purge", typ: TypePurgeSessions, every: time.Hour}}
}

// reconcilePeriodic is the reconciler's periodic task, which start-up also
// offers for the current period.
func (w *Workers) reconcilePeriodic() periodic {
	return periodic{name: "reconcile", typ: TypeReconcile, every: max(w.cfg.ReconcileEvery, time.Second),
		opts: []asynq.Option{asynq.MaxRetry(1)}}
}

// runPeriodic offers p at each period's start until ctx ends. Periods are
// aligned on the clock (multiples of every since Go's zero time), so every
// process names the same period the same way; the task ID is the period's
// start, and asynq refuses a second task with an ID it still holds, so the
// first process to offer a period's task queues it and the others' offers
// are refused (ErrTaskIDConflict, silently). The ID is kept while the task
// waits or runs and, by Retention, two periods after it ends: a process
// whose timer or clock is late by less than a period offers a task that is
// still remembered. The ID names the start this process's timer aimed at,
// not the time it woke, so a late wake-up still names its period.
func (w *Workers) runPeriodic(ctx context.Context, p periodic) {
	for {
		next := time.Now().Truncate(p.every).Add(p.every)
		t := time.NewTimer(time.Until(next))
		select {
		case <-ctx.Done():
			t.Stop()
			return
		case <-t.C:
		}
		if err := w.offerPeriod(ctx, p, next); err != nil {
			w.cfg.Log.Warn("periodic task not queued; another process or the next period runs it", "task", p.name, "err", err)
		}
	}
}

// offerPeriod queues p's task for the period starting at start, unless some
// process did already.
func (w *Workers) offerPeriod(ctx context.Context, p periodic, start time.Time) error {
	ctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	opts := append([]asynq.Option{asynq.TaskID(periodTaskID(p.name, start)), asynq.Retention(2 * p.every),
		asynq.Timeout(periodicTimeout)}, p.opts...)
	return w.client.enqueue(ctx, newTask(p.typ, periodPayload{Period: start.Unix()}), opts...)
}

// periodicTimeout is asynq's default, which periodic tasks had when a
// scheduler queued them: a reconcile of a large store may take minutes.
const periodicTimeout = 30 * time.Minute

func periodTaskID(name string, start time.Time) string {
	return fmt.Sprintf("%s:%d", name, start.Unix())
}

// skippedPeriodic counts a period of a periodic task left to an earlier
// period's run still in progress, if t is a period's task.
func (w *Workers) skippedPeriodic(t *asynq.Task, name string) {
	if periodOf(t) != 0 {
		w.obs.PeriodicSkipped(name)
	}
}

// ranPeriodic counts a completed run of a periodic task, if t is one.
func (w *Workers) ranPeriodic(t *asynq.Task, name string) {
	if periodOf(t) != 0 {
		w.obs.PeriodicRun(name)
	}
}

// periodOf is the start of the period t runs for (Unix seconds), or 0 for a
// task without one (queued by an older version).
func periodOf(t *asynq.Task) int64 {
	var pl periodPayload
	if len(t.Payload()) == 0 || json.Unmarshal(t.Payload(), &pl) != nil {
		return 0
	}
	return pl.Period
}
