package mongodb

import (
	"context"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"
	"go.mongodb.org/mongo-driver/v2/x/bsonx/bsoncore"

	"finzone"
)

// boardSort is finzone.BoardOrder as the store sorts: a match without a
// deadline keeps the zero due_at, so has_due goes first.
var boardSort = bson.D{{Key: "has_due", Value: -1}, {Key: "due_at", Value: 1}, {Key: "_id", Value: 1}}

// openStages are the stages of finzone.Stage.Open.
var openStages = func() []string {
	var out []string
	for _, s := range finzone.Stages {
		if s.Open() {
			out = append(out, string(s))
		}
	}
	return out
}()

// boardFields are what a board shows of a match (finzone.MatchBoard), as
// DecodeBoardMatch reads them: the events, score components, offer and
// the rest are most of a match's bytes and decoding time, and the board
// shows none of them.
var boardFields = []string{"_id", "project_id", "institution_id", "project_title", "project_amount_yuan", "owner_org_id",
	"region_code", "role", "stage", "due_at", "has_due", "pause", "escalated_at", "urges"}

// boardProjection asks the server for the boardFields only.
var boardProjection = func() bson.D {
	var proj bson.D
	for _, f := range boardFields {
		proj = append(proj, bson.E{Key: f, Value: 1})
	}
	return proj
}()

// DecodeBoardMatch is the boardFields of a stored match, as PipelineBoard
// returns them, read in one walk over the document: bson.Unmarshal would
// allocate the name of every field, and a lookup per field would walk the
// document again for each.
func DecodeBoardMatch(raw bson.Raw) (finzone.Match, error) {
	var d matchDoc
	length, rem, ok := bsoncore.ReadLength(raw)
	ok = ok && int(length) == len(raw)
	for ok && len(rem) > 1 {
		var e bsoncore.Element
		if e, rem, ok = bsoncore.ReadElement(rem); ok {
			boardField(&d, e.KeyBytes(), e.Value())
		}
	}
	if !ok || d.ID.IsZero() {
		return finzone.Match{}, finzone.Errorf(finzone.ECInternal, "a stored match that does not decode")
	}
	return d.toDomain(), nil
}

// boardField sets the field of d stored as key, if it is one of the
// boardFields.
func boardField(d *matchDoc, key []byte, v bsoncore.Value) {
	str := func(v bsoncore.Value) string { s, _ := v.StringValueOK(); return s }
	num := func(v bsoncore.Value) int64 { n, _ := v.AsInt64OK(); return n }
	date := func(v bsoncore.Value) time.Time {
		if ms, ok := v.DateTimeOK(); ok {
			return time.UnixMilli(ms).UTC()
		}
		return time.Time{}
	}
	switch string(key) {
	case "_id":
		d.ID, _ = v.ObjectIDOK()
	case "project_id":
		d.ProjectID = str(v)
	case "institution_id":
		d.InstitutionID = str(v)
	case "project_title":
		d.ProjectTitle = str(v)
	case "project_amount_yuan":
		d.ProjectAmountYuan = num(v)
	case "owner_org_id":
		d.OwnerOrgID = str(v)
	case "region_code":
		d.RegionCode = str(v)
	case "role":
		d.Role = str(v)
	case "stage":
		d.Stage = str(v)
	case "due_at":
		d.DueAt = date(v)
	case "has_due":
		d.HasDue, _ = v.BooleanOK()
	case "escalated_at":
		d.EscalatedAt = date(v)
	case "urges":
		d.Urges = int(num(v))
	case "pause":
		if p, ok := v.DocumentOK(); ok {
			d.Pause = &pauseDoc{At: date(p.Lookup("at")), LeftMS: num(p.Lookup("left_ms")), Note: str(p.Lookup("note"))}
		}
	}
}

// PipelineBoard reads a coordinator's board. On MongoDB each part is one
// indexed query with a limit: the stages' counts, each column, the overdue
// and the escalated. FerretDB answers each of those with a scan of the
// whole collection, so there one scan of the scope builds the board.
func (d *DB) PipelineBoard(ctx context.Context, f finzone.BoardFilter) (finzone.MatchBoard, error) {
	if d.ferret {
		return d.boardScan(ctx, f)
	}
	return d.boardQueries(ctx, f)
}

// boardScope is the filter's regions and stage, and more conditions.
func boardScope(f finzone.BoardFilter, more ...bson.D) bson.D {
	var conds bson.A
	if f.Regions != nil {
		conds = append(conds, bson.D{{Key: "region_code", Value: bson.D{{Key: "$in", Value: f.Regions}}}})
	}
	if f.Stage != "" {
		conds = append(conds, bson.D{{Key: "stage", Value: string(f.Stage)}})
	}
	for _, c := range more {
		conds = append(conds, c)
	}
	if len(conds) == 0 {
		return bson.D{}
	}
	return bson.D{{Key: "$and", Value: conds}}
}

// boardScan builds the board from one scan of the scope, keeping only the
// matches it shows.
func (d *DB) boardScan(ctx context.Context, f finzone.BoardFilter) (finzone.MatchBoard, error) {
	ctx, cancel := context.WithTimeout(ctx, ScanTimeout) // see findAll
	defer cancel()
	cur, err := d.db.Collection(collMatches).Find(ctx, boardScope(f), options.Find().SetBatchSize(1000).SetProjection(boardProjection))
	if err != nil {
		return finzone.MatchBoard{}, translate(err)
	}
	defer cur.Close(context.Background())
	b := finzone.NewBoard(f)
	for cur.Next(ctx) {
		m, err := DecodeBoardMatch(cur.Current)
		if err != nil {
			return finzone.MatchBoard{}, err
		}
		b.Add(m)
	}
	return b.Board(), translate(cur.Err())
}

// boardQueries reads the board part by part, each part from an index
// (ensureIndexes): counts by region_code and stage, columns and the
// overdue by region_code (or stage), stage, has_due, due_at, _id, the
// escalated by escalated_at.
func (d *DB) boardQueries(ctx context.Context, f finzone.BoardFilter) (finzone.MatchBoard, error) {
	counts, err := d.stageCounts(ctx, boardScope(f))
	if err != nil {
		return finzone.MatchBoard{}, err
	}
	var b finzone.MatchBoard
	for _, n := range counts {
		b.Total += n
	}
	for _, s := range f.BoardColumns() {
		col := finzone.BoardColumn{Stage: s, Count: counts[string(s)]}
		if col.Count > 0 {
			if col.Matches, err = d.boardFind(ctx, boardScope(f, bson.D{{Key: "stage", Value: string(s)}}), f.ColumnRows); err != nil {
				return finzone.MatchBoard{}, err
			}
		}
		b.Columns = append(b.Columns, col)
	}
	escalated := bson.D{{Key: "escalated_at", Value: bson.D{{Key: "$gt", Value: time.Time{}}}},
		{Key: "stage", Value: bson.D{{Key: "$in", Value: openStages}}}}
	late := bson.D{{Key: "has_due", Value: true}, {Key: "due_at", Value: bson.D{{Key: "$lt", Value: f.Now.UTC()}}},
		{Key: "stage", Value: bson.D{{Key: "$in", Value: strs(finzone.DueStages)}}}} // all open
	if b.Overdue, err = d.boardFind(ctx, boardScope(f, bson.D{{Key: "$or", Value: bson.A{escalated, late}}}), f.ListRows); err != nil {
		return finzone.MatchBoard{}, err
	}
	if b.Escalated, err = d.boardFind(ctx, boardScope(f, escalated), f.ListRows); err != nil {
		return finzone.MatchBoard{}, err
	}
	return b, nil
}

// stageCounts counts the matches filter keeps in each stage.
func (d *DB) stageCounts(ctx context.Context, filter bson.D) (map[string]int, error) {
	ctx, cancel := opContext(ctx)
	defer cancel()
	cur, err := d.db.Collection(collMatches).Aggregate(ctx, mongo.Pipeline{
		{{Key: "$match", Value: filter}},
		{{Key: "$group", Value: bson.D{{Key: "_id", Value: "$stage"}, {Key: "n", Value: bson.D{{Key: "$sum", Value: 1}}}}}},
	})
	if err != nil {
		return nil, translate(err)
	}
	var rows []struct {
		Stage string `bson:"_id"`
		N     int    `bson:"n"`
	}
	if err := cur.All(ctx, &rows); err != nil {
		return nil, translate(err)
	}
	out := make(map[string]int, len(rows))
	for _, r := range rows {
		out[r.Stage] += r.N
	}
	return out, nil
}

// boardFind is the first limit matches filter keeps, in board order; nil
// when there are none.
func (d *DB) boardFind(ctx context.Context, filter bson.D, limit int) ([]finzone.Match, error) {
	if limit <= 0 {
		return nil, nil
	}
	ctx, cancel := opContext(ctx)
	defer cancel()
	raws, err := findAll[bson.Raw](ctx, d.db.Collection(collMatches), filter,
		options.Find().SetSort(boardSort).SetLimit(int64(limit)).SetProjection(boardProjection))
	if err != nil || len(raws) == 0 {
		return nil, err
	}
	out := make([]finzone.Match, len(raws))
	for i, raw := range raws {
		if out[i], err = DecodeBoardMatch(raw); err != nil {
			return nil, err
		}
	}
	return out, nil
}
