package mongodb

import (
	"context"
	"hash/fnv"
)

// writeGate queues this process's FerretDB writes by _id, the writes the
// pipeline makes by the thousand. Two reasons, both FerretDB's (on MongoDB
// there is no gate):
//
//   - SQLite has one writer. A write that finds it busy sleeps in SQLite's
//     busy handler (1, 2, 5, 10, … 100 ms), so ten concurrent workers spent
//     more time asleep than writing. Two writes in flight keep SQLite busy
//     (one prepares while the other writes) with little sleeping: in the
//     pipeline benchmark one let ~70 projects/s through, two ~90, three ~80
//     (docs/benchmarks.md).
//   - FerretDB updates a document by reading it, applying the update in Go
//     and writing the whole document back, not atomically: two concurrent
//     updates of one document could lose one (a withdrawal overwritten by
//     the pipeline setting a flag). Updates of one document therefore go
//     one at a time. Several processes sharing one FerretDB still can lose
//     one; that is one reason production runs MongoDB.
//
// Scans that write (mark all read, purges) do not take it: they would hold
// a slot while FerretDB reads a whole collection.
type writeGate struct {
	slots chan struct{}
	docs  [64]chan struct{} // a document's turn, by hash of collection and _id
}

const gateSlots = 2

func newWriteGate() *writeGate {
	g := &writeGate{slots: make(chan struct{}, gateSlots)}
	for i := range g.docs {
		g.docs[i] = make(chan struct{}, 1)
	}
	return g
}

// lockWrite waits for a slot and, for an update (doc names the collection
// and _id; "" for inserts), for the document's turn. Call the returned func
// when the write is done.
func (d *DB) lockWrite(ctx context.Context, doc string) (unlock func(), err error) {
	g := d.gate
	if g == nil {
		return func() {}, nil
	}
	var turn chan struct{}
	if doc != "" {
		h := fnv.New32a()
		h.Write([]byte(doc))
		turn = g.docs[h.Sum32()%uint32(len(g.docs))]
		select {
		case turn <- struct{}{}:
		case <-ctx.Done():
			return nil, translate(ctx.Err())
		}
	}
	select {
	case g.slots <- struct{}{}:
	case <-ctx.Done():
		if turn != nil {
			<-turn
		}
		return nil, translate(ctx.Err())
	}
	return func() {
		<-g.slots
		if turn != nil {
			<-turn
		}
	}, nil
}
