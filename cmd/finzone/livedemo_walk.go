package main

import (
	"context"
	"hash/fnv"
	"slices"

	"finzone"
	"finzone/demo"
	"finzone/usecase"
)

// walkTarget is how far the live demo walks a lender: a stage, with the
// enterprise's answer to the offer told apart.
type walkTarget int

const (
	toPushed walkTarget = iota
	toAccepted
	toContacted
	toDueDiligence
	toCreditReview
	toOfferPending
	toOfferAccepted
	toContracted
	toDisbursed
	toClosed
)

// reached is where a lender's match stands on the walk; ok is false off it
// (declined, expired, need_met, withdrawn).
func reached(m finzone.Match) (walkTarget, bool) {
	switch m.Stage {
	case finzone.StagePushed:
		return toPushed, true
	case finzone.StageAccepted:
		return toAccepted, true
	case finzone.StageContacted:
		return toContacted, true
	case finzone.StageDueDiligence:
		return toDueDiligence, true
	case finzone.StageCreditReview:
		return toCreditReview, true
	case finzone.StageApproved:
		if m.Offer.Status == finzone.OfferAccepted {
			return toOfferAccepted, true
		}
		return toOfferPending, m.Offer.Status == finzone.OfferPending
	case finzone.StageContracted:
		return toContracted, true
	case finzone.StageDisbursed:
		return toDisbursed, true
	case finzone.StageClosed:
		return toClosed, true
	}
	return 0, false
}

// walk moves a lender's match step by step until it reaches target: the
// institution accepts, contacts, collects documents, submits for credit,
// offers share‰ of the amount; the owner accepts the offer; the
// institution contracts, disburses (half the offer when the walk stops at
// disbursed, all of it on the way to closed) and closes. It stops early at
// a match that left the walk, and returns the match as it left it.
func (d *liveDemo) walk(ctx context.Context, p finzone.Project, m finzone.Match, target walkTarget, share int64) (finzone.Match, error) {
	final := target
	target = min(target, d.stopAt)
	for {
		at, ok := reached(m)
		if !ok || at >= target {
			return m, nil
		}
		if !m.Pause.At.IsZero() {
			return m, nil // waiting on the enterprise
		}
		var (
			moved finzone.Match
			err   error
		)
		switch at {
		case toOfferPending:
			moved, err = d.uc.DecideOffer(ctx, d.owner(ctx, p), m.ID, usecase.OfferInput{Decision: finzone.DecisionAccept,
				Note: "接受贵行授信方案，请尽快安排签约。"})
		case toCreditReview:
			// No lender offers more than its product lends, however much
			// the project asks for.
			in := lenderStep(p, m, at, final, share)
			if prod, perr := d.store.ProductVersion(ctx, m.ProductID, m.ProductVersion); perr == nil && *in.AmountYuan > prod.AmountMaxYuan {
				*in.AmountYuan = prod.AmountMaxYuan
			}
			moved, err = d.uc.ActOnMatch(ctx, d.institution(m), m.ID, in)
		default:
			moved, err = d.uc.ActOnMatch(ctx, d.institution(m), m.ID, lenderStep(p, m, at, final, share))
		}
		if err != nil {
			return m, ignoreMoved(err)
		}
		m = moved
	}
}

// lenderStep is the institution's next step from at.
func lenderStep(p finzone.Project, m finzone.Match, at, target walkTarget, share int64) finzone.ActionInput {
	switch at {
	case toPushed:
		return finzone.ActionInput{Action: finzone.ActionAccept, Note: "已受理，安排客户经理对接。"}
	case toAccepted:
		return finzone.ActionInput{Action: finzone.ActionRecordContact, Note: "已与企业财务负责人电话沟通，约定现场调查时间。"}
	case toContacted:
		return finzone.ActionInput{Action: finzone.ActionRequestDocuments, Note: "请提供营业执照、近三年财务报表、项目立项及用地手续。"}
	case toDueDiligence:
		return finzone.ActionInput{Action: finzone.ActionSubmitCredit, Note: "尽调完成，已上报分行授信审批。"}
	case toCreditReview:
		return offer(p, m, share)
	case toOfferAccepted:
		return finzone.ActionInput{Action: finzone.ActionContract, Note: "借款合同及担保合同已签订。"}
	case toContracted:
		amount := m.Offer.AmountYuan
		if target == toDisbursed {
			amount = max(amount/2/10_000*10_000, 10_000) // a first tranche
		}
		return finzone.ActionInput{Action: finzone.ActionDisburse, TrancheAmountYuan: &amount, Note: "首笔放款。"}
	}
	// Disbursed: pay out what is left, then close.
	if left := m.Offer.AmountYuan - m.DisbursedYuan(); left > 0 {
		return finzone.ActionInput{Action: finzone.ActionDisburse, TrancheAmountYuan: &left, Note: "剩余额度放款。"}
	}
	return finzone.ActionInput{Action: finzone.ActionClose, Note: "贷款已全部发放，对接完成。"}
}

// offer is a lender's approval: share‰ of the amount (in 万), over the
// project's term, priced off the LPR (a lease at a fixed rate), secured as
// the project offered, repaid as its type suits.
func offer(p finzone.Project, m finzone.Match, share int64) finzone.ActionInput {
	amount := max(p.AmountYuan*share/1000/10_000*10_000, finzone.MinAmountYuan)
	term := p.TermMonths
	in := finzone.ActionInput{Action: finzone.ActionApprove, AmountYuan: &amount, TermMonths: &term,
		GuaranteeMode: finzone.CollateralGuarantee, Note: "授信审批通过。"}
	for _, c := range []finzone.Collateral{finzone.CollateralMortgage, finzone.CollateralPledge, finzone.CollateralGuarantee, finzone.CollateralCredit} {
		if slices.Contains(p.Collateral, c) {
			in.GuaranteeMode = c
			break
		}
	}
	h := spread(m.ID)
	if m.Category == finzone.CategoryLeasing {
		rate := 480 + h%8*10
		in.RateBps, in.LeaseMode = &rate, finzone.LeaseDirect
		if p.Type == finzone.TypeIndustrialInfra || p.Type == finzone.TypeWorkingCapital {
			in.LeaseMode = finzone.LeaseSaleLeaseback
		}
		return in
	}
	bps := -20 + h%11*10 // LPR −20 to +80 bps
	in.LPRSpreadBps = &bps
	switch p.Type {
	case finzone.TypeWorkingCapital, finzone.TypeForeignTrade:
		in.RepaymentMethod = finzone.RepayInterestOnly
	case finzone.TypeIndustrialInfra, finzone.TypeManufacturingLong, finzone.TypeGreenLowCarbon:
		in.RepaymentMethod = finzone.RepayEqualPrincipal
	default:
		in.RepaymentMethod = finzone.RepayEqualInstallment
	}
	return in
}

// spread turns an ID into a small stable number, so terms vary across
// matches but not between runs.
func spread(id string) int {
	h := fnv.New32a()
	h.Write([]byte(id))
	return int(h.Sum32() % 1000)
}

// enhancerOrder is an enhancer's walk.
var enhancerOrder = []finzone.Stage{finzone.StagePushed, finzone.StageAccepted, finzone.StageAssessing, finzone.StageCommitted, finzone.StageIssued}

// walkEnhancer moves a guarantee firm's or insurer's match until it
// reaches target: accept, assess, commit cover (a guarantee 1 % a year
// bearing 40 % of a loss as in Anhui's 4321 model; insurance 1.2 % bearing
// 70 %), issue.
func (d *liveDemo) walkEnhancer(ctx context.Context, p finzone.Project, m finzone.Match, target finzone.Stage) error {
	want := slices.Index(enhancerOrder, target)
	for {
		at := slices.Index(enhancerOrder, m.Stage)
		if at < 0 || at >= want || !m.Pause.At.IsZero() {
			return nil
		}
		in := enhancerStep(p, m, d.institution(m).Org.Kind)
		moved, err := d.uc.ActOnMatch(ctx, d.institution(m), m.ID, in)
		if err != nil {
			return ignoreMoved(err)
		}
		m = moved
	}
}

// enhancerStep is an enhancer's next step from its stage.
func enhancerStep(p finzone.Project, m finzone.Match, kind finzone.OrgKind) finzone.ActionInput {
	switch m.Stage {
	case finzone.StageAccepted:
		return finzone.ActionInput{Action: finzone.ActionAssess, Note: "开展保前调查，评估反担保措施。"}
	case finzone.StageAssessing:
		cover := max(p.AmountYuan*8/10/10_000*10_000, finzone.MinAmountYuan)
		fee, share := 100, 40
		if kind == finzone.KindInsurer {
			fee, share = 120, 70
		}
		return finzone.ActionInput{Action: finzone.ActionCommit, CoverYuan: &cover, FeeBps: &fee, RiskSharePct: &share,
			Note: "同意承保，出具承保意向函。"}
	case finzone.StageCommitted:
		return finzone.ActionInput{Action: finzone.ActionIssue, Note: "保函（保单）已出具。"}
	}
	return finzone.ActionInput{Action: finzone.ActionAccept, Note: "已受理增信申请。"}
}

// owner is the actor of a project's owner.
func (d *liveDemo) owner(ctx context.Context, p finzone.Project) finzone.Actor {
	o, err := d.org(ctx, p.OwnerOrgID)
	if err != nil {
		o = finzone.Organization{ID: p.OwnerOrgID, Kind: finzone.KindEnterprise}
	}
	return d.actor(o)
}

// liveDemoScreened is how many drafts the demo submits for screening; the
// last is passed by 阜阳's coordinator, the others wait.
const liveDemoScreened = 3

// screenPicks are the drafts the walk submits for screening: the first few
// in 阜阳.
func screenPicks(data demo.Dataset) []finzone.Project {
	var picked []finzone.Project
	for _, p := range data.Projects {
		if r, ok := finzone.LookupRegion(p.RegionCode); ok && r.CityCode == liveDemoScreenRegion && p.Status == finzone.ProjectDraft {
			picked = append(picked, p)
		}
		if len(picked) == liveDemoScreened {
			break
		}
	}
	return picked
}

// screen submits a few 阜阳 drafts, which 阜阳's office screens, and passes
// the last of them.
func (d *liveDemo) screen(ctx context.Context, data demo.Dataset) error {
	picked := screenPicks(data)
	for i, p := range picked {
		cur, err := d.store.Project(ctx, p.ID)
		if err != nil {
			return err
		}
		if cur.Status == finzone.ProjectDraft {
			if cur, err = d.screening.SubmitProject(ctx, d.owner(ctx, cur), cur.ID); err != nil {
				return err
			}
		}
		if i == len(picked)-1 && cur.Status == finzone.ProjectScreening && d.fuyang.IsCoordinator() {
			if _, err := d.uc.ScreenProject(ctx, d.fuyang, cur.ID, usecase.ScreenInput{Decision: finzone.ScreenPass,
				Note: "资料齐全，属县域特色产业集群重点项目，同意推送。"}); err != nil {
				return ignoreMoved(err)
			}
		}
	}
	return nil
}
