package main

import (
	"context"
	"path/filepath"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	mopts "go.mongodb.org/mongo-driver/v2/mongo/options"

	"finzone/embedded"
)

// rawStore reads the platform's store over the MongoDB wire protocol, on
// the embedded server's Unix socket, without the store package's limits
// (5 s an operation, a minute a scan): on the embedded store at scale 20
// the benchmark's few setup queries each scan a whole collection and may
// take longer than that on a busy machine. It only reads, and only the
// fields it names.
type rawStore struct {
	client *mongo.Client
	db     *mongo.Database
}

// scanLimit bounds one setup query.
const scanLimit = 5 * time.Minute

func openRaw(dataDir string) (*rawStore, error) {
	uri, err := embedded.SocketURI(filepath.Join(dataDir, "db"))
	if err != nil {
		return nil, err
	}
	c, err := mongo.Connect(mopts.Client().ApplyURI(uri))
	if err != nil {
		return nil, err
	}
	return &rawStore{client: c, db: c.Database("finzone")}, nil
}

func (r *rawStore) close() { _ = r.client.Disconnect(context.Background()) }

// submitted counts the projects waiting for their first push.
func (r *rawStore) submitted(ctx context.Context) (int64, error) {
	ctx, cancel := context.WithTimeout(ctx, scanLimit)
	defer cancel()
	return r.db.Collection("projects").CountDocuments(ctx, bson.D{{Key: "status", Value: "submitted"}})
}

// ownProjects is the IDs of an organization's n newest projects.
func (r *rawStore) ownProjects(ctx context.Context, org string, n int) ([]string, error) {
	return r.ids(ctx, "projects", bson.D{{Key: "owner_org_id", Value: org}},
		mopts.Find().SetSort(bson.D{{Key: "created_at", Value: -1}}).SetLimit(int64(n)))
}

// pushedMatches is the IDs of at most n of an institution's matches in
// stage pushed.
func (r *rawStore) pushedMatches(ctx context.Context, inst string, n int) ([]string, error) {
	return r.ids(ctx, "matches", bson.D{{Key: "institution_id", Value: inst}, {Key: "stage", Value: "pushed"}},
		mopts.Find().SetLimit(int64(n)))
}

func (r *rawStore) ids(ctx context.Context, coll string, filter bson.D, opts *mopts.FindOptionsBuilder) ([]string, error) {
	ctx, cancel := context.WithTimeout(ctx, scanLimit)
	defer cancel()
	cur, err := r.db.Collection(coll).Find(ctx, filter, opts.SetProjection(bson.D{{Key: "_id", Value: 1}}))
	if err != nil {
		return nil, err
	}
	var docs []struct {
		ID bson.ObjectID `bson:"_id"`
	}
	if err := cur.All(ctx, &docs); err != nil {
		return nil, err
	}
	out := make([]string, len(docs))
	for i, d := range docs {
		out[i] = d.ID.Hex()
	}
	return out, nil
}
