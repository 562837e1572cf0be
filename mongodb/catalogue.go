package mongodb

import (
	"context"
	"errors"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"finzone"
)

// collMeta holds the catalogue's version, in the document "catalogue".
const collMeta = "meta"

// CatalogueVersion reads the catalogue's change counter.
func (d *DB) CatalogueVersion(ctx context.Context) (int64, error) {
	ctx, cancel := opContext(ctx)
	defer cancel()
	var doc struct {
		Version int64 `bson:"version"`
	}
	err := d.db.Collection(collMeta).FindOne(ctx, bson.D{{Key: "_id", Value: "catalogue"}}).Decode(&doc)
	if errors.Is(err, mongo.ErrNoDocuments) {
		return 0, nil
	}
	return doc.Version, translate(err)
}

// BumpCatalogue tells every worker process to reload its catalogue.
func (d *DB) BumpCatalogue(ctx context.Context) error {
	ctx, cancel := opContext(ctx)
	defer cancel()
	_, err := d.db.Collection(collMeta).UpdateOne(ctx, bson.D{{Key: "_id", Value: "catalogue"}},
		bson.D{{Key: "$inc", Value: bson.D{{Key: "version", Value: 1}}}}, options.UpdateOne().SetUpsert(true))
	return translate(err)
}

// VerifiedInstitutions lists every verified bank, insurer, leasing and
// guarantee firm.
func (d *DB) VerifiedInstitutions(ctx context.Context) ([]finzone.Organization, error) {
	kinds := []string{string(finzone.KindBank), string(finzone.KindInsurer), string(finzone.KindLeasing), string(finzone.KindGuarantee)}
	docs, err := findAll[orgDoc](ctx, d.db.Collection(collOrgs), bson.D{{Key: "kind", Value: bson.D{{Key: "$in", Value: kinds}}}, {Key: "verified", Value: true}})
	if err != nil {
		return nil, err
	}
	out := make([]finzone.Organization, len(docs))
	for i, doc := range docs {
		out[i] = doc.toDomain()
	}
	return out, nil
}

// TrackRecords tallies every institution's matches in Go: FerretDB computes
// only the first accumulator of a multi-accumulator $group.
func (d *DB) TrackRecords(ctx context.Context) (map[string]finzone.TrackRecord, error) {
	type row struct {
		InstitutionID string `bson:"institution_id"`
		Stage         string `bson:"stage"`
	}
	rows, err := findAll[row](ctx, d.db.Collection(collMatches), bson.D{},
		options.Find().SetProjection(bson.D{{Key: "institution_id", Value: 1}, {Key: "stage", Value: 1}}))
	if err != nil {
		return nil, err
	}
	out := map[string]finzone.TrackRecord{}
	for _, r := range rows {
		rec := out[r.InstitutionID]
		rec.InstitutionID = r.InstitutionID
		rec.Record(finzone.Stage(r.Stage))
		out[r.InstitutionID] = rec
	}
	return out, nil
}
