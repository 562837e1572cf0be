package mongodb

import (
	"context"
	"crypto/sha256"
	"fmt"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"finzone"
)

// collAttempts counts failed sign-ins per account and per address, for
// finzone.Throttle. Each key has two documents, one per window parity, so a
// key never has more than two however long it is tried; each is found by
// an _id derived from the key (the key itself, an email or an address, is
// not stored). A document from an older window than the one asked for
// counts as zero and is overwritten.
const collAttempts = "signin_attempts"

type attemptDoc struct {
	ID     bson.ObjectID `bson:"_id"`
	Window int64         `bson:"window"`
	N      int64         `bson:"n"`
	// ExpiresAt is when the window stops counting as anyone's previous
	// one: PurgeSessions deletes it then.
	ExpiresAt time.Time `bson:"expires_at"`
}

func attemptID(key string, window int64) bson.ObjectID {
	sum := sha256.Sum256(fmt.Appendf(nil, "%s\x00%d", key, window&1))
	var id bson.ObjectID
	copy(id[:], sum[:])
	return id
}

// Failures returns key's failures in the window before window and in
// window itself.
func (d *DB) Failures(ctx context.Context, key string, window int64) (prev, cur int64, err error) {
	var n [2]int64
	for i, w := range []int64{window - 1, window} {
		doc, err := findOne[attemptDoc](ctx, d.db.Collection(collAttempts), bson.D{{Key: "_id", Value: attemptID(key, w)}})
		if err != nil && !finzone.IsCode(err, finzone.ECNotFound) {
			return 0, 0, err
		}
		if err == nil && doc.Window == w {
			n[i] = doc.N
		}
	}
	return n[0], n[1], nil
}

// AddFailure counts one failure for key in window, which stops counting at
// expires. Concurrent callers do not lose counts on MongoDB: the first
// write of a window replaces the older window's document only while it
// still holds the older window, and loses to a concurrent first write with
// a duplicate key, after which the increment is retried. (FerretDB applies
// updates by rewriting the document, so processes sharing one may lose a
// count in a race; this process's own go one at a time.)
func (d *DB) AddFailure(ctx context.Context, key string, window int64, expires time.Time) error {
	id := attemptID(key, window)
	unlock, err := d.lockWrite(ctx, collAttempts+"/"+id.Hex())
	if err != nil {
		return err
	}
	defer unlock()
	coll := d.db.Collection(collAttempts)
	for try := 0; try < 3; try++ {
		octx, cancel := opContext(ctx)
		res, err := coll.UpdateOne(octx, bson.D{{Key: "_id", Value: id}, {Key: "window", Value: window}},
			bson.D{{Key: "$inc", Value: bson.D{{Key: "n", Value: 1}}}})
		if err == nil && res.MatchedCount == 0 {
			_, err = coll.UpdateOne(octx, bson.D{{Key: "_id", Value: id}, {Key: "window", Value: bson.D{{Key: "$ne", Value: window}}}},
				bson.D{{Key: "$set", Value: bson.D{{Key: "window", Value: window}, {Key: "n", Value: 1}, {Key: "expires_at", Value: expires.UTC()}}}},
				options.UpdateOne().SetUpsert(true))
		}
		cancel()
		if err = translate(err); !finzone.IsCode(err, finzone.ECConflict) {
			return err
		}
	}
	return finzone.Errorf(finzone.ECUnavailable, "sign-in counter kept changing")
}

// ClearFailures forgets key's failures.
func (d *DB) ClearFailures(ctx context.Context, key string, window int64) error {
	ctx, cancel := opContext(ctx)
	defer cancel()
	for _, w := range []int64{window - 1, window} {
		if _, err := d.db.Collection(collAttempts).DeleteOne(ctx, bson.D{{Key: "_id", Value: attemptID(key, w)}}); err != nil {
			return translate(err)
		}
	}
	return nil
}
