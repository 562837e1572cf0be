package workers

import (
	"context"
	"maps"
	"slices"
	"strconv"
	"time"

	"github.com/hibiken/asynq"

	"finzone"
	"finzone/matching"
)

func (w *Workers) handleFill(ctx context.Context, t *asynq.Task) error {
	var p projectPayload
	if err := decodePayload(t, &p); err != nil {
		return err
	}
	return w.fill(ctx, p.ProjectID)
}

// fill pushes a project to institutions until it has its 1 lead and up to 10
// partners live, relaying freed slots down the current ranking. It is the
// only writer of a project's ledger, and its writes are conditional on the
// ledger's version, so concurrent fills of one project cannot both win: the
// loser starts over from what the winner wrote.
func (w *Workers) fill(ctx context.Context, projectID string) error {
	for attempt := 0; attempt < 3; attempt++ {
		err := w.fillOnce(ctx, projectID, attempt == 0)
		if !finzone.IsCode(err, finzone.ECConflict) {
			return err
		}
	}
	return finzone.Errorf(finzone.ECConflict, "fill %s: lost the ledger race three times", projectID)
}

// first is the first attempt of this fill: see the ledger below.
func (w *Workers) fillOnce(ctx context.Context, projectID string, first bool) error {
	st := w.cfg.Store
	p, err := st.Project(ctx, projectID)
	if finzone.IsCode(err, finzone.ECNotFound) {
		return nil // drafts can be deleted; nothing to push
	}
	if err != nil {
		return err
	}
	switch p.Status {
	case finzone.ProjectWithdrawn:
		return w.withdraw(ctx, p)
	case finzone.ProjectSubmitted, finzone.ProjectMatching, finzone.ProjectInProgress, finzone.ProjectPartiallyFunded:
	default:
		return nil
	}
	if held, err := w.holdUnverified(ctx, p); held || err != nil {
		return err
	}
	view, err := w.cat.get(ctx)
	if err != nil {
		return err
	}
	now := w.cfg.Now()
	// A project still submitted has, but after a crash, no ledger yet: the
	// first attempt takes it as empty without reading it. Saving it is then
	// an insert of version 1, which fails as a conflict if one exists, and
	// the next attempt reads it.
	led := finzone.Ledger{ProjectID: p.ID}
	if !first || p.Status != finzone.ProjectSubmitted {
		if led, err = st.Ledger(ctx, p.ID); err != nil {
			return err
		}
	}
	byInst, err := w.ledgerMatches(ctx, p.ID, led)
	if err != nil {
		return err
	}
	view, sel, relay, err := w.relayPlan(ctx, view, p, led, byInst, now)
	if err != nil {
		return err
	}
	led, exhausted, replaced, err := w.plan(ctx, p, led, byInst, view, relay, now)
	if err != nil {
		return err
	}
	if err := w.applyFill(ctx, p, led, byInst, exhausted, now); err != nil {
		return err
	}
	if err := w.replace(ctx, p, byInst, replaced); err != nil {
		return err
	}
	return w.suggestSyndicate(ctx, p, sel, view)
}

// relayPlan selects the project's lenders (only they fill the 1+10) and
// plans their relay; once accepted offers meet the need, nobody more is
// asked (and the project is not exhausted). A plan that finds nobody left
// to ask is checked against the stored catalogue version first, one read by
// _id: a product published since this process last polled, by any process,
// is then loaded and asked at once, and the project is not left exhausted
// by a stale catalogue.
func (w *Workers) relayPlan(ctx context.Context, view catalogueView, p finzone.Project, led finzone.Ledger,
	byInst map[string]finzone.Match, now time.Time) (catalogueView, matching.Selection, matching.RelayPlan, error) {
	sel := view.Lenders.Select(p, now)
	if p.NeedMet() {
		return view, sel, matching.RelayPlan{Promoted: -1, Changed: led.Exhausted}, nil
	}
	plan := matching.PlanRelay(led, byInst, sel, view.Insts, w.cfg.Matching, now)
	if !plan.Exhausted {
		return view, sel, plan, nil
	}
	cur, err := w.cat.fresh(ctx)
	if err != nil || cur.Load == view.Load {
		return view, sel, plan, err
	}
	sel = cur.Lenders.Select(p, now)
	return cur, sel, matching.PlanRelay(led, byInst, sel, cur.Insts, w.cfg.Matching, now), nil
}

// plan works out and saves the ledger's next version: the lenders' relay,
// coordinators' assignments placed, and credit enhancers beside the 1+10 when the
// project needs them. replaced are the partners assignments displaced.
func (w *Workers) plan(ctx context.Context, p finzone.Project, led finzone.Ledger, byInst map[string]finzone.Match,
	view catalogueView, relay matching.RelayPlan, now time.Time) (finzone.Ledger, bool, []string, error) {
	next := relay.Apply(led)
	assigned, replaced := matching.PlanAssign(next, byInst, p.PendingAssignments(next), w.cfg.Matching, len(next.Entries), now)
	for i, e := range assigned {
		if prod, err := w.cfg.Store.Product(ctx, e.ProductID); err == nil {
			assigned[i].ProductVersion = prod.Version
		}
	}
	next.Entries = append(next.Entries, assigned...)
	kind := func(productID string) finzone.ProductCategory { return "" }
	if cats := p.EnhancerCategories(); len(cats) > 0 {
		esel := view.Enhancers.Select(p, now)
		kind = func(productID string) finzone.ProductCategory {
			for _, pk := range esel.All() {
				if pk.ProductID == productID {
					return categoryOf(view.Insts[pk.InstitutionID].Kind)
				}
			}
			return ""
		}
		next.Entries = append(next.Entries, matching.PlanEnhancers(next, byInst, esel, cats, kind, w.cfg.Matching, len(next.Entries), now)...)
	}
	if !relay.Changed && len(next.Entries) == len(led.Entries) {
		return led, relay.Exhausted, nil, nil
	}
	if err := w.cfg.Store.SaveLedger(ctx, &next, led.Version); err != nil {
		return led, false, nil, err
	}
	// Counted once: only one fill saves a given ledger version.
	w.obs.Pushed(len(next.Entries) - len(led.Entries))
	if len(led.Entries) > 0 {
		w.obs.Relayed(RelayPushed, len(relay.Add))
	}
	if relay.Promoted >= 0 {
		w.obs.Relayed(RelayPromoted, 1)
	}
	return next, relay.Exhausted, replaced, nil
}

// categoryOf is the product category an institution's kind offers.
func categoryOf(k finzone.OrgKind) finzone.ProductCategory {
	switch k {
	case finzone.KindGuarantee:
		return finzone.CategoryGuarantee
	case finzone.KindInsurer:
		return finzone.CategoryInsurance
	case finzone.KindLeasing:
		return finzone.CategoryLeasing
	}
	return finzone.CategoryLoan
}

// replace withdraws the partners a coordinator's assignment displaced:
// they had not accepted, and their slot went to the assigned institution.
func (w *Workers) replace(ctx context.Context, p finzone.Project, byInst map[string]finzone.Match, insts []string) error {
	now := w.cfg.Now()
	for _, id := range insts {
		m, ok := byInst[id]
		if !ok || m.Stage != finzone.StagePushed {
			continue
		}
		moved, err := w.cfg.Store.MoveMatch(ctx, m.ID, m.Stage, finzone.MatchChange{To: finzone.StageWithdrawn, Seen: len(m.Events),
			Event: finzone.Event{At: now, Actor: "system", Action: "replaced", From: m.Stage, To: finzone.StageWithdrawn}})
		if finzone.IsCode(err, finzone.ECInvalidState) {
			return finzone.Errorf(finzone.ECConflict, "match %s moved while being replaced", m.ID) // the fill retries
		}
		if err != nil {
			return err
		}
		if err := w.notify(ctx, notice(m.InstitutionID, finzone.NoticeMatchWithdrawn, moved, p.Title)); err != nil {
			return err
		}
		if err := w.cfg.Store.SetMatchRelayed(ctx, m.ID); err != nil {
			return err
		}
	}
	return nil
}

// applyFill makes the store follow the saved ledger: matches created for
// new (or crash-orphaned) entries, deadlines scheduled, roles mirrored,
// freed slots marked relayed, the attention flag and the project's status.
func (w *Workers) applyFill(ctx context.Context, p finzone.Project, led finzone.Ledger, byInst map[string]finzone.Match, exhausted bool, now time.Time) error {
	st := w.cfg.Store
	if unmatched(led, byInst) {
		if err := w.createMatches(ctx, p, led, byInst); err != nil {
			return err
		}
	}
	// A worker killed between creating matches and scheduling their
	// deadlines leaves them unscheduled; asynq re-runs this fill, so it
	// schedules every existing match again (fixed task IDs make it a no-op
	// when they are there).
	if err := w.schedule(ctx, slices.Collect(maps.Values(byInst))...); err != nil {
		return err
	}
	// Mirror roles from the ledger (the truth) onto matches: a promotion, or
	// one a crash interrupted.
	for _, e := range led.Entries {
		if m, ok := byInst[e.InstitutionID]; ok && m.Role != e.Role {
			if err := st.SetMatchRole(ctx, m.ID, e.Role); err != nil {
				return err
			}
			if err := w.notify(ctx, notice(e.InstitutionID, finzone.NoticePromotedLead, m, p.Title)); err != nil {
				return err
			}
		}
	}
	// The slots freed by declines and expiries are now refilled, or the
	// project is flagged as exhausted for coordinators.
	for _, m := range byInst {
		if !m.Stage.Live() && !m.Relayed {
			if err := st.SetMatchRelayed(ctx, m.ID); err != nil {
				return err
			}
		}
	}
	live, lead := liveLenders(led, byInst)
	if help := finzone.NeedsHelp(exhausted, live, lead); exhausted != p.Exhausted || help != p.NeedsAttention {
		if err := st.SetProjectExhausted(ctx, p.ID, exhausted, help); err != nil {
			return err
		}
	}
	if p.Status == finzone.ProjectSubmitted {
		// invalid_state: withdrawn, or accepted and moved on meanwhile.
		_, err := st.MoveProject(ctx, p, []finzone.ProjectStatus{finzone.ProjectSubmitted}, finzone.ProjectMatching, now)
		if err != nil && !finzone.IsCode(err, finzone.ECInvalidState) {
			return err
		}
	}
	return nil
}

// unmatched reports whether an entry of the ledger has no match: one just
// pushed, or one whose creation a crash interrupted.
func unmatched(led finzone.Ledger, byInst map[string]finzone.Match) bool {
	for _, e := range led.Entries {
		if _, ok := byInst[e.InstitutionID]; !ok {
			return true
		}
	}
	return false
}

// projectLedger reads a project's ledger and its institutions' matches, by
// ID.
func (w *Workers) projectLedger(ctx context.Context, projectID string) (finzone.Ledger, map[string]finzone.Match, error) {
	led, err := w.cfg.Store.Ledger(ctx, projectID)
	if err != nil {
		return led, nil, err
	}
	byInst, err := w.ledgerMatches(ctx, projectID, led)
	return led, byInst, err
}

// ledgerMatches loads the matches of the institutions in the ledger, by ID.
func (w *Workers) ledgerMatches(ctx context.Context, projectID string, led finzone.Ledger) (map[string]finzone.Match, error) {
	ids := make([]string, len(led.Entries))
	for i, e := range led.Entries {
		ids[i] = finzone.MatchID(projectID, e.InstitutionID)
	}
	ms, err := w.cfg.Store.MatchesByID(ctx, ids)
	if err != nil {
		return nil, err
	}
	byInst := make(map[string]finzone.Match, len(ms))
	for _, m := range ms {
		byInst[m.InstitutionID] = m
	}
	return byInst, nil
}

// createMatches creates the match of every ledger entry that has none yet,
// then tells the institutions and schedules the deadlines. Everything has a
// fixed ID, so running it twice is harmless.
func (w *Workers) createMatches(ctx context.Context, p finzone.Project, led finzone.Ledger, have map[string]finzone.Match) error {
	var ms []finzone.Match
	for _, e := range led.Entries {
		if _, ok := have[e.InstitutionID]; ok {
			continue
		}
		due, ok := w.cfg.Deadlines.Due(finzone.StagePushed, e.PushedAt)
		if !ok {
			// Pushed always has a deadline. Were it configured away, the
			// match would wait with no deadline (DueAt zero, which schedule
			// skips) rather than the push fail.
			due = time.Time{}
		}
		ms = append(ms, finzone.Match{
			ID: finzone.MatchID(p.ID, e.InstitutionID), ProjectID: p.ID, InstitutionID: e.InstitutionID,
			ProjectTitle: p.Title, ProjectAmountYuan: p.AmountYuan, OwnerOrgID: p.OwnerOrgID, RegionCode: p.RegionCode,
			ClusterID: p.ClusterID, ProductID: e.ProductID, ProductVersion: e.ProductVersion, Role: e.Role, Rank: e.Rank,
			Score: e.Score, Components: e.Components, Stage: finzone.StagePushed, DueAt: due, Category: w.categoryOfEntry(ctx, e),
			Events:    []finzone.Event{{At: e.PushedAt, Actor: "system", Action: "push", To: finzone.StagePushed, Note: string(e.Role)}},
			CreatedAt: e.PushedAt, UpdatedAt: e.PushedAt,
		})
	}
	verified, err := w.ownerVerified(ctx, p, len(ms))
	if err != nil {
		return err
	}
	var ns []finzone.Notification
	for _, m := range ms {
		ns = append(ns, notice(m.InstitutionID, finzone.NoticeMatchPushed, m, p.Title, finzone.NoticeRole, string(m.Role),
			finzone.NoticeEnterpriseVerifiedParam, verified)...)
	}
	// The enterprise hears once per push, not once per institution. A push
	// is the ledger entries written together (one PushedAt), so a retry
	// after a crash names the same notice.
	perPush := map[int64]int{}
	for _, e := range led.Entries {
		perPush[e.PushedAt.UnixMilli()]++
	}
	told := map[int64]bool{}
	for _, m := range ms {
		at := m.CreatedAt.UnixMilli()
		if told[at] {
			continue
		}
		told[at] = true
		ns = append(ns, finzone.Notification{
			ID:    finzone.StableID("notice", p.OwnerOrgID, finzone.NoticeProjectPushed, p.ID, strconv.FormatInt(at, 10)),
			OrgID: p.OwnerOrgID, Kind: finzone.NoticeProjectPushed, ProjectID: p.ID, Stage: finzone.StagePushed,
			Params: map[string]string{finzone.NoticeTitle: p.Title, finzone.NoticeCount: strconv.Itoa(perPush[at])},
		})
	}
	// Notify before inserting: a crash in between leaves the matches
	// missing, so the next fill comes back here and notifies again (the
	// notices' fixed IDs make that a no-op). Inserting first would let a
	// crash lose the notices for good, since a fill that finds every match
	// present does not notify.
	if err := w.notify(ctx, ns); err != nil {
		return err
	}
	if err := w.cfg.Store.InsertMatches(ctx, ms); err != nil {
		return err
	}
	return w.schedule(ctx, ms...)
}

// categoryOfEntry is the category of the product an entry was pushed
// through, as the catalogue knows its institution.
func (w *Workers) categoryOfEntry(ctx context.Context, e finzone.LedgerEntry) finzone.ProductCategory {
	view, err := w.cat.get(ctx)
	if err != nil {
		return ""
	}
	in, ok := view.Insts[e.InstitutionID]
	if !ok {
		return ""
	}
	return categoryOf(in.Kind)
}

// liveLenders counts the ledger's lenders still live (or about to be
// pushed) and says whether one of them leads.
func liveLenders(led finzone.Ledger, byInst map[string]finzone.Match) (n int, lead bool) {
	for _, e := range led.Entries {
		if !e.Role.Lends() {
			continue
		}
		if m, ok := byInst[e.InstitutionID]; ok && !m.Stage.Live() {
			continue
		}
		n++
		lead = lead || e.Role == finzone.RoleLead
	}
	return n, lead
}
