package main

import (
	"fmt"
	"testing"
	"time"

	"finzone"
	"finzone/matching"
	"finzone/usecase"
)

// simulate walks a plan through the domain's steps and the allocator, as
// the use cases do, for a need of amount over term months.
func simulate(t *testing.T, plan synPlan, amount int64, term int) finzone.Syndicate {
	t.Helper()
	now := time.Date(2026, 6, 1, 10, 0, 0, 0, time.UTC)
	r := matching.DefaultRules()
	p := finzone.Project{ID: "p", AmountYuan: amount, TermMonths: term}
	syn := finzone.SuggestSyndicate(p, finzone.SyndicateReasonThreshold, "lead", now)
	must := func(next finzone.Syndicate, err error) finzone.Syndicate {
		t.Helper()
		if err != nil {
			t.Fatalf("%s, ¥%d: %v", plan.name, amount, err)
		}
		if next.State == finzone.SyndicateBookBuilding {
			next = matching.AllocateBook(next, r)
		}
		return next
	}
	syn = must(syn.Mandate("lead", []string{"lead"}, "owner", "ent", now))
	syn = must(syn.SetFacility(synFacility(syn), amount, r, func(string) bool { return true },
		func(int) time.Time { return now.Add(time.Hour) }, "lead", "lead", now))
	var cands []usecase.SyndicateCandidate
	for i := range plan.invitees + 2 { // more lenders than needed, and the catalogue
		cands = append(cands, usecase.SyndicateCandidate{InstitutionID: fmt.Sprintf("lender%d", i), Lender: true, Stage: finzone.StageAccepted})
	}
	cands = append(cands, usecase.SyndicateCandidate{InstitutionID: "catalogue"})
	banks := pickInvitees(cands, plan.invitees)
	if len(banks) != plan.invitees || banks[len(banks)-1] != "catalogue" {
		t.Fatalf("%s: invited %v, want %d lenders then the catalogue's bank", plan.name, banks, plan.invitees-1)
	}
	kind := func(string) (finzone.OrgKind, bool) { return finzone.KindBank, true }
	if plan.coLead {
		syn = must(syn.Invite(banks[:1], finzone.SyndicateCoLead, 25, kind, "lead", "lead", now))
		syn = must(syn.Invite(banks[1:], finzone.SyndicateParticipant, 15, kind, "lead", "lead", now))
	} else {
		syn = must(syn.Invite(banks, finzone.SyndicateParticipant, 15, kind, "lead", "lead", now))
	}
	for range 2 { // the second time, every answer is taken already
		for _, a := range plan.answers {
			inst, ok := a.taker(syn, banks)
			if !ok {
				continue
			}
			switch a.action {
			case "commit":
				syn = must(syn.Commit(inst, a.tranche, synAmount(syn.Facility.AmountYuan, a.pct), r, inst, now))
			case "decline":
				syn = must(syn.Decline(inst, synDeclineReason, synDeclineNote, inst, now))
			default:
				syn = must(syn.Withdraw(inst, synWithdrawNote, inst, now))
			}
		}
	}
	return syn
}

// overSubscribed reports whether a tranche group has more committed than
// its amount.
func overSubscribed(syn finzone.Syndicate) bool {
	for _, t := range syn.Facility.Tranches {
		var n int64
		for _, m := range syn.Members {
			for _, c := range m.Commitments {
				if m.Status == finzone.MemberCommitted && c.Tranche == t.ID {
					n += c.AmountYuan
				}
			}
		}
		if n > t.AmountYuan {
			return true
		}
	}
	return false
}

// The live demo's syndicate plans reach what they show for any need a
// demo project passes the threshold with: the signed one covers its
// facility under every rule, signs and draws; the over-subscribed one is
// scaled back to a covered book; the gap one leaves a gap.
func TestLiveDemoSyndicatePlansReachTheirStates(t *testing.T) {
	now := time.Date(2026, 6, 2, 10, 0, 0, 0, time.UTC)
	for _, need := range []struct {
		amount int64
		term   int
	}{{100_010_000, 36}, {134_170_000, 66}, {480_340_000, 72}, {2_000_000_000, 120}} {
		for _, plan := range synPlans {
			syn := simulate(t, plan, need.amount, need.term)
			name := fmt.Sprintf("%s, ¥%d", plan.name, need.amount)
			if len(syn.Facility.Tranches) != 2 || syn.Facility.AmountYuan != need.amount {
				t.Errorf("%s: facility %+v", name, syn.Facility)
			}
			switch plan.name {
			case "syndicate_signed", "syndicate_oversubscribed":
				if !syn.Signable() || syn.AllocatedYuan() != need.amount || !overSubscribed(syn) {
					t.Errorf("%s: signable %v, allocated %d, over-subscribed %v, binding %q, checks %v", name,
						syn.Signable(), syn.AllocatedYuan(), overSubscribed(syn), syn.Binding, syn.Checks)
				}
			case "syndicate_gap":
				if syn.Signable() || syn.GapYuan*100 < need.amount*40 {
					t.Errorf("%s: signable %v with a gap of %d", name, syn.Signable(), syn.GapYuan)
				}
			}
			if !plan.sign {
				continue
			}
			signed, err := syn.Sign("lead", "lead", now)
			if err != nil {
				t.Fatalf("%s: sign: %v", name, err)
			}
			in := synDrawdown(signed)
			if _, d, err := signed.Draw("d1", in.Reference, in.Tranche, in.AmountYuan, "lead", now); err != nil || len(d.Splits) < 2 {
				t.Errorf("%s: drawdown %+v: %v", name, d, err)
			}
		}
	}
}
