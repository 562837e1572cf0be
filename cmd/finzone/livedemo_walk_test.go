package main

import (
	"testing"
	"time"

	"finzone"
)

// apply is the part of a step's change the walk's next step looks at.
func apply(m finzone.Match, ch finzone.MatchChange) finzone.Match {
	m.Stage = ch.To
	if ch.Offer != nil {
		m.Offer = *ch.Offer
	}
	if ch.Cover != nil {
		m.Cover = *ch.Cover
	}
	if ch.Tranche != nil {
		m.Tranches = append(m.Tranches, *ch.Tranche)
	}
	m.Events = append(m.Events, ch.Event)
	return m
}

// The steps the live demo takes pass the domain's rules: every lender walk
// (a loan and a lease, to each target) and every enhancer walk (a
// guarantee and insurance) ends where it was sent, with an offer within the
// amount and the tranches paying out no more than it.
func TestLiveDemoStepsPassTheRules(t *testing.T) {
	now := time.Date(2026, 6, 1, 10, 0, 0, 0, time.UTC)
	pol := finzone.Policy{Deadlines: finzone.DefaultDeadlines(), LPR: finzone.DefaultLPR()}
	p := finzone.Project{ID: "p", AmountYuan: 12_345_678, TermMonths: 36, Type: finzone.TypeManufacturingLong,
		Collateral: []finzone.Collateral{finzone.CollateralGuaranteeCompany, finzone.CollateralPledge}}
	for _, cat := range []finzone.ProductCategory{"", finzone.CategoryLoan, finzone.CategoryLeasing} {
		for target := toAccepted; target <= toClosed; target++ {
			m := finzone.Match{ID: "m", Role: finzone.RolePartner, Category: cat, Stage: finzone.StagePushed}
			for steps := 0; ; steps++ {
				at, ok := reached(m)
				if !ok || at >= target || steps > 20 {
					break
				}
				var ch finzone.MatchChange
				var err error
				if at == toOfferPending {
					ch, err = m.DecideOffer(finzone.DecisionAccept, "", "owner", now, pol.Deadlines)
				} else {
					ch, err = m.Step(p, lenderStep(p, m, at, target, 600), "inst", now, pol)
				}
				if err != nil {
					t.Fatalf("%q to %d: step from %s: %v", cat, target, m.Stage, err)
				}
				m = apply(m, ch)
			}
			if at, _ := reached(m); at != target {
				t.Errorf("%q to %d: ended at %s (offer %q)", cat, target, m.Stage, m.Offer.Status)
			}
			if target >= toOfferPending && (m.Offer.AmountYuan != 7_400_000 || m.Offer.GuaranteeMode != finzone.CollateralPledge) {
				t.Errorf("%q to %d: offer %+v, want 60%% of the amount in 万 on the pledge offered", cat, target, m.Offer)
			}
			paid, want := m.DisbursedYuan(), int64(0)
			switch target {
			case toDisbursed:
				want = m.Offer.AmountYuan / 2 // a first tranche
			case toClosed:
				want = m.Offer.AmountYuan
			}
			if paid != want {
				t.Errorf("%q to %d: paid out %d of an offer of %d, want %d", cat, target, paid, m.Offer.AmountYuan, want)
			}
		}
	}
	for _, kind := range []finzone.OrgKind{finzone.KindGuarantee, finzone.KindInsurer} {
		m := finzone.Match{ID: "e", Role: finzone.RoleEnhancer, Stage: finzone.StagePushed}
		for m.Stage != finzone.StageIssued {
			ch, err := m.Step(p, enhancerStep(p, m, kind), "inst", now, pol)
			if err != nil {
				t.Fatalf("%s: step from %s: %v", kind, m.Stage, err)
			}
			m = apply(m, ch)
		}
		if m.Cover.CoverYuan > p.AmountYuan || m.Cover.FeeBps < 50 || m.Cover.FeeBps > 200 {
			t.Errorf("%s: cover %+v", kind, m.Cover)
		}
	}
}
