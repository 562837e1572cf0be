package readmodel

import (
	"context"
	"time"
	"unique"

	"go.mongodb.org/mongo-driver/v2/bson"

	"finzone"
	"finzone/mongodb"
)

// matchFields are what match lists filter and sort on.
type matchFields struct {
	institution, owner, project, region, stage unique.Handle[string]
	hasDue, live, relayed, escalated           bool
	due, created, updated, rank, score, amount float64
}

var matchSchema = schema[matchFields]{
	coll: mongodb.ModelMatches,
	fields: func(raw bson.Raw) matchFields {
		return matchFields{institution: str(raw, "institution_id"), owner: str(raw, "owner_org_id"), project: str(raw, "project_id"),
			region: str(raw, "region_code"), stage: str(raw, "stage"), hasDue: boolean(raw, "has_due"),
			live: boolean(raw, "live"), relayed: boolean(raw, "relayed"), escalated: num(raw, "escalated_at") > notEscalated,
			due: num(raw, "due_at"), created: num(raw, "created_at"), updated: num(raw, "updated_at"), rank: num(raw, "rank"),
			score: num(raw, "score"), amount: num(raw, "project_amount_yuan")}
	},
	sortKey: func(field string) func(*matchFields) float64 {
		switch field {
		case "created_at":
			return func(f *matchFields) float64 { return f.created }
		case "updated_at":
			return func(f *matchFields) float64 { return f.updated }
		case "rank":
			return func(f *matchFields) float64 { return f.rank }
		case "score":
			return func(f *matchFields) float64 { return f.score }
		case "project_amount_yuan":
			return func(f *matchFields) float64 { return f.amount }
		}
		return func(f *matchFields) float64 { return f.due }
	},
}

// notEscalated is a match's escalated_at before it was escalated, if
// stored: the zero time.
var notEscalated = float64(time.Time{}.UnixMilli())

// ListMatches answers from memory once the model is loaded.
func (s *Store) ListMatches(ctx context.Context, f finzone.MatchFilter, pg finzone.Page) ([]finzone.Match, string, error) {
	m := s.ready()
	if m == nil {
		return s.DB.ListMatches(ctx, f, pg)
	}
	inst, owner, project := opt(f.InstitutionID), opt(f.OwnerOrgID), opt(f.ProjectID)
	regions, stages := set(f.Regions), set(f.Stages)
	overdue, dueStages := !f.OverdueAt.IsZero(), set(finzone.DueStages)
	cutoff := float64(f.OverdueAt.UnixMilli())
	raws, next, err := m.matches.page(pg, func(x *matchFields) bool {
		return (inst == nil || x.institution == *inst) && (owner == nil || x.owner == *owner) &&
			(project == nil || x.project == *project) && (regions == nil || regions[x.region]) &&
			(stages == nil || stages[x.stage]) &&
			(!overdue || x.hasDue && x.due < cutoff && dueStages[x.stage])
	})
	if err != nil {
		return nil, "", err
	}
	return decodeAll(raws, mongodb.DecodeMatch, next)
}

// FreedMatches answers the reconciler's scan from memory once the model
// is loaded.
func (s *Store) FreedMatches(ctx context.Context) ([]finzone.Match, error) {
	m := s.scanReady(ctx)
	if m == nil {
		return s.DB.FreedMatches(ctx)
	}
	out, _, err := decodeAll(m.matches.all(func(x *matchFields) bool { return !x.live && !x.relayed }), mongodb.DecodeMatch, "")
	return out, err
}

// DueMatches answers the reconciler's scan from memory once the model is
// loaded, with whole matches.
func (s *Store) DueMatches(ctx context.Context) ([]finzone.Match, error) {
	m := s.scanReady(ctx)
	if m == nil {
		return s.DB.DueMatches(ctx)
	}
	due := set(finzone.DueStages)
	out, _, err := decodeAll(m.matches.all(func(x *matchFields) bool { return x.hasDue && due[x.stage] }), mongodb.DecodeMatch, "")
	return out, err
}

// InsertMatches keeps the matches it created.
func (s *Store) InsertMatches(ctx context.Context, ms []finzone.Match) error {
	err := s.DB.InsertMatches(ctx, ms)
	return insertedAll(ctx, s, mongodb.ModelMatches, ms, func(m finzone.Match) string { return m.ID }, mongodb.EncodeMatch, err)
}

// insertedAll brings the model up to an insert of items with fixed IDs
// that the store answered with err.
func insertedAll[T any](ctx context.Context, s *Store, coll string, items []T, id func(T) string, encode func(T) (bson.Raw, error), err error) error {
	ids := make([]bson.ObjectID, 0, len(items))
	raws := make([]bson.Raw, 0, len(items))
	for _, it := range items {
		o, perr := bson.ObjectIDFromHex(id(it))
		if perr != nil {
			return err // the store refused the whole batch
		}
		raw, eerr := encode(it)
		if err == nil && eerr != nil {
			err = eerr
		}
		ids, raws = append(ids, o), append(raws, raw)
	}
	s.inserted(ctx, coll, ids, raws, err)
	return err
}

// MoveMatch keeps the match as the move left it.
func (s *Store) MoveMatch(ctx context.Context, id string, from finzone.Stage, ch finzone.MatchChange) (finzone.Match, error) {
	var out finzone.Match
	err := s.writeDoc(ctx, mongodb.ModelMatches, id, func() (err error) {
		out, err = s.DB.MoveMatch(ctx, id, from, ch)
		return err
	}, func() (bson.Raw, error) { return mongodb.EncodeMatch(out) })
	return out, err
}

// SetMatchRole reads the match again after the write.
func (s *Store) SetMatchRole(ctx context.Context, id string, role finzone.MatchRole) error {
	return s.writeDoc(ctx, mongodb.ModelMatches, id, func() error { return s.DB.SetMatchRole(ctx, id, role) }, nil)
}

// SetMatchRead reads the match again after the write.
func (s *Store) SetMatchRead(ctx context.Context, id string, read bool) error {
	return s.writeDoc(ctx, mongodb.ModelMatches, id, func() error { return s.DB.SetMatchRead(ctx, id, read) }, nil)
}

// SetMatchRelayed reads the match again after the write.
func (s *Store) SetMatchRelayed(ctx context.Context, id string) error {
	return s.writeDoc(ctx, mongodb.ModelMatches, id, func() error { return s.DB.SetMatchRelayed(ctx, id) }, nil)
}

// SetMatchReminded reads the match again after the write.
func (s *Store) SetMatchReminded(ctx context.Context, id string, at time.Time) error {
	return s.writeDoc(ctx, mongodb.ModelMatches, id, func() error { return s.DB.SetMatchReminded(ctx, id, at) }, nil)
}
