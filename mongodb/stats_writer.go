package mongodb

import (
	"context"
	"log/slog"
	"maps"
	"slices"
	"sync"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"finzone"
)

// tallyWriter gathers this process's counts and writes them with $inc,
// merged: each write of a project or match adds its change to the scopes'
// pending counts at once (in memory, under a mutex), and a flush writes
// every pending scope in one update each. The pipeline moves thousands of
// matches a minute, all counted in the province's document: one update per
// change would queue them all on that document (on FerretDB each update
// rewrites the whole document), and even a flush every 100 ms cost the
// pipeline benchmark more than one a second (docs/benchmarks.md). A flush
// follows every change within tallyDelay, and a read of the counters
// (DB.Tally) flushes first, so a process always reads its own writes;
// another process's show within tallyDelay and the flush's time. A process killed with counts pending
// loses them: RebuildTallies repairs that, as it does a crash between a
// write and its count.
type tallyWriter struct {
	mu      sync.Mutex
	pending map[bson.ObjectID]*tallyOp
	// flushing serializes flushes (and rebuilds, which start from nothing
	// pending), and guards markedAt.
	flushing sync.Mutex
	// mark puts or takes away this process's mark (stats_lost.go);
	// markedAt is when it was last put, zero while there is none.
	mark     func(ctx context.Context, alive bool) error
	markedAt time.Time
	kick     chan struct{}
	stop     chan struct{}
	stopOnce sync.Once
	stopped  chan struct{}
	write    func(ctx context.Context, id bson.ObjectID, op *tallyOp) error
	// log, while a rebuild runs, records each object changed; rebuilding
	// keeps to one rebuild at a time.
	log        *rebuildLog
	rebuilding sync.Mutex
}

// tallyDelay is how long a change waits for others to share its flush.
const tallyDelay = time.Second

// tallyOp is what a flush writes into one document.
type tallyOp struct {
	scope string
	inc   map[string]int64
	set   map[string]any
	unset map[string]bool
}

func newTallyWriter(write func(ctx context.Context, id bson.ObjectID, op *tallyOp) error,
	mark func(ctx context.Context, alive bool) error) *tallyWriter {
	w := &tallyWriter{pending: map[bson.ObjectID]*tallyOp{}, kick: make(chan struct{}, 1), stop: make(chan struct{}),
		stopped: make(chan struct{}), write: write, mark: mark}
	go w.run()
	return w
}

// run flushes tallyDelay after a change, and takes the process's mark
// away after markEvery without one, until close.
func (w *tallyWriter) run() {
	defer close(w.stopped)
	for {
		select {
		case <-w.stop:
			return
		case <-w.kick:
		case <-time.After(markEvery):
			if err := w.unmark(context.Background()); err != nil {
				slog.Warn("taking away this process's counting mark failed; retrying", "err", err)
			}
			continue
		}
		select {
		case <-w.stop:
			return
		case <-time.After(tallyDelay):
		}
		if err := w.flush(context.Background()); err != nil {
			slog.Warn("writing the dashboard counters failed; retrying", "err", err)
			w.wake()
		}
	}
}

// close stops the background flushes and writes what is pending.
func (w *tallyWriter) close(ctx context.Context) error {
	w.stopOnce.Do(func() { close(w.stop) })
	<-w.stopped
	if err := w.flush(ctx); err != nil {
		return err
	}
	return w.unmark(ctx)
}

// discard stops the background flushes and forgets what is pending,
// writing nothing.
func (w *tallyWriter) discard() {
	w.stopOnce.Do(func() { close(w.stop) })
	<-w.stopped
	w.flushing.Lock()
	defer w.flushing.Unlock()
	w.mu.Lock()
	w.pending = map[bson.ObjectID]*tallyOp{}
	w.mu.Unlock()
	w.markedAt = time.Time{}
}

// marked puts or refreshes this process's mark before it writes counts;
// call with flushing held.
func (w *tallyWriter) marked(ctx context.Context) error {
	if time.Since(w.markedAt) < markEvery/2 {
		return nil
	}
	if err := w.mark(ctx, true); err != nil {
		return err
	}
	w.markedAt = time.Now()
	return nil
}

// unmark takes this process's mark away if it has one and nothing is
// pending.
func (w *tallyWriter) unmark(ctx context.Context) error {
	w.flushing.Lock()
	defer w.flushing.Unlock()
	w.mu.Lock()
	idle := len(w.pending) == 0
	w.mu.Unlock()
	if w.markedAt.IsZero() || !idle {
		return nil
	}
	if err := w.mark(ctx, false); err != nil {
		return err
	}
	w.markedAt = time.Time{}
	return nil
}

func (w *tallyWriter) wake() {
	select {
	case w.kick <- struct{}{}:
	default:
	}
}

// op is the pending op of a document, made if needed; call with mu held.
func (w *tallyWriter) op(id bson.ObjectID, scope string) *tallyOp {
	o := w.pending[id]
	if o == nil {
		o = &tallyOp{scope: scope, inc: map[string]int64{}, set: map[string]any{}, unset: map[string]bool{}}
		w.pending[id] = o
	}
	return o
}

// change counts one object's change from before to after: its tally off
// before's scopes and onto after's, and its attention mark moved. While a
// rebuild runs, it also logs the change under key (see rebuildLog).
func (w *tallyWriter) change(key string, before, after sourceState) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.log != nil {
		w.log.record(key, before, after)
	}
	if before.region == after.region {
		w.add(after.region, finzone.TallyChange(before.tally, after.tally))
	} else {
		w.add(before.region, finzone.TallyChange(before.tally, finzone.Tally{}))
		w.add(after.region, after.tally)
	}
	w.move(before.mark, after.mark)
	w.wake()
}

// add adds t to the pending counts of region's scopes; call with mu held.
func (w *tallyWriter) add(region string, t finzone.Tally) {
	if t.Zero() {
		return
	}
	incs := tallyIncs(t)
	for _, scope := range finzone.TallyScopes(region) {
		o := w.op(statsID(scope), scope)
		for path, v := range incs {
			if o.inc[path] += v; o.inc[path] == 0 {
				delete(o.inc, path)
			}
		}
	}
}

// move takes a project off before's attention lists and puts it on
// after's (nil: on none); call with mu held.
func (w *tallyWriter) move(before, after *attentionMark) {
	if before == nil && after == nil || before != nil && after != nil && *before == *after {
		return
	}
	if before != nil {
		for _, scope := range finzone.TallyScopes(before.region) {
			o := w.op(attentionID(scope), scope)
			path := "ids." + before.id
			delete(o.set, path)
			o.unset[path] = true
		}
	}
	if after != nil {
		for _, scope := range finzone.TallyScopes(after.region) {
			o := w.op(attentionID(scope), scope)
			path := "ids." + after.id
			delete(o.unset, path)
			o.set[path] = after.rec
		}
	}
}

// flush writes every pending op. Ops that fail go back to pending, under
// whatever was counted meanwhile.
func (w *tallyWriter) flush(ctx context.Context) error {
	w.flushing.Lock()
	defer w.flushing.Unlock()
	w.mu.Lock()
	ops := w.pending
	w.pending = map[bson.ObjectID]*tallyOp{}
	w.mu.Unlock()
	if len(ops) > 0 {
		if err := w.marked(ctx); err != nil {
			w.restore(ops)
			return err
		}
	}
	for id, o := range ops {
		if err := w.write(ctx, id, o); err != nil {
			w.restore(ops)
			return err
		}
		delete(ops, id)
	}
	return nil
}

// restore puts ops that were not written back under the newer pending
// ones: increments add up; a newer set or unset of a path wins.
func (w *tallyWriter) restore(ops map[bson.ObjectID]*tallyOp) {
	w.mu.Lock()
	defer w.mu.Unlock()
	for id, old := range ops {
		o := w.op(id, old.scope)
		for path, v := range old.inc {
			if o.inc[path] += v; o.inc[path] == 0 {
				delete(o.inc, path)
			}
		}
		for path, v := range old.set {
			if _, ok := o.unset[path]; !ok {
				if _, ok := o.set[path]; !ok {
					o.set[path] = v
				}
			}
		}
		for path := range old.unset {
			if _, ok := o.set[path]; !ok {
				o.unset[path] = true
			}
		}
	}
}

// writeTallyOp writes one document's op, creating the document if needed.
func (d *DB) writeTallyOp(ctx context.Context, id bson.ObjectID, o *tallyOp) error {
	set := bson.D{{Key: "scope", Value: o.scope}}
	for _, path := range sortedKeys(o.set) {
		set = append(set, bson.E{Key: path, Value: o.set[path]})
	}
	update := bson.D{{Key: "$set", Value: set}}
	if len(o.inc) > 0 {
		inc := bson.D{}
		for _, path := range sortedKeys(o.inc) {
			inc = append(inc, bson.E{Key: path, Value: o.inc[path]})
		}
		update = append(update, bson.E{Key: "$inc", Value: inc})
	}
	if len(o.unset) > 0 {
		unset := bson.D{}
		for _, path := range sortedKeys(o.unset) {
			unset = append(unset, bson.E{Key: path, Value: ""})
		}
		update = append(update, bson.E{Key: "$unset", Value: unset})
	}
	ctx, cancel := opContext(ctx)
	defer cancel()
	unlock, err := d.lockWrite(ctx, collStats+"/"+id.Hex())
	if err != nil {
		return err
	}
	defer unlock()
	defer d.tallyReads.forget(id) // after the write: a read meanwhile is not kept
	_, err = d.db.Collection(collStats).UpdateOne(ctx, bson.D{{Key: "_id", Value: id}}, update, options.UpdateOne().SetUpsert(true))
	return translate(err)
}

func sortedKeys[V any](m map[string]V) []string {
	return slices.Sorted(maps.Keys(m))
}
