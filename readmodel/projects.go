package readmodel

import (
	"context"
	"time"
	"unique"

	"go.mongodb.org/mongo-driver/v2/bson"

	"finzone"
	"finzone/mongodb"
)

// projectFields are what project lists filter and sort on. Strings that
// repeat across documents (owners, regions, statuses) are interned: kept
// once, compared as pointers.
type projectFields struct {
	owner, region, status, typ, cluster unique.Handle[string]
	attention, exhausted                bool
	created, updated, amount, term      float64
}

var projectSchema = schema[projectFields]{
	coll: mongodb.ModelProjects,
	fields: func(raw bson.Raw) projectFields {
		return projectFields{owner: str(raw, "owner_org_id"), region: str(raw, "region_code"), status: str(raw, "status"),
			typ: str(raw, "project_type"), cluster: str(raw, "cluster_id"), attention: boolean(raw, "needs_attention"), exhausted: boolean(raw, "exhausted"),
			created: num(raw, "created_at"), updated: num(raw, "updated_at"), amount: num(raw, "amount_yuan"), term: num(raw, "term_months")}
	},
	sortKey: func(field string) func(*projectFields) float64 {
		switch field {
		case "updated_at":
			return func(f *projectFields) float64 { return f.updated }
		case "amount_yuan":
			return func(f *projectFields) float64 { return f.amount }
		case "term_months":
			return func(f *projectFields) float64 { return f.term }
		}
		return func(f *projectFields) float64 { return f.created }
	},
}

// ListProjects answers from memory once the model is loaded.
func (s *Store) ListProjects(ctx context.Context, f finzone.ProjectFilter, pg finzone.Page) ([]finzone.Project, string, error) {
	m := s.ready()
	if m == nil {
		return s.DB.ListProjects(ctx, f, pg)
	}
	owner, status, typ, cluster := opt(f.OwnerOrgID), opt(string(f.Status)), opt(string(f.Type)), opt(f.ClusterID)
	regions := set(f.Regions)
	raws, next, err := m.projects.page(pg, func(p *projectFields) bool {
		return (owner == nil || p.owner == *owner) && (regions == nil || regions[p.region]) &&
			(status == nil || p.status == *status) && (typ == nil || p.typ == *typ) &&
			(cluster == nil || p.cluster == *cluster) && (!f.NeedsAttention || p.attention)
	})
	if err != nil {
		return nil, "", err
	}
	return decodeAll(raws, mongodb.DecodeProject, next)
}

// PipelineProjects answers the pipeline's scan from memory once the model
// is loaded, with whole projects.
func (s *Store) PipelineProjects(ctx context.Context, statuses, exhaustedIn []finzone.ProjectStatus) ([]finzone.Project, error) {
	m := s.scanReady(ctx)
	if m == nil {
		return s.DB.PipelineProjects(ctx, statuses, exhaustedIn)
	}
	in, stuck := set(statuses), set(exhaustedIn)
	raws := m.projects.all(func(p *projectFields) bool {
		return in[p.status] || (p.exhausted || p.attention) && stuck[p.status]
	})
	out, _, err := decodeAll(raws, mongodb.DecodeProject, "")
	return out, err
}

// ProjectsInStatus answers from memory once the model is loaded.
func (s *Store) ProjectsInStatus(ctx context.Context, statuses []finzone.ProjectStatus) ([]finzone.Project, error) {
	m := s.scanReady(ctx)
	if m == nil {
		return s.DB.ProjectsInStatus(ctx, statuses)
	}
	in := set(statuses)
	out, _, err := decodeAll(m.projects.all(func(p *projectFields) bool { return in[p.status] }), mongodb.DecodeProject, "")
	return out, err
}

// CreateProject creates and keeps the project as written.
func (s *Store) CreateProject(ctx context.Context, p *finzone.Project) error {
	err := s.DB.CreateProject(ctx, p)
	id, perr := bson.ObjectIDFromHex(p.ID)
	if perr != nil { // not created, and no ID to look for
		return err
	}
	if err != nil {
		unlock := s.lock(id)
		defer unlock()
		s.wrote(ctx, mongodb.ModelProjects, id, err, nil)
		return err
	}
	raw, eerr := mongodb.EncodeProject(*p)
	s.inserted(ctx, mongodb.ModelProjects, []bson.ObjectID{id}, []bson.Raw{raw}, eerr)
	return nil
}

// UpdateProject keeps the project as the update left it.
func (s *Store) UpdateProject(ctx context.Context, p finzone.Project, from finzone.ProjectStatus) (finzone.Project, error) {
	return s.changeProject(ctx, p.ID, func() (finzone.Project, error) { return s.DB.UpdateProject(ctx, p, from) }, true)
}

// ChangeProject keeps the project as the change left it.
func (s *Store) ChangeProject(ctx context.Context, seen finzone.Project, ch finzone.ProjectChange, at time.Time) (finzone.Project, error) {
	return s.changeProject(ctx, seen.ID, func() (finzone.Project, error) { return s.DB.ChangeProject(ctx, seen, ch, at) }, true)
}

// SetProjectStatus keeps the project as the move left it.
func (s *Store) SetProjectStatus(ctx context.Context, id string, from []finzone.ProjectStatus, to finzone.ProjectStatus, at time.Time) (finzone.Project, error) {
	return s.changeProject(ctx, id, func() (finzone.Project, error) { return s.DB.SetProjectStatus(ctx, id, from, to, at) }, false)
}

// MoveProject reads the project again after the move: the caller's seen
// may hold only some fields, and so would the project it returns.
func (s *Store) MoveProject(ctx context.Context, seen finzone.Project, from []finzone.ProjectStatus, to finzone.ProjectStatus, at time.Time) (finzone.Project, error) {
	return s.changeProject(ctx, seen.ID, func() (finzone.Project, error) { return s.DB.MoveProject(ctx, seen, from, to, at) }, false)
}

// changeProject runs a write of project id that returns the project;
// whole says whether it returns the whole document as stored (otherwise
// the model reads it again).
func (s *Store) changeProject(ctx context.Context, id string, write func() (finzone.Project, error), whole bool) (finzone.Project, error) {
	o, perr := bson.ObjectIDFromHex(id)
	if perr != nil {
		return write()
	}
	unlock := s.lock(o)
	defer unlock()
	p, err := write()
	var now func() (bson.Raw, error)
	if whole {
		now = func() (bson.Raw, error) { return mongodb.EncodeProject(p) }
	}
	s.wrote(ctx, mongodb.ModelProjects, o, err, now)
	return p, err
}

// DeleteProject forgets the project once deleted.
func (s *Store) DeleteProject(ctx context.Context, id string, from finzone.ProjectStatus) error {
	return s.writeDoc(ctx, mongodb.ModelProjects, id, func() error { return s.DB.DeleteProject(ctx, id, from) },
		func() (bson.Raw, error) { return nil, nil })
}

// SetProjectExhausted reads the project again after the flags are set.
func (s *Store) SetProjectExhausted(ctx context.Context, id string, exhausted, attention bool) error {
	return s.writeDoc(ctx, mongodb.ModelProjects, id, func() error { return s.DB.SetProjectExhausted(ctx, id, exhausted, attention) }, nil)
}

// SetProjectAttention reads the project again after the flag is set.
func (s *Store) SetProjectAttention(ctx context.Context, id string, on bool) error {
	return s.writeDoc(ctx, mongodb.ModelProjects, id, func() error { return s.DB.SetProjectAttention(ctx, id, on) }, nil)
}

// writeDoc runs a write of one document that returns nothing and brings
// the model up to it: now gives the document as written, or nil to read
// it again.
func (s *Store) writeDoc(ctx context.Context, coll, id string, write func() error, now func() (bson.Raw, error)) error {
	o, perr := bson.ObjectIDFromHex(id)
	if perr != nil {
		return write()
	}
	unlock := s.lock(o)
	defer unlock()
	err := write()
	s.wrote(ctx, coll, o, err, now)
	return err
}

// str interns a string field.
func str(raw bson.Raw, field string) unique.Handle[string] {
	v, _ := raw.Lookup(field).StringValueOK()
	return unique.Make(v)
}

func boolean(raw bson.Raw, field string) bool {
	v, _ := raw.Lookup(field).BooleanOK()
	return v
}

// opt is a filter's string as a handle, nil when the filter is unset.
func opt(v string) *unique.Handle[string] {
	if v == "" {
		return nil
	}
	h := unique.Make(v)
	return &h
}

// set is a $in list as a set; nil when there is no list (an empty list
// keeps nothing, as $in: [] does).
func set[T ~string](vs []T) map[unique.Handle[string]]bool {
	if vs == nil {
		return nil
	}
	out := make(map[unique.Handle[string]]bool, len(vs))
	for _, v := range vs {
		out[unique.Make(string(v))] = true
	}
	return out
}

// decodeAll decodes a page as the store would.
func decodeAll[T any](raws []bson.Raw, decode func(bson.Raw) (T, error), next string) ([]T, string, error) {
	out := make([]T, len(raws))
	for i, raw := range raws {
		v, err := decode(raw)
		if err != nil {
			return nil, "", err
		}
		out[i] = v
	}
	return out, next, nil
}
