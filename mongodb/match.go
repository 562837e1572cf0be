package mongodb

import (
	"context"
	"fmt"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"finzone"
)

const collMatches = "matches"

// componentsDoc stores a score's named components as one subdocument,
// {"rate": 14.27, "amount_fit": 10.56, ...}, in the engine's order. An array
// of {name, value} pairs, the first format, cost FerretDB a type schema per
// pair: 1.2 of a match's 2.9 KB and most of a ledger (docs/benchmarks.md).
// Both formats are read.
type componentsDoc []finzone.ScoreComponent

func (c componentsDoc) MarshalBSONValue() (byte, []byte, error) {
	d := make(bson.D, len(c))
	for i, x := range c {
		d[i] = bson.E{Key: x.Name, Value: x.Value}
	}
	t, b, err := bson.MarshalValue(d)
	return byte(t), b, err
}

func (c *componentsDoc) UnmarshalBSONValue(typ byte, data []byte) error {
	*c = nil
	switch bson.Type(typ) {
	case bson.TypeEmbeddedDocument:
		elems, err := bson.Raw(data).Elements()
		if err != nil {
			return err
		}
		for _, e := range elems {
			v, _ := e.Value().AsFloat64OK()
			*c = append(*c, finzone.ScoreComponent{Name: e.Key(), Value: v})
		}
	case bson.TypeArray:
		var pairs []struct {
			Name  string  `bson:"name"`
			Value float64 `bson:"value"`
		}
		if err := bson.UnmarshalValue(bson.TypeArray, data, &pairs); err != nil {
			return err
		}
		for _, p := range pairs {
			*c = append(*c, finzone.ScoreComponent{Name: p.Name, Value: p.Value})
		}
	case bson.TypeNull, bson.TypeUndefined:
	default:
		return fmt.Errorf("components: unexpected BSON type %v", bson.Type(typ))
	}
	return nil
}

type trancheDoc struct {
	AmountYuan int64     `bson:"amount_yuan"`
	Date       time.Time `bson:"date"`
	Ref        string    `bson:"ref,omitempty"`
}

type eventDoc struct {
	At     time.Time `bson:"at"`
	Actor  string    `bson:"actor"`
	Action string    `bson:"action"`
	From   string    `bson:"from,omitempty"`
	To     string    `bson:"to"`
	Note   string    `bson:"note,omitempty"`
}

// offerDoc is a lender's offer and the enterprise's answer. The amount, rate
// and term keep the names approvals had before offers.
type offerDoc struct {
	AmountYuan      int64     `bson:"approved_amount_yuan"`
	RateBps         int       `bson:"approved_rate_bps"`
	LPRBps          int       `bson:"lpr_bps,omitempty"`
	LPRSpreadBps    int       `bson:"lpr_spread_bps,omitempty"`
	TermMonths      int       `bson:"approved_term_months"`
	GuaranteeMode   string    `bson:"guarantee_mode,omitempty"`
	RepaymentMethod string    `bson:"repayment_method,omitempty"`
	LeaseMode       string    `bson:"lease_mode,omitempty"`
	Status          string    `bson:"status"`
	DecidedAt       time.Time `bson:"decided_at,omitempty"`
	DecidedBy       string    `bson:"decided_by,omitempty"`
	Note            string    `bson:"note,omitempty"`
}

func toOfferDoc(o finzone.Offer) *offerDoc {
	if o == (finzone.Offer{}) {
		return nil
	}
	return &offerDoc{AmountYuan: o.AmountYuan, RateBps: o.RateBps, LPRBps: o.LPRBps, LPRSpreadBps: o.LPRSpreadBps,
		TermMonths: o.TermMonths, GuaranteeMode: string(o.GuaranteeMode), RepaymentMethod: string(o.RepaymentMethod),
		LeaseMode: string(o.LeaseMode), Status: string(o.Status), DecidedAt: o.DecidedAt.UTC(), DecidedBy: o.DecidedBy, Note: o.Note}
}

func (o *offerDoc) toDomain() finzone.Offer {
	if o == nil {
		return finzone.Offer{}
	}
	return finzone.Offer{AmountYuan: o.AmountYuan, RateBps: o.RateBps, LPRBps: o.LPRBps, LPRSpreadBps: o.LPRSpreadBps,
		TermMonths: o.TermMonths, GuaranteeMode: finzone.Collateral(o.GuaranteeMode),
		RepaymentMethod: finzone.RepaymentMethod(o.RepaymentMethod), LeaseMode: finzone.LeaseMode(o.LeaseMode),
		Status: finzone.OfferStatus(o.Status), DecidedAt: o.DecidedAt, DecidedBy: o.DecidedBy, Note: o.Note}
}

type coverDoc struct {
	CoverYuan    int64 `bson:"cover_yuan"`
	FeeBps       int   `bson:"fee_bps"`
	RiskSharePct int   `bson:"risk_share_pct"`
}

type pauseDoc struct {
	At     time.Time `bson:"at"`
	LeftMS int64     `bson:"left_ms"`
	Note   string    `bson:"note"`
}

func toCoverDoc(c finzone.Cover) *coverDoc {
	if c == (finzone.Cover{}) {
		return nil
	}
	return &coverDoc{CoverYuan: c.CoverYuan, FeeBps: c.FeeBps, RiskSharePct: c.RiskSharePct}
}

func toPauseDoc(p finzone.Pause) *pauseDoc {
	if p.At.IsZero() {
		return nil
	}
	return &pauseDoc{At: p.At.UTC(), LeftMS: p.Left.Milliseconds(), Note: p.Note}
}

type matchDoc struct {
	ID                bson.ObjectID `bson:"_id"`
	ProjectID         string        `bson:"project_id"`
	InstitutionID     string        `bson:"institution_id"`
	ProjectTitle      string        `bson:"project_title"`
	ProjectAmountYuan int64         `bson:"project_amount_yuan"`
	OwnerOrgID        string        `bson:"owner_org_id"`
	RegionCode        string        `bson:"region_code"`
	ClusterID         string        `bson:"cluster_id"`
	ProductID         string        `bson:"product_id"`
	ProductVersion    int           `bson:"product_version"`
	Role              string        `bson:"role"`
	Rank              int           `bson:"rank"`
	Score             float64       `bson:"score"`
	Components        componentsDoc `bson:"components"`
	Stage             string        `bson:"stage"`
	DueAt             time.Time     `bson:"due_at"`
	HasDue            bool          `bson:"has_due"`
	RemindedAt        time.Time     `bson:"reminded_at,omitempty"`
	Category          string        `bson:"category,omitempty"`
	Pause             *pauseDoc     `bson:"pause,omitempty"`
	EscalatedAt       time.Time     `bson:"escalated_at,omitempty"`
	ExtendedIn        string        `bson:"extended_in,omitempty"`
	UrgedAt           time.Time     `bson:"urged_at,omitempty"`
	Urges             int           `bson:"urges,omitempty"`
	Offer             *offerDoc     `bson:"offer,omitempty"`
	Cover             *coverDoc     `bson:"cover,omitempty"`
	Tranches          []trancheDoc  `bson:"tranches,omitempty"`
	DeclineReason     string        `bson:"decline_reason,omitempty"`
	DeclineNote       string        `bson:"decline_note,omitempty"`
	Read              bool          `bson:"read"`
	Live              bool          `bson:"live"`
	Relayed           bool          `bson:"relayed"`
	Syndicated        bool          `bson:"syndicated,omitempty"`
	Events            []eventDoc    `bson:"events"`
	CreatedAt         time.Time     `bson:"created_at"`
	UpdatedAt         time.Time     `bson:"updated_at"`
}

func toEventDoc(e finzone.Event) eventDoc {
	return eventDoc{At: e.At.UTC(), Actor: e.Actor, Action: e.Action, From: string(e.From), To: string(e.To), Note: e.Note}
}

func toMatchDoc(m finzone.Match) (matchDoc, error) {
	id, err := oid(m.ID)
	if err != nil {
		return matchDoc{}, err
	}
	d := matchDoc{ID: id, ProjectID: m.ProjectID, InstitutionID: m.InstitutionID, ProjectTitle: m.ProjectTitle,
		ProjectAmountYuan: m.ProjectAmountYuan, OwnerOrgID: m.OwnerOrgID, RegionCode: m.RegionCode, ClusterID: m.ClusterID,
		ProductID: m.ProductID, ProductVersion: m.ProductVersion, Role: string(m.Role), Rank: m.Rank, Score: m.Score,
		Components: componentsDoc(m.Components), Stage: string(m.Stage), DueAt: m.DueAt.UTC(), HasDue: !m.DueAt.IsZero(),
		RemindedAt: m.RemindedAt, Category: string(m.Category), Pause: toPauseDoc(m.Pause), EscalatedAt: m.EscalatedAt.UTC(),
		ExtendedIn: string(m.ExtendedIn), UrgedAt: m.UrgedAt.UTC(), Urges: m.Urges, Offer: toOfferDoc(m.Offer),
		DeclineReason: m.DeclineReason, DeclineNote: m.DeclineNote,
		Read: m.Read, Live: m.Stage.Live(), Relayed: m.Relayed, Syndicated: m.Syndicated, Cover: toCoverDoc(m.Cover), CreatedAt: m.CreatedAt.UTC(), UpdatedAt: m.UpdatedAt.UTC(),
		Tranches: []trancheDoc{}, Events: []eventDoc{}}
	for _, t := range m.Tranches {
		d.Tranches = append(d.Tranches, trancheDoc{AmountYuan: t.AmountYuan, Date: t.Date.UTC(), Ref: t.Ref})
	}
	for _, e := range m.Events {
		d.Events = append(d.Events, toEventDoc(e))
	}
	return d, nil
}

func (d matchDoc) toDomain() finzone.Match {
	m := finzone.Match{ID: d.ID.Hex(), ProjectID: d.ProjectID, InstitutionID: d.InstitutionID, ProjectTitle: d.ProjectTitle,
		ProjectAmountYuan: d.ProjectAmountYuan, OwnerOrgID: d.OwnerOrgID, RegionCode: d.RegionCode, ClusterID: d.ClusterID,
		ProductID: d.ProductID, ProductVersion: d.ProductVersion, Role: finzone.MatchRole(d.Role), Rank: d.Rank,
		Score: d.Score, Components: []finzone.ScoreComponent(d.Components), Stage: finzone.Stage(d.Stage), RemindedAt: d.RemindedAt,
		Category: finzone.ProductCategory(d.Category), EscalatedAt: d.EscalatedAt, ExtendedIn: finzone.Stage(d.ExtendedIn),
		UrgedAt: d.UrgedAt, Urges: d.Urges, Offer: d.Offer.toDomain(), DeclineReason: d.DeclineReason, DeclineNote: d.DeclineNote, Read: d.Read, Relayed: d.Relayed, Syndicated: d.Syndicated,
		CreatedAt: d.CreatedAt, UpdatedAt: d.UpdatedAt}
	if d.HasDue {
		m.DueAt = d.DueAt
	}
	if d.Pause != nil {
		m.Pause = finzone.Pause{At: d.Pause.At, Left: time.Duration(d.Pause.LeftMS) * time.Millisecond, Note: d.Pause.Note}
	}
	if d.Cover != nil {
		m.Cover = finzone.Cover{CoverYuan: d.Cover.CoverYuan, FeeBps: d.Cover.FeeBps, RiskSharePct: d.Cover.RiskSharePct}
	}
	for _, t := range d.Tranches {
		m.Tranches = append(m.Tranches, finzone.Tranche{AmountYuan: t.AmountYuan, Date: t.Date, Ref: t.Ref})
	}
	for _, e := range d.Events {
		m.Events = append(m.Events, finzone.Event{At: e.At, Actor: e.Actor, Action: e.Action, From: finzone.Stage(e.From),
			To: finzone.Stage(e.To), Note: e.Note})
	}
	return m
}

// InsertMatches creates matches in one round trip; duplicates (a retry, a
// second worker) are ignored because the IDs are fixed. Only the ones
// created count as entering their stage.
func (d *DB) InsertMatches(ctx context.Context, ms []finzone.Match) error {
	if len(ms) == 0 {
		return nil
	}
	docs := make([]any, 0, len(ms))
	for _, m := range ms {
		doc, err := toMatchDoc(m)
		if err != nil {
			return err
		}
		docs = append(docs, doc)
	}
	dup, err := d.insert(ctx, collMatches, docs)
	if err != nil {
		return err
	}
	for i := range ms {
		if !dup[i] {
			d.entered(ms[i].Stage, 1)
			d.countMatch(nil, &ms[i])
		}
	}
	return nil
}

// Match finds one match.
func (d *DB) Match(ctx context.Context, id string) (finzone.Match, error) {
	o, err := oid(id)
	if err != nil {
		return finzone.Match{}, err
	}
	doc, err := findOne[matchDoc](ctx, d.db.Collection(collMatches), bson.D{{Key: "_id", Value: o}})
	if err != nil {
		return finzone.Match{}, err
	}
	return doc.toDomain(), nil
}

// MatchesByID looks each match up by _id, the only lookup FerretDB answers
// without a scan; missing ones are skipped.
func (d *DB) MatchesByID(ctx context.Context, ids []string) ([]finzone.Match, error) {
	out := make([]finzone.Match, 0, len(ids))
	for _, id := range ids {
		m, err := d.Match(ctx, id)
		if finzone.IsCode(err, finzone.ECNotFound) {
			continue
		}
		if err != nil {
			return nil, err
		}
		out = append(out, m)
	}
	return out, nil
}

var matchSorts = sortKeys{"due_at": "due_at", "created_at": "created_at", "updated_at": "updated_at", "rank": "rank",
	"score": "score", "amount_yuan": "project_amount_yuan"}

// ListMatches lists matches, soonest due first by default.
func (d *DB) ListMatches(ctx context.Context, f finzone.MatchFilter, pg finzone.Page) ([]finzone.Match, string, error) {
	var conds bson.A
	add := func(k string, v any) { conds = append(conds, bson.D{{Key: k, Value: v}}) }
	if f.InstitutionID != "" {
		add("institution_id", f.InstitutionID)
	}
	if f.ProjectID != "" {
		add("project_id", f.ProjectID)
	}
	if f.OwnerOrgID != "" {
		add("owner_org_id", f.OwnerOrgID)
	}
	if f.Regions != nil {
		add("region_code", bson.D{{Key: "$in", Value: f.Regions}})
	}
	if f.Stages != nil {
		add("stage", bson.D{{Key: "$in", Value: strs(f.Stages)}})
	}
	if !f.OverdueAt.IsZero() {
		add("has_due", true)
		add("due_at", bson.D{{Key: "$lt", Value: f.OverdueAt.UTC()}})
		add("stage", bson.D{{Key: "$in", Value: strs(finzone.DueStages)}})
	}
	filter := bson.D{}
	if len(conds) > 0 {
		filter = bson.D{{Key: "$and", Value: conds}}
	}
	docs, next, err := findPage[matchDoc](ctx, d.db.Collection(collMatches), filter, pg, matchSorts, "due_at")
	if err != nil {
		return nil, "", err
	}
	out := make([]finzone.Match, len(docs))
	for i, doc := range docs {
		out[i] = doc.toDomain()
	}
	return out, next, nil
}

// seenFresh is how recently a caller must have read a match for MoveMatch
// to trust its reading (MatchChange.SeenAt) instead of reading it again:
// well inside claimTTL, so that a claim on the state it read cannot have
// been taken over since (claimedUpdate).
const seenFresh = claimTTL / 3

// MoveMatch applies one step if the match is still in stage from, appending
// the event, in one conditional update.
func (d *DB) MoveMatch(ctx context.Context, id string, from finzone.Stage, ch finzone.MatchChange) (finzone.Match, error) {
	o, err := oid(id)
	if err != nil {
		return finzone.Match{}, err
	}
	now := d.now().UTC()
	set := bson.D{{Key: "stage", Value: string(ch.To)}, {Key: "live", Value: ch.To.Live()}, {Key: "read", Value: false},
		{Key: "updated_at", Value: now}}
	if !ch.KeepDue {
		set = append(set, bson.E{Key: "due_at", Value: ch.DueAt.UTC()}, bson.E{Key: "has_due", Value: !ch.DueAt.IsZero()})
	}
	set = append(set, changeFields(ch)...)
	if ch.DeclineReason != "" {
		set = append(set, bson.E{Key: "decline_reason", Value: ch.DeclineReason}, bson.E{Key: "decline_note", Value: ch.DeclineNote})
	}
	push := bson.D{{Key: "events", Value: toEventDoc(ch.Event)}}
	if ch.Tranche != nil {
		push = append(push, bson.E{Key: "tranches", Value: trancheDoc{AmountYuan: ch.Tranche.AmountYuan, Date: ch.Tranche.Date.UTC(), Ref: ch.Tranche.Ref}})
	}
	update := bson.D{{Key: "$set", Value: set}, {Key: "$push", Value: push}}
	if ch.Urged {
		update = append(update, bson.E{Key: "$inc", Value: bson.D{{Key: "urges", Value: 1}}})
	}
	// Each move appends one event, so the event count names the state.
	// When the caller says how many events it judged from, a match that
	// moved since is refused even in the same stage (two tranches judged
	// against one balance).
	events := func(raw bson.Raw) int {
		n := 0
		if arr, ok := raw.Lookup("events").ArrayOK(); ok {
			vals, _ := arr.Values()
			n = len(vals)
		}
		return n
	}
	inStage := fieldIn("stage", string(from))
	var braw, raw bson.Raw
	if ch.SeenMatch != nil && !ch.SeenAt.IsZero() && time.Since(ch.SeenAt) < seenFresh {
		// The caller read the match in this state a moment ago: the claim
		// on it is the check (claimedUpdate), no need to read it again;
		// what it read is the match before the move.
		raw, err = d.claimedUpdate(ctx, collMatches, "match", o, fmt.Sprintf("%s#%d", from, ch.Seen), update)
	} else {
		braw, raw, err = d.guardedChange(ctx, collMatches, "match", bson.D{{Key: "_id", Value: o}},
			func(raw bson.Raw) bool { return inStage(raw) && (ch.Seen == 0 || events(raw) == ch.Seen) }, update,
			func(raw bson.Raw) string { return fmt.Sprintf("%s#%d", from, events(raw)) })
	}
	if err != nil {
		return finzone.Match{}, err
	}
	if ch.To != from {
		d.entered(ch.To, 1)
	}
	var doc, bdoc matchDoc
	if err := bson.Unmarshal(raw, &doc); err != nil {
		return finzone.Match{}, translate(err)
	}
	var before finzone.Match
	if braw != nil {
		if err := bson.Unmarshal(braw, &bdoc); err != nil {
			return finzone.Match{}, translate(err)
		}
		before = bdoc.toDomain()
	} else {
		before = *ch.SeenMatch
	}
	// A role set since the read (SetMatchRole) counted itself.
	after := doc.toDomain()
	before.Role = after.Role
	d.countMatch(&before, &after)
	return after, nil
}

// changeFields are the optional fields a step sets.
func changeFields(ch finzone.MatchChange) bson.D {
	var set bson.D
	if ch.Offer != nil {
		set = append(set, bson.E{Key: "offer", Value: toOfferDoc(*ch.Offer)})
	}
	if ch.Cover != nil {
		set = append(set, bson.E{Key: "cover", Value: toCoverDoc(*ch.Cover)})
	}
	if ch.Pause != nil {
		set = append(set, bson.E{Key: "pause", Value: toPauseDoc(*ch.Pause)})
	}
	if ch.Escalated != nil {
		set = append(set, bson.E{Key: "escalated_at", Value: ch.Escalated.UTC()})
	}
	if ch.ExtendedIn != "" {
		set = append(set, bson.E{Key: "extended_in", Value: string(ch.ExtendedIn)})
	}
	if ch.Urged {
		set = append(set, bson.E{Key: "urged_at", Value: ch.Event.At.UTC()})
	}
	if ch.Syndicated {
		set = append(set, bson.E{Key: "syndicated", Value: true})
	}
	return set
}

// setMatch sets fields of a match by _id. With counted, the write also
// returns the match as it was, which counted gets, for the counters.
func (d *DB) setMatch(ctx context.Context, id string, set bson.D, counted func(before finzone.Match)) error {
	o, err := oid(id)
	if err != nil {
		return err
	}
	ctx, cancel := opContext(ctx)
	defer cancel()
	unlock, err := d.lockWrite(ctx, collMatches+"/"+id)
	if err != nil {
		return err
	}
	defer unlock()
	update := bson.D{{Key: "$set", Value: set}}
	found := true
	if counted == nil {
		var res *mongo.UpdateResult
		if res, err = d.db.Collection(collMatches).UpdateOne(ctx, bson.D{{Key: "_id", Value: o}}, update); err != nil {
			return translate(err)
		}
		found = res.MatchedCount > 0
	} else {
		var raw bson.Raw
		if raw, found, err = d.findOneAndUpdateBefore(ctx, collMatches, o, update); err != nil {
			return err
		}
		if found {
			var doc matchDoc
			if err := bson.Unmarshal(raw, &doc); err != nil {
				return translate(err)
			}
			counted(doc.toDomain())
		}
	}
	if !found {
		return finzone.Errorf(finzone.ECNotFound, "match %s", id)
	}
	return nil
}

// SetMatchRole records a promotion. The role decides whether a match
// counts as a lender's push, so it counts its change; setMatch's other
// fields count in no tally.
func (d *DB) SetMatchRole(ctx context.Context, id string, role finzone.MatchRole) error {
	set := bson.D{{Key: "role", Value: string(role)}, {Key: "updated_at", Value: d.now().UTC()}}
	return d.setMatch(ctx, id, set, func(before finzone.Match) {
		after := before
		after.Role = role
		d.countMatch(&before, &after)
	})
}

// SetMatchRead marks whether the institution has seen the latest change.
func (d *DB) SetMatchRead(ctx context.Context, id string, read bool) error {
	return d.setMatch(ctx, id, bson.D{{Key: "read", Value: read}}, nil)
}

// SetMatchRelayed records that the slot this match freed was refilled.
func (d *DB) SetMatchRelayed(ctx context.Context, id string) error {
	return d.setMatch(ctx, id, bson.D{{Key: "relayed", Value: true}}, nil)
}

// SetMatchReminded records that the deadline reminder went out.
func (d *DB) SetMatchReminded(ctx context.Context, id string, at time.Time) error {
	return d.setMatch(ctx, id, bson.D{{Key: "reminded_at", Value: at.UTC()}}, nil)
}

// FreedMatches lists matches that left their slot and were not relayed yet.
func (d *DB) FreedMatches(ctx context.Context) ([]finzone.Match, error) {
	return d.findMatches(ctx, bson.D{{Key: "live", Value: false}, {Key: "relayed", Value: false}})
}

// DueMatches lists matches in a stage with a deadline.
func (d *DB) DueMatches(ctx context.Context) ([]finzone.Match, error) {
	// Only what scheduling needs: the events and components would be most
	// of what the scan moves.
	proj := bson.D{}
	for _, f := range []string{"_id", "project_id", "institution_id", "project_title", "stage", "due_at", "has_due", "reminded_at", "updated_at", "escalated_at"} {
		proj = append(proj, bson.E{Key: f, Value: 1})
	}
	return d.findMatches(ctx, bson.D{{Key: "has_due", Value: true}, {Key: "stage", Value: bson.D{{Key: "$in", Value: strs(finzone.DueStages)}}}},
		options.Find().SetProjection(proj))
}

func (d *DB) findMatches(ctx context.Context, filter bson.D, opts ...options.Lister[options.FindOptions]) ([]finzone.Match, error) {
	docs, err := findAll[matchDoc](ctx, d.db.Collection(collMatches), filter, opts...)
	if err != nil {
		return nil, err
	}
	out := make([]finzone.Match, len(docs))
	for i, doc := range docs {
		out[i] = doc.toDomain()
	}
	return out, nil
}
