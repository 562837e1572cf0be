package workers

import (
	"context"
	"time"

	"github.com/hibiken/asynq"

	"finzone"
)

// handleReconcile re-enqueues everything the store says is due, so that
// Redis losing its data (a wipe, a failover without AOF) loses no work:
// submitted projects not yet pushed, exhausted projects the catalogue now
// has someone for, freed slots not yet relayed, withdrawn projects,
// deadlines and reminders, undelivered webhooks. Task IDs make the work it
// finds already queued a no-op, including work a dead worker's task still
// holds: rescueOrphans re-queues that (orphans.go).
//
// One pass runs at a time (lease.go): a period whose pass finds the
// previous one still running is left to it.
func (w *Workers) handleReconcile(ctx context.Context, t *asynq.Task) error {
	release, taken, err := w.leases.take(ctx, "reconcile")
	if err != nil {
		return finzone.Wrap(finzone.ECUnavailable, err)
	}
	if !taken {
		w.cfg.Log.Info("reconcile: the previous pass is still running; this period is left to it")
		w.skippedPeriodic(t, "reconcile")
		return nil
	}
	defer release()
	st, now, c := w.cfg.Store, w.cfg.Now(), w.client
	if err := w.reconcileProjects(ctx); err != nil {
		return err
	}
	if err := w.reconcileSyndicates(ctx); err != nil {
		return err
	}
	freed, err := st.FreedMatches(ctx)
	if err != nil {
		return err
	}
	for _, m := range freed {
		if err := c.enqueue(ctx, newTask(TypeFill, projectPayload{m.ProjectID}), asynq.TaskID(fillTaskID(m.ProjectID))); err != nil {
			return err
		}
	}
	due, err := st.DueMatches(ctx)
	if err != nil {
		return err
	}
	w.obs.Overdue(overdue(due, now))
	if err := w.schedule(ctx, due...); err != nil {
		return err
	}
	pending, err := st.PendingDeliveries(ctx, now)
	if err != nil {
		return err
	}
	for _, d := range pending {
		if err := c.enqueue(ctx, newTask(TypeDeliver, deliveryPayload{d.ID}), asynq.TaskID("deliver:"+d.ID),
			asynq.MaxRetry(MaxDeliveryAttempts)); err != nil {
			return err
		}
	}
	w.ranPeriodic(t, "reconcile")
	return nil
}

// overdue counts the overdue matches (finzone.Match.Overdue) among due,
// the matches in a stage with a deadline: the reconciler reads them anyway,
// so the metric costs no read of its own.
func overdue(due []finzone.Match, now time.Time) int {
	n := 0
	for _, m := range due {
		if m.Overdue(now) {
			n++
		}
	}
	return n
}

// reconcileProjects queues the fill of every submitted project, the
// withdrawal of every withdrawn one, the screening clock of every need
// waiting in screening, releases the needs held for an enterprise verified
// since, and re-matches the exhausted ones: a
// project left in matching with an empty ledger (pushed to nobody while the
// catalogue lacked its products, or by a worker whose catalogue was stale)
// is filled once the catalogue has a lender for it, even if the rematch
// that catalogue change queued was lost. One scan of the projects, reading
// only the fields matching needs.
func (w *Workers) reconcileProjects(ctx context.Context) error {
	projects, err := w.cfg.Store.PipelineProjects(ctx,
		[]finzone.ProjectStatus{finzone.ProjectSubmitted, finzone.ProjectWithdrawn, finzone.ProjectScreening}, fillStatuses)
	if err != nil {
		return err
	}
	var exhausted, held []finzone.Project
	for _, p := range projects {
		typ := TypeFill
		switch p.Status {
		case finzone.ProjectScreening:
			if p.HeldForVerification() {
				held = append(held, p)
				continue
			}
			// The screening clock, should Redis have lost it.
			if p.ScreenDueAt.IsZero() || !p.ScreenEscalatedAt.IsZero() {
				continue
			}
			if err := w.client.enqueue(ctx, newTask(TypeScreenDue, projectPayload{p.ID}), asynq.ProcessAt(p.ScreenDueAt),
				asynq.TaskID(screenTaskID(p.ID, p.ScreenDueAt))); err != nil {
				return err
			}
			continue
		case finzone.ProjectWithdrawn:
			typ = TypeWithdraw
		case finzone.ProjectSubmitted:
		default:
			exhausted = append(exhausted, p)
			continue
		}
		if err := w.client.enqueue(ctx, newTask(typ, projectPayload{p.ID}), asynq.TaskID(typ+":"+p.ID)); err != nil {
			return err
		}
	}
	if err := w.releaseVerified(ctx, held); err != nil {
		return err
	}
	if len(exhausted) == 0 {
		return nil
	}
	view, err := w.cat.fresh(ctx)
	if err != nil {
		return err
	}
	_, err = w.rematch(ctx, view, exhausted)
	return err
}
