package mongodb

import (
	"context"
	"fmt"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"finzone"
)

const collClaims = "claims"

// claimTTL is how long a claim whose writer died blocks the transition it
// claimed; after it, the next writer takes the claim over. A live writer
// writes within one OpTimeout of claiming, so three leave a margin. It must
// stay well under asynq's 30 s lease: the workers re-run a killed worker's
// task once the lease lapses (25–30 s after the kill), and a re-run that
// finds the claim still live takes the project for being moved by someone
// else and leaves it.
const claimTTL = 3 * OpTimeout

type claimDoc struct {
	ID bson.ObjectID `bson:"_id"`
	At time.Time     `bson:"at"`
}

// claim makes a state transition exclusive. FerretDB 1.24 evaluates an
// update's filter and then writes by _id, so two "only if still in state X"
// updates can both succeed; an insert under a fixed _id cannot. Every guarded
// write first claims (what, id, the state it read); the loser of a race gets
// a conflict. MongoDB would not need it, and does not mind it.
func (d *DB) claim(ctx context.Context, what, id, state string) error {
	return d.claimState(ctx, what, id, state, true)
}

// claimState is claim; takeOver says whether a stale claim may be taken.
func (d *DB) claimState(ctx context.Context, what, id, state string, takeOver bool) error {
	cid, err := oid(finzone.StableID("claim", what, id, state))
	if err != nil {
		return err
	}
	taken := finzone.Errorf(finzone.ECConflict, "%s %s: state %s already being changed", what, id, state)
	now := d.now().UTC()
	dup, err := d.insert(ctx, collClaims, []any{claimDoc{ID: cid, At: now}})
	switch {
	case err != nil:
		return err
	case !dup[0]:
		return nil
	case !takeOver:
		return taken
	}
	// Taken. A claim left by a writer that died before writing is stale
	// after claimTTL: take it over, once.
	ctx, cancel := opContext(ctx)
	defer cancel()
	res, err := d.db.Collection(collClaims).DeleteOne(ctx, bson.D{{Key: "_id", Value: cid}, {Key: "at", Value: bson.D{{Key: "$lt", Value: now.Add(-claimTTL)}}}})
	if err != nil || res.DeletedCount == 0 {
		return taken
	}
	if dup, err := d.insert(ctx, collClaims, []any{claimDoc{ID: cid, At: now}}); err != nil || dup[0] {
		return taken
	}
	return nil
}

// PurgeClaims deletes claims older than an hour: by then their writes are
// long done, and the state they named is gone.
func (d *DB) PurgeClaims(ctx context.Context, now time.Time) (int64, error) {
	ctx, cancel := opContext(ctx)
	defer cancel()
	res, err := d.db.Collection(collClaims).DeleteMany(ctx, bson.D{{Key: "at", Value: bson.D{{Key: "$lt", Value: now.Add(-time.Hour).UTC()}}}})
	if err != nil {
		return 0, translate(err)
	}
	return res.DeletedCount, nil
}

// guardedUpdate reads the document find selects, checks in Go that it is in
// the expected state, claims that state (marker), then updates it by _id.
// Reads and writes by _id alone are the only ones FerretDB serves without a
// collection scan; the claim, not the update's filter, is what makes the
// transition exclusive (FerretDB's filters are checked before a separate
// write anyway). A document in another state is invalid_state; so is a lost
// claim, since another writer is moving it from the same state.
func (d *DB) guardedUpdate(ctx context.Context, coll, what string, find bson.D, inState func(bson.Raw) bool, update bson.D, marker func(bson.Raw) string) (bson.Raw, error) {
	_, out, err := d.guardedChange(ctx, coll, what, find, inState, update, marker)
	return out, err
}

// guardedChange is guardedUpdate that also returns the document as read,
// in the state the claim made exclusive, for the counters.
func (d *DB) guardedChange(ctx context.Context, coll, what string, find bson.D, inState func(bson.Raw) bool, update bson.D, marker func(bson.Raw) string) (before, after bson.Raw, err error) {
	c := d.db.Collection(coll)
	octx, cancel := opContext(ctx)
	raw, err := c.FindOne(octx, find).Raw()
	cancel()
	if err != nil {
		err = translate(err)
		if finzone.IsCode(err, finzone.ECNotFound) {
			return nil, nil, finzone.Errorf(finzone.ECInvalidState, "%s not found", what)
		}
		return nil, nil, err
	}
	if !inState(raw) {
		return nil, nil, finzone.Errorf(finzone.ECInvalidState, "%s not in the expected state", what)
	}
	id, _ := raw.Lookup("_id").ObjectIDOK()
	out, err := d.claimedUpdate(ctx, coll, what, id, marker(raw), update)
	if err != nil {
		return nil, nil, err
	}
	return raw, out, nil
}

// claimedUpdate claims the transition out of the state the marker names,
// then applies update to the document by _id and returns it as updated.
// Every writer of a transition claims the state it moves from, so a state
// already left is claimed by whoever left it: the claim refuses this
// writer (invalid_state). Only a claim older than claimTTL is taken over,
// and its writer, whose deadline was one OpTimeout, is gone.
func (d *DB) claimedUpdate(ctx context.Context, coll, what string, id bson.ObjectID, state string, update bson.D) (bson.Raw, error) {
	if err := d.claim(ctx, what, id.Hex(), state); err != nil {
		return nil, finzone.Errorf(finzone.ECInvalidState, "%s: %v", what, err)
	}
	octx, cancel := opContext(ctx)
	defer cancel()
	unlock, err := d.lockWrite(octx, coll+"/"+id.Hex())
	if err != nil {
		return nil, err
	}
	defer unlock()
	out, err := d.db.Collection(coll).FindOneAndUpdate(octx, bson.D{{Key: "_id", Value: id}}, update,
		options.FindOneAndUpdate().SetReturnDocument(options.After)).Raw()
	if err != nil {
		return nil, translate(err)
	}
	return out, nil
}

// fieldIn checks a document's string field against the allowed values.
func fieldIn(field string, values ...string) func(bson.Raw) bool {
	return func(raw bson.Raw) bool {
		v, _ := raw.Lookup(field).StringValueOK()
		for _, ok := range values {
			if v == ok {
				return true
			}
		}
		return false
	}
}

// updatedAtMarker names a document's state by its last guarded write.
func updatedAtMarker(raw bson.Raw) string {
	t, _ := raw.Lookup("updated_at").TimeOK()
	s, _ := raw.Lookup("status").StringValueOK()
	return stateMarker(s, t)
}

// stateMarker names a state by status and last change, as stored (to the
// millisecond).
func stateMarker(status string, updatedAt time.Time) string {
	return fmt.Sprintf("%s@%d", status, updatedAt.Truncate(time.Millisecond).UnixNano())
}

// saveVersioned writes a versioned document (a ledger, a syndicate) if its
// stored version is still prev: an insert for a new one, whose fixed _id
// makes a racing insert fail, or a claimed, conditional replace.
func (d *DB) saveVersioned(ctx context.Context, coll, what, key string, id bson.ObjectID, prev int, doc any) error {
	if prev == 0 {
		return d.insertOne(ctx, coll, fmt.Sprintf("%s %s version 1", what, key), doc)
	}
	if err := d.claim(ctx, what, key, fmt.Sprint(prev)); err != nil {
		return err
	}
	octx, cancel := opContext(ctx)
	defer cancel()
	unlock, err := d.lockWrite(octx, coll+"/"+id.Hex())
	if err != nil {
		return err
	}
	defer unlock()
	// Holding the claim on version prev means nobody else wrote since: the
	// replace can go by _id alone.
	res, err := d.db.Collection(coll).ReplaceOne(octx, bson.D{{Key: "_id", Value: id}}, doc)
	if err != nil {
		return translate(err)
	}
	if res.MatchedCount == 0 {
		return finzone.Errorf(finzone.ECConflict, "%s %s moved past version %d", what, key, prev)
	}
	return nil
}
