package workers

import (
	"context"
	"fmt"
	"strconv"
	"time"

	"github.com/hibiken/asynq"

	"finzone"
	"finzone/matching"
)

// The pipeline's part in a syndicated loan (银团): it suggests one when a
// project is too large for one lender, tells each bank what concerns it as
// the book is built, and once the loan is signed brings the members'
// matches in line with the book (contracted for their shares, their parts
// of each drawdown, an end for a member that left). The lead arranger, the
// banks and the enterprise make every decision through the API.

// suggestSyndicate suggests a syndicate for a project too large for its
// lead, naming why and the bank it would mandate; once per project.
func (w *Workers) suggestSyndicate(ctx context.Context, p finzone.Project, sel matching.Selection, view catalogueView) error {
	reason := matching.SyndicateReason(p, sel.Lead(), w.cfg.Matching)
	if reason == "" {
		return nil
	}
	st := w.cfg.Store
	if _, err := st.Syndicate(ctx, p.ID); err == nil || !finzone.IsCode(err, finzone.ECNotFound) {
		return err
	}
	lead := ""
	if pk := matching.SuggestedLead(sel, func(id string) bool { return view.Insts[id].Kind == finzone.KindBank }); pk != nil {
		lead = pk.InstitutionID
	}
	s := finzone.SuggestSyndicate(p, reason, lead, w.cfg.Now())
	if err := st.SaveSyndicate(ctx, &s, 0); err != nil {
		if finzone.IsCode(err, finzone.ECConflict) {
			return nil // another worker suggested it first
		}
		return err
	}
	return w.syndicateNotices(ctx, s)
}

// handleSyndicateChanged reacts to a change the API stored: the banks and
// the enterprise hear of each step, and a signed syndicate's matches follow
// its book. Every part is idempotent (notices and tranches carry fixed IDs,
// match changes are judged against the match as read).
func (w *Workers) handleSyndicateChanged(ctx context.Context, t *asynq.Task) error {
	var pl syndicatePayload
	if err := decodePayload(t, &pl); err != nil {
		return err
	}
	s, err := w.cfg.Store.Syndicate(ctx, pl.ProjectID)
	if finzone.IsCode(err, finzone.ECNotFound) {
		return nil
	}
	if err != nil {
		return err
	}
	if err := w.syndicateNotices(ctx, s); err != nil {
		return err
	}
	if s.State != finzone.SyndicateSigned {
		return nil
	}
	return w.applySigned(ctx, s)
}

// syndicateNotices tells each organization of the syndicate's steps that
// concern it: the enterprise of the suggestion, the signature and the
// drawdowns; the lead of its mandate and of the banks' answers; a bank of
// its invitation, the signature and its part of each drawdown. A notice's
// ID is the step's place in the history, so a retry notifies once.
func (w *Workers) syndicateNotices(ctx context.Context, s finzone.Syndicate) error {
	var ns []finzone.Notification
	add := func(i int, e finzone.SyndicateEvent, org string, amount int64) {
		if org == "" {
			return
		}
		kind := "syndicate_" + e.Action
		ns = append(ns, finzone.Notification{ID: finzone.StableID("notice", org, kind, s.ProjectID, strconv.Itoa(i)),
			OrgID: org, Kind: kind, ProjectID: s.ProjectID,
			Params: map[string]string{finzone.NoticeTitle: s.ProjectTitle, finzone.NoticeShareYuan: strconv.FormatInt(amount, 10)}})
	}
	for i, e := range s.Events {
		switch e.Action {
		case "suggested":
			add(i, e, s.OwnerOrgID, s.AmountYuan)
		case "mandated", "invited":
			add(i, e, e.InstitutionID, 0)
		case "committed", "declined", "withdrawn":
			add(i, e, s.LeadID, e.AmountYuan)
		case "signed":
			add(i, e, s.OwnerOrgID, s.Facility.AmountYuan)
			for _, m := range s.Members {
				if m.AllocatedYuan() > 0 && m.InstitutionID != s.LeadID {
					add(i, e, m.InstitutionID, m.AllocatedYuan())
				}
			}
		case "drawdown":
			add(i, e, s.OwnerOrgID, e.AmountYuan)
			for _, d := range s.Drawdowns {
				if d.At.Equal(e.At) && d.Tranche == e.Tranche && d.AmountYuan == e.AmountYuan {
					for _, sp := range d.Splits {
						add(i, e, sp.InstitutionID, sp.AmountYuan)
					}
				}
			}
		case "transferred", "left":
			add(i, e, e.InstitutionID, e.AmountYuan)
			add(i, e, s.LeadID, e.AmountYuan)
		}
	}
	return w.notify(ctx, ns)
}

// applySigned brings a signed syndicate's matches in line with its book,
// then lets the usual reaction to a match change (notices, the project's
// status, closing lenders the met need no longer wants) run for each match
// it moved.
func (w *Workers) applySigned(ctx context.Context, s finzone.Syndicate) error {
	st, now := w.cfg.Store, w.cfg.Now()
	ids := make([]string, len(s.Members))
	for i, m := range s.Members {
		ids[i] = finzone.MatchID(s.ProjectID, m.InstitutionID)
	}
	ms, err := st.MatchesByID(ctx, ids)
	if err != nil {
		return err
	}
	have := map[string]finzone.Match{}
	for _, x := range ms {
		have[x.InstitutionID] = x
	}
	var fresh []finzone.Match
	for _, m := range s.Members {
		if _, ok := have[m.InstitutionID]; !ok && m.AllocatedYuan() > 0 {
			x := s.MemberMatch(m, now)
			fresh, have[m.InstitutionID] = append(fresh, x), x
		}
	}
	if err := st.InsertMatches(ctx, fresh); err != nil {
		return err
	}
	var moved []string
	for _, m := range s.Members {
		x := have[m.InstitutionID]
		if x.ID == "" {
			continue
		}
		changes := memberChanges(s, m, now)
		for _, change := range changes {
			ch, ok := change(x)
			if !ok {
				continue
			}
			ch.Seen = len(x.Events)
			if x, err = st.MoveMatch(ctx, x.ID, x.Stage, ch); err != nil {
				return fmt.Errorf("syndicate member %s: %w", m.InstitutionID, err) // moved meanwhile: retry on fresh data
			}
			moved = append(moved, x.ID)
		}
	}
	for _, x := range fresh {
		moved = append(moved, x.ID)
	}
	for _, id := range moved {
		if err := w.client.enqueue(ctx, newTask(TypeMatchChanged, matchPayload{MatchID: id})); err != nil {
			return err
		}
	}
	return nil
}

// memberChanges are what a member's match goes through, in order: its
// share, then its part of each drawdown; or its end, once it left.
func memberChanges(s finzone.Syndicate, m finzone.SyndicateMember, now time.Time) []func(finzone.Match) (finzone.MatchChange, bool) {
	if m.Status == finzone.MemberLeft {
		return []func(finzone.Match) (finzone.MatchChange, bool){func(x finzone.Match) (finzone.MatchChange, bool) {
			return finzone.LeaveChange(x, now)
		}}
	}
	if m.AllocatedYuan() == 0 {
		return nil
	}
	out := []func(finzone.Match) (finzone.MatchChange, bool){func(x finzone.Match) (finzone.MatchChange, bool) {
		return s.ShareChange(x, m, now)
	}}
	for _, d := range s.Drawdowns {
		out = append(out, d.DrawChange)
	}
	return out
}

// reconcileSyndicates re-queues the reaction to every signed syndicate, so a
// lost task (a crash, Redis losing its data) still brings its matches in
// line. The task ID names the version: one already queued is a no-op.
func (w *Workers) reconcileSyndicates(ctx context.Context) error {
	pg := finzone.Page{Limit: finzone.MaxPageLimit}
	for {
		ss, next, err := w.cfg.Store.ListSyndicates(ctx, finzone.SyndicateFilter{State: finzone.SyndicateSigned}, pg)
		if err != nil {
			return err
		}
		for _, s := range ss {
			if err := w.client.SyndicateChanged(ctx, s.ProjectID, s.Version); err != nil {
				return err
			}
		}
		if next == "" {
			return nil
		}
		pg.Cursor = next
	}
}
