package workers

import (
	"context"
	"time"

	"github.com/hibiken/asynq"

	"finzone"
)

// handleMatchChanged reacts to an institution's step, which the API has
// already stored: a freed slot is relayed, the new stage's deadline is
// scheduled, the project's status follows, the enterprise is told.
func (w *Workers) handleMatchChanged(ctx context.Context, t *asynq.Task) error {
	var pl matchPayload
	if err := decodePayload(t, &pl); err != nil {
		return err
	}
	st := w.cfg.Store
	m, ok, err := w.match(ctx, pl.MatchID)
	if !ok {
		return err
	}
	p, err := st.Project(ctx, m.ProjectID)
	if err != nil {
		return err
	}
	if err := w.notify(ctx, notice(p.OwnerOrgID, "match_changed", m, "项目进展更新："+p.Title)); err != nil {
		return err
	}
	if err := w.schedule(ctx, m); err != nil {
		return err
	}
	if err := w.followProject(ctx, p, m); err != nil {
		return err
	}
	if m.Stage == finzone.StageDeclined {
		if err := w.memberDeclined(ctx, p, m.InstitutionID); err != nil {
			return err
		}
	}
	if !m.Stage.Live() && !m.Relayed {
		return w.fill(ctx, p.ID)
	}
	return nil
}

// followProject moves the project's status with its matches: in progress
// once an institution accepts, funded or partly funded as money goes out.
func (w *Workers) followProject(ctx context.Context, p finzone.Project, m finzone.Match) error {
	st, now := w.cfg.Store, w.cfg.Now()
	var from []finzone.ProjectStatus
	to := p.Status
	switch m.Stage {
	case finzone.StageAccepted, finzone.StageContacted:
		from, to = []finzone.ProjectStatus{finzone.ProjectSubmitted, finzone.ProjectMatching}, finzone.ProjectInProgress
	case finzone.StageDisbursed, finzone.StageClosed:
		led, err := st.Ledger(ctx, p.ID)
		if err != nil {
			return err
		}
		byInst, err := w.ledgerMatches(ctx, p.ID, led)
		if err != nil {
			return err
		}
		var paid int64
		for _, x := range byInst {
			paid += x.DisbursedYuan()
		}
		from = []finzone.ProjectStatus{finzone.ProjectSubmitted, finzone.ProjectMatching, finzone.ProjectInProgress, finzone.ProjectPartiallyFunded}
		to = finzone.ProjectPartiallyFunded
		if paid >= p.AmountYuan {
			to = finzone.ProjectFunded
		}
	}
	if to == p.Status || from == nil {
		return nil
	}
	_, err := st.SetProjectStatus(ctx, p.ID, from, to, now)
	if finzone.IsCode(err, finzone.ECInvalidState) {
		return nil // withdrawn or already further along
	}
	return err
}

// schedule enqueues the expiry and the reminder of a match's current
// deadline. Task IDs name the match, stage and due time, so scheduling twice
// (a retry, the reconciler after Redis lost its data) adds nothing.
func (w *Workers) schedule(ctx context.Context, m finzone.Match) error {
	if m.DueAt.IsZero() || !m.Stage.Open() {
		return nil
	}
	pl := matchPayload{MatchID: m.ID, Stage: m.Stage}
	if err := w.client.enqueue(ctx, newTask(TypeExpire, pl), asynq.ProcessAt(m.DueAt),
		asynq.TaskID(expireTaskID(m.ID, m.Stage, m.DueAt))); err != nil {
		return err
	}
	remind := w.cfg.Deadlines.RemindAt(m.DueAt)
	if remind.After(w.cfg.Now()) {
		return w.client.enqueue(ctx, newTask(TypeRemind, pl), asynq.ProcessAt(remind),
			asynq.TaskID(remindTaskID(m.ID, m.Stage, m.DueAt)))
	}
	return nil
}

// handleExpire expires a match whose deadline passed in the stage it was
// scheduled for, then relays its slot.
func (w *Workers) handleExpire(ctx context.Context, t *asynq.Task) error {
	var pl matchPayload
	if err := decodePayload(t, &pl); err != nil {
		return err
	}
	return w.expire(ctx, pl.MatchID, pl.Stage)
}

func (w *Workers) expire(ctx context.Context, matchID string, stage finzone.Stage) error {
	st, now := w.cfg.Store, w.cfg.Now()
	m, ok, err := w.match(ctx, matchID)
	if !ok {
		return err
	}
	if m.Stage != stage || m.DueAt.IsZero() {
		return nil // the institution moved on in time
	}
	if now.Before(m.DueAt) {
		return w.schedule(ctx, m) // early (clock skew): try again at the due time
	}
	m, err = st.MoveMatch(ctx, m.ID, stage, finzone.MatchChange{To: finzone.StageExpired,
		Event: finzone.Event{At: now, Actor: "system", Action: "expire", From: stage, To: finzone.StageExpired}})
	if finzone.IsCode(err, finzone.ECInvalidState) {
		return nil
	}
	if err != nil {
		return err
	}
	p, err := st.Project(ctx, m.ProjectID)
	if err != nil {
		return err
	}
	ns := append(notice(m.InstitutionID, "match_expired", m, "项目已超时未处理，转由其他机构接力："+p.Title),
		notice(p.OwnerOrgID, "match_expired", m, "一家机构超时未响应，已自动接力："+p.Title)...)
	if err := w.notify(ctx, ns); err != nil {
		return err
	}
	if err := w.memberDeclined(ctx, p, m.InstitutionID); err != nil {
		return err
	}
	return w.fill(ctx, p.ID)
}

// handleRemind tells the institution a deadline is near, once per stage.
func (w *Workers) handleRemind(ctx context.Context, t *asynq.Task) error {
	var pl matchPayload
	if err := decodePayload(t, &pl); err != nil {
		return err
	}
	st := w.cfg.Store
	m, ok, err := w.match(ctx, pl.MatchID)
	if !ok {
		return err
	}
	if m.Stage != pl.Stage || m.DueAt.IsZero() || !m.RemindedAt.Before(m.UpdatedAt) && !m.RemindedAt.IsZero() {
		return nil
	}
	n := notice(m.InstitutionID, "deadline_soon", m, "项目即将到期，请尽快处理："+m.ProjectTitle)
	n[0].ID = finzone.StableID("notice", m.InstitutionID, "deadline_soon", m.ID, string(m.Stage), m.DueAt.Format(time.RFC3339))
	if err := w.notify(ctx, n); err != nil {
		return err
	}
	return st.SetMatchReminded(ctx, m.ID, w.cfg.Now())
}

func (w *Workers) handleWithdraw(ctx context.Context, t *asynq.Task) error {
	var pl projectPayload
	if err := decodePayload(t, &pl); err != nil {
		return err
	}
	p, ok, err := w.project(ctx, pl.ProjectID)
	if !ok {
		return err
	}
	return w.withdraw(ctx, p)
}

// withdraw closes every match of a withdrawn project that has not reached a
// contract; money already contracted is not undone by a withdrawal.
func (w *Workers) withdraw(ctx context.Context, p finzone.Project) error {
	if p.Status != finzone.ProjectWithdrawn {
		return nil
	}
	st, now := w.cfg.Store, w.cfg.Now()
	led, err := st.Ledger(ctx, p.ID)
	if err != nil {
		return err
	}
	byInst, err := w.ledgerMatches(ctx, p.ID, led)
	if err != nil {
		return err
	}
	for _, m := range byInst {
		switch m.Stage {
		case finzone.StageContracted, finzone.StageDisbursed, finzone.StageClosed:
			continue
		}
		if m.Stage.Live() {
			moved, err := st.MoveMatch(ctx, m.ID, m.Stage, finzone.MatchChange{To: finzone.StageWithdrawn,
				Event: finzone.Event{At: now, Actor: "system", Action: "withdraw", From: m.Stage, To: finzone.StageWithdrawn}})
			if finzone.IsCode(err, finzone.ECInvalidState) {
				return finzone.Errorf(finzone.ECConflict, "match %s moved during withdrawal", m.ID) // go again
			}
			if err != nil {
				return err
			}
			if err := w.notify(ctx, notice(m.InstitutionID, "match_withdrawn", moved, "企业已撤回项目："+p.Title)); err != nil {
				return err
			}
			m = moved
		}
		if !m.Relayed {
			if err := st.SetMatchRelayed(ctx, m.ID); err != nil {
				return err
			}
		}
	}
	return nil
}

// match loads a task's match; ok is false when there is nothing to do
// (it is gone) or loading failed (err says so, and the task retries).
func (w *Workers) match(ctx context.Context, id string) (finzone.Match, bool, error) {
	m, err := w.cfg.Store.Match(ctx, id)
	if finzone.IsCode(err, finzone.ECNotFound) {
		return m, false, nil
	}
	return m, err == nil, err
}

// project loads a task's project, the same way.
func (w *Workers) project(ctx context.Context, id string) (finzone.Project, bool, error) {
	p, err := w.cfg.Store.Project(ctx, id)
	if finzone.IsCode(err, finzone.ECNotFound) {
		return p, false, nil
	}
	return p, err == nil, err
}
