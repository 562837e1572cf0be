package mongodb

import (
	"context"
	"errors"
	"strings"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"finzone"
)

// The store's side of the in-process read model (package readmodel), which
// answers the list queries from memory where one process is the store's
// only writer: whole collections streamed once at load, one document
// re-read by _id after a write, the store's own codecs and list rules (so
// the model keeps the store's BSON and answers as the store does), and the
// lease by which another process says it writes.

// The collections the read model holds.
const (
	ModelProjects      = collProjects
	ModelMatches       = collMatches
	ModelNotifications = collNotifications
	ModelProducts      = collProducts
)

// EachDoc streams every document of coll to fn, in no particular order: a
// scan, for loading the read model. raw is only valid during the call.
func (d *DB) EachDoc(ctx context.Context, coll string, fn func(raw bson.Raw) error) error {
	cur, err := d.db.Collection(coll).Find(ctx, bson.D{}, options.Find().SetBatchSize(1000))
	if err != nil {
		return translate(err)
	}
	defer cur.Close(context.Background())
	for cur.Next(ctx) {
		if err := fn(cur.Current); err != nil {
			return err
		}
	}
	return translate(cur.Err())
}

// RawDoc reads one document of coll by _id, as stored; not_found if none.
func (d *DB) RawDoc(ctx context.Context, coll string, id bson.ObjectID) (bson.Raw, error) {
	ctx, cancel := opContext(ctx)
	defer cancel()
	raw, err := d.db.Collection(coll).FindOne(ctx, bson.D{{Key: "_id", Value: id}}).Raw()
	if err != nil {
		return nil, translate(err)
	}
	return raw, nil
}

// DecodeProject is a stored project document as the store returns it.
func DecodeProject(raw bson.Raw) (finzone.Project, error) {
	var doc projectDoc
	if err := bson.Unmarshal(raw, &doc); err != nil {
		return finzone.Project{}, translate(err)
	}
	return doc.toDomain(), nil
}

// EncodeProject is the document the store writes for p.
func EncodeProject(p finzone.Project) (bson.Raw, error) {
	id, err := oid(p.ID)
	if err != nil {
		return nil, err
	}
	return marshal(toProjectDoc(p, id))
}

// DecodeMatch is a stored match document as the store returns it.
func DecodeMatch(raw bson.Raw) (finzone.Match, error) {
	var doc matchDoc
	if err := bson.Unmarshal(raw, &doc); err != nil {
		return finzone.Match{}, translate(err)
	}
	return doc.toDomain(), nil
}

// EncodeMatch is the document the store writes for m.
func EncodeMatch(m finzone.Match) (bson.Raw, error) {
	doc, err := toMatchDoc(m)
	if err != nil {
		return nil, err
	}
	return marshal(doc)
}

// DecodeNotification is a stored notification as the store returns it.
func DecodeNotification(raw bson.Raw) (finzone.Notification, error) {
	var doc notificationDoc
	if err := bson.Unmarshal(raw, &doc); err != nil {
		return finzone.Notification{}, translate(err)
	}
	return doc.toDomain(), nil
}

// EncodeNotification is the document the store writes for n.
func EncodeNotification(n finzone.Notification) (bson.Raw, error) {
	doc, err := toNotificationDoc(n)
	if err != nil {
		return nil, err
	}
	return marshal(doc)
}

// DecodeProduct is a stored product version as the store returns it.
func DecodeProduct(raw bson.Raw) (finzone.Product, error) {
	var doc productDoc
	if err := bson.Unmarshal(raw, &doc); err != nil {
		return finzone.Product{}, translate(err)
	}
	return doc.toDomain(), nil
}

// EncodeProduct is the document the store inserts for version p under _id
// id (version 1's is the product's ID).
func EncodeProduct(p finzone.Product, id bson.ObjectID) (bson.Raw, error) {
	return marshal(toProductDoc(p, id))
}

// NotFound is the error a read of one document that finds none gives.
func NotFound() error { return translate(mongo.ErrNoDocuments) }

func marshal(doc any) (bson.Raw, error) {
	b, err := bson.Marshal(doc)
	if err != nil {
		return nil, translate(err)
	}
	return b, nil
}

// listSorts are the sorts each list takes and its default.
var listSorts = map[string]struct {
	keys sortKeys
	def  string
}{
	collProjects:      {projectSorts, "-created_at"},
	collMatches:       {matchSorts, "due_at"},
	collNotifications: {notificationSorts, "-created_at"},
	collProducts:      {productSorts, "-created_at"},
}

// ListSort is how the store orders a page of coll's list asked with sort
// name (empty: the list's default): the document field, then _id, both
// descending if desc. An unknown name is the field error the store gives.
func ListSort(coll, name string) (field string, desc bool, err error) {
	s := listSorts[coll]
	return s.keys.resolve(name, s.def)
}

// resolve is the field and direction of sort name, or def if name is empty.
func (s sortKeys) resolve(name, def string) (string, bool, error) {
	if name == "" {
		name = def
	}
	field, ok := s[strings.TrimPrefix(name, "-")]
	if !ok {
		var p finzone.Problems
		p.OneOf("sort", s.names())
		return "", false, p.Err()
	}
	return field, strings.HasPrefix(name, "-"), nil
}

// PageLimit is how many items a page asked as pg holds at most.
func PageLimit(pg finzone.Page) int {
	switch {
	case pg.Limit <= 0:
		return DefaultPageLimit
	case pg.Limit > finzone.MaxPageLimit:
		return finzone.MaxPageLimit
	}
	return pg.Limit
}

// ModelLease is what other processes say of their writes to the read
// model's process: Generation changes after each of their writes' batches,
// and while Until has not passed one of them may be writing still.
type ModelLease struct {
	Generation int64     `bson:"generation"`
	Until      time.Time `bson:"until"`
}

const leaseID = "readmodel"

// ReadModelLease reads the lease; none yet is the zero lease.
func (d *DB) ReadModelLease(ctx context.Context) (ModelLease, error) {
	var l ModelLease
	ctx, cancel := opContext(ctx)
	defer cancel()
	err := d.db.Collection(collMeta).FindOne(ctx, bson.D{{Key: "_id", Value: leaseID}}).Decode(&l)
	if errors.Is(err, mongo.ErrNoDocuments) {
		return ModelLease{}, nil
	}
	return l, translate(err)
}

// TakeModelLease bumps the generation and, when until is later than the
// lease's, extends the lease to it: a process other than the read model's
// calls it before it writes and again as it goes, so the model keeps to the
// store meanwhile and reloads once the lease has run out.
func (d *DB) TakeModelLease(ctx context.Context, until time.Time) error {
	ctx, cancel := opContext(ctx)
	defer cancel()
	unlock, err := d.lockWrite(ctx, collMeta+"/"+leaseID)
	if err != nil {
		return err
	}
	defer unlock()
	c := d.db.Collection(collMeta)
	var cur ModelLease
	if err := c.FindOne(ctx, bson.D{{Key: "_id", Value: leaseID}}).Decode(&cur); err != nil && !errors.Is(err, mongo.ErrNoDocuments) {
		return translate(err)
	}
	set := bson.D{}
	if until.After(cur.Until) {
		set = append(set, bson.E{Key: "until", Value: until.UTC()})
	}
	update := bson.D{{Key: "$inc", Value: bson.D{{Key: "generation", Value: 1}}}}
	if len(set) > 0 {
		update = append(update, bson.E{Key: "$set", Value: set})
	}
	_, err = c.UpdateOne(ctx, bson.D{{Key: "_id", Value: leaseID}}, update, options.UpdateOne().SetUpsert(true))
	return translate(err)
}
