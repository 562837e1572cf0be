package embedded

import (
	"context"
	"log/slog"
	"strings"
	"testing"

	"github.com/FerretDB/FerretDB/ferretdb"
	"go.mongodb.org/mongo-driver/v2/bson"
)

// BenchmarkFind is a find by _id, the store's hot read, and a read of a
// whole small collection, over each way
// a client reaches FerretDB: its Unix socket (this process), the
// authenticating proxy (api and worker processes on `finzone db`), and, for
// comparison, FerretDB's own TCP listener, which finzone no longer opens.
func BenchmarkFind(b *testing.B) {
	ctx := context.Background()
	m, err := MongoConfig{Dir: b.TempDir(), Addr: "127.0.0.1:0", Password: "bench-password"}.Start()
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(m.Close)
	tcp, err := ferretdb.New(&ferretdb.Config{Listener: ferretdb.ListenerConfig{TCP: "127.0.0.1:0"}, Handler: "sqlite",
		SQLiteURL: "file:" + b.TempDir() + "/", Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		b.Fatal(err)
	}
	tctx, cancel := context.WithCancel(ctx)
	done := make(chan struct{})
	go func() { defer close(done); _ = tcp.Run(tctx) }()
	b.Cleanup(func() { cancel(); <-done })
	for _, c := range []struct{ name, uri string }{
		{"socket", m.URI},
		{"proxy", Credentials{MongoPassword: "bench-password"}.MongoURI(m.Addr, "")},
		{"ferretdb-tcp", tcp.MongoDBURI()},
	} {
		coll := connectB(b, c.uri).Database("bench").Collection(c.name)
		docs := make([]any, 2000)
		for i := range docs {
			docs[i] = bson.D{{Key: "_id", Value: i}, {Key: "text", Value: strings.Repeat("x", 500)}}
		}
		if _, err := coll.InsertMany(ctx, docs); err != nil {
			b.Fatal(err)
		}
		b.Run(c.name+"/by-id", func(b *testing.B) {
			for b.Loop() {
				if err := coll.FindOne(ctx, bson.D{{Key: "_id", Value: 1}}).Err(); err != nil {
					b.Fatal(err)
				}
			}
		})
		// A read that moves ~1 MB: the proxy copies every byte.
		b.Run(c.name+"/scan-2000", func(b *testing.B) {
			for b.Loop() {
				cur, err := coll.Find(ctx, bson.D{})
				if err != nil {
					b.Fatal(err)
				}
				var all []bson.Raw
				if err := cur.All(ctx, &all); err != nil || len(all) != len(docs) {
					b.Fatalf("%d documents, %v", len(all), err)
				}
			}
		})
	}
}
