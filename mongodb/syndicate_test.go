package mongodb_test

import (
	"context"
	"reflect"
	"testing"
	"time"

	"finzone"
)

// A syndicate round-trips every field of its book, a write against a stale
// version is a conflict, and lists filter by region, state, member and
// owner.
func TestSyndicates(t *testing.T) {
	ctx := context.Background()
	db := openDB(t)
	at := time.Date(2026, 12, 1, 8, 0, 0, 0, time.UTC)
	s := finzone.Syndicate{ProjectID: "6c0000000000000000000001", ProjectTitle: "产业园", OwnerOrgID: "ent", RegionCode: "341221",
		ClusterID: "c1", AmountYuan: 8e8, TermMonths: 60, State: finzone.SyndicateSigned, Reason: finzone.SyndicateReasonThreshold,
		SuggestedLeadID: "L", LeadID: "L",
		Facility: finzone.Facility{AmountYuan: 8e8, AgentID: "L", ArrangementFeeBps: 50, AgencyFeeBps: 10, CommitDays: 3, CommitBy: at,
			Tranches: []finzone.TrancheGroup{{ID: "A", AmountYuan: 5e8, TermMonths: 60}, {ID: "B", AmountYuan: 3e8, TermMonths: 36}}},
		Members: []finzone.SyndicateMember{
			{InstitutionID: "L", Role: finzone.SyndicateLead, Status: finzone.MemberCommitted, FeeBps: 0,
				Commitments: []finzone.TrancheAmount{{Tranche: "A", AmountYuan: 5e8}}, Allocations: []finzone.TrancheAmount{{Tranche: "A", AmountYuan: 5e8}},
				InvitedAt: at, AnsweredAt: at},
			{InstitutionID: "b1", Role: finzone.SyndicateParticipant, Status: finzone.MemberDeclined, FeeBps: 15, DeclineReason: "capacity",
				Note: "额度", Commitments: []finzone.TrancheAmount{}, Allocations: []finzone.TrancheAmount{}, InvitedAt: at, AnsweredAt: at}},
		Checks:    []finzone.RuleCheck{{Rule: finzone.RuleCovered, OK: true}},
		Drawdowns: []finzone.Drawdown{{ID: "d1", Ref: "PAY-1", Tranche: "A", AmountYuan: 1e8, At: at, By: "u", Splits: []finzone.Split{{InstitutionID: "L", AmountYuan: 1e8}}}},
		Events:    []finzone.SyndicateEvent{{At: at, Actor: "u", OrgID: "L", Action: "signed", AmountYuan: 8e8}},
		SignedAt:  at}
	if err := db.SaveSyndicate(ctx, &s, 0); err != nil {
		t.Fatal(err)
	}
	got, err := db.Syndicate(ctx, s.ProjectID)
	if err != nil {
		t.Fatal(err)
	}
	got.CreatedAt, got.UpdatedAt, s.CreatedAt, s.UpdatedAt = time.Time{}, time.Time{}, time.Time{}, time.Time{}
	if !reflect.DeepEqual(got, s) {
		t.Fatalf("round trip:\n got %+v\nwant %+v", got, s)
	}
	wantCode(t, db.SaveSyndicate(ctx, &got, 0), finzone.ECConflict)
	other := finzone.Syndicate{ProjectID: "6c0000000000000000000002", OwnerOrgID: "ent2", RegionCode: "340104",
		State: finzone.SyndicateBookBuilding, Members: []finzone.SyndicateMember{{InstitutionID: "b1"}, {InstitutionID: "b2"}}}
	if err := db.SaveSyndicate(ctx, &other, 0); err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct {
		name string
		f    finzone.SyndicateFilter
		want []string
	}{
		{"by region", finzone.SyndicateFilter{Regions: []string{"341221"}}, []string{s.ProjectID}},
		{"by state", finzone.SyndicateFilter{State: finzone.SyndicateBookBuilding}, []string{other.ProjectID}},
		{"by member", finzone.SyndicateFilter{MemberID: "b2"}, []string{other.ProjectID}},
		{"a member of both", finzone.SyndicateFilter{MemberID: "b1"}, []string{other.ProjectID, s.ProjectID}},
		{"by owner", finzone.SyndicateFilter{OwnerOrgID: "ent"}, []string{s.ProjectID}},
		{"no match", finzone.SyndicateFilter{MemberID: "zz"}, nil},
	} {
		t.Run(tt.name, func(t *testing.T) {
			list, _, err := db.ListSyndicates(ctx, tt.f, finzone.Page{Limit: 10})
			if err != nil {
				t.Fatal(err)
			}
			var ids []string
			for _, x := range list {
				ids = append(ids, x.ProjectID)
			}
			if !reflect.DeepEqual(ids, tt.want) {
				t.Fatalf("got %v, want %v", ids, tt.want)
			}
		})
	}
}
