package mongodb

import (
	"context"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo/options"
)

// Counts pending in a process die with it (tallyWriter). So that the next
// start can repair them, a process with counts to write marks itself in
// the stats collection before it writes them, refreshes its mark at least
// every markEvery while it keeps counting, and takes it away once it has
// had nothing to write for markEvery, and when it closes. A mark older
// than LostAfter is a process that died perhaps with counts pending:
// LostTallies finds it, and a rebuild, which replaces the whole
// collection, takes it away. (A process killed within its first flush
// delay, before its first mark, is not found: finzone admin rebuild-stats
// repairs that.)

// markEvery bounds how often a counting process refreshes its mark, and
// how long an idle one keeps it.
const markEvery = 20 * time.Second

// LostAfter is how old a mark is when its process is taken for dead.
const LostAfter = time.Minute

// writerKind is the kind of a process's mark among the stats documents.
const writerKind = "writer"

type writerMark struct {
	ID    bson.ObjectID `bson:"_id"`
	Scope string        `bson:"scope"` // "": not a scope's counters
	Kind  string        `bson:"kind"`
	Seen  time.Time     `bson:"seen"`
}

// markWriter puts (alive) or takes away this process's mark.
func (d *DB) markWriter(ctx context.Context, id bson.ObjectID, alive bool) error {
	ctx, cancel := opContext(ctx)
	defer cancel()
	c := d.db.Collection(collStats)
	var err error
	if alive {
		_, err = c.ReplaceOne(ctx, bson.D{{Key: "_id", Value: id}},
			writerMark{ID: id, Kind: writerKind, Seen: d.now().UTC()}, options.Replace().SetUpsert(true))
	} else {
		_, err = c.DeleteOne(ctx, bson.D{{Key: "_id", Value: id}})
	}
	return translate(err)
}

// LostTallies reports whether a process died with counts perhaps
// pending: a mark last refreshed before now minus LostAfter.
func (d *DB) LostTallies(ctx context.Context) (bool, error) {
	marks, err := findAll[writerMark](ctx, d.db.Collection(collStats), bson.D{{Key: "kind", Value: writerKind}},
		options.Find().SetProjection(bson.D{{Key: "kind", Value: 1}, {Key: "seen", Value: 1}}))
	if err != nil {
		return false, err
	}
	for _, m := range marks {
		if m.Seen.Before(d.now().Add(-LostAfter)) {
			return true, nil
		}
	}
	return false, nil
}
