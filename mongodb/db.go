// Package mongodb keeps the platform's data in MongoDB through the official
// driver. It uses only operations that behave the same on MongoDB and on
// FerretDB (the embedded default), translates driver errors into finzone
// errors once, and bounds every operation by a timeout under the caller's
// context.
package mongodb

import (
	"context"
	"fmt"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"
	"go.mongodb.org/mongo-driver/v2/mongo/readpref"

	"finzone"
)

// OpTimeout bounds one store operation when the caller's context allows longer.
const OpTimeout = 5 * time.Second

// Collection names.
const (
	collOrgs     = "organizations"
	collUsers    = "users"
	collSessions = "sessions"
	collClusters = "clusters"
	collProjects = "projects"
	collProducts = "products"
)

// DB is the MongoDB store. It implements finzone.Store.
type DB struct {
	client *mongo.Client
	db     *mongo.Database
	now    func() time.Time
}

var _ finzone.Store = (*DB)(nil)

// Open connects to uri, checks the server answers and creates the indexes
// the platform relies on for uniqueness. It fails if any index cannot be made.
func Open(ctx context.Context, uri, dbName string) (*DB, error) {
	client, err := mongo.Connect(options.Client().ApplyURI(uri).
		SetServerSelectionTimeout(5 * time.Second).
		SetConnectTimeout(5 * time.Second))
	if err != nil {
		return nil, fmt.Errorf("mongodb: connect: %w", err)
	}
	d := &DB{client: client, db: client.Database(dbName), now: time.Now}
	if err := d.Ping(ctx); err != nil {
		_ = client.Disconnect(context.Background())
		return nil, fmt.Errorf("mongodb: %w", err)
	}
	if err := d.ensureIndexes(ctx); err != nil {
		_ = client.Disconnect(context.Background())
		return nil, fmt.Errorf("mongodb: indexes: %w", err)
	}
	return d, nil
}

// Close disconnects.
func (d *DB) Close(ctx context.Context) error { return d.client.Disconnect(ctx) }

// Ping reports whether the server answers.
func (d *DB) Ping(ctx context.Context) error {
	ctx, cancel := opContext(ctx)
	defer cancel()
	return translate(d.client.Ping(ctx, readpref.Primary()))
}

// Drop removes the whole database; tests use it for a clean slate.
func (d *DB) Drop(ctx context.Context) error {
	ctx, cancel := opContext(ctx)
	defer cancel()
	return translate(d.db.Drop(ctx))
}

// Empty reports whether the store holds no organizations yet, so the
// embedded default knows to load demo data.
func (d *DB) Empty(ctx context.Context) (bool, error) {
	ctx, cancel := opContext(ctx)
	defer cancel()
	n, err := d.db.Collection(collOrgs).EstimatedDocumentCount(ctx)
	if err != nil {
		return false, translate(err)
	}
	return n == 0, nil
}

func (d *DB) ensureIndexes(ctx context.Context) error {
	unique := func(keys ...string) mongo.IndexModel {
		k := bson.D{}
		for _, key := range keys {
			k = append(k, bson.E{Key: key, Value: 1})
		}
		return mongo.IndexModel{Keys: k, Options: options.Index().SetUnique(true)}
	}
	plain := func(keys ...string) mongo.IndexModel {
		k := bson.D{}
		for _, key := range keys {
			k = append(k, bson.E{Key: key, Value: 1})
		}
		return mongo.IndexModel{Keys: k}
	}
	specs := map[string][]mongo.IndexModel{
		collOrgs:     {unique("uscc"), plain("kind", "region_code")},
		collUsers:    {unique("email"), plain("org_id")},
		collSessions: {plain("user_id")},
		collProjects: {plain("owner_org_id", "created_at"), plain("region_code", "status")},
		collProducts: {unique("product_id", "version"), plain("owner_org_id"), plain("status")},
		// One match per project and institution, ever: relay asks someone new.
		collMatches:       {unique("project_id", "institution_id"), plain("institution_id", "due_at"), plain("region_code", "stage")},
		collNotifications: {plain("org_id", "created_at")},
		collDeliveries:    {plain("org_id", "created_at"), plain("status")},
	}
	for coll, models := range specs {
		if err := d.createMissingIndexes(ctx, d.db.Collection(coll), models); err != nil {
			return fmt.Errorf("%s: %w", coll, err)
		}
	}
	return nil
}

// createMissingIndexes creates only the indexes a collection lacks: FerretDB
// 1.24 drops the connection when asked to create indexes that already exist,
// and MongoDB is happy either way.
func (d *DB) createMissingIndexes(ctx context.Context, c *mongo.Collection, models []mongo.IndexModel) error {
	ctx, cancel := opContext(ctx)
	defer cancel()
	specs, err := c.Indexes().ListSpecifications(ctx)
	if err != nil {
		return err
	}
	have := map[string]bool{}
	for _, s := range specs {
		have[s.Name] = true
	}
	var missing []mongo.IndexModel
	for _, m := range models {
		name := ""
		for i, k := range m.Keys.(bson.D) {
			if i > 0 {
				name += "_"
			}
			name += fmt.Sprintf("%s_%v", k.Key, k.Value)
		}
		if !have[name] {
			missing = append(missing, m)
		}
	}
	if len(missing) == 0 {
		return nil
	}
	_, err = c.Indexes().CreateMany(ctx, missing)
	return err
}

// opContext applies OpTimeout unless the caller's deadline is sooner.
func opContext(ctx context.Context) (context.Context, context.CancelFunc) {
	if dl, ok := ctx.Deadline(); ok && time.Until(dl) < OpTimeout {
		return context.WithCancel(ctx)
	}
	return context.WithTimeout(ctx, OpTimeout)
}

// Name is the database's name.
func (d *DB) Name() string { return d.db.Name() }
