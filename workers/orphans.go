package workers

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/hibiken/asynq"
)

// A worker killed mid-task (SIGKILL, OOM, a lost host) leaves the task
// active in Redis under its ID. asynq retries it only 30 s after its lease
// lapses, on its recoverer's once-a-minute pass (60–120 s after the kill),
// and counts it failed; until then the ID is taken, so the reconciler's
// re-enqueue under it is a no-op. Each worker process therefore looks for
// orphans every orphanCheckEvery and queues each one's type and payload
// again under a fresh ID (IDs only, and handlers are idempotent).
//
// An orphan is a task whose lease has lapsed: asynq's own test, 25–30 s
// after the kill (the lease is 30 s, renewed every 5 s). Its holder, if
// alive, has given it up. The servers' heartbeats would show a dead holder
// sooner (10 s), but the re-run must also find the store's claims of the
// dead writer stale (mongodb's claimTTL, 15 s), or it finds the project
// still being moved and leaves it.

// orphanCheckEvery is how often each worker process looks for orphans: one
// read of the active list, which holds at most the processes' concurrency.
const orphanCheckEvery = time.Second

// rescueRetention keeps a finished rescue's ID taken for longer than asynq
// keeps the orphan in its active list, so later checks that find the
// orphan again queue nothing.
const rescueRetention = 5 * time.Minute

// watchOrphans rescues orphaned tasks every orphanCheckEvery until ctx ends.
func (w *Workers) watchOrphans(ctx context.Context) {
	t := time.NewTicker(orphanCheckEvery)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			if err := w.rescueOrphans(ctx); err != nil && ctx.Err() == nil {
				w.cfg.Log.Warn("looking for orphaned tasks", "err", err)
			}
		}
	}
}

// rescueOrphans queues a rescue of every orphaned task, with the retries
// the orphan had left, under rescueTaskID: every process computes the same
// ID, so processes that find one orphan at once queue one rescue. When
// asynq's recoverer later retries the orphan itself, that run finds nothing
// to do, and the server's IsFailure does not count the lapsed lease.
func (w *Workers) rescueOrphans(ctx context.Context) error {
	const size = 500
	for page := 1; ; page++ {
		ts, err := w.insp.ListActiveTasks(w.cfg.Queue, asynq.PageSize(size), asynq.Page(page))
		if errors.Is(err, asynq.ErrQueueNotFound) {
			return nil
		}
		if err != nil {
			return fmt.Errorf("active tasks: %w", err)
		}
		for _, ti := range ts {
			if err := w.rescue(ctx, ti); err != nil {
				return err
			}
		}
		if len(ts) < size {
			return nil
		}
	}
}

// rescue queues an orphaned task again under its rescue's ID.
func (w *Workers) rescue(ctx context.Context, ti *asynq.TaskInfo) error {
	// Periodic work needs no rescue: its next run does it. Orphaned
	// reconciles (each restarted process queues one) re-run at once would
	// each scan the store and hold up the pushes.
	if !ti.IsOrphaned || ti.Type == TypeReconcile || ti.Type == TypePurgeSessions {
		return nil
	}
	id := rescueTaskID(ti.ID)
	opts := []asynq.Option{asynq.Queue(w.cfg.Queue), asynq.TaskID(id),
		asynq.MaxRetry(max(ti.MaxRetry-ti.Retried, 0)), asynq.Retention(rescueRetention)}
	if ti.Timeout > 0 {
		opts = append(opts, asynq.Timeout(ti.Timeout))
	}
	if !ti.Deadline.IsZero() {
		opts = append(opts, asynq.Deadline(ti.Deadline))
	}
	_, err := w.client.c.EnqueueContext(ctx, asynq.NewTaskWithHeaders(ti.Type, ti.Payload, ti.Headers), opts...)
	switch {
	case errors.Is(err, asynq.ErrTaskIDConflict):
		return nil // rescued already, by this process or another
	case err != nil:
		return fmt.Errorf("rescue %s: %w", ti.ID, err)
	}
	w.cfg.Log.Warn("a worker died holding a task; re-queued", "type", ti.Type, "task", ti.ID, "rescue", id)
	return nil
}
