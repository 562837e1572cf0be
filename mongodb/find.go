package mongodb

import (
	"context"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"
)

// ScanTimeout bounds one background scan (reconciler, catalogue load).
const ScanTimeout = time.Minute

// findAll decodes every document the filter selects (reconciler scans,
// catalogue loads: not for request paths on FerretDB).
func findAll[T any](ctx context.Context, c *mongo.Collection, filter bson.D, opts ...options.Lister[options.FindOptions]) ([]T, error) {
	// A scan on FerretDB reads the whole collection: give it longer than a
	// request's operation, within the caller's own deadline.
	ctx, cancel := context.WithTimeout(ctx, ScanTimeout)
	defer cancel()
	cur, err := c.Find(ctx, filter, opts...)
	if err != nil {
		return nil, translate(err)
	}
	var docs []T
	if err := cur.All(ctx, &docs); err != nil {
		return nil, translate(err)
	}
	return docs, nil
}

// findOne decodes the one document the filter selects; none is not_found.
func findOne[T any](ctx context.Context, c *mongo.Collection, filter bson.D, opts ...options.Lister[options.FindOneOptions]) (T, error) {
	ctx, cancel := opContext(ctx)
	defer cancel()
	var doc T
	if err := c.FindOne(ctx, filter, opts...).Decode(&doc); err != nil {
		return doc, translate(err)
	}
	return doc, nil
}
