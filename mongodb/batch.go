package mongodb

import (
	"context"
	"errors"
	"sync"

	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"finzone"
)

// inserter gathers the inserts that this process's callers make into one
// collection at the same moment into one insertMany (group commit). On
// FerretDB every write is a SQLite transaction of its own, and its fixed
// cost (the round trip, FerretDB's handling, the WAL pages of each index
// touched, the commit) was most of a small insert's: the pipeline inserts a
// claim, a ledger, matches and notifications for every project, and many
// fills run at once. Each caller still waits until its own documents are
// written and learns which of them already existed; nobody waits for a
// timer: whoever finds no insert running into the collection writes what
// is queued at once, and while that runs the next callers queue.
//
// A queued caller does not give up when its context ends, since it may be
// handed the next batch to write; each batch is bounded by OpTimeout.
type inserter struct {
	mu    sync.Mutex
	colls map[string]*insertQueue
}

type insertQueue struct {
	busy    bool
	pending []*insertReq
}

type insertReq struct {
	docs []any
	dup  []bool // per document: its _id (or another unique key) was taken
	err  error
	done chan struct{} // closed once written
	lead chan struct{} // signalled when it is this request's turn to write a batch
}

// insert writes docs into coll, together with whatever other callers are
// inserting into it now, and reports which documents already existed.
func (d *DB) insert(ctx context.Context, coll string, docs []any) (dup []bool, err error) {
	if d.gate == nil { // MongoDB: nothing to gain, insert directly
		return d.insertBatch(ctx, coll, docs)
	}
	in := &d.inserts
	r := &insertReq{docs: docs, done: make(chan struct{}), lead: make(chan struct{}, 1)}
	in.mu.Lock()
	if in.colls == nil {
		in.colls = map[string]*insertQueue{}
	}
	q := in.colls[coll]
	if q == nil {
		q = &insertQueue{}
		in.colls[coll] = q
	}
	q.pending = append(q.pending, r)
	leader := !q.busy
	q.busy = true
	in.mu.Unlock()
	if !leader {
		select {
		case <-r.done:
			return r.dup, r.err
		case <-r.lead:
		}
	}
	in.mu.Lock()
	batch := q.pending
	q.pending = nil
	in.mu.Unlock()

	d.writeBatch(coll, batch)

	in.mu.Lock()
	if len(q.pending) > 0 {
		q.pending[0].lead <- struct{}{} // hand the next batch to its first caller
	} else {
		q.busy = false
	}
	in.mu.Unlock()
	<-r.done
	return r.dup, r.err
}

// writeBatch inserts the requests' documents in one insertMany and gives
// each request its own results.
func (d *DB) writeBatch(coll string, batch []*insertReq) {
	var docs []any
	for _, r := range batch {
		docs = append(docs, r.docs...)
	}
	ctx, cancel := context.WithTimeout(context.Background(), OpTimeout)
	defer cancel()
	dup, err := d.insertBatch(ctx, coll, docs)
	at := 0
	for _, r := range batch {
		r.err = err
		if dup != nil {
			r.dup = dup[at : at+len(r.docs)]
		}
		at += len(r.docs)
		close(r.done)
	}
}

// insertBatch inserts docs unordered, so each document lands or is refused
// on its own, and reports which were refused as duplicates; any other
// refusal is an error.
func (d *DB) insertBatch(ctx context.Context, coll string, docs []any) ([]bool, error) {
	dup := make([]bool, len(docs))
	ctx, cancel := opContext(ctx)
	defer cancel()
	unlock, err := d.lockWrite(ctx, "")
	if err != nil {
		return nil, err
	}
	_, err = d.db.Collection(coll).InsertMany(ctx, docs, options.InsertMany().SetOrdered(false))
	unlock()
	if err == nil {
		return dup, nil
	}
	var bwe mongo.BulkWriteException
	if errors.As(err, &bwe) && bwe.WriteConcernError == nil {
		for _, we := range bwe.WriteErrors {
			if we.Code != 11000 || we.Index < 0 || we.Index >= len(docs) {
				return nil, translate(err)
			}
			dup[we.Index] = true
		}
		return dup, nil
	}
	if mongo.IsDuplicateKeyError(err) && len(docs) == 1 {
		dup[0] = true
		return dup, nil
	}
	return nil, translate(err)
}

// insertOne inserts one document; conflict if its _id is taken.
func (d *DB) insertOne(ctx context.Context, coll, what string, doc any) error {
	dup, err := d.insert(ctx, coll, []any{doc})
	if err != nil {
		return err
	}
	if dup[0] {
		return finzone.Errorf(finzone.ECConflict, "%s exists already", what)
	}
	return nil
}

// insertAll inserts documents with fixed IDs in one round trip; ones that
// exist already (a retried task, a second worker) are left alone.
func (d *DB) insertAll(ctx context.Context, coll string, docs []any) error {
	if len(docs) == 0 {
		return nil
	}
	_, err := d.insert(ctx, coll, docs)
	return err
}
