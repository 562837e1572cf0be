package mongodb

import (
	"context"
	"maps"
	"slices"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"finzone"
	"finzone/mongodb/cursor"
)

// DefaultPageLimit is used when a list asks for no limit.
const DefaultPageLimit = 20

// sortKeys maps the sort names clients use to document fields.
type sortKeys map[string]string

// names are the sort names a list takes, ascending and descending.
func (s sortKeys) names() []string {
	var out []string
	for _, k := range slices.Sorted(maps.Keys(s)) {
		out = append(out, k, "-"+k)
	}
	return out
}

// findPage runs a keyset-paginated find: the cursor holds the last item's sort
// value and _id, so pages stay stable while items are added. It uses only
// $or/$and with $lt/$gt, which FerretDB and MongoDB answer alike.
func findPage[T any](ctx context.Context, c *mongo.Collection, filter bson.D, pg finzone.Page,
	sorts sortKeys, def string) ([]T, string, error) {
	field, desc, err := sorts.resolve(pg.Sort, def)
	if err != nil {
		return nil, "", err
	}
	limit := PageLimit(pg)
	dir, cmp := 1, "$gt"
	if desc {
		dir, cmp = -1, "$lt"
	}
	if pg.Cursor != "" {
		v, id, err := cursor.Decode(pg.Cursor)
		if err != nil {
			return nil, "", err
		}
		after := bson.D{{Key: "$or", Value: bson.A{
			bson.D{{Key: field, Value: bson.D{{Key: cmp, Value: v}}}},
			bson.D{{Key: field, Value: v}, {Key: "_id", Value: bson.D{{Key: cmp, Value: id}}}},
		}}}
		filter = bson.D{{Key: "$and", Value: bson.A{filter, after}}}
	}
	opts := options.Find().
		SetSort(bson.D{{Key: field, Value: dir}, {Key: "_id", Value: dir}}).
		SetLimit(int64(limit + 1))
	ctx, cancel := opContext(ctx)
	defer cancel()
	cur, err := c.Find(ctx, filter, opts)
	if err != nil {
		return nil, "", translate(err)
	}
	var raws []bson.Raw
	if err := cur.All(ctx, &raws); err != nil {
		return nil, "", translate(err)
	}
	next := ""
	if len(raws) > limit {
		raws = raws[:limit]
		last := raws[limit-1]
		id, _ := last.Lookup("_id").ObjectIDOK()
		next = cursor.Encode(last.Lookup(field), id)
	}
	docs := make([]T, len(raws))
	for i, r := range raws {
		if err := bson.Unmarshal(r, &docs[i]); err != nil {
			return nil, "", translate(err)
		}
	}
	return docs, next, nil
}
