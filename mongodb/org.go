package mongodb

import (
	"context"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"

	"finzone"
)

type orgDoc struct {
	ID           bson.ObjectID `bson:"_id"`
	Kind         string        `bson:"kind"`
	Name         string        `bson:"name"`
	USCC         string        `bson:"uscc"`
	RegionCode   string        `bson:"region_code"`
	ClusterID    string        `bson:"cluster_id,omitempty"`
	IndustryCode string        `bson:"industry_code,omitempty"`
	Size         string        `bson:"size,omitempty"`
	Verified     bool          `bson:"verified"`
	VerifiedBy   string        `bson:"verified_by,omitempty"`
	VerifiedAt   time.Time     `bson:"verified_at,omitempty"`
	CreatedAt    time.Time     `bson:"created_at"`
}

func toOrgDoc(o finzone.Organization) (orgDoc, error) {
	id, err := newOrParse(o.ID)
	return orgDoc{ID: id, Kind: string(o.Kind), Name: o.Name, USCC: o.USCC, RegionCode: o.RegionCode,
		ClusterID: o.ClusterID, IndustryCode: o.IndustryCode, Size: string(o.Size), Verified: o.Verified,
		VerifiedBy: o.VerifiedBy, VerifiedAt: o.VerifiedAt, CreatedAt: o.CreatedAt}, err
}

func (d orgDoc) toDomain() finzone.Organization {
	return finzone.Organization{ID: d.ID.Hex(), Kind: finzone.OrgKind(d.Kind), Name: d.Name, USCC: d.USCC,
		RegionCode: d.RegionCode, ClusterID: d.ClusterID, IndustryCode: d.IndustryCode, Size: finzone.Size(d.Size),
		Verified: d.Verified, VerifiedBy: d.VerifiedBy, VerifiedAt: d.VerifiedAt, CreatedAt: d.CreatedAt}
}

// newOrParse gives a new ObjectID for an empty id (a create), or parses a
// given one (seed data comes with deterministic IDs).
func newOrParse(id string) (bson.ObjectID, error) {
	if id == "" {
		return bson.NewObjectID(), nil
	}
	o, err := bson.ObjectIDFromHex(id)
	if err != nil {
		return o, finzone.Errorf(finzone.ECValidation, "bad id %q", id)
	}
	return o, nil
}

// CreateOrg inserts o and sets its ID. A taken credit code is a conflict.
func (d *DB) CreateOrg(ctx context.Context, o *finzone.Organization) error {
	if o.CreatedAt.IsZero() {
		o.CreatedAt = d.now().UTC()
	}
	doc, err := toOrgDoc(*o)
	if err != nil {
		return err
	}
	ctx, cancel := opContext(ctx)
	defer cancel()
	if _, err := d.db.Collection(collOrgs).InsertOne(ctx, doc); err != nil {
		return translate(err)
	}
	// The code was free: unless a claim is moving it to its claimant right
	// now (the holder has let it go, the claimant not yet taken it). The
	// mover reserved it before letting go, so one of the two sees the other.
	if err := d.codeInTransfer(ctx, o.USCC); err != nil {
		if derr := d.DeleteOrg(context.WithoutCancel(ctx), doc.ID.Hex()); derr != nil {
			return derr
		}
		return err
	}
	o.ID = doc.ID.Hex()
	if o.Verified && o.Kind.IsInstitution() { // seed data arrives verified
		return d.catalogueChanged(ctx, nil)
	}
	return nil
}

// DeleteOrg removes an organization; registration uses it to undo a half-made
// sign-up when the first user cannot be created.
func (d *DB) DeleteOrg(ctx context.Context, id string) error {
	o, err := oid(id)
	if err != nil {
		return err
	}
	ctx, cancel := opContext(ctx)
	defer cancel()
	_, err = d.db.Collection(collOrgs).DeleteOne(ctx, bson.D{{Key: "_id", Value: o}})
	return d.authChanged(ctx, translate(err))
}

// Org finds one organization.
func (d *DB) Org(ctx context.Context, id string) (finzone.Organization, error) {
	o, err := oid(id)
	if err != nil {
		return finzone.Organization{}, err
	}
	doc, err := findOne[orgDoc](ctx, d.db.Collection(collOrgs), bson.D{{Key: "_id", Value: o}})
	if err != nil {
		return finzone.Organization{}, err
	}
	return doc.toDomain(), nil
}

// OrgByUSCC finds an organization by its credit code.
func (d *DB) OrgByUSCC(ctx context.Context, uscc string) (finzone.Organization, error) {
	doc, err := findOne[orgDoc](ctx, d.db.Collection(collOrgs), bson.D{{Key: "uscc", Value: finzone.NormalizeUSCC(uscc)}})
	if err != nil {
		return finzone.Organization{}, err
	}
	return doc.toDomain(), nil
}

// VerifyOrg marks an institution verified; verifying twice keeps the first
// verifier.
func (d *DB) VerifyOrg(ctx context.Context, id, by string, at time.Time) (finzone.Organization, error) {
	o, err := oid(id)
	if err != nil {
		return finzone.Organization{}, err
	}
	raw, err := d.guardedUpdate(ctx, collOrgs, "org", bson.D{{Key: "_id", Value: o}},
		func(raw bson.Raw) bool { v, _ := raw.Lookup("verified").BooleanOK(); return !v },
		bson.D{{Key: "$set", Value: bson.D{{Key: "verified", Value: true}, {Key: "verified_by", Value: by}, {Key: "verified_at", Value: at.UTC()}}}},
		func(bson.Raw) string { return "unverified" })
	if finzone.IsCode(err, finzone.ECInvalidState) {
		// Already verified (or being verified): answer with what is there.
		// Bump again: a retry after a bump that failed must not leave the
		// workers without one.
		org, err := d.Org(ctx, id)
		return org, d.authChanged(ctx, d.institutionChanged(ctx, org, err))
	}
	if err != nil {
		return finzone.Organization{}, err
	}
	var doc orgDoc
	if err := bson.Unmarshal(raw, &doc); err != nil {
		return finzone.Organization{}, translate(err)
	}
	return doc.toDomain(), d.authChanged(ctx, d.institutionChanged(ctx, doc.toDomain(), nil))
}

// institutionChanged moves the catalogue's version when o is an
// institution: an enterprise is not in the matching catalogue.
func (d *DB) institutionChanged(ctx context.Context, o finzone.Organization, err error) error {
	if err != nil || !o.Kind.IsInstitution() {
		return err
	}
	return d.catalogueChanged(ctx, nil)
}

// DetachCode makes an organization that holds code hold only its detached
// form, unverified: a claim on the code was upheld. Detaching again answers
// with the organization as it is.
func (d *DB) DetachCode(ctx context.Context, id, code string) (finzone.Organization, error) {
	o, err := oid(id)
	if err != nil {
		return finzone.Organization{}, err
	}
	_, err = d.guardedUpdate(ctx, collOrgs, "org", bson.D{{Key: "_id", Value: o}}, fieldIn("uscc", code),
		bson.D{
			{Key: "$set", Value: bson.D{{Key: "uscc", Value: finzone.DetachedUSCC(code, id)}, {Key: "verified", Value: false}}},
			{Key: "$unset", Value: bson.D{{Key: "verified_by", Value: ""}, {Key: "verified_at", Value: ""}}},
		}, codeMarker)
	if err != nil && !finzone.IsCode(err, finzone.ECInvalidState) {
		return finzone.Organization{}, err
	}
	if err := d.authChanged(ctx, nil); err != nil {
		return finzone.Organization{}, err
	}
	return d.Org(ctx, id)
}

// AttachCode gives a claimant holding code's detached form the code
// itself, verified by the coordinator who upheld its claim. While another
// organization still holds the code it is a conflict (the unique index),
// and nothing is left behind, so attaching again is at once possible;
// attaching again after success answers with the organization as it is.
// No claim is taken: the unique index keeps the code to one holder, and two
// attaches of one claim write the same values.
func (d *DB) AttachCode(ctx context.Context, id, code, by string, at time.Time) (finzone.Organization, error) {
	o, err := oid(id)
	if err != nil {
		return finzone.Organization{}, err
	}
	octx, cancel := opContext(ctx)
	defer cancel()
	unlock, err := d.lockWrite(octx, collOrgs+"/"+id)
	if err != nil {
		return finzone.Organization{}, err
	}
	_, err = d.db.Collection(collOrgs).UpdateOne(octx,
		bson.D{{Key: "_id", Value: o}, {Key: "uscc", Value: finzone.DetachedUSCC(code, id)}},
		bson.D{{Key: "$set", Value: bson.D{{Key: "uscc", Value: code}, {Key: "verified", Value: true},
			{Key: "verified_by", Value: by}, {Key: "verified_at", Value: at.UTC()}}}})
	unlock()
	if err := d.authChanged(ctx, translate(err)); err != nil {
		return finzone.Organization{}, err
	}
	return d.Org(ctx, id)
}

// codeMarker names an organization's state by the code it holds and when
// it was last verified, for the claim that makes a code's move exclusive.
func codeMarker(raw bson.Raw) string {
	code, _ := raw.Lookup("uscc").StringValueOK()
	at, _ := raw.Lookup("verified_at").TimeOK()
	return stateMarker("uscc:"+code, at)
}

var orgSorts = sortKeys{"created_at": "created_at", "name": "name"}

// ListOrgs lists organizations, newest first by default.
func (d *DB) ListOrgs(ctx context.Context, f finzone.OrgFilter, pg finzone.Page) ([]finzone.Organization, string, error) {
	filter := bson.D{}
	if f.Kinds != nil {
		filter = append(filter, bson.E{Key: "kind", Value: bson.D{{Key: "$in", Value: strs(f.Kinds)}}})
	}
	if f.Verified != nil {
		filter = append(filter, bson.E{Key: "verified", Value: *f.Verified})
	}
	if f.Regions != nil {
		filter = append(filter, bson.E{Key: "region_code", Value: bson.D{{Key: "$in", Value: f.Regions}}})
	}
	docs, next, err := findPage[orgDoc](ctx, d.db.Collection(collOrgs), filter, pg, orgSorts, "-created_at")
	if err != nil {
		return nil, "", err
	}
	out := make([]finzone.Organization, len(docs))
	for i, doc := range docs {
		out[i] = doc.toDomain()
	}
	return out, next, nil
}
