package embedded

import (
	"context"
	"database/sql"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"
)

// FerretDB's lookups by _id must be answered through an index, including
// on collections created after start-up and after a database was dropped
// and made again.
func TestIDLookupsUseAnIndex(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	m, err := StartMongo(dir, "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer m.Close()
	client, err := mongo.Connect(options.Client().ApplyURI(m.URI))
	if err != nil {
		t.Fatal(err)
	}
	defer client.Disconnect(ctx)

	db := client.Database("lookup")
	insert := func(coll string) {
		t.Helper()
		if _, err := db.Collection(coll).InsertOne(ctx, bson.D{{Key: "_id", Value: "a"}, {Key: "n", Value: 1}}); err != nil {
			t.Fatal(err)
		}
	}
	insert("first")
	if err := m.IndexIDs(ctx); err != nil {
		t.Fatal(err)
	}
	wantIndexed(t, filepath.Join(dir, "lookup.sqlite"), "first")

	// A collection made later gets its index from the background pass.
	if err := db.Drop(ctx); err != nil {
		t.Fatal(err)
	}
	insert("second")
	deadline := time.Now().Add(10 * time.Second)
	for !indexed(t, filepath.Join(dir, "lookup.sqlite"), "second") {
		if time.Now().After(deadline) {
			t.Fatal("collection created after start-up has no _id lookup index after 10 s")
		}
		time.Sleep(100 * time.Millisecond)
	}
	wantIndexed(t, filepath.Join(dir, "lookup.sqlite"), "second")
	var got bson.M
	if err := db.Collection("second").FindOne(ctx, bson.D{{Key: "_id", Value: "a"}}).Decode(&got); err != nil || got["n"] != int32(1) {
		t.Errorf("find by _id: %v, %v", got, err)
	}
}

// plan returns SQLite's plan for the query FerretDB runs to find a document
// by _id in a collection, or "" when the collection has no table yet.
func plan(t *testing.T, file, coll string) string {
	t.Helper()
	db, err := sql.Open("sqlite", "file:"+file+"?mode=ro")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var table string
	if err := db.QueryRow(`SELECT table_name FROM _ferretdb_collections WHERE name = ?`, coll).Scan(&table); err != nil {
		return ""
	}
	var id, parent, notused int
	var detail string
	q := `EXPLAIN QUERY PLAN SELECT _ferretdb_sjson FROM "` + table + `" WHERE _ferretdb_sjson->'$._id' = ?`
	if err := db.QueryRow(q, `"a"`).Scan(&id, &parent, &notused, &detail); err != nil {
		t.Fatal(err)
	}
	return detail
}

func indexed(t *testing.T, file, coll string) bool {
	return strings.Contains(plan(t, file, coll), idIndexSuffix)
}

func wantIndexed(t *testing.T, file, coll string) {
	t.Helper()
	if p := plan(t, file, coll); !strings.Contains(p, idIndexSuffix) {
		t.Errorf("%s: _id lookup plan is %q, want it to use the %s index", coll, p, idIndexSuffix)
	}
}
