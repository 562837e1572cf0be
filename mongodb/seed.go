package mongodb

import (
	"context"

	"finzone"
)

// seedBatch is how many documents one insertMany of seed data carries.
const seedBatch = 500

// CreateOrgs inserts organizations in batches (seed data, imports), setting
// the ID of those that have none, and reports which already existed (their
// ID or credit code taken). One catalogue bump covers every verified
// institution created.
func (d *DB) CreateOrgs(ctx context.Context, orgs []finzone.Organization) (dup []bool, err error) {
	docs := make([]any, len(orgs))
	catalogue := make([]bool, len(orgs))
	for i := range orgs {
		if orgs[i].CreatedAt.IsZero() {
			orgs[i].CreatedAt = d.now().UTC()
		}
		doc, err := toOrgDoc(orgs[i])
		if err != nil {
			return nil, err
		}
		orgs[i].ID = doc.ID.Hex()
		docs[i], catalogue[i] = doc, orgs[i].Verified && orgs[i].Kind.IsInstitution()
	}
	return d.createBatches(ctx, collOrgs, docs, catalogue)
}

// CreateProducts inserts the first versions of products with fixed IDs in
// batches (seed data, imports) and reports which already existed. One
// catalogue bump covers every published version created.
func (d *DB) CreateProducts(ctx context.Context, ps []finzone.Product) (dup []bool, err error) {
	docs := make([]any, len(ps))
	catalogue := make([]bool, len(ps))
	now := d.now().UTC()
	for i := range ps {
		p := &ps[i]
		if p.ID == "" || p.Version > 1 {
			return nil, finzone.Errorf(finzone.ECValidation, "product %q version %d: a batch creates first versions with fixed IDs", p.ID, p.Version)
		}
		id, err := newOrParse(p.ID)
		if err != nil {
			return nil, err
		}
		p.Version = 1
		if p.CreatedAt.IsZero() {
			p.CreatedAt = now
		}
		if p.UpdatedAt.IsZero() {
			p.UpdatedAt = p.CreatedAt
		}
		docs[i], catalogue[i] = toProductDoc(*p, id), p.Status == finzone.ReviewPublished
	}
	return d.createBatches(ctx, collProducts, docs, catalogue)
}

// createBatches inserts docs seedBatch at a time, unordered, and bumps the
// catalogue version once at the end if any document marked catalogue was
// created, or might have been when an insert failed part-way.
func (d *DB) createBatches(ctx context.Context, coll string, docs []any, catalogue []bool) ([]bool, error) {
	dup := make([]bool, 0, len(docs))
	changed := false
	var err error
	for lo := 0; lo < len(docs) && err == nil; lo += seedBatch {
		hi := min(lo+seedBatch, len(docs))
		var got []bool
		got, err = d.insertBatch(ctx, coll, docs[lo:hi])
		for i := lo; i < hi; i++ {
			changed = changed || catalogue[i] && (err != nil || !got[i-lo])
		}
		dup = append(dup, got...)
	}
	if changed {
		if berr := d.catalogueChanged(ctx, nil); err == nil {
			err = berr
		}
	}
	if err != nil {
		return nil, err
	}
	return dup, nil
}
