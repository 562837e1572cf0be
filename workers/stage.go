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
	ns := append(notice(p.OwnerOrgID, finzone.NoticeMatchChanged, m, p.Title), matchNotices(m, p.Title)...)
	if err := w.notify(ctx, ns); err != nil {
		return err
	}
	if err := w.schedule(ctx, m); err != nil {
		return err
	}
	if err := w.afterOffer(ctx, p, m); err != nil {
		return err
	}
	if err := w.followProject(ctx, p, m); err != nil {
		return err
	}
	if n := len(m.Events); n > 0 && m.Events[n-1].Action == string(finzone.ActionRequestEnhancer) {
		// A lender asked for a guarantee or cover: the owner hears of it,
		// and the fill pushes enhancers.
		if err := w.notify(ctx, notice(p.OwnerOrgID, finzone.NoticeEnhancerWanted, m, p.Title)); err != nil {
			return err
		}
		return w.fill(ctx, p.ID)
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
	switch {
	case !m.Role.Lends():
	case m.Stage == finzone.StageDisbursed || m.Stage == finzone.StageClosed:
		_, byInst, err := w.projectLedger(ctx, p.ID)
		if err != nil {
			return err
		}
		var paid int64 // lenders' money only: a guarantee is not financing
		syndicated := m.Syndicated
		for _, x := range byInst {
			if x.Role.Lends() && !x.Syndicated {
				paid += x.DisbursedYuan()
			}
			syndicated = syndicated || x.Syndicated
		}
		if syndicated { // a syndicate's money is what the agent bank drew
			s, err := st.Syndicate(ctx, p.ID)
			if err != nil {
				return err
			}
			paid += s.DrawnYuan("")
		}
		from = []finzone.ProjectStatus{finzone.ProjectSubmitted, finzone.ProjectMatching, finzone.ProjectInProgress, finzone.ProjectPartiallyFunded}
		to = finzone.ProjectPartiallyFunded
		if paid >= p.AmountYuan {
			to = finzone.ProjectFunded
		}
	case m.Stage.Order() >= finzone.StageAccepted.Order():
		// Any lender at work, however far it got before this task ran.
		from, to = []finzone.ProjectStatus{finzone.ProjectSubmitted, finzone.ProjectMatching}, finzone.ProjectInProgress
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

// deadlinePayload names a deadline: a project's matches in one stage due at
// one time. Matches pushed together share theirs, so a push schedules one
// expiry and one reminder rather than eleven of each.
type deadlinePayload struct {
	ProjectID string        `json:"project_id"`
	Stage     finzone.Stage `json:"stage"`
	DueAt     time.Time     `json:"due_at"`
	// MatchID is set in tasks queued before deadlines were shared: they
	// are about that match alone.
	MatchID string `json:"match_id,omitempty"`
}

// schedule enqueues the next task of the matches' current deadlines, once
// per shared deadline: the reminder until it has been sent (it schedules the
// expiry when it runs), then the expiry. Task IDs name the project, stage
// and due time, so scheduling twice (a retry, the reconciler after Redis
// lost its data) adds nothing.
func (w *Workers) schedule(ctx context.Context, ms ...finzone.Match) error {
	type next struct {
		pl     deadlinePayload
		remind bool
	}
	var order []string
	deadlines := map[string]*next{}
	for _, m := range ms {
		if m.DueAt.IsZero() || !m.Stage.Open() || !m.EscalatedAt.IsZero() {
			continue // no deadline running, or its miss was escalated already
		}
		key := expireTaskID(m.ProjectID, m.Stage, m.DueAt)
		n := deadlines[key]
		if n == nil {
			n = &next{pl: deadlinePayload{ProjectID: m.ProjectID, Stage: m.Stage, DueAt: m.DueAt}}
			deadlines[key] = n
			order = append(order, key)
		}
		n.remind = n.remind || !reminded(m)
	}
	for _, key := range order {
		n := deadlines[key]
		if !n.remind {
			if err := w.scheduleExpiry(ctx, n.pl); err != nil {
				return err
			}
			continue
		}
		if err := w.client.enqueue(ctx, newTask(TypeRemind, n.pl), asynq.ProcessAt(w.cfg.Deadlines.RemindAt(n.pl.DueAt)),
			asynq.TaskID(remindTaskID(n.pl.ProjectID, n.pl.Stage, n.pl.DueAt))); err != nil {
			return err
		}
	}
	return nil
}

// reminded reports whether the match's current deadline was reminded.
func reminded(m finzone.Match) bool {
	return !m.RemindedAt.IsZero() && !m.RemindedAt.Before(m.UpdatedAt)
}

func (w *Workers) scheduleExpiry(ctx context.Context, pl deadlinePayload) error {
	return w.client.enqueue(ctx, newTask(TypeExpire, pl), asynq.ProcessAt(pl.DueAt),
		asynq.TaskID(expireTaskID(pl.ProjectID, pl.Stage, pl.DueAt)))
}

// deadlineMatches returns the matches a deadline is about: the project's
// matches still in its stage with its due time, in ledger order, and with
// also those an earlier run of the same task already expired (so a retry
// after a crash still sends their notices and relays them: all of that is
// idempotent).
func (w *Workers) deadlineMatches(ctx context.Context, pl deadlinePayload) ([]finzone.Match, error) {
	if pl.MatchID != "" {
		m, ok, err := w.match(ctx, pl.MatchID)
		if !ok || m.Stage != pl.Stage {
			return nil, err
		}
		return []finzone.Match{m}, nil
	}
	led, byInst, err := w.projectLedger(ctx, pl.ProjectID)
	if err != nil {
		return nil, err
	}
	var out []finzone.Match
	for _, e := range led.Entries {
		m, ok := byInst[e.InstitutionID]
		if !ok {
			continue
		}
		due := m.Stage == pl.Stage && m.DueAt.Unix() == pl.DueAt.Unix()
		expiredHere := false
		if n := len(m.Events); n > 0 && m.Stage == finzone.StageExpired {
			last := m.Events[n-1]
			expiredHere = last.Action == "expire" && last.From == pl.Stage
		}
		if due || expiredHere {
			out = append(out, m)
		}
	}
	return out, nil
}

// handleExpire expires the matches whose deadline passed in the stage it
// was scheduled for, then relays their slots.
func (w *Workers) handleExpire(ctx context.Context, t *asynq.Task) error {
	var pl deadlinePayload
	if err := decodePayload(t, &pl); err != nil {
		return err
	}
	ms, err := w.deadlineMatches(ctx, pl)
	if err != nil || len(ms) == 0 {
		return err
	}
	st, now := w.cfg.Store, w.cfg.Now()
	var expired []finzone.Match
	for _, m := range ms {
		if m.Stage == finzone.StageExpired {
			expired = append(expired, m)
			continue
		}
		if !m.DueAt.IsZero() && now.Before(m.DueAt) {
			if err := w.schedule(ctx, m); err != nil { // early (clock skew): again at the due time
				return err
			}
			continue
		}
		ch, escalated, due := m.OnDeadline(now)
		if !due {
			continue // paused, or escalated already
		}
		if escalated {
			if err := w.escalate(ctx, m, ch); err != nil {
				return err
			}
			continue
		}
		moved, err := st.MoveMatch(ctx, m.ID, m.Stage, ch)
		if finzone.IsCode(err, finzone.ECInvalidState) {
			continue // the institution moved on in time
		}
		if err != nil {
			return err
		}
		w.obs.Expired(1)
		expired = append(expired, moved)
	}
	if len(expired) == 0 {
		return nil
	}
	p, ok, err := w.project(ctx, expired[0].ProjectID)
	if !ok {
		return err
	}
	var ns []finzone.Notification
	for _, m := range expired {
		ns = append(ns, notice(m.InstitutionID, finzone.NoticeMatchExpired, m, p.Title)...)
		ns = append(ns, notice(p.OwnerOrgID, finzone.NoticeMatchExpired, m, p.Title)...)
	}
	if err := w.notify(ctx, ns); err != nil {
		return err
	}
	return w.fill(ctx, p.ID)
}

// handleRemind tells institutions their deadline is near, once per stage.
func (w *Workers) handleRemind(ctx context.Context, t *asynq.Task) error {
	var pl deadlinePayload
	if err := decodePayload(t, &pl); err != nil {
		return err
	}
	ms, err := w.deadlineMatches(ctx, pl)
	if err != nil {
		return err
	}
	var due []finzone.Match
	var ns []finzone.Notification
	for _, m := range ms {
		if m.Stage != pl.Stage || m.DueAt.IsZero() || reminded(m) {
			continue
		}
		n := notice(m.InstitutionID, finzone.NoticeDeadlineSoon, m, m.ProjectTitle)
		n[0].ID = finzone.StableID("notice", m.InstitutionID, finzone.NoticeDeadlineSoon, m.ID, string(m.Stage), m.DueAt.Format(time.RFC3339))
		ns = append(ns, n...)
		due = append(due, m)
	}
	if err := w.notify(ctx, ns); err != nil {
		return err
	}
	for _, m := range due {
		if err := w.cfg.Store.SetMatchReminded(ctx, m.ID, w.cfg.Now()); err != nil {
			return err
		}
	}
	// The deadline's expiry comes next, if anyone still waits on it. (Tasks
	// from before deadlines were shared have their expiry queued already.)
	for _, m := range ms {
		if pl.MatchID == "" && m.Stage == pl.Stage {
			return w.scheduleExpiry(ctx, pl)
		}
	}
	return nil
}

func (w *Workers) handleWithdraw(ctx context.Context, t *asynq.Task) error {
	p, ok, err := w.taskProject(ctx, t)
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
	_, byInst, err := w.projectLedger(ctx, p.ID)
	if err != nil {
		return err
	}
	for _, m := range byInst {
		switch m.Stage {
		case finzone.StageContracted, finzone.StageDisbursed, finzone.StageClosed, finzone.StageIssued, finzone.StageReleased:
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
			if err := w.notify(ctx, notice(m.InstitutionID, finzone.NoticeMatchWithdrawn, moved, p.Title)); err != nil {
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

// taskProject loads the project a task's payload names, the same way.
func (w *Workers) taskProject(ctx context.Context, t *asynq.Task) (finzone.Project, bool, error) {
	var pl projectPayload
	if err := decodePayload(t, &pl); err != nil {
		return finzone.Project{}, false, err
	}
	return w.project(ctx, pl.ProjectID)
}

// project loads a task's project, the same way.
func (w *Workers) project(ctx context.Context, id string) (finzone.Project, bool, error) {
	p, err := w.cfg.Store.Project(ctx, id)
	if finzone.IsCode(err, finzone.ECNotFound) {
		return p, false, nil
	}
	return p, err == nil, err
}
