package mongodb

import (
	"context"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"

	"finzone"
)

const collSyndicates = "syndicates"

// A syndicate is one document, its _id the project's: the whole book
// (facility, members, allocation, drawdowns, history) changes in one
// versioned write. The project's title, owner and region are copied in so
// lists need no join.

type trancheGroupDoc struct {
	ID         string `bson:"id"`
	AmountYuan int64  `bson:"amount_yuan"`
	TermMonths int    `bson:"term_months"`
}

type facilityDoc struct {
	AmountYuan        int64             `bson:"amount_yuan"`
	Tranches          []trancheGroupDoc `bson:"tranches"`
	AgentID           string            `bson:"agent_id"`
	ArrangementFeeBps int               `bson:"arrangement_fee_bps"`
	AgencyFeeBps      int               `bson:"agency_fee_bps"`
	CommitDays        int               `bson:"commit_days"`
	CommitBy          time.Time         `bson:"commit_by"`
}

type amountDoc struct {
	Tranche    string `bson:"tranche"`
	AmountYuan int64  `bson:"amount_yuan"`
}

type memberDoc struct {
	InstitutionID string      `bson:"institution_id"`
	Role          string      `bson:"role"`
	Status        string      `bson:"status"`
	FeeBps        int         `bson:"fee_bps"`
	Commitments   []amountDoc `bson:"commitments"`
	Allocations   []amountDoc `bson:"allocations"`
	DeclineReason string      `bson:"decline_reason,omitempty"`
	Note          string      `bson:"note,omitempty"`
	InvitedAt     time.Time   `bson:"invited_at"`
	AnsweredAt    time.Time   `bson:"answered_at"`
}

type checkDoc struct {
	Rule string `bson:"rule"`
	OK   bool   `bson:"ok"`
}

type splitDoc struct {
	InstitutionID string `bson:"institution_id"`
	AmountYuan    int64  `bson:"amount_yuan"`
}

type drawdownDoc struct {
	ID         string     `bson:"id"`
	Ref        string     `bson:"ref,omitempty"`
	Tranche    string     `bson:"tranche"`
	AmountYuan int64      `bson:"amount_yuan"`
	At         time.Time  `bson:"at"`
	By         string     `bson:"by"`
	Splits     []splitDoc `bson:"splits"`
}

type syndicateEventDoc struct {
	At            time.Time `bson:"at"`
	Actor         string    `bson:"actor"`
	OrgID         string    `bson:"org_id,omitempty"`
	Action        string    `bson:"action"`
	InstitutionID string    `bson:"institution_id,omitempty"`
	Tranche       string    `bson:"tranche,omitempty"`
	AmountYuan    int64     `bson:"amount_yuan,omitempty"`
	Note          string    `bson:"note,omitempty"`
}

type syndicateDoc struct {
	ID              bson.ObjectID       `bson:"_id"`
	ProjectTitle    string              `bson:"project_title"`
	OwnerOrgID      string              `bson:"owner_org_id"`
	RegionCode      string              `bson:"region_code"`
	ClusterID       string              `bson:"cluster_id"`
	AmountYuan      int64               `bson:"amount_yuan"`
	TermMonths      int                 `bson:"term_months"`
	State           string              `bson:"state"`
	Reason          string              `bson:"reason"`
	SuggestedLeadID string              `bson:"suggested_lead_id"`
	LeadID          string              `bson:"lead_id"`
	Facility        facilityDoc         `bson:"facility"`
	Members         []memberDoc         `bson:"members"`
	GapYuan         int64               `bson:"gap_yuan"`
	Binding         string              `bson:"binding"`
	Checks          []checkDoc          `bson:"checks"`
	Drawdowns       []drawdownDoc       `bson:"drawdowns"`
	Events          []syndicateEventDoc `bson:"events"`
	SignedAt        time.Time           `bson:"signed_at"`
	Version         int                 `bson:"version"`
	CreatedAt       time.Time           `bson:"created_at"`
	UpdatedAt       time.Time           `bson:"updated_at"`
}

// mapSlice converts a slice element by element (never nil, so stored
// arrays are [] rather than null).
func mapSlice[A, B any](in []A, f func(A) B) []B {
	out := make([]B, 0, len(in))
	for _, a := range in {
		out = append(out, f(a))
	}
	return out
}

func toAmountDoc(a finzone.TrancheAmount) amountDoc { return amountDoc{a.Tranche, a.AmountYuan} }
func fromAmountDoc(a amountDoc) finzone.TrancheAmount {
	return finzone.TrancheAmount{Tranche: a.Tranche, AmountYuan: a.AmountYuan}
}

func toSyndicateDoc(s finzone.Syndicate, id bson.ObjectID) syndicateDoc {
	f := s.Facility
	return syndicateDoc{ID: id, ProjectTitle: s.ProjectTitle, OwnerOrgID: s.OwnerOrgID, RegionCode: s.RegionCode, ClusterID: s.ClusterID,
		AmountYuan: s.AmountYuan, TermMonths: s.TermMonths, State: string(s.State), Reason: s.Reason, SuggestedLeadID: s.SuggestedLeadID, LeadID: s.LeadID,
		Facility: facilityDoc{AmountYuan: f.AmountYuan, AgentID: f.AgentID, ArrangementFeeBps: f.ArrangementFeeBps,
			AgencyFeeBps: f.AgencyFeeBps, CommitDays: f.CommitDays, CommitBy: f.CommitBy.UTC(),
			Tranches: mapSlice(f.Tranches, func(t finzone.TrancheGroup) trancheGroupDoc { return trancheGroupDoc{t.ID, t.AmountYuan, t.TermMonths} })},
		Members: mapSlice(s.Members, func(m finzone.SyndicateMember) memberDoc {
			return memberDoc{InstitutionID: m.InstitutionID, Role: string(m.Role), Status: string(m.Status), FeeBps: m.FeeBps,
				Commitments: mapSlice(m.Commitments, toAmountDoc), Allocations: mapSlice(m.Allocations, toAmountDoc),
				DeclineReason: m.DeclineReason, Note: m.Note, InvitedAt: m.InvitedAt.UTC(), AnsweredAt: m.AnsweredAt.UTC()}
		}),
		GapYuan: s.GapYuan, Binding: s.Binding,
		Checks: mapSlice(s.Checks, func(c finzone.RuleCheck) checkDoc { return checkDoc{c.Rule, c.OK} }),
		Drawdowns: mapSlice(s.Drawdowns, func(d finzone.Drawdown) drawdownDoc {
			return drawdownDoc{ID: d.ID, Ref: d.Ref, Tranche: d.Tranche, AmountYuan: d.AmountYuan, At: d.At.UTC(), By: d.By,
				Splits: mapSlice(d.Splits, func(x finzone.Split) splitDoc { return splitDoc{x.InstitutionID, x.AmountYuan} })}
		}),
		Events: mapSlice(s.Events, func(e finzone.SyndicateEvent) syndicateEventDoc {
			return syndicateEventDoc{At: e.At.UTC(), Actor: e.Actor, OrgID: e.OrgID, Action: e.Action, InstitutionID: e.InstitutionID,
				Tranche: e.Tranche, AmountYuan: e.AmountYuan, Note: e.Note}
		}),
		SignedAt: s.SignedAt.UTC(), Version: s.Version, CreatedAt: s.CreatedAt.UTC(), UpdatedAt: s.UpdatedAt.UTC()}
}

func (doc syndicateDoc) toDomain() finzone.Syndicate {
	f := doc.Facility
	return finzone.Syndicate{ProjectID: doc.ID.Hex(), ProjectTitle: doc.ProjectTitle, OwnerOrgID: doc.OwnerOrgID, RegionCode: doc.RegionCode,
		ClusterID: doc.ClusterID, AmountYuan: doc.AmountYuan, TermMonths: doc.TermMonths, State: finzone.SyndicateState(doc.State), Reason: doc.Reason,
		SuggestedLeadID: doc.SuggestedLeadID, LeadID: doc.LeadID,
		Facility: finzone.Facility{AmountYuan: f.AmountYuan, AgentID: f.AgentID, ArrangementFeeBps: f.ArrangementFeeBps,
			AgencyFeeBps: f.AgencyFeeBps, CommitDays: f.CommitDays, CommitBy: f.CommitBy,
			Tranches: mapSlice(f.Tranches, func(t trancheGroupDoc) finzone.TrancheGroup {
				return finzone.TrancheGroup{ID: t.ID, AmountYuan: t.AmountYuan, TermMonths: t.TermMonths}
			})},
		Members: mapSlice(doc.Members, func(m memberDoc) finzone.SyndicateMember {
			return finzone.SyndicateMember{InstitutionID: m.InstitutionID, Role: finzone.SyndicateRole(m.Role), Status: finzone.MemberStatus(m.Status),
				FeeBps: m.FeeBps, Commitments: mapSlice(m.Commitments, fromAmountDoc), Allocations: mapSlice(m.Allocations, fromAmountDoc),
				DeclineReason: m.DeclineReason, Note: m.Note, InvitedAt: m.InvitedAt, AnsweredAt: m.AnsweredAt}
		}),
		GapYuan: doc.GapYuan, Binding: doc.Binding,
		Checks: mapSlice(doc.Checks, func(c checkDoc) finzone.RuleCheck { return finzone.RuleCheck{Rule: c.Rule, OK: c.OK} }),
		Drawdowns: mapSlice(doc.Drawdowns, func(d drawdownDoc) finzone.Drawdown {
			return finzone.Drawdown{ID: d.ID, Ref: d.Ref, Tranche: d.Tranche, AmountYuan: d.AmountYuan, At: d.At, By: d.By,
				Splits: mapSlice(d.Splits, func(x splitDoc) finzone.Split {
					return finzone.Split{InstitutionID: x.InstitutionID, AmountYuan: x.AmountYuan}
				})}
		}),
		Events: mapSlice(doc.Events, func(e syndicateEventDoc) finzone.SyndicateEvent {
			return finzone.SyndicateEvent{At: e.At, Actor: e.Actor, OrgID: e.OrgID, Action: e.Action, InstitutionID: e.InstitutionID,
				Tranche: e.Tranche, AmountYuan: e.AmountYuan, Note: e.Note}
		}),
		SignedAt: doc.SignedAt, Version: doc.Version, CreatedAt: doc.CreatedAt, UpdatedAt: doc.UpdatedAt}
}

// Syndicate finds a project's syndicate.
func (d *DB) Syndicate(ctx context.Context, projectID string) (finzone.Syndicate, error) {
	id, err := oid(projectID)
	if err != nil {
		return finzone.Syndicate{}, err
	}
	doc, err := findOne[syndicateDoc](ctx, d.db.Collection(collSyndicates), bson.D{{Key: "_id", Value: id}})
	if err != nil {
		return finzone.Syndicate{}, err
	}
	return doc.toDomain(), nil
}

// SaveSyndicate writes a syndicate if nobody changed it since version prev
// (0: it is new).
func (d *DB) SaveSyndicate(ctx context.Context, s *finzone.Syndicate, prev int) error {
	id, err := oid(s.ProjectID)
	if err != nil {
		return err
	}
	now := d.now().UTC()
	if s.CreatedAt.IsZero() {
		s.CreatedAt = now
	}
	next := *s
	next.Version, next.UpdatedAt = prev+1, now
	if err := d.saveVersioned(ctx, collSyndicates, "syndicate", s.ProjectID, id, prev, toSyndicateDoc(next, id)); err != nil {
		return err
	}
	*s = next
	return nil
}

var syndicateSorts = sortKeys{"updated_at": "updated_at", "created_at": "created_at"}

// ListSyndicates lists syndicates, most recently changed first. The
// collection holds one document per project large enough for a
// syndicate, a small share of the projects.
func (d *DB) ListSyndicates(ctx context.Context, f finzone.SyndicateFilter, pg finzone.Page) ([]finzone.Syndicate, string, error) {
	filter := bson.D{}
	if f.Regions != nil {
		filter = append(filter, bson.E{Key: "region_code", Value: bson.D{{Key: "$in", Value: f.Regions}}})
	}
	if f.State != "" {
		filter = append(filter, bson.E{Key: "state", Value: string(f.State)})
	}
	if f.MemberID != "" {
		filter = append(filter, bson.E{Key: "members.institution_id", Value: f.MemberID})
	}
	if f.OwnerOrgID != "" {
		filter = append(filter, bson.E{Key: "owner_org_id", Value: f.OwnerOrgID})
	}
	docs, next, err := findPage[syndicateDoc](ctx, d.db.Collection(collSyndicates), filter, pg, syndicateSorts, "-updated_at")
	if err != nil {
		return nil, "", err
	}
	return mapSlice(docs, syndicateDoc.toDomain), next, nil
}
