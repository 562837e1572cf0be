package mongodb

import (
	"context"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"finzone"
)

// rebuildTimeout bounds a rebuild's two scans and its writes.
const rebuildTimeout = 10 * time.Minute

// The fields a tally reads: the rest of each document stays on the server.
var (
	projectTallyFields = projection("_id", "title", "status", "amount_yuan", "region_code", "cluster_id", "submitted_at",
		"created_at", "needs_attention")
	matchTallyFields = projection("_id", "region_code", "institution_id", "role", "stage", "events", "offer", "cover",
		"tranches", "escalated_at", "created_at")
)

// RebuildTallies recomputes every counter from the projects and matches
// (one scan of each) and replaces the stored ones. It may run while this
// process writes: each object the process changes meanwhile is counted as
// it is at the end (rebuildLog), and counts made after that are written
// over the rebuilt counters. A write by another process while the scans run
// may be counted twice or not at all: rebuild again when the platform is
// idle to be sure.
func (d *DB) RebuildTallies(ctx context.Context) error {
	ctx, cancel := context.WithTimeout(ctx, rebuildTimeout)
	defer cancel()
	w := d.tallies
	w.rebuilding.Lock()
	defer w.rebuilding.Unlock()
	defer d.tallyReads.forget(bson.ObjectID{})
	w.mu.Lock()
	w.log = &rebuildLog{changed: map[string]*loggedChange{}, scanned: map[string]sourceState{}}
	w.mu.Unlock()
	defer func() {
		w.mu.Lock()
		w.log = nil
		w.mu.Unlock()
	}()
	r := tallyBuild{tallies: map[string]*finzone.Tally{}, attention: map[string]map[string]attentionRecord{}}
	err := scan(ctx, d.db.Collection(collProjects), projectTallyFields, func(doc projectDoc) {
		p := doc.toDomain()
		r.add(w.scanned("project/"+p.ID, sourceState{region: p.RegionCode, tally: finzone.ProjectTally(p), mark: attentionEntry(&p)}), 1)
	})
	if err != nil {
		return err
	}
	err = scan(ctx, d.db.Collection(collMatches), matchTallyFields, func(doc matchDoc) {
		m := doc.toDomain()
		r.add(w.scanned("match/"+m.ID, sourceState{region: m.RegionCode, tally: finzone.MatchTally(m)}), 1)
	})
	if err != nil {
		return err
	}
	w.flushing.Lock()
	defer w.flushing.Unlock()
	w.mu.Lock()
	w.log.settle(r)
	w.pending = map[bson.ObjectID]*tallyOp{}
	w.mu.Unlock()
	w.markedAt = time.Time{} // replaceTallies takes every process's mark away; the next flush puts this one's back
	return d.replaceTallies(ctx, r)
}

// rebuildLog is what this process changed while a rebuild's scans ran,
// by object: its state before the first change and after the last, and,
// for one already changed when the scan read it, the state the scan
// counted. One not yet changed then was counted as it was before its first
// change.
type rebuildLog struct {
	changed map[string]*loggedChange
	scanned map[string]sourceState
}

type loggedChange struct{ first, last sourceState }

func (l *rebuildLog) record(key string, before, after sourceState) {
	if c := l.changed[key]; c != nil {
		c.last = after
		return
	}
	l.changed[key] = &loggedChange{first: before, last: after}
}

// settle counts each object changed during the scans as it is now
// instead of as the scan saw it.
func (l *rebuildLog) settle(r tallyBuild) {
	for key, c := range l.changed {
		seen, ok := l.scanned[key]
		if !ok {
			seen = c.first
		}
		r.add(seen, -1)
		r.add(c.last, 1)
	}
}

// scanned notes the state a rebuild's scan counted for an object this
// process has changed since the rebuild began, and passes it on.
func (w *tallyWriter) scanned(key string, s sourceState) sourceState {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.log != nil && w.log.changed[key] != nil {
		w.log.scanned[key] = s
	}
	return s
}

// tallyBuild is a rebuild's counts so far, by scope.
type tallyBuild struct {
	tallies   map[string]*finzone.Tally
	attention map[string]map[string]attentionRecord
}

// add counts an object's state (sign 1) or takes it back (-1).
func (r tallyBuild) add(s sourceState, sign int64) {
	if s.region == "" && s.tally.Zero() {
		return // an object that did not exist
	}
	for _, scope := range finzone.TallyScopes(s.region) {
		if r.tallies[scope] == nil {
			r.tallies[scope] = &finzone.Tally{}
		}
		r.tallies[scope].Add(s.tally, sign)
	}
	if s.mark == nil {
		return
	}
	for _, scope := range finzone.TallyScopes(s.mark.region) {
		if r.attention[scope] == nil {
			r.attention[scope] = map[string]attentionRecord{}
		}
		if sign > 0 {
			r.attention[scope][s.mark.id] = s.mark.rec
		} else {
			delete(r.attention[scope], s.mark.id)
		}
	}
}

// replaceTallies deletes the stored counters and inserts the rebuilt ones,
// the document saying they were built last: a rebuild cut short is
// redone at the next start.
func (d *DB) replaceTallies(ctx context.Context, r tallyBuild) error {
	var docs []any
	for scope, t := range r.tallies {
		if !t.Zero() {
			docs = append(docs, toStatsDoc(scope, *t))
		}
	}
	for scope, ids := range r.attention {
		if len(ids) > 0 {
			docs = append(docs, attentionDoc{ID: attentionID(scope), Scope: scope, IDs: ids})
		}
	}
	c := d.db.Collection(collStats)
	octx, cancel := opContext(ctx)
	_, err := c.DeleteMany(octx, bson.D{})
	cancel()
	if err != nil {
		return translate(err)
	}
	for lo := 0; lo < len(docs); lo += seedBatch {
		if _, err := d.insertBatch(ctx, collStats, docs[lo:min(lo+seedBatch, len(docs))]); err != nil {
			return err
		}
	}
	built := bson.D{{Key: "_id", Value: tallyBuiltID}, {Key: "scope", Value: ""}, {Key: "version", Value: tallyVersion},
		{Key: "built_at", Value: d.now().UTC()}}
	_, err = d.insertBatch(ctx, collStats, []any{built})
	return err
}

// scan decodes every document of c, with only fields, and hands each to
// fn as it comes.
func scan[T any](ctx context.Context, c *mongo.Collection, fields bson.D, fn func(T)) error {
	cur, err := c.Find(ctx, bson.D{}, options.Find().SetProjection(fields))
	if err != nil {
		return translate(err)
	}
	defer cur.Close(context.WithoutCancel(ctx))
	for cur.Next(ctx) {
		var doc T
		if err := cur.Decode(&doc); err != nil {
			return translate(err)
		}
		fn(doc)
	}
	return translate(cur.Err())
}
