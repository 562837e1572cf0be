package mongodb

import (
	"cmp"
	"context"
	"slices"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"finzone"
)

// The dashboards' counters: one document per tally scope
// (finzone.TallyScopes) holding that scope's finzone.Tally, and one per
// scope listing its projects that need attention, both addressed by an _id
// derived from the scope, the one read FerretDB serves without a scan.
// Every write of a project or a match adds what it changed
// (finzone.TallyChange of the document before and after) with $inc: see
// tallyWriter. RebuildTallies recomputes them all from the projects and
// matches.

const collStats = "stats"

// tallyVersion names the counters' layout; a store whose counters were
// built under another (or never) is rebuilt at start (TalliesBuilt).
const tallyVersion = 1

// statsDoc is one scope's tally. Field names are the paths tallyIncs
// writes.
type statsDoc struct {
	ID             bson.ObjectID      `bson:"_id"`
	Scope          string             `bson:"scope"`
	Projects       int64              `bson:"projects"`
	Requested      int64              `bson:"requested"`
	Attention      int64              `bson:"attention"`
	ByStatus       map[string]int64   `bson:"status,omitempty"`
	ByCounty       map[string]int64   `bson:"county,omitempty"`
	ByCluster      map[string]int64   `bson:"cluster,omitempty"`
	Weekly         map[string]int64   `bson:"week,omitempty"`
	Matches        int64              `bson:"matches"`
	Pushed         int64              `bson:"pushed"`
	AcceptedPushes int64              `bson:"accepted_pushes"`
	Approved       int64              `bson:"approved"`
	Accepted       int64              `bson:"accepted"`
	Disbursed      int64              `bson:"disbursed"`
	Enhancers      int64              `bson:"enhancers"`
	Cover          int64              `bson:"cover"`
	Escalated      int64              `bson:"escalated"`
	Answers        int64              `bson:"answers"`
	AnswerSeconds  int64              `bson:"answer_seconds"`
	Reached        map[string]int64   `bson:"reached,omitempty"`
	ByStage        map[string]int64   `bson:"stage,omitempty"`
	MatchWeekly    map[string]int64   `bson:"match_week,omitempty"`
	Institutions   map[string]instDoc `bson:"inst,omitempty"`
}

type instDoc struct {
	Pushed   int64 `bson:"p"`
	Answered int64 `bson:"a"`
}

// attentionDoc lists a scope's projects needing attention by ID, with
// what a list of them shows, so a view shows the newest without reading
// them.
type attentionDoc struct {
	ID    bson.ObjectID              `bson:"_id"`
	Scope string                     `bson:"scope"`
	IDs   map[string]attentionRecord `bson:"ids,omitempty"`
}

// attentionRecord is a project on an attention list.
type attentionRecord struct {
	Title      string `bson:"t"`
	Region     string `bson:"r"`
	AmountYuan int64  `bson:"a"`
	Status     string `bson:"s"`
	Created    int64  `bson:"c"` // Unix ms
	Submitted  int64  `bson:"sub,omitempty"`
}

func statsID(scope string) bson.ObjectID {
	id, _ := bson.ObjectIDFromHex(finzone.StableID("tally", scope))
	return id
}

func attentionID(scope string) bson.ObjectID {
	id, _ := bson.ObjectIDFromHex(finzone.StableID("tally-attention", scope))
	return id
}

// tallyBuiltID is the document saying the counters were built, and under
// which tallyVersion.
var tallyBuiltID, _ = bson.ObjectIDFromHex(finzone.StableID("tally-built"))

// tallyIncs is t as $inc paths, zeros left out.
func tallyIncs(t finzone.Tally) map[string]int64 {
	out := map[string]int64{}
	put := func(path string, v int64) {
		if v != 0 {
			out[path] += v
		}
	}
	for path, v := range map[string]int64{"projects": t.Projects, "requested": t.Requested, "attention": t.Attention,
		"matches": t.Matches, "pushed": t.Pushed, "accepted_pushes": t.AcceptedPushes, "approved": t.Approved,
		"accepted": t.Accepted, "disbursed": t.Disbursed, "enhancers": t.Enhancers, "cover": t.Cover,
		"escalated": t.Escalated, "answers": t.Answers, "answer_seconds": t.AnswerSeconds} {
		put(path, v)
	}
	for k, v := range t.ByStatus {
		put("status."+string(k), v)
	}
	for k, v := range t.ByCounty {
		put("county."+k, v)
	}
	for k, v := range t.ByCluster {
		put("cluster."+k, v)
	}
	for k, v := range t.Weekly {
		put("week."+k, v)
	}
	for k, v := range t.Reached {
		put("reached."+string(k), v)
	}
	for k, v := range t.ByStage {
		put("stage."+string(k), v)
	}
	for k, v := range t.MatchWeekly {
		put("match_week."+k, v)
	}
	for k, v := range t.Institutions {
		put("inst."+k+".p", v.Pushed)
		put("inst."+k+".a", v.Answered)
	}
	return out
}

// toTally reads a scope's document back; zeros left by decrements drop out.
func (s statsDoc) toTally() finzone.Tally {
	t := finzone.Tally{Projects: s.Projects, Requested: s.Requested, Attention: s.Attention, Matches: s.Matches,
		Pushed: s.Pushed, AcceptedPushes: s.AcceptedPushes, Approved: s.Approved, Accepted: s.Accepted,
		Disbursed: s.Disbursed, Enhancers: s.Enhancers, Cover: s.Cover, Escalated: s.Escalated, Answers: s.Answers,
		AnswerSeconds: s.AnswerSeconds, ByCounty: s.ByCounty, ByCluster: s.ByCluster, Weekly: s.Weekly,
		MatchWeekly: s.MatchWeekly, ByStatus: rekey[finzone.ProjectStatus](s.ByStatus),
		Reached: rekey[finzone.Stage](s.Reached), ByStage: rekey[finzone.Stage](s.ByStage)}
	for id, v := range s.Institutions {
		if t.Institutions == nil {
			t.Institutions = map[string]finzone.InstitutionTally{}
		}
		t.Institutions[id] = finzone.InstitutionTally{Pushed: v.Pushed, Answered: v.Answered}
	}
	var out finzone.Tally
	out.Add(t, 1)
	return out
}

// toStatsDoc is a scope's tally as its document.
func toStatsDoc(scope string, t finzone.Tally) statsDoc {
	s := statsDoc{ID: statsID(scope), Scope: scope, Projects: t.Projects, Requested: t.Requested, Attention: t.Attention,
		Matches: t.Matches, Pushed: t.Pushed, AcceptedPushes: t.AcceptedPushes, Approved: t.Approved, Accepted: t.Accepted,
		Disbursed: t.Disbursed, Enhancers: t.Enhancers, Cover: t.Cover, Escalated: t.Escalated, Answers: t.Answers,
		AnswerSeconds: t.AnswerSeconds, ByCounty: t.ByCounty, ByCluster: t.ByCluster, Weekly: t.Weekly,
		MatchWeekly: t.MatchWeekly, ByStatus: rekey[string](t.ByStatus), Reached: rekey[string](t.Reached), ByStage: rekey[string](t.ByStage)}
	for id, v := range t.Institutions {
		if s.Institutions == nil {
			s.Institutions = map[string]instDoc{}
		}
		s.Institutions[id] = instDoc{Pushed: v.Pushed, Answered: v.Answered}
	}
	return s
}

// rekey is m with its keys converted: the store keeps enum-keyed counts
// under plain string keys.
func rekey[To, From ~string](m map[From]int64) map[To]int64 {
	if m == nil {
		return nil
	}
	out := make(map[To]int64, len(m))
	for k, v := range m {
		out[To(k)] = v
	}
	return out
}

// countProject adds a project's change to the tallies of the scopes it
// is in: before and after as stored, nil when it did not (or no longer)
// exist.
func (d *DB) countProject(before, after *finzone.Project) {
	state := func(p *finzone.Project) sourceState {
		if p == nil {
			return sourceState{}
		}
		return sourceState{region: p.RegionCode, tally: finzone.ProjectTally(*p), mark: attentionEntry(p)}
	}
	id := before
	if id == nil {
		id = after
	}
	d.tallies.change("project/"+id.ID, state(before), state(after))
}

// countMatch adds a match's change to the tallies, as countProject.
func (d *DB) countMatch(before, after *finzone.Match) {
	state := func(m *finzone.Match) sourceState {
		if m == nil {
			return sourceState{}
		}
		return sourceState{region: m.RegionCode, tally: finzone.MatchTally(*m)}
	}
	id := before
	if id == nil {
		id = after
	}
	d.tallies.change("match/"+id.ID, state(before), state(after))
}

// sourceState is what one project or match adds to the counters: its
// tally, in the scopes of its region, and its place on the attention
// lists. The zero sourceState is an object that does not exist.
type sourceState struct {
	region string
	tally  finzone.Tally
	mark   *attentionMark
}

// alignFlags gives before the pipeline's flags of after. Guarded writes
// (status, fields, offers) never write the flags, and the write that does
// (setProjectFlags) counts its own change; a flag set between a guarded
// write's read and its write is in after, and must not count twice.
func alignFlags(before, after finzone.Project) finzone.Project {
	before.NeedsAttention, before.Exhausted = after.NeedsAttention, after.Exhausted
	return before
}

// attentionMark is a project on the attention lists: where, which, and
// what they show of it.
type attentionMark struct {
	region, id string
	rec        attentionRecord
}

func attentionEntry(p *finzone.Project) *attentionMark {
	if p == nil || !p.NeedsAttention {
		return nil
	}
	rec := attentionRecord{Title: p.Title, Region: p.RegionCode, AmountYuan: p.AmountYuan, Status: string(p.Status), Created: p.CreatedAt.UnixMilli()}
	if !p.SubmittedAt.IsZero() {
		rec.Submitted = p.SubmittedAt.UnixMilli()
	}
	return &attentionMark{region: p.RegionCode, id: p.ID, rec: rec}
}

// project is the part of the project a list of them shows.
func (m attentionMark) project() finzone.Project {
	p := finzone.Project{ID: m.id, Title: m.rec.Title, RegionCode: m.region, AmountYuan: m.rec.AmountYuan,
		Status: finzone.ProjectStatus(m.rec.Status), CreatedAt: time.UnixMilli(m.rec.Created).UTC()}
	if m.rec.Submitted != 0 {
		p.SubmittedAt = time.UnixMilli(m.rec.Submitted).UTC()
	}
	return p
}

// Tally sums the tallies of scopes (finzone.TallyCover) and lists up to
// limit of their projects needing attention, newest first, with the fields
// a list shows (ID, title, region, amount, status, created and submitted).
// It first writes this process's pending counts, so a process reads its
// own writes.
func (d *DB) Tally(ctx context.Context, scopes []string, limit int) (finzone.Tally, []finzone.Project, error) {
	if err := d.tallies.flush(ctx); err != nil {
		return finzone.Tally{}, nil, err
	}
	var sum finzone.Tally
	var marks []attentionMark
	for _, scope := range scopes {
		s, err := cachedTallyDoc[statsDoc](ctx, d, statsID(scope))
		if err != nil {
			return finzone.Tally{}, nil, err
		}
		sum.Add(s.toTally(), 1)
		if s.Attention <= 0 || limit <= 0 {
			continue
		}
		a, err := cachedTallyDoc[attentionDoc](ctx, d, attentionID(scope))
		if err != nil {
			return finzone.Tally{}, nil, err
		}
		for id, rec := range a.IDs {
			marks = append(marks, attentionMark{region: rec.Region, id: id, rec: rec})
		}
	}
	slices.SortFunc(marks, func(a, b attentionMark) int {
		return cmp.Or(cmp.Compare(b.rec.Created, a.rec.Created), cmp.Compare(b.id, a.id))
	})
	out := make([]finzone.Project, 0, min(limit, len(marks)))
	for _, m := range marks[:min(max(limit, 0), len(marks))] {
		out = append(out, m.project())
	}
	return sum, out, nil
}

// TalliesBuilt reports whether the counters were built under this
// version's layout; if not (a store written by an older version), they
// need RebuildTallies.
func (d *DB) TalliesBuilt(ctx context.Context) (bool, error) {
	var built struct {
		Version int `bson:"version"`
	}
	octx, cancel := opContext(ctx)
	err := d.db.Collection(collStats).FindOne(octx, bson.D{{Key: "_id", Value: tallyBuiltID}}).Decode(&built)
	cancel()
	if err = translate(err); err != nil && !finzone.IsCode(err, finzone.ECNotFound) {
		return false, err
	}
	return err == nil && built.Version == tallyVersion, nil
}

// findOneAndUpdateBefore applies update to the document with _id id and
// returns the document as it was; found is false when there is none.
func (d *DB) findOneAndUpdateBefore(ctx context.Context, coll string, id bson.ObjectID, update bson.D) (raw bson.Raw, found bool, err error) {
	raw, err = d.db.Collection(coll).FindOneAndUpdate(ctx, bson.D{{Key: "_id", Value: id}}, update,
		options.FindOneAndUpdate().SetReturnDocument(options.Before)).Raw()
	if err = translate(err); finzone.IsCode(err, finzone.ECNotFound) {
		return nil, false, nil
	}
	return raw, err == nil, err
}
