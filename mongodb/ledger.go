package mongodb

import (
	"context"
	"errors"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"

	"finzone"
)

const collLedgers = "ledgers"

type ledgerEntryDoc struct {
	InstitutionID  string        `bson:"institution_id"`
	ProductID      string        `bson:"product_id"`
	ProductVersion int           `bson:"product_version"`
	Role           string        `bson:"role"`
	Rank           int           `bson:"rank"`
	Score          float64       `bson:"score"`
	Components     componentsDoc `bson:"components"`
	PushedAt       time.Time     `bson:"pushed_at"`
}

type ledgerDoc struct {
	ID        bson.ObjectID    `bson:"_id"`
	Version   int              `bson:"version"`
	Entries   []ledgerEntryDoc `bson:"entries"`
	Exhausted bool             `bson:"exhausted"`
	UpdatedAt time.Time        `bson:"updated_at"`
}

// Ledger returns a project's ledger, empty at version 0 when never filled.
func (d *DB) Ledger(ctx context.Context, projectID string) (finzone.Ledger, error) {
	id, err := oid(projectID)
	if err != nil {
		return finzone.Ledger{}, err
	}
	ctx, cancel := opContext(ctx)
	defer cancel()
	var doc ledgerDoc
	err = d.db.Collection(collLedgers).FindOne(ctx, bson.D{{Key: "_id", Value: id}}).Decode(&doc)
	if errors.Is(err, mongo.ErrNoDocuments) {
		return finzone.Ledger{ProjectID: projectID}, nil
	}
	if err != nil {
		return finzone.Ledger{}, translate(err)
	}
	l := finzone.Ledger{ProjectID: projectID, Version: doc.Version, Exhausted: doc.Exhausted, UpdatedAt: doc.UpdatedAt}
	for _, e := range doc.Entries {
		l.Entries = append(l.Entries, finzone.LedgerEntry{InstitutionID: e.InstitutionID, ProductID: e.ProductID,
			ProductVersion: e.ProductVersion, Role: finzone.MatchRole(e.Role), Rank: e.Rank, Score: e.Score,
			Components: []finzone.ScoreComponent(e.Components), PushedAt: e.PushedAt})
	}
	return l, nil
}

// SaveLedger writes the ledger if nobody else wrote it since version prev:
// an insert for a new ledger (the _id makes a racing insert fail), a
// conditional replace otherwise.
func (d *DB) SaveLedger(ctx context.Context, l *finzone.Ledger, prev int) error {
	id, err := oid(l.ProjectID)
	if err != nil {
		return err
	}
	doc := ledgerDoc{ID: id, Version: prev + 1, Exhausted: l.Exhausted, UpdatedAt: d.now().UTC(), Entries: []ledgerEntryDoc{}}
	for _, e := range l.Entries {
		doc.Entries = append(doc.Entries, ledgerEntryDoc{InstitutionID: e.InstitutionID, ProductID: e.ProductID,
			ProductVersion: e.ProductVersion, Role: string(e.Role), Rank: e.Rank, Score: e.Score,
			Components: componentsDoc(e.Components), PushedAt: e.PushedAt.UTC()})
	}
	if err := d.saveVersioned(ctx, collLedgers, "ledger", l.ProjectID, id, prev, doc); err != nil {
		return err
	}
	l.Version = prev + 1
	return nil
}
