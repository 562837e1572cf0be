package main

import (
	"context"
	"fmt"
	"slices"

	"finzone"
	"finzone/matching"
	"finzone/usecase"
)

// The live demo's syndicated loans (银团贷款): a few projects the pipeline
// suggested a syndicate for, because their amount passes its threshold,
// are walked through book-building by the parties who would act: the
// enterprise mandates the suggested lead from the banks that accepted its
// push; the lead sets a facility in two tranche groups and invites banks
// (the project's lenders and one from the catalogue); each bank answers as
// its plan says. One book is signed and drawn on, one stays
// over-subscribed, one has a gap. Every step is taken only from the state
// it starts from, so walking again changes nothing.

// synAnswer is one step of a bank in a plan: who takes it (0 is the lead,
// i the i-th bank invited), what it does, and for a commitment the tranche
// group and how much, in % of the facility.
type synAnswer struct {
	who     int
	action  string // commit, decline or withdraw
	tranche string
	pct     int64
}

// synPlan is how one syndicate is walked.
type synPlan struct {
	name string
	// invitees are the banks the lead invites; the first as co-lead when
	// coLead is set. Banks without a step are left to answer.
	invitees int
	coLead   bool
	answers  []synAnswer
	// sign: the lead signs the book and the agent records a first
	// drawdown.
	sign bool
}

// synPlans are dealt out in this order. Tranche group A is 60 % of the
// facility, B 40 %.
var synPlans = []synPlan{
	// A 70 % and B 45 % committed: both scaled back, then signed, drawn.
	{name: "syndicate_signed", invitees: 4, coLead: true, sign: true, answers: []synAnswer{
		{0, "commit", "A", 15}, {0, "commit", "B", 10}, {1, "commit", "A", 30}, {2, "commit", "A", 25},
		{3, "commit", "B", 35}, {4, "decline", "", 0}}},
	// A 85 % and B 50 % committed, one withdrawal, one bank yet to answer:
	// covered and signable, left for the lead to sign.
	{name: "syndicate_oversubscribed", invitees: 5, answers: []synAnswer{
		{0, "commit", "A", 20}, {0, "commit", "B", 5}, {1, "commit", "A", 35}, {2, "commit", "A", 30},
		{3, "commit", "B", 45}, {4, "commit", "B", 10}, {4, "withdraw", "", 0}}},
	// 55 % committed, one decline, one bank yet to answer: a 45 % gap.
	{name: "syndicate_gap", invitees: 3, answers: []synAnswer{
		{0, "commit", "A", 15}, {0, "commit", "B", 5}, {1, "commit", "A", 25}, {1, "commit", "B", 10},
		{2, "decline", "", 0}}},
}

// synScenario walks a project's syndicate by plan.
func synScenario(plan synPlan) scenario {
	return scenario{name: plan.name, lenders: 1, run: func(ctx context.Context, d *liveDemo, p finzone.Project, ls []finzone.Match) error {
		return d.walkSyndicate(ctx, p, ls, plan)
	}}
}

// syndicable reports whether a project takes a syndicate plan: the
// pipeline suggested one because of its amount (not its lead's ticket,
// which a later fill may change), and at least the plan's banks besides a
// lead lend to it, whatever their stage, so that a second walk deals the
// same.
func (d *liveDemo) syndicable(ctx context.Context, p finzone.Project, lenders []finzone.Match, plan synPlan) (bool, error) {
	if matching.SyndicateReason(p, nil, matching.Config{}) != finzone.SyndicateReasonThreshold {
		return false, nil
	}
	banks := 0
	for _, m := range lenders {
		if d.institution(m).Org.Kind == finzone.KindBank {
			banks++
		}
	}
	if banks <= plan.invitees {
		return false, nil
	}
	_, err := d.store.Syndicate(ctx, p.ID)
	if finzone.IsCode(err, finzone.ECNotFound) {
		return false, nil
	}
	return err == nil, err
}

// walkSyndicate takes the plan's steps still to be taken.
func (d *liveDemo) walkSyndicate(ctx context.Context, p finzone.Project, lenders []finzone.Match, plan synPlan) error {
	syn, err := d.uc.Syndicate(ctx, d.coordinator, p.ID)
	if err != nil {
		return err
	}
	if syn, err = d.mandateLead(ctx, p, lenders, syn); err != nil {
		return err
	}
	lead, err := d.actorOf(ctx, syn.LeadID)
	if err != nil {
		return err
	}
	if syn.State == finzone.SyndicateMandated {
		if syn, err = d.uc.SetFacility(ctx, lead, p.ID, synFacility(syn)); err != nil {
			return err
		}
	}
	banks, syn, err := d.inviteBanks(ctx, lead, p.ID, syn, plan)
	if err != nil {
		return err
	}
	for _, a := range plan.answers {
		if syn, err = d.answerSyndicate(ctx, p.ID, syn, banks, a); err != nil {
			return fmt.Errorf("%s by bank %d: %w", a.action, a.who, err)
		}
	}
	if !plan.sign {
		return nil
	}
	if syn.State == finzone.SyndicateBookBuilding && syn.Signable() {
		if syn, err = d.uc.SignSyndicate(ctx, lead, p.ID); err != nil {
			return err
		}
	}
	if syn.State != finzone.SyndicateSigned || len(syn.Drawdowns) > 0 {
		return nil
	}
	agent, err := d.actorOf(ctx, syn.Facility.AgentID)
	if err != nil {
		return err
	}
	_, err = d.uc.RecordDrawdown(ctx, agent, p.ID, synDrawdown(syn))
	return err
}

// mandateLead has the pushed banks accept the push and the owner mandate
// the suggested lead, or the first bank eligible when the suggested one is
// not.
func (d *liveDemo) mandateLead(ctx context.Context, p finzone.Project, lenders []finzone.Match, syn finzone.Syndicate) (finzone.Syndicate, error) {
	if syn.State != finzone.SyndicateSuggested {
		return syn, nil
	}
	for _, m := range lenders {
		if d.institution(m).Org.Kind == finzone.KindBank {
			if err := d.act(ctx, m, finzone.StagePushed, lenderStep(p, m, toPushed, toAccepted, 0)); err != nil {
				return syn, err
			}
		}
	}
	eligible, err := d.uc.MandateCandidates(ctx, p)
	if err != nil {
		return syn, err
	}
	if len(eligible) == 0 {
		return syn, fmt.Errorf("no bank accepted the push of %s", p.ID)
	}
	lead := eligible[0]
	if slices.Contains(eligible, syn.SuggestedLeadID) {
		lead = syn.SuggestedLeadID
	}
	return d.uc.MandateLead(ctx, d.owner(ctx, p), p.ID, lead)
}

// inviteBanks invites the plan's banks unless the lead has invited any:
// the project's lenders still working on it and one bank from the
// catalogue (SyndicateCandidates). It returns the banks invited, in order.
func (d *liveDemo) inviteBanks(ctx context.Context, lead finzone.Actor, projectID string, syn finzone.Syndicate, plan synPlan) ([]string, finzone.Syndicate, error) {
	if len(syn.Members) > 1 || syn.State != finzone.SyndicateBookBuilding {
		var ids []string
		for _, m := range syn.Members[min(1, len(syn.Members)):] {
			ids = append(ids, m.InstitutionID)
		}
		return ids, syn, nil
	}
	cands, err := d.uc.SyndicateCandidates(ctx, lead, projectID)
	if err != nil {
		return nil, syn, err
	}
	ids := pickInvitees(cands, plan.invitees)
	rest := ids
	if plan.coLead && len(ids) > 0 {
		syn, err = d.uc.InviteBanks(ctx, lead, projectID, usecase.InviteInput{InstitutionIDs: ids[:1], Role: finzone.SyndicateCoLead, FeeBps: 25})
		if err != nil {
			return nil, syn, err
		}
		rest = ids[1:]
	}
	if len(rest) > 0 {
		syn, err = d.uc.InviteBanks(ctx, lead, projectID, usecase.InviteInput{InstitutionIDs: rest, Role: finzone.SyndicateParticipant, FeeBps: 15})
	}
	return ids, syn, err
}

// pickInvitees takes n banks: lenders still working on the project, in
// push order, and the first bank from the catalogue as the last one; more
// from either when the other runs short.
func pickInvitees(cands []usecase.SyndicateCandidate, n int) []string {
	var lenders, catalogue []string
	for _, c := range cands {
		switch {
		case !c.Lender:
			catalogue = append(catalogue, c.InstitutionID)
		case c.Stage.Live():
			lenders = append(lenders, c.InstitutionID)
		}
	}
	take := min(len(lenders), max(n-1, n-len(catalogue)))
	out := append(slices.Clone(lenders[:take]), catalogue[:min(n-take, len(catalogue))]...)
	return out
}

// answerSyndicate takes an answer of the plan if it is still to be taken.
func (d *liveDemo) answerSyndicate(ctx context.Context, projectID string, syn finzone.Syndicate, banks []string, a synAnswer) (finzone.Syndicate, error) {
	inst, ok := a.taker(syn, banks)
	if !ok {
		return syn, nil
	}
	by, err := d.actorOf(ctx, inst)
	if err != nil {
		return syn, err
	}
	switch a.action {
	case "commit":
		in := usecase.CommitInput{AmountYuan: synAmount(syn.Facility.AmountYuan, a.pct), Tranche: a.tranche}
		return d.uc.CommitToSyndicate(ctx, by, projectID, in)
	case "decline":
		return d.uc.DeclineSyndicate(ctx, by, projectID, synDeclineReason, synDeclineNote)
	}
	return d.uc.WithdrawCommitment(ctx, by, projectID, synWithdrawNote)
}

// What the demo's banks say when they decline or withdraw.
const (
	synDeclineReason = "capacity"
	synDeclineNote   = "本年度银团贷款额度已基本用足，本次不参加。"
	synWithdrawNote  = "总行审批未通过，撤回承诺。"
)

// taker is the bank that takes answer a, and whether it is still to take
// it: a commitment to a tranche group it has not committed to, a decline
// of an invitation, a withdrawal of a commitment.
func (a synAnswer) taker(syn finzone.Syndicate, banks []string) (string, bool) {
	inst := syn.LeadID
	if a.who > 0 {
		if a.who > len(banks) {
			return "", false
		}
		inst = banks[a.who-1]
	}
	m, ok := syn.Member(inst)
	if !ok || syn.State != finzone.SyndicateBookBuilding {
		return "", false
	}
	switch a.action {
	case "commit":
		committed := slices.ContainsFunc(m.Commitments, func(c finzone.TrancheAmount) bool { return c.Tranche == a.tranche })
		return inst, m.Status == finzone.MemberInvited || (m.Status == finzone.MemberCommitted && !committed)
	case "decline":
		return inst, m.Status == finzone.MemberInvited
	case "withdraw":
		return inst, m.Status == finzone.MemberCommitted
	}
	return "", false
}

// synFacility is the facility the lead sets: the whole need, in tranche
// groups A (60 %, over the project's term) and B (the rest, over half of
// it), the lead as agent, 0.5 % arrangement and 0.1 % agency fees, and 20
// working days to commit.
func synFacility(syn finzone.Syndicate) finzone.FacilityInput {
	a := synAmount(syn.AmountYuan, 60)
	return finzone.FacilityInput{AmountYuan: syn.AmountYuan, ArrangementFeeBps: 50, AgencyFeeBps: 10, CommitDays: 20,
		Tranches: []finzone.TrancheInput{{AmountYuan: a, TermMonths: syn.TermMonths},
			{AmountYuan: syn.AmountYuan - a, TermMonths: max(6, syn.TermMonths/12*6)}}}
}

// synDrawdown is the agent's first drawdown: 30 % of tranche group A.
func synDrawdown(syn finzone.Syndicate) usecase.DrawInput {
	t, _ := syn.Facility.Tranche("A")
	return usecase.DrawInput{AmountYuan: synAmount(t.AmountYuan, 30), Tranche: t.ID}
}

// synAmount is pct % of an amount, in whole ¥1万.
func synAmount(amount, pct int64) int64 {
	unit := finzone.DefaultSyndicateRules().UnitYuan
	return max(amount*pct/100/unit*unit, unit)
}

// actorOf is who acts for an organization.
func (d *liveDemo) actorOf(ctx context.Context, orgID string) (finzone.Actor, error) {
	o, err := d.org(ctx, orgID)
	if err != nil {
		return finzone.Actor{}, err
	}
	return d.actor(o), nil
}
