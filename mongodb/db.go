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
	"go.mongodb.org/mongo-driver/v2/event"
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

// DB is the MongoDB store. Its methods return *finzone.Error values with
// stable codes, never driver errors; each package that uses it declares the
// methods it needs.
type DB struct {
	client *mongo.Client
	db     *mongo.Database
	now    func() time.Time
	ferret bool       // the server is FerretDB: see ensureIndexes
	gate   *writeGate // nil on MongoDB: see writeGate
	// inserts gathers concurrent inserts on FerretDB: see inserter.
	inserts inserter
	// entered hears of matches entering a stage: see WithStageObserver.
	entered func(stage finzone.Stage, n int)
	// tallies writes the dashboards' counters: see tallyWriter.
	tallies *tallyWriter
	// tallyReads are the counter documents read lately (stats_cache.go).
	tallyReads tallyReads
}

// Option changes how Open sets up the store.
type Option func(*openOptions)

type openOptions struct {
	monitor *event.CommandMonitor
	entered func(finzone.Stage, int)
}

// WithCommandMonitor has the driver report every command it sends to mon
// (the process's metrics time them); nil adds none.
func WithCommandMonitor(mon *event.CommandMonitor) Option {
	return func(o *openOptions) { o.monitor = mon }
}

// WithStageObserver tells observe how many matches entered a stage each
// time the store confirms such a write: a match inserted (not one that
// existed already) enters its stage, a move to another stage enters that
// one. Writes are conditional, so every path (use cases, workers, retries)
// is counted once.
func WithStageObserver(observe func(stage finzone.Stage, n int)) Option {
	return func(o *openOptions) { o.entered = observe }
}

// Open connects to uri, checks the server answers and creates the indexes
// the platform relies on for uniqueness. It fails if any index cannot be made.
func Open(ctx context.Context, uri, dbName string, opts ...Option) (*DB, error) {
	var o openOptions
	for _, opt := range opts {
		opt(&o)
	}
	copts := options.Client().ApplyURI(uri).SetServerSelectionTimeout(5 * time.Second).SetConnectTimeout(5 * time.Second)
	if o.monitor != nil {
		copts.SetMonitor(o.monitor)
	}
	client, err := mongo.Connect(copts)
	if err != nil {
		return nil, fmt.Errorf("mongodb: connect: %w", err)
	}
	d := &DB{client: client, db: client.Database(dbName), now: time.Now, entered: o.entered}
	if d.entered == nil {
		d.entered = func(finzone.Stage, int) {}
	}
	if err := d.Ping(ctx); err != nil {
		_ = client.Disconnect(context.Background())
		return nil, fmt.Errorf("mongodb: %w", err)
	}
	if d.ferret, err = d.isFerretDB(ctx); err != nil {
		_ = client.Disconnect(context.Background())
		return nil, fmt.Errorf("mongodb: %w", err)
	}
	if d.ferret {
		d.gate = newWriteGate()
	}
	if err := d.ensureCollections(ctx); err != nil {
		_ = client.Disconnect(context.Background())
		return nil, fmt.Errorf("mongodb: collections: %w", err)
	}
	if err := d.ensureIndexes(ctx); err != nil {
		_ = client.Disconnect(context.Background())
		return nil, fmt.Errorf("mongodb: indexes: %w", err)
	}
	writer := bson.NewObjectID() // this process's mark (stats_lost.go)
	d.tallies = newTallyWriter(d.writeTallyOp, func(ctx context.Context, alive bool) error { return d.markWriter(ctx, writer, alive) })
	return d, nil
}

// Close writes the counts still pending and disconnects.
func (d *DB) Close(ctx context.Context) error {
	err := d.tallies.close(ctx)
	if derr := d.client.Disconnect(ctx); derr != nil {
		return derr
	}
	return err
}

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

// DropAndClose drops the database and disconnects, writing nothing after
// the drop: the counts still pending and this process's counting mark go
// with the database. Close after Drop would write them and so make the
// database again, on the embedded store while its files are being removed.
// Tests clean up with it.
func (d *DB) DropAndClose(ctx context.Context) error {
	d.tallies.discard()
	err := d.Drop(ctx)
	if derr := d.client.Disconnect(ctx); err == nil {
		err = derr
	}
	return err
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

// isFerretDB asks the server whether it is FerretDB (its buildInfo says so).
func (d *DB) isFerretDB(ctx context.Context) (bool, error) {
	ctx, cancel := opContext(ctx)
	defer cancel()
	raw, err := d.db.RunCommand(ctx, bson.D{{Key: "buildInfo", Value: 1}}).Raw()
	if err != nil {
		return false, translate(err)
	}
	_, err = raw.LookupErr("ferretdbVersion")
	return err == nil, nil
}

// collections are every collection the store writes.
var collections = []string{collOrgs, collUsers, collSessions, collClusters, collProjects, collProducts,
	collLedgers, collMatches, collClaims, collSyndicates, collNotifications, collWebhooks, collDeliveries, collMeta,
	collViews, collAttempts, collCodeClaims, collCodeTransfers, collStats}

// ensureCollections creates every collection the store uses that does not
// exist yet. FerretDB on SQLite loads its list of collections once per
// process and never reads it again: a collection another process creates
// later (two embedded servers on one data directory, e.g. "finzone seed"
// beside a running platform) stays invisible to it, reads of it return
// nothing and writes to it fail. The catalogue's version document lived in
// a collection its first bump created, so a running platform never saw a
// bump made elsewhere. Creating them all here, before any process writes,
// gives every process the same list.
func (d *DB) ensureCollections(ctx context.Context) error {
	ctx, cancel := opContext(ctx)
	defer cancel()
	names, err := d.db.ListCollectionNames(ctx, bson.D{})
	if err != nil {
		return translate(err)
	}
	have := map[string]bool{}
	for _, n := range names {
		have[n] = true
	}
	for _, c := range collections {
		if have[c] {
			continue
		}
		if err := d.db.CreateCollection(ctx, c); err != nil && !isNamespaceExists(err) {
			return translate(err)
		}
	}
	return nil
}

func (d *DB) ensureIndexes(ctx context.Context) error {
	keys := func(names ...string) bson.D {
		k := bson.D{}
		for _, n := range names {
			k = append(k, bson.E{Key: n, Value: 1})
		}
		return k
	}
	unique := func(names ...string) mongo.IndexModel {
		return mongo.IndexModel{Keys: keys(names...), Options: options.Index().SetUnique(true)}
	}
	plain := func(names ...string) mongo.IndexModel { return mongo.IndexModel{Keys: keys(names...)} }
	// byBoard serves the pipeline board's queries on the fields given:
	// their filter, then its order (boardSort).
	byBoard := func(names ...string) mongo.IndexModel {
		return mongo.IndexModel{Keys: append(keys(names...), boardSort...)}
	}
	// Indexes a longer one has replaced (its prefix), dropped everywhere.
	retired := map[string][]mongo.IndexModel{collMatches: {plain("region_code", "stage")}}
	// Indexes that keep data right, on every server.
	rules := map[string][]mongo.IndexModel{
		collOrgs:     {unique("uscc")},
		collUsers:    {unique("email")},
		collProducts: {unique("product_id", "version")},
	}
	// Indexes that only make reads faster. FerretDB 1.24 on SQLite answers
	// every filter but {_id} with a scan, so there they would only slow
	// every write (each is a JSON expression SQLite evaluates per insert and
	// update): it gets none, and loses those an earlier version made. The
	// unique (project_id, institution_id) on matches is among them because a
	// match's _id is derived from that pair, which already makes it unique.
	lookups := map[string][]mongo.IndexModel{
		collOrgs:     {plain("kind", "region_code")},
		collUsers:    {plain("org_id")},
		collSessions: {plain("user_id")},
		// Every list query has one (docs/architecture.md lists them).
		collProjects: {plain("owner_org_id", "created_at"), plain("region_code", "status"), plain("created_at")},
		collProducts: {plain("owner_org_id"), plain("status"), plain("regions")},
		collMatches: {unique("project_id", "institution_id"), plain("institution_id", "due_at"), byBoard("region_code", "stage"),
			byBoard("stage"), plain("owner_org_id", "due_at"), plain("due_at"),
			{Keys: keys("escalated_at"), Options: options.Index().SetSparse(true)}},
		collNotifications: {plain("org_id", "created_at")},
		collDeliveries:    {plain("org_id", "created_at"), plain("status")},
		collSyndicates:    {plain("region_code", "state"), plain("members.institution_id"), plain("owner_org_id")},
	}
	for coll, models := range lookups {
		if d.ferret {
			if err := d.dropIndexes(ctx, d.db.Collection(coll), models); err != nil {
				return fmt.Errorf("%s: %w", coll, err)
			}
			continue
		}
		rules[coll] = append(rules[coll], models...)
	}
	for coll, models := range rules {
		if err := d.createMissingIndexes(ctx, d.db.Collection(coll), models); err != nil {
			return fmt.Errorf("%s: %w", coll, err)
		}
	}
	for coll, models := range retired {
		if err := d.dropIndexes(ctx, d.db.Collection(coll), models); err != nil {
			return fmt.Errorf("%s: %w", coll, err)
		}
	}
	return nil
}

// indexName is the name MongoDB gives an index on keys: a_1_b_1. The
// models are ours (ensureIndexes builds every one's keys as a bson.D).
func indexName(m mongo.IndexModel) string {
	keys, ok := m.Keys.(bson.D)
	if !ok {
		panic(fmt.Sprintf("mongodb: index keys %T, want bson.D", m.Keys))
	}
	name := ""
	for i, k := range keys {
		if i > 0 {
			name += "_"
		}
		name += fmt.Sprintf("%s_%v", k.Key, k.Value)
	}
	return name
}

func (d *DB) indexNames(ctx context.Context, c *mongo.Collection) (map[string]bool, error) {
	specs, err := c.Indexes().ListSpecifications(ctx)
	if err != nil {
		return nil, err
	}
	have := map[string]bool{}
	for _, s := range specs {
		have[s.Name] = true
	}
	return have, nil
}

// dropIndexes drops those of models that exist.
func (d *DB) dropIndexes(ctx context.Context, c *mongo.Collection, models []mongo.IndexModel) error {
	ctx, cancel := opContext(ctx)
	defer cancel()
	have, err := d.indexNames(ctx, c)
	if err != nil {
		return err
	}
	for _, m := range models {
		if have[indexName(m)] {
			if err := c.Indexes().DropOne(ctx, indexName(m)); err != nil {
				return err
			}
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
	have, err := d.indexNames(ctx, c)
	if err != nil {
		return err
	}
	var missing []mongo.IndexModel
	for _, m := range models {
		if !have[indexName(m)] {
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
