package main

import (
	"context"

	"finzone"
	"finzone/usecase"
)

// scenario is what happens to one project's first lender (and sometimes its
// second): how far it goes, and what else happens to it.
type scenario struct {
	name    string
	lenders int // lenders the project needs for it
	// answers: the owner answers an offer, in the walk's second pass.
	answers bool
	run     func(ctx context.Context, d *liveDemo, p finzone.Project, lenders []finzone.Match) error
}

// walkTo is a scenario walking the lead to a stage, offering share‰ of the
// amount when it gets that far.
func walkTo(name string, target walkTarget, share int64) scenario {
	return scenario{name: name, lenders: 1, answers: target > toOfferPending, run: func(ctx context.Context, d *liveDemo, p finzone.Project, ls []finzone.Match) error {
		_, err := d.walk(ctx, p, ls[0], target, share)
		return err
	}}
}

// liveScenarios are dealt out in this order: a funnel, most projects early
// in their walk, a few at each later stage, plus the pipeline's side
// roads: a paused clock, an escalation, urging, an extension, a met need.
// The demo enterprise's first projects get an offer to answer and a loan
// paid out.
var liveScenarios = []scenario{
	walkTo("offer_pending", toOfferPending, 1000),
	walkTo("disbursed", toDisbursed, 600),
	walkTo("accepted", toAccepted, 0),
	{name: "contacted", lenders: 2, run: func(ctx context.Context, d *liveDemo, p finzone.Project, ls []finzone.Match) error {
		if _, err := d.walk(ctx, p, ls[0], toContacted, 0); err != nil {
			return err
		}
		_, err := d.walk(ctx, p, ls[1], toAccepted, 0)
		return err
	}},
	walkTo("due_diligence", toDueDiligence, 0),
	{name: "credit_review", lenders: 2, run: func(ctx context.Context, d *liveDemo, p finzone.Project, ls []finzone.Match) error {
		if _, err := d.walk(ctx, p, ls[0], toCreditReview, 0); err != nil {
			return err
		}
		// A partner steps back: its slot is relayed to the next institution.
		return d.act(ctx, ls[1], finzone.StagePushed, finzone.ActionInput{Action: finzone.ActionDecline,
			ReasonCode: "outside_appetite", Note: "该项目期限超出我行本年度县域中长期贷款投放计划，建议由牵头行继续对接。"})
	}},
	{name: "paused", lenders: 1, run: func(ctx context.Context, d *liveDemo, p finzone.Project, ls []finzone.Match) error {
		m, err := d.walk(ctx, p, ls[0], toDueDiligence, 0)
		if err != nil || m.Stage != finzone.StageDueDiligence || !m.Pause.At.IsZero() {
			return err
		}
		return d.act(ctx, m, finzone.StageDueDiligence, finzone.ActionInput{Action: finzone.ActionPause,
			Note: "等待企业补充近三年审计报告及项目环评批复，资料齐全后恢复计时。"})
	}},
	{name: "escalated", lenders: 1, run: func(ctx context.Context, d *liveDemo, p finzone.Project, ls []finzone.Match) error {
		m, err := d.walk(ctx, p, ls[0], toAccepted, 0)
		if err != nil || m.Stage != finzone.StageAccepted {
			return err
		}
		// First contact through a service whose working day lasts a
		// millisecond: the credit decision falls due at once, and the
		// workers escalate it to the coordinators as they would a late one.
		_, err = d.hurried.ActOnMatch(ctx, d.institution(m), m.ID, finzone.ActionInput{Action: finzone.ActionRecordContact,
			Note: "已赴企业现场走访，了解项目建设及经营情况。"})
		return ignoreMoved(err)
	}},
	{name: "urged", lenders: 1, run: func(ctx context.Context, d *liveDemo, p finzone.Project, ls []finzone.Match) error {
		m, err := d.walk(ctx, p, ls[0], toContacted, 0)
		if err != nil || m.Stage != finzone.StageContacted || m.Urges > 0 {
			return err
		}
		_, err = d.uc.UrgeMatch(ctx, d.coordinator, m.ID, "请加快授信审查进度，本周内反馈初步意见。")
		return ignoreMoved(err)
	}},
	{name: "extended", lenders: 1, run: func(ctx context.Context, d *liveDemo, p finzone.Project, ls []finzone.Match) error {
		m, err := d.walk(ctx, p, ls[0], toAccepted, 0)
		if err != nil || m.Stage != finzone.StageAccepted || m.ExtendedIn != "" {
			return err
		}
		_, err = d.uc.ExtendMatch(ctx, d.coordinator, m.ID, usecase.ExtendInput{Days: 5,
			Note: "企业负责人出差，首次对接顺延五个工作日。"})
		return ignoreMoved(err)
	}},
	walkTo("offer_accepted", toOfferAccepted, 600),
	walkTo("contracted", toContracted, 600),
	walkTo("closed", toClosed, 500),
	// The lead offers the whole amount and the owner takes it: the workers
	// close every other lender as need_met.
	{name: "need_met", lenders: 2, answers: true, run: func(ctx context.Context, d *liveDemo, p finzone.Project, ls []finzone.Match) error {
		_, err := d.walk(ctx, p, ls[0], toOfferAccepted, 1000)
		return err
	}},
	walkTo("accepted", toAccepted, 0),
	{name: "pushed"}, {name: "pushed"}, {name: "pushed"}, {name: "pushed"},
}

// enhancerTargets are dealt out over the projects with enhancer matches.
var enhancerTargets = []finzone.Stage{finzone.StageAssessing, finzone.StageCommitted, finzone.StageIssued, finzone.StagePushed}

// enhancerProjects bounds how many projects' enhancers are walked.
const enhancerProjects = 4 * 3
