package mongodb

import (
	"context"
	"errors"
	"fmt"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"finzone"
)

// collMeta holds change counters other processes poll, each a document
// {_id: name, version}: "catalogue" (what matching reads) and "auth" (who a
// session token belongs to, see AuthGeneration).
const collMeta = "meta"

// CatalogueVersion reads the catalogue's change counter.
func (d *DB) CatalogueVersion(ctx context.Context) (int64, error) {
	return d.metaVersion(ctx, "catalogue")
}

// BumpCatalogue tells every worker process to reload its catalogue. The
// store bumps on its own after every write that changes what matching reads
// (see catalogueChanged); callers need it only for changes made elsewhere.
func (d *DB) BumpCatalogue(ctx context.Context) error { return d.bumpMeta(ctx, "catalogue") }

// metaVersion reads a change counter; one never bumped is 0.
func (d *DB) metaVersion(ctx context.Context, name string) (int64, error) {
	ctx, cancel := opContext(ctx)
	defer cancel()
	var doc struct {
		Version int64 `bson:"version"`
	}
	err := d.db.Collection(collMeta).FindOne(ctx, bson.D{{Key: "_id", Value: name}}).Decode(&doc)
	if errors.Is(err, mongo.ErrNoDocuments) {
		return 0, nil
	}
	return doc.Version, translate(err)
}

// bumpMeta adds one to a change counter.
func (d *DB) bumpMeta(ctx context.Context, name string) error {
	ctx, cancel := opContext(ctx)
	defer cancel()
	// FerretDB applies an update by reading and rewriting the document:
	// this process's bumps go one at a time so none is lost. Another
	// process's bump racing this one may still be (both write n+1); the
	// version moved all the same, after both writers' changes.
	unlock, err := d.lockWrite(ctx, collMeta+"/"+name)
	if err != nil {
		return err
	}
	defer unlock()
	_, err = d.db.Collection(collMeta).UpdateOne(ctx, bson.D{{Key: "_id", Value: name}},
		bson.D{{Key: "$inc", Value: bson.D{{Key: "version", Value: 1}}}}, options.UpdateOne().SetUpsert(true))
	return translate(err)
}

// catalogueChanged bumps the version after a write that changed the
// matchable catalogue (a published product version, a verified
// institution), whichever process or command made it: workers poll the
// version, and seed or a second process writes no other signal they see.
// It runs after the write, so a worker that sees the new version reads the
// change. If the bump fails, the write stands and the error is returned;
// workers still reload the whole catalogue every few minutes.
func (d *DB) catalogueChanged(ctx context.Context, err error) error {
	if err != nil {
		return err
	}
	if err := d.BumpCatalogue(ctx); err != nil {
		return fmt.Errorf("catalogue version not bumped after the write: %w", err)
	}
	return nil
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
