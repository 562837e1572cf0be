package mongodb

import (
	"context"
	"sync"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"

	"finzone"
)

// tallyReadTTL is how long a counter document this process read answers
// again without a read. Another process's counts show within tallyDelay
// and its flush anyway; a dashboard opened by several people at once, or
// reloaded, then reads no document, which on FerretDB costs milliseconds
// each (the province's holds every county, cluster and institution).
const tallyReadTTL = time.Second

// tallyReads are the counter documents this process read lately. This
// process's flushes and rebuilds forget the documents they write, so it
// always reads its own counts.
type tallyReads struct {
	mu   sync.Mutex
	gen  uint64 // counts forgets: a read that began before one is not kept
	docs map[bson.ObjectID]tallyRead
}

type tallyRead struct {
	at  time.Time
	doc any // *statsDoc or *attentionDoc; nil when there is none
}

// forget drops the document id (all of them when id is zero).
func (r *tallyReads) forget(id bson.ObjectID) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.gen++
	if id.IsZero() {
		r.docs = nil
		return
	}
	delete(r.docs, id)
}

// cachedTallyDoc reads the counter document id as a T, from what this
// process read within tallyReadTTL if it can; a missing document is the
// zero T.
func cachedTallyDoc[T any](ctx context.Context, d *DB, id bson.ObjectID) (T, error) {
	r := &d.tallyReads
	r.mu.Lock()
	e, ok := r.docs[id]
	gen := r.gen
	r.mu.Unlock()
	if ok && time.Since(e.at) < tallyReadTTL {
		if doc, ok := e.doc.(*T); ok {
			return *doc, nil
		}
		var zero T
		return zero, nil
	}
	at := time.Now()
	doc, err := findOne[T](ctx, d.db.Collection(collStats), bson.D{{Key: "_id", Value: id}})
	if err != nil && !finzone.IsCode(err, finzone.ECNotFound) {
		return doc, err
	}
	var kept any
	if err == nil {
		kept = &doc
	}
	r.mu.Lock()
	if r.gen == gen {
		if r.docs == nil {
			r.docs = map[bson.ObjectID]tallyRead{}
		}
		r.docs[id] = tallyRead{at: at, doc: kept}
	}
	r.mu.Unlock()
	return doc, nil
}
