package workers

import (
	"context"
	"strconv"

	"github.com/hibiken/asynq"

	"finzone"
)

// The verification gate: in regions that require it, a need of an
// unverified enterprise is held before its first push, and released when
// the enterprise is verified (the use case releases at once; the
// reconciler releases what a race or a lost notice left held).

// holdUnverified holds a submitted need whose owner must be verified
// first, telling the owner and the offices; held says whether it did.
func (w *Workers) holdUnverified(ctx context.Context, p finzone.Project) (held bool, err error) {
	if p.Status != finzone.ProjectSubmitted || len(w.cfg.RequireVerification) == 0 {
		return false, nil
	}
	owner, err := w.cfg.Store.Org(ctx, p.OwnerOrgID)
	if err != nil {
		return false, err
	}
	if !finzone.RequiresVerification(p.RegionCode, owner, w.cfg.RequireVerification) {
		return false, nil
	}
	now := w.cfg.Now()
	ch, err := p.HoldForVerification(now)
	if err != nil {
		return false, err
	}
	moved, err := w.cfg.Store.ChangeProject(ctx, p, ch, now)
	if err != nil {
		return false, err // a conflict retries the task, which judges afresh
	}
	ns, err := w.officeNotices(ctx, moved, moved.RegionCode, finzone.NoticeVerificationWanted, len(moved.Events))
	if err != nil {
		return true, err
	}
	ns = append(ns, projectNotice(moved.OwnerOrgID, finzone.NoticeHeldUnverified, moved, len(moved.Events), ""))
	return true, w.notify(ctx, ns)
}

// releaseVerified releases the needs in held whose owner no longer needs
// verifying (verified since, or its region no longer requires it), and
// queues their fill. Owners are read once each, by ID.
func (w *Workers) releaseVerified(ctx context.Context, held []finzone.Project) error {
	owners := map[string]finzone.Organization{}
	for _, seen := range held {
		owner, ok := owners[seen.OwnerOrgID]
		if !ok {
			o, err := w.cfg.Store.Org(ctx, seen.OwnerOrgID)
			if err != nil && !finzone.IsCode(err, finzone.ECNotFound) {
				return err
			}
			owner, owners[seen.OwnerOrgID] = o, o
		}
		if owner.ID == "" || finzone.RequiresVerification(seen.RegionCode, owner, w.cfg.RequireVerification) {
			continue
		}
		p, err := w.cfg.Store.Project(ctx, seen.ID) // the whole project, to change it as it is
		if err != nil {
			return err
		}
		now := w.cfg.Now()
		ch, err := p.ReleaseVerified(now)
		if err != nil {
			continue // released or withdrawn meanwhile
		}
		if _, err := w.cfg.Store.ChangeProject(ctx, p, ch, now); err != nil && !finzone.IsCode(err, finzone.ECConflict) {
			return err
		}
		if err := w.client.enqueue(ctx, newTask(TypeFill, projectPayload{p.ID}), asynq.TaskID(fillTaskID(p.ID))); err != nil {
			return err
		}
	}
	return nil
}

// ownerVerified is "true" or "false": whether the need's enterprise is
// verified, for the push notices (and webhooks) of n new matches; one read
// by ID, none when there are none.
func (w *Workers) ownerVerified(ctx context.Context, p finzone.Project, n int) (string, error) {
	if n == 0 {
		return "", nil
	}
	owner, err := w.cfg.Store.Org(ctx, p.OwnerOrgID)
	if finzone.IsCode(err, finzone.ECNotFound) {
		return "false", nil
	}
	if err != nil {
		return "", err
	}
	return strconv.FormatBool(owner.Verified), nil
}
