package workers

import (
	"context"

	"github.com/hibiken/asynq"

	"finzone"
)

// handleReconcile re-enqueues everything the store says is due, so that
// Redis losing its data (a wipe, a failover without AOF) loses no work:
// submitted projects not yet pushed, freed slots not yet relayed, withdrawn
// projects, deadlines and reminders, undelivered webhooks. Task IDs make the
// work it finds already queued a no-op.
func (w *Workers) handleReconcile(ctx context.Context, _ *asynq.Task) error {
	st, now, c := w.cfg.Store, w.cfg.Now(), w.client
	projects, err := st.ProjectsInStatus(ctx, []finzone.ProjectStatus{finzone.ProjectSubmitted, finzone.ProjectWithdrawn})
	if err != nil {
		return err
	}
	for _, p := range projects {
		typ := TypeFill
		if p.Status == finzone.ProjectWithdrawn {
			typ = TypeWithdraw
		}
		if err := c.enqueue(ctx, newTask(typ, projectPayload{p.ID}), asynq.TaskID(typ+":"+p.ID)); err != nil {
			return err
		}
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
	return nil
}
