package mongodb

import "context"

// writeGate lets one of this process's writes at a time reach FerretDB, by
// _id, the writes the pipeline makes by the thousand. Two reasons, both
// FerretDB's (on MongoDB the gate stays open):
//
//   - SQLite has one writer. A write that finds it busy sleeps in SQLite's
//     busy handler (1, 2, 5, 10, … 100 ms), so ten concurrent workers spent
//     more time asleep than writing; queued here, they write back to back.
//   - FerretDB updates a document by reading it, applying the update in Go
//     and writing the whole document back, not atomically: two concurrent
//     updates of one document could lose one (a withdrawal overwritten by
//     the pipeline setting a flag). Through the gate, this process's writes
//     cannot interleave. Several processes sharing one FerretDB still can;
//     that is one reason production runs MongoDB.
//
// Scans that write (mark all read, purges) do not take it: they would hold
// every other write up while FerretDB reads a whole collection.
type writeGate chan struct{}

// lockWrite waits for the gate; call the returned func when the write is done.
func (d *DB) lockWrite(ctx context.Context) (unlock func(), err error) {
	if d.gate == nil {
		return func() {}, nil
	}
	select {
	case d.gate <- struct{}{}:
		return func() { <-d.gate }, nil
	case <-ctx.Done():
		return nil, translate(ctx.Err())
	}
}
