package mongodb

import (
	"context"
	"slices"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"finzone"
)

type projectDoc struct {
	ID                  bson.ObjectID `bson:"_id"`
	OwnerOrgID          string        `bson:"owner_org_id"`
	Title               string        `bson:"title"`
	Type                string        `bson:"project_type"`
	AmountYuan          int64         `bson:"amount_yuan"`
	TermMonths          int           `bson:"term_months"`
	Purpose             string        `bson:"purpose"`
	Collateral          []string      `bson:"collateral"`
	RateCeilingBps      int           `bson:"rate_ceiling_bps"`
	TotalInvestmentYuan int64         `bson:"total_investment_yuan"`
	RegionCode          string        `bson:"region_code"`
	ClusterID           string        `bson:"cluster_id"`
	IndustryCode        string        `bson:"industry_code"`
	Green               bool          `bson:"green"`
	Tech                bool          `bson:"tech"`
	EnterpriseSize      string        `bson:"enterprise_size"`
	Status              string        `bson:"status"`
	NeedsAttention      bool          `bson:"needs_attention"`
	Exhausted           bool          `bson:"exhausted,omitempty"`
	WantsInsurance      bool          `bson:"wants_insurance,omitempty"`
	EnhancersWanted     bool          `bson:"enhancers_wanted,omitempty"`
	Offers              []acceptedDoc `bson:"offers,omitempty"`
	ScreenReason        string        `bson:"screen_reason,omitempty"`
	ScreenDueAt         time.Time     `bson:"screen_due_at,omitempty"`
	ScreenEscalatedAt   time.Time     `bson:"screen_escalated_at,omitempty"`
	Events              []projEvent   `bson:"events,omitempty"`
	CreatedAt           time.Time     `bson:"created_at"`
	UpdatedAt           time.Time     `bson:"updated_at"`
	SubmittedAt         time.Time     `bson:"submitted_at,omitempty"`
	WithdrawnAt         time.Time     `bson:"withdrawn_at,omitempty"`
}

// acceptedDoc is one accepted offer in a project's book.
type acceptedDoc struct {
	MatchID       string `bson:"match_id"`
	InstitutionID string `bson:"institution_id"`
	AmountYuan    int64  `bson:"amount_yuan"`
}

type projEvent struct {
	At            time.Time `bson:"at"`
	Actor         string    `bson:"actor"`
	Action        string    `bson:"action"`
	InstitutionID string    `bson:"institution_id,omitempty"`
	ProductID     string    `bson:"product_id,omitempty"`
	Note          string    `bson:"note,omitempty"`
}

func toAcceptedDocs(list []finzone.AcceptedOffer) []acceptedDoc {
	out := make([]acceptedDoc, len(list))
	for i, o := range list {
		out[i] = acceptedDoc{MatchID: o.MatchID, InstitutionID: o.InstitutionID, AmountYuan: o.AmountYuan}
	}
	return out
}

func toProjEvent(e finzone.ProjectEvent) projEvent {
	return projEvent{At: e.At.UTC(), Actor: e.Actor, Action: e.Action, InstitutionID: e.InstitutionID, ProductID: e.ProductID, Note: e.Note}
}

func toProjectDoc(p finzone.Project, id bson.ObjectID) projectDoc {
	evs := make([]projEvent, len(p.Events))
	for i, e := range p.Events {
		evs[i] = toProjEvent(e)
	}
	return projectDoc{WantsInsurance: p.WantsInsurance, EnhancersWanted: p.EnhancersWanted, Offers: toAcceptedDocs(p.Offers),
		ScreenReason: p.ScreenReason, ScreenDueAt: p.ScreenDueAt.UTC(), ScreenEscalatedAt: p.ScreenEscalatedAt.UTC(), Events: evs, ID: id, OwnerOrgID: p.OwnerOrgID, Title: p.Title, Type: string(p.Type), AmountYuan: p.AmountYuan,
		TermMonths: p.TermMonths, Purpose: p.Purpose, Collateral: strs(p.Collateral), RateCeilingBps: p.RateCeilingBps,
		TotalInvestmentYuan: p.TotalInvestmentYuan, RegionCode: p.RegionCode, ClusterID: p.ClusterID,
		IndustryCode: p.IndustryCode, Green: p.Green, Tech: p.Tech, EnterpriseSize: string(p.EnterpriseSize),
		Status: string(p.Status), NeedsAttention: p.NeedsAttention, Exhausted: p.Exhausted, CreatedAt: p.CreatedAt, UpdatedAt: p.UpdatedAt, SubmittedAt: p.SubmittedAt,
		WithdrawnAt: p.WithdrawnAt}
}

func (d projectDoc) toDomain() finzone.Project {
	p := finzone.Project{WantsInsurance: d.WantsInsurance, EnhancersWanted: d.EnhancersWanted, ScreenReason: d.ScreenReason,
		ScreenDueAt: d.ScreenDueAt, ScreenEscalatedAt: d.ScreenEscalatedAt, ID: d.ID.Hex(), OwnerOrgID: d.OwnerOrgID, Title: d.Title, Type: finzone.ProjectType(d.Type),
		AmountYuan: d.AmountYuan, TermMonths: d.TermMonths, Purpose: d.Purpose,
		Collateral: typed[finzone.Collateral](d.Collateral), RateCeilingBps: d.RateCeilingBps,
		TotalInvestmentYuan: d.TotalInvestmentYuan, RegionCode: d.RegionCode, ClusterID: d.ClusterID,
		IndustryCode: d.IndustryCode, Green: d.Green, Tech: d.Tech, EnterpriseSize: finzone.Size(d.EnterpriseSize),
		Status: finzone.ProjectStatus(d.Status), NeedsAttention: d.NeedsAttention, Exhausted: d.Exhausted, CreatedAt: d.CreatedAt, UpdatedAt: d.UpdatedAt,
		SubmittedAt: d.SubmittedAt, WithdrawnAt: d.WithdrawnAt}
	for _, o := range d.Offers {
		p.Offers = append(p.Offers, finzone.AcceptedOffer{MatchID: o.MatchID, InstitutionID: o.InstitutionID, AmountYuan: o.AmountYuan})
	}
	for _, e := range d.Events {
		p.Events = append(p.Events, finzone.ProjectEvent{At: e.At, Actor: e.Actor, Action: e.Action, InstitutionID: e.InstitutionID, ProductID: e.ProductID, Note: e.Note})
	}
	return p
}

// CreateProject inserts p and sets its ID and times.
func (d *DB) CreateProject(ctx context.Context, p *finzone.Project) error {
	now := d.now().UTC()
	if p.CreatedAt.IsZero() {
		p.CreatedAt = now
	}
	if p.UpdatedAt.IsZero() {
		p.UpdatedAt = p.CreatedAt
	}
	id, err := newOrParse(p.ID)
	if err != nil {
		return err
	}
	ctx, cancel := opContext(ctx)
	defer cancel()
	if _, err := d.db.Collection(collProjects).InsertOne(ctx, toProjectDoc(*p, id)); err != nil {
		return translate(err)
	}
	p.ID = id.Hex()
	d.countProject(nil, p)
	return nil
}

// Project finds one project.
func (d *DB) Project(ctx context.Context, id string) (finzone.Project, error) {
	o, err := oid(id)
	if err != nil {
		return finzone.Project{}, err
	}
	doc, err := findOne[projectDoc](ctx, d.db.Collection(collProjects), bson.D{{Key: "_id", Value: o}})
	if err != nil {
		return finzone.Project{}, err
	}
	return doc.toDomain(), nil
}

var projectSorts = sortKeys{"created_at": "created_at", "amount_yuan": "amount_yuan", "term_months": "term_months", "updated_at": "updated_at"}

// ListProjects lists projects, newest first by default.
func (d *DB) ListProjects(ctx context.Context, f finzone.ProjectFilter, pg finzone.Page) ([]finzone.Project, string, error) {
	filter := bson.D{}
	if f.OwnerOrgID != "" {
		filter = append(filter, bson.E{Key: "owner_org_id", Value: f.OwnerOrgID})
	}
	if f.Regions != nil {
		filter = append(filter, bson.E{Key: "region_code", Value: bson.D{{Key: "$in", Value: f.Regions}}})
	}
	if f.Status != "" {
		filter = append(filter, bson.E{Key: "status", Value: string(f.Status)})
	}
	if f.Type != "" {
		filter = append(filter, bson.E{Key: "project_type", Value: string(f.Type)})
	}
	if f.ClusterID != "" {
		filter = append(filter, bson.E{Key: "cluster_id", Value: f.ClusterID})
	}
	if f.NeedsAttention {
		filter = append(filter, bson.E{Key: "needs_attention", Value: true})
	}
	docs, next, err := findPage[projectDoc](ctx, d.db.Collection(collProjects), filter, pg, projectSorts, "-created_at")
	if err != nil {
		return nil, "", err
	}
	out := make([]finzone.Project, len(docs))
	for i, doc := range docs {
		out[i] = doc.toDomain()
	}
	return out, next, nil
}

// UpdateProject replaces the client-set fields while the project is still in
// status from; otherwise the project changed under the caller: conflict.
func (d *DB) UpdateProject(ctx context.Context, p finzone.Project, from finzone.ProjectStatus) (finzone.Project, error) {
	o, err := oid(p.ID)
	if err != nil {
		return finzone.Project{}, err
	}
	doc := toProjectDoc(p, o)
	set := bson.D{
		{Key: "title", Value: doc.Title}, {Key: "project_type", Value: doc.Type}, {Key: "amount_yuan", Value: doc.AmountYuan},
		{Key: "term_months", Value: doc.TermMonths}, {Key: "purpose", Value: doc.Purpose}, {Key: "collateral", Value: doc.Collateral},
		{Key: "rate_ceiling_bps", Value: doc.RateCeilingBps}, {Key: "total_investment_yuan", Value: doc.TotalInvestmentYuan},
		{Key: "region_code", Value: doc.RegionCode}, {Key: "cluster_id", Value: doc.ClusterID},
		{Key: "industry_code", Value: doc.IndustryCode}, {Key: "green", Value: doc.Green}, {Key: "tech", Value: doc.Tech},
		{Key: "wants_insurance", Value: doc.WantsInsurance}, {Key: "updated_at", Value: d.now().UTC()},
	}
	return d.updateProject(ctx, o, []string{string(from)}, set)
}

// SetProjectStatus moves a project from one of the from statuses to to,
// judging from a fresh read.
func (d *DB) SetProjectStatus(ctx context.Context, id string, from []finzone.ProjectStatus, to finzone.ProjectStatus, at time.Time) (finzone.Project, error) {
	seen, err := d.Project(ctx, id)
	if finzone.IsCode(err, finzone.ECNotFound) {
		return finzone.Project{}, finzone.Errorf(finzone.ECInvalidState, "project %s not found", id)
	}
	if err != nil {
		return finzone.Project{}, err
	}
	p, err := d.moveProject(ctx, seen, from, to, at, true)
	if finzone.IsCode(err, finzone.ECConflict) {
		return finzone.Project{}, finzone.Errorf(finzone.ECInvalidState, "project %s: %v", id, err)
	}
	return p, err
}

// MoveProject changes the status of a project the caller has just read.
// The claim on the state seen (status and last change) makes the move
// exclusive, so while seen is current no second read is needed. When the
// claim is taken, by a writer that moved the project since seen or one that
// died holding it, MoveProject falls back to SetProjectStatus, which reads
// the project afresh and judges from that. It returns the project as
// written.
func (d *DB) MoveProject(ctx context.Context, seen finzone.Project, from []finzone.ProjectStatus, to finzone.ProjectStatus, at time.Time) (finzone.Project, error) {
	p, err := d.moveProject(ctx, seen, from, to, at, false)
	if finzone.IsCode(err, finzone.ECConflict) {
		return d.SetProjectStatus(ctx, seen.ID, from, to, at)
	}
	return p, err
}

// moveProject claims the state seen (taking over a stale claim if takeOver)
// and writes the new status by _id; a taken claim is a conflict.
func (d *DB) moveProject(ctx context.Context, seen finzone.Project, from []finzone.ProjectStatus, to finzone.ProjectStatus, at time.Time, takeOver bool) (finzone.Project, error) {
	if !slices.Contains(from, seen.Status) {
		return finzone.Project{}, finzone.Errorf(finzone.ECInvalidState, "project %s is %s", seen.ID, seen.Status)
	}
	o, err := oid(seen.ID)
	if err != nil {
		return finzone.Project{}, err
	}
	if err := d.claimState(ctx, "project", seen.ID, stateMarker(string(seen.Status), seen.UpdatedAt), takeOver); err != nil {
		return finzone.Project{}, err
	}
	at = at.UTC().Truncate(time.Millisecond) // as stored, so the next marker matches
	out := seen
	out.Status, out.UpdatedAt = to, at
	set := bson.D{{Key: "status", Value: string(to)}, {Key: "updated_at", Value: at}}
	switch to {
	case finzone.ProjectSubmitted:
		set, out.SubmittedAt = append(set, bson.E{Key: "submitted_at", Value: at}), at
	case finzone.ProjectWithdrawn:
		set, out.WithdrawnAt = append(set, bson.E{Key: "withdrawn_at", Value: at}), at
	}
	octx, cancel := opContext(ctx)
	defer cancel()
	unlock, err := d.lockWrite(octx, collProjects+"/"+seen.ID)
	if err != nil {
		return finzone.Project{}, err
	}
	defer unlock()
	// The project as written carries the pipeline's flags as they are,
	// which seen may not: the counters need them.
	var doc projectDoc
	err = d.db.Collection(collProjects).FindOneAndUpdate(octx, bson.D{{Key: "_id", Value: o}}, bson.D{{Key: "$set", Value: set}},
		options.FindOneAndUpdate().SetReturnDocument(options.After)).Decode(&doc)
	if err = translate(err); finzone.IsCode(err, finzone.ECNotFound) {
		return finzone.Project{}, finzone.Errorf(finzone.ECInvalidState, "project %s not found", seen.ID)
	}
	if err != nil {
		return finzone.Project{}, err
	}
	after := doc.toDomain()
	before := alignFlags(seen, after)
	d.countProject(&before, &after)
	return out, nil
}

// ChangeProject applies ch to the project as the caller read it (seen): the
// claim on that state (status and last change) makes the write exclusive,
// so of two racing changes from one read only one lands; the other is a
// conflict and its caller reads again and re-judges. It returns the
// project as written.
func (d *DB) ChangeProject(ctx context.Context, seen finzone.Project, ch finzone.ProjectChange, at time.Time) (finzone.Project, error) {
	o, err := oid(seen.ID)
	if err != nil {
		return finzone.Project{}, err
	}
	if err := d.claimState(ctx, "project", seen.ID, stateMarker(string(seen.Status), seen.UpdatedAt), true); err != nil {
		return finzone.Project{}, err
	}
	at = at.UTC().Truncate(time.Millisecond)
	if !at.After(seen.UpdatedAt) {
		at = seen.UpdatedAt.Add(time.Millisecond) // a new marker, even within one millisecond
	}
	set := bson.D{{Key: "updated_at", Value: at}}
	if ch.To != "" {
		set = append(set, bson.E{Key: "status", Value: string(ch.To)})
		if ch.To == finzone.ProjectSubmitted {
			set = append(set, bson.E{Key: "submitted_at", Value: at})
		}
	}
	if ch.Offers != nil {
		set = append(set, bson.E{Key: "offers", Value: toAcceptedDocs(*ch.Offers)})
	}
	if ch.EnhancersWanted != nil {
		set = append(set, bson.E{Key: "enhancers_wanted", Value: *ch.EnhancersWanted})
	}
	if ch.ScreenReason != nil {
		set = append(set, bson.E{Key: "screen_reason", Value: *ch.ScreenReason})
	}
	if ch.ScreenDueAt != nil {
		set = append(set, bson.E{Key: "screen_due_at", Value: ch.ScreenDueAt.UTC()})
	}
	if ch.ScreenEscalatedAt != nil {
		set = append(set, bson.E{Key: "screen_escalated_at", Value: ch.ScreenEscalatedAt.UTC()})
	}
	update := bson.D{{Key: "$set", Value: set}}
	if ch.Event != nil {
		update = append(update, bson.E{Key: "$push", Value: bson.D{{Key: "events", Value: toProjEvent(*ch.Event)}}})
	}
	octx, cancel := opContext(ctx)
	defer cancel()
	unlock, err := d.lockWrite(octx, collProjects+"/"+seen.ID)
	if err != nil {
		return finzone.Project{}, err
	}
	defer unlock()
	// The claim makes the write exclusive among writers that read seen; the
	// filter also refuses a seen gone stale past a taken-over claim.
	filter := bson.D{{Key: "_id", Value: o}, {Key: "updated_at", Value: seen.UpdatedAt.UTC().Truncate(time.Millisecond)}}
	raw, err := d.db.Collection(collProjects).FindOneAndUpdate(octx, filter, update,
		options.FindOneAndUpdate().SetReturnDocument(options.After)).Raw()
	if err != nil {
		err = translate(err)
		if finzone.IsCode(err, finzone.ECNotFound) {
			return finzone.Project{}, finzone.Errorf(finzone.ECConflict, "project %s changed since it was read", seen.ID)
		}
		return finzone.Project{}, err
	}
	var doc projectDoc
	if err := bson.Unmarshal(raw, &doc); err != nil {
		return finzone.Project{}, translate(err)
	}
	after := doc.toDomain()
	before := alignFlags(seen, after)
	d.countProject(&before, &after)
	return after, nil
}

func (d *DB) updateProject(ctx context.Context, id bson.ObjectID, from []string, set bson.D) (finzone.Project, error) {
	braw, raw, err := d.guardedChange(ctx, collProjects, "project", bson.D{{Key: "_id", Value: id}}, fieldIn("status", from...),
		bson.D{{Key: "$set", Value: set}}, updatedAtMarker)
	if err != nil {
		return finzone.Project{}, err
	}
	var doc, bdoc projectDoc
	if err := bson.Unmarshal(raw, &doc); err != nil {
		return finzone.Project{}, translate(err)
	}
	if err := bson.Unmarshal(braw, &bdoc); err != nil {
		return finzone.Project{}, translate(err)
	}
	after := doc.toDomain()
	before := alignFlags(bdoc.toDomain(), after)
	d.countProject(&before, &after)
	return after, nil
}

// DeleteProject deletes a project still in status from.
func (d *DB) DeleteProject(ctx context.Context, id string, from finzone.ProjectStatus) error {
	o, err := oid(id)
	if err != nil {
		return err
	}
	filter := bson.D{{Key: "_id", Value: o}}
	octx, cancel := opContext(ctx)
	raw, err := d.db.Collection(collProjects).FindOne(octx, filter).Raw()
	cancel()
	if err != nil {
		if err = translate(err); finzone.IsCode(err, finzone.ECNotFound) {
			return finzone.Errorf(finzone.ECInvalidState, "project %s is not a %s", id, from)
		}
		return err
	}
	if !fieldIn("status", string(from))(raw) {
		return finzone.Errorf(finzone.ECInvalidState, "project %s is not a %s", id, from)
	}
	if err := d.claim(ctx, "project", id, updatedAtMarker(raw)); err != nil {
		return finzone.Errorf(finzone.ECInvalidState, "project %s: %v", id, err)
	}
	octx, cancel = opContext(ctx)
	defer cancel()
	var gone projectDoc
	if err := d.db.Collection(collProjects).FindOneAndDelete(octx, filter).Decode(&gone); err != nil {
		if err = translate(err); finzone.IsCode(err, finzone.ECNotFound) {
			return finzone.Errorf(finzone.ECInvalidState, "project %s is not a %s", id, from)
		}
		return err
	}
	before := gone.toDomain()
	d.countProject(&before, nil)
	return nil
}

// SetProjectAttention raises or clears the coordinators' flag. Only the
// pipeline's fill writes it, after its ledger write, so it needs no claim;
// the write gate keeps it from undoing a status change on FerretDB.
func (d *DB) SetProjectAttention(ctx context.Context, id string, on bool) error {
	return d.setProjectFlags(ctx, id, on, bson.D{{Key: "needs_attention", Value: on}})
}

// SetProjectExhausted records a fill's finding: open slots and nobody left
// to ask (exhausted), and whether coordinators are asked to help.
func (d *DB) SetProjectExhausted(ctx context.Context, id string, exhausted, attention bool) error {
	return d.setProjectFlags(ctx, id, attention, bson.D{{Key: "exhausted", Value: exhausted}, {Key: "needs_attention", Value: attention}})
}

// setProjectFlags sets the pipeline's flags on a project by _id, among
// them needs_attention to attention. Only the fill writes them, after its
// ledger write, so they need no claim; the write gate keeps them from
// undoing a status change on FerretDB. The document as it was gives the
// counters the change.
func (d *DB) setProjectFlags(ctx context.Context, id string, attention bool, set bson.D) error {
	o, err := oid(id)
	if err != nil {
		return err
	}
	ctx, cancel := opContext(ctx)
	defer cancel()
	unlock, err := d.lockWrite(ctx, collProjects+"/"+id)
	if err != nil {
		return err
	}
	defer unlock()
	raw, found, err := d.findOneAndUpdateBefore(ctx, collProjects, o, bson.D{{Key: "$set", Value: set}})
	if err != nil || !found {
		return err
	}
	var doc projectDoc
	if err := bson.Unmarshal(raw, &doc); err != nil {
		return translate(err)
	}
	before := doc.toDomain()
	after := before
	after.NeedsAttention = attention
	d.countProject(&before, &after)
	return nil
}

func strs[T ~string](list []T) []string {
	out := make([]string, len(list))
	for i, v := range list {
		out[i] = string(v)
	}
	return out
}

func typed[T ~string](list []string) []T {
	out := make([]T, len(list))
	for i, v := range list {
		out[i] = T(v)
	}
	return out
}

// ProjectsInStatus lists every project in the statuses.
func (d *DB) ProjectsInStatus(ctx context.Context, statuses []finzone.ProjectStatus) ([]finzone.Project, error) {
	docs, err := findAll[projectDoc](ctx, d.db.Collection(collProjects), bson.D{{Key: "status", Value: bson.D{{Key: "$in", Value: strs(statuses)}}}})
	if err != nil {
		return nil, err
	}
	out := make([]finzone.Project, len(docs))
	for i, doc := range docs {
		out[i] = doc.toDomain()
	}
	return out, nil
}

// selectionFields are the fields of a project that matching and the
// reconciler read.
var selectionFields = projection("_id", "project_type", "amount_yuan", "term_months", "collateral", "rate_ceiling_bps",
	"region_code", "industry_code", "green", "tech", "enterprise_size", "status", "needs_attention", "exhausted", "screen_due_at", "screen_escalated_at",
	"screen_reason", "owner_org_id")

// projection includes only the fields named.
func projection(fields ...string) bson.D {
	out := make(bson.D, len(fields))
	for i, f := range fields {
		out[i] = bson.E{Key: f, Value: 1}
	}
	return out
}

// PipelineProjects lists, in one scan, the projects in any of statuses and
// the exhausted ones (their last fill found open slots and nobody left to
// ask, and flagged them for the coordinators) in any of exhaustedIn, with
// only the fields matching reads: the rest of each Project is empty. It is
// for re-matching after the catalogue changed and for the reconciler, never
// for requests: on FerretDB it reads the whole collection.
func (d *DB) PipelineProjects(ctx context.Context, statuses, exhaustedIn []finzone.ProjectStatus) ([]finzone.Project, error) {
	filter := bson.D{{Key: "$or", Value: bson.A{
		bson.D{{Key: "status", Value: bson.D{{Key: "$in", Value: strs(statuses)}}}},
		bson.D{{Key: "exhausted", Value: true}, {Key: "status", Value: bson.D{{Key: "$in", Value: strs(exhaustedIn)}}}},
		bson.D{{Key: "needs_attention", Value: true}, {Key: "status", Value: bson.D{{Key: "$in", Value: strs(exhaustedIn)}}}},
	}}}
	docs, err := findAll[projectDoc](ctx, d.db.Collection(collProjects), filter, options.Find().SetProjection(selectionFields))
	if err != nil {
		return nil, err
	}
	out := make([]finzone.Project, len(docs))
	for i, doc := range docs {
		out[i] = doc.toDomain()
	}
	return out, nil
}
