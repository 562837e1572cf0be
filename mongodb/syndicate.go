package mongodb

import (
	"context"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"

	"finzone"
)

const collSyndicates = "syndicates"

type memberDoc struct {
	InstitutionID string `bson:"institution_id"`
	Role          string `bson:"role"`
	ShareYuan     int64  `bson:"share_yuan"`
	Status        string `bson:"status"`
}

type syndicateDoc struct {
	ID         bson.ObjectID `bson:"_id"`
	AmountYuan int64         `bson:"amount_yuan"`
	State      string        `bson:"state"`
	Members    []memberDoc   `bson:"members"`
	GapYuan    int64         `bson:"gap_yuan"`
	Shortfall  string        `bson:"shortfall"`
	Version    int           `bson:"version"`
	CreatedAt  time.Time     `bson:"created_at"`
	UpdatedAt  time.Time     `bson:"updated_at"`
}

// Syndicate finds a project's syndicate proposal.
func (d *DB) Syndicate(ctx context.Context, projectID string) (finzone.Syndicate, error) {
	id, err := oid(projectID)
	if err != nil {
		return finzone.Syndicate{}, err
	}
	doc, err := findOne[syndicateDoc](ctx, d.db.Collection(collSyndicates), bson.D{{Key: "_id", Value: id}})
	if err != nil {
		return finzone.Syndicate{}, err
	}
	s := finzone.Syndicate{ProjectID: projectID, AmountYuan: doc.AmountYuan, State: finzone.SyndicateState(doc.State),
		GapYuan: doc.GapYuan, Shortfall: doc.Shortfall, Version: doc.Version, CreatedAt: doc.CreatedAt, UpdatedAt: doc.UpdatedAt}
	for _, m := range doc.Members {
		s.Members = append(s.Members, finzone.SyndicateMember{InstitutionID: m.InstitutionID, Role: finzone.SyndicateRole(m.Role),
			ShareYuan: m.ShareYuan, Status: finzone.ShareStatus(m.Status)})
	}
	return s, nil
}

// SaveSyndicate writes a syndicate if nobody changed it since version prev.
func (d *DB) SaveSyndicate(ctx context.Context, s *finzone.Syndicate, prev int) error {
	id, err := oid(s.ProjectID)
	if err != nil {
		return err
	}
	now := d.now().UTC()
	if s.CreatedAt.IsZero() {
		s.CreatedAt = now
	}
	doc := syndicateDoc{ID: id, AmountYuan: s.AmountYuan, State: string(s.State), GapYuan: s.GapYuan, Shortfall: s.Shortfall,
		Version: prev + 1, CreatedAt: s.CreatedAt.UTC(), UpdatedAt: now, Members: []memberDoc{}}
	for _, m := range s.Members {
		doc.Members = append(doc.Members, memberDoc{InstitutionID: m.InstitutionID, Role: string(m.Role), ShareYuan: m.ShareYuan, Status: string(m.Status)})
	}
	if err := d.saveVersioned(ctx, collSyndicates, "syndicate", s.ProjectID, id, prev, doc); err != nil {
		return err
	}
	s.Version, s.UpdatedAt = prev+1, now
	return nil
}
