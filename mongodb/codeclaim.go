package mongodb

import (
	"context"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"

	"finzone"
)

// Claims on credit codes, and the reservation that keeps a code from a
// stranger while a claim moves it.
const (
	collCodeClaims    = "code_claims"
	collCodeTransfers = "code_transfers"
)

type codeClaimDoc struct {
	ID            bson.ObjectID `bson:"_id"`
	USCC          string        `bson:"uscc"`
	ClaimantOrgID string        `bson:"claimant_org_id"`
	HolderOrgID   string        `bson:"holder_org_id"`
	HolderRegion  string        `bson:"holder_region"`
	Name          string        `bson:"name"`
	Contact       string        `bson:"contact"`
	EvidenceNote  string        `bson:"evidence_note"`
	Status        string        `bson:"status"`
	DecidedBy     string        `bson:"decided_by,omitempty"`
	DecidedAt     time.Time     `bson:"decided_at,omitempty"`
	DecisionNote  string        `bson:"decision_note,omitempty"`
	CreatedAt     time.Time     `bson:"created_at"`
	UpdatedAt     time.Time     `bson:"updated_at"`
}

func toCodeClaimDoc(c finzone.CodeClaim) (codeClaimDoc, error) {
	id, err := newOrParse(c.ID)
	return codeClaimDoc{ID: id, USCC: c.USCC, ClaimantOrgID: c.ClaimantOrgID, HolderOrgID: c.HolderOrgID,
		HolderRegion: c.HolderRegion, Name: c.Name, Contact: c.Contact, EvidenceNote: c.EvidenceNote,
		Status: string(c.Status), DecidedBy: c.DecidedBy, DecidedAt: c.DecidedAt.UTC(), DecisionNote: c.DecisionNote,
		CreatedAt: c.CreatedAt.UTC(), UpdatedAt: c.CreatedAt.UTC()}, err
}

func (d codeClaimDoc) toDomain() finzone.CodeClaim {
	return finzone.CodeClaim{ID: d.ID.Hex(), USCC: d.USCC, ClaimantOrgID: d.ClaimantOrgID, HolderOrgID: d.HolderOrgID,
		HolderRegion: d.HolderRegion, Name: d.Name, Contact: d.Contact, EvidenceNote: d.EvidenceNote,
		Status: finzone.ClaimStatus(d.Status), DecidedBy: d.DecidedBy, DecidedAt: d.DecidedAt, DecisionNote: d.DecisionNote,
		CreatedAt: d.CreatedAt}
}

// CreateCodeClaim inserts a claim and sets its ID.
func (d *DB) CreateCodeClaim(ctx context.Context, c *finzone.CodeClaim) error {
	if c.CreatedAt.IsZero() {
		c.CreatedAt = d.now().UTC()
	}
	doc, err := toCodeClaimDoc(*c)
	if err != nil {
		return err
	}
	if err := d.insertOne(ctx, collCodeClaims, "claim "+doc.ID.Hex(), doc); err != nil {
		return err
	}
	c.ID = doc.ID.Hex()
	return nil
}

// DeleteCodeClaim removes a claim; filing one uses it to undo a half-made
// filing.
func (d *DB) DeleteCodeClaim(ctx context.Context, id string) error {
	o, err := oid(id)
	if err != nil {
		return err
	}
	ctx, cancel := opContext(ctx)
	defer cancel()
	_, err = d.db.Collection(collCodeClaims).DeleteOne(ctx, bson.D{{Key: "_id", Value: o}})
	return translate(err)
}

// CodeClaim finds one claim.
func (d *DB) CodeClaim(ctx context.Context, id string) (finzone.CodeClaim, error) {
	o, err := oid(id)
	if err != nil {
		return finzone.CodeClaim{}, err
	}
	doc, err := findOne[codeClaimDoc](ctx, d.db.Collection(collCodeClaims), bson.D{{Key: "_id", Value: o}})
	return doc.toDomain(), err
}

var claimSorts = sortKeys{"created_at": "created_at"}

// ListCodeClaims lists claims, newest first: those of a claimant, or those
// whose holder lies in regions (nil: every region), in a status.
func (d *DB) ListCodeClaims(ctx context.Context, f finzone.ClaimFilter, pg finzone.Page) ([]finzone.CodeClaim, string, error) {
	filter := bson.D{}
	if f.ClaimantOrgID != "" {
		filter = append(filter, bson.E{Key: "claimant_org_id", Value: f.ClaimantOrgID})
	}
	if f.Regions != nil {
		filter = append(filter, bson.E{Key: "holder_region", Value: bson.D{{Key: "$in", Value: f.Regions}}})
	}
	if f.Status != "" {
		filter = append(filter, bson.E{Key: "status", Value: string(f.Status)})
	}
	docs, next, err := findPage[codeClaimDoc](ctx, d.db.Collection(collCodeClaims), filter, pg, claimSorts, "-created_at")
	if err != nil {
		return nil, "", err
	}
	out := make([]finzone.CodeClaim, len(docs))
	for i, doc := range docs {
		out[i] = doc.toDomain()
	}
	return out, next, nil
}

// SetCodeClaimStatus moves a claim from status from to to, recording who
// decided, when and why; a claim in another status, or moved meanwhile, is
// invalid_state.
func (d *DB) SetCodeClaimStatus(ctx context.Context, c finzone.CodeClaim, from finzone.ClaimStatus) (finzone.CodeClaim, error) {
	o, err := oid(c.ID)
	if err != nil {
		return finzone.CodeClaim{}, err
	}
	raw, err := d.guardedUpdate(ctx, collCodeClaims, "code claim", bson.D{{Key: "_id", Value: o}}, fieldIn("status", string(from)),
		bson.D{{Key: "$set", Value: bson.D{{Key: "status", Value: string(c.Status)}, {Key: "decided_by", Value: c.DecidedBy},
			{Key: "decided_at", Value: c.DecidedAt.UTC()}, {Key: "decision_note", Value: c.DecisionNote},
			{Key: "updated_at", Value: d.now().UTC()}}}}, updatedAtMarker)
	if err != nil {
		return finzone.CodeClaim{}, err
	}
	var doc codeClaimDoc
	if err := bson.Unmarshal(raw, &doc); err != nil {
		return finzone.CodeClaim{}, translate(err)
	}
	return doc.toDomain(), nil
}

type codeTransferDoc struct {
	ID      bson.ObjectID `bson:"_id"`
	USCC    string        `bson:"uscc"`
	ClaimID string        `bson:"claim_id"`
	At      time.Time     `bson:"at"`
}

func transferID(code string) (bson.ObjectID, error) {
	return oid(finzone.StableID("code transfer", code))
}

// ReserveCodeTransfer reserves code for a claim while the claim moves it:
// registration refuses it meanwhile (CreateOrg). Reserving it again for the
// same claim is a no-op; for another claim, a conflict.
func (d *DB) ReserveCodeTransfer(ctx context.Context, code, claimID string) error {
	id, err := transferID(code)
	if err != nil {
		return err
	}
	dup, err := d.insert(ctx, collCodeTransfers, []any{codeTransferDoc{ID: id, USCC: code, ClaimID: claimID, At: d.now().UTC()}})
	if err != nil || !dup[0] {
		return err
	}
	have, err := findOne[codeTransferDoc](ctx, d.db.Collection(collCodeTransfers), bson.D{{Key: "_id", Value: id}})
	if err != nil {
		return err
	}
	if have.ClaimID != claimID {
		return finzone.Errorf(finzone.ECConflict, "credit code %s is being moved by claim %s", code, have.ClaimID)
	}
	return nil
}

// ReleaseCodeTransfer ends a claim's reservation of code, once the code
// has moved.
func (d *DB) ReleaseCodeTransfer(ctx context.Context, code, claimID string) error {
	id, err := transferID(code)
	if err != nil {
		return err
	}
	ctx, cancel := opContext(ctx)
	defer cancel()
	_, err = d.db.Collection(collCodeTransfers).DeleteOne(ctx, bson.D{{Key: "_id", Value: id}, {Key: "claim_id", Value: claimID}})
	return translate(err)
}

// codeInTransfer is a conflict while a claim is moving code (one read by
// _id); detached forms are never moved.
func (d *DB) codeInTransfer(ctx context.Context, code string) error {
	if !finzone.ValidUSCC(code) {
		return nil
	}
	id, err := transferID(code)
	if err != nil {
		return err
	}
	_, err = findOne[codeTransferDoc](ctx, d.db.Collection(collCodeTransfers), bson.D{{Key: "_id", Value: id}})
	switch {
	case err == nil:
		return finzone.Errorf(finzone.ECConflict, "credit code %s is being moved by a claim", code)
	case finzone.IsCode(err, finzone.ECNotFound):
		return nil
	}
	return err
}
