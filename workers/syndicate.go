package workers

import (
	"context"
	"fmt"
	"strconv"

	"github.com/hibiken/asynq"

	"finzone"
	"finzone/matching"
)

// proposeSyndicate proposes a syndicated loan (银团) when the project is too
// large for its lead, allocating shares among the institutions it was
// pushed to under the NFRA rules. One proposal per project: later changes
// are reallocations.
func (w *Workers) proposeSyndicate(ctx context.Context, p finzone.Project, sel matching.Selection, led finzone.Ledger, byInst map[string]finzone.Match) error {
	if !matching.NeedsSyndicate(p, sel.Lead(), w.cfg.Matching) {
		return nil
	}
	st := w.cfg.Store
	if _, err := st.Syndicate(ctx, p.ID); err == nil || !finzone.IsCode(err, finzone.ECNotFound) {
		return err
	}
	cands := w.syndicateCandidates(sel, led, byInst, "")
	alloc := matching.Allocate(p.AmountYuan, cands, matching.DefaultRules())
	s := finzone.Syndicate{ProjectID: p.ID, AmountYuan: p.AmountYuan, State: finzone.SyndicateForming,
		GapYuan: alloc.GapYuan, Shortfall: alloc.Shortfall, Members: toMembers(alloc, nil)}
	if err := st.SaveSyndicate(ctx, &s, 0); err != nil {
		if finzone.IsCode(err, finzone.ECConflict) {
			return nil // another worker proposed it first
		}
		return err
	}
	return w.notifyMembers(ctx, p, s, finzone.NoticeSyndicateProposed)
}

// syndicateCandidates are the syndicable institutions the project was pushed
// to and that are still live, in ranking order, minus one that declined.
func (w *Workers) syndicateCandidates(sel matching.Selection, led finzone.Ledger, byInst map[string]finzone.Match, without string) []matching.Candidate {
	pushed := map[string]bool{}
	for _, e := range led.Entries {
		if m, ok := byInst[e.InstitutionID]; !ok || m.Stage.Live() {
			pushed[e.InstitutionID] = true
		}
	}
	var out []matching.Candidate
	for _, c := range matching.Candidates(sel) {
		if pushed[c.InstitutionID] && c.InstitutionID != without {
			out = append(out, c)
		}
	}
	return out
}

func toMembers(a matching.Allocation, keep map[string]finzone.SyndicateMember) []finzone.SyndicateMember {
	var out []finzone.SyndicateMember
	for _, sh := range a.Shares {
		m := finzone.SyndicateMember{InstitutionID: sh.InstitutionID, Role: finzone.SyndicateRole(sh.Role),
			ShareYuan: sh.AmountYuan, Status: finzone.ShareProposed}
		// A member whose share and role did not change keeps its answer.
		if old, ok := keep[sh.InstitutionID]; ok && old.ShareYuan == m.ShareYuan && old.Role == m.Role {
			m.Status = old.Status
		}
		out = append(out, m)
	}
	return out
}

// memberDeclined reallocates a syndicate after a member declined its share,
// declined its match or let it expire, keeping the others' shares where the
// rules allow.
func (w *Workers) memberDeclined(ctx context.Context, p finzone.Project, institutionID string) error {
	st := w.cfg.Store
	s, err := st.Syndicate(ctx, p.ID)
	if finzone.IsCode(err, finzone.ECNotFound) {
		return nil
	}
	if err != nil {
		return err
	}
	if s.State == finzone.SyndicateSigned {
		return nil
	}
	found := false
	prev := matching.Allocation{AmountYuan: s.AmountYuan, GapYuan: s.GapYuan, Shortfall: s.Shortfall}
	keep := map[string]finzone.SyndicateMember{}
	for _, m := range s.Members {
		if m.InstitutionID == institutionID {
			found = true
		}
		keep[m.InstitutionID] = m
		prev.Shares = append(prev.Shares, matching.Share{InstitutionID: m.InstitutionID, Role: matching.Role(m.Role), AmountYuan: m.ShareYuan})
	}
	if !found {
		return nil
	}
	view, err := w.cat.get(ctx)
	if err != nil {
		return err
	}
	led, byInst, err := w.projectLedger(ctx, p.ID)
	if err != nil {
		return err
	}
	sel := view.Lenders.Select(p, w.cfg.Now()) // a syndicate lends: enhancers never join it
	cands := w.syndicateCandidates(sel, led, byInst, institutionID)
	next := matching.Reallocate(prev, institutionID, cands, matching.DefaultRules())
	delete(keep, institutionID)
	version := s.Version
	s.Members, s.GapYuan, s.Shortfall, s.State = toMembers(next, keep), next.GapYuan, next.Shortfall, finzone.SyndicateForming
	if s.Committed() {
		s.State = finzone.SyndicateCommitted
	}
	if err := st.SaveSyndicate(ctx, &s, version); err != nil {
		return err // a conflict retries the whole task
	}
	return w.notifyMembers(ctx, p, s, finzone.NoticeSyndicateReallocated)
}

func (w *Workers) notifyMembers(ctx context.Context, p finzone.Project, s finzone.Syndicate, kind string) error {
	var ns []finzone.Notification
	for _, m := range s.Members {
		ns = append(ns, finzone.Notification{
			ID:    finzone.StableID("notice", m.InstitutionID, kind, p.ID, fmt.Sprint(s.Version)),
			OrgID: m.InstitutionID, Kind: kind, ProjectID: p.ID,
			Params: map[string]string{finzone.NoticeTitle: p.Title, finzone.NoticeShareYuan: strconv.FormatInt(m.ShareYuan, 10)},
		})
	}
	return w.notify(ctx, ns)
}

// handleSyndicateChanged reallocates after a member declined its share
// through the API.
func (w *Workers) handleSyndicateChanged(ctx context.Context, t *asynq.Task) error {
	var pl syndicatePayload
	if err := decodePayload(t, &pl); err != nil {
		return err
	}
	p, ok, err := w.project(ctx, pl.ProjectID)
	if !ok {
		return err
	}
	return w.memberDeclined(ctx, p, pl.InstitutionID)
}
