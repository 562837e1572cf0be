// Package embedded starts the in-process servers that let finzone run with no
// configuration: FerretDB on SQLite, speaking the real MongoDB wire protocol,
// and miniredis. Production points at a real MongoDB replica set and a real
// Redis instead; nothing else changes.
package embedded

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"runtime/debug"
	"sync"
	"time"

	"github.com/FerretDB/FerretDB/ferretdb"
	"github.com/alicebob/miniredis/v2"
)

// Mongo is an in-process FerretDB server with a SQLite backend.
type Mongo struct {
	URI    string
	dir    string
	log    *slog.Logger
	cancel context.CancelFunc
	done   chan struct{}
}

// StartMongo serves the MongoDB wire protocol on addr (host:port, port 0 for
// any free port) and keeps each database as one .sqlite file under dir. It
// also keeps every collection's _id lookup index (see IndexIDs).
func StartMongo(dir, addr string) (*Mongo, error) {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("embedded mongo: %w", err)
	}
	abs, err := filepath.Abs(dir)
	if err != nil {
		return nil, fmt.Errorf("embedded mongo: %w", err)
	}
	// FerretDB logs every error response at warn level; only real trouble
	// should reach the operator.
	logger := slog.New(lazyAttrs{h: slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelError})})
	f, err := ferretdb.New(&ferretdb.Config{
		Listener: ferretdb.ListenerConfig{TCP: addr},
		Handler:  "sqlite",
		// WAL (FerretDB's default) with synchronous=NORMAL: a commit is
		// not fsynced on its own, only at checkpoints. A crash of this
		// process loses nothing; a power cut may lose the last moments'
		// commits but never corrupts the file. It made the pipeline
		// benchmark ~10 % faster (docs/benchmarks.md).
		SQLiteURL: "file:" + abs + "/?_pragma=synchronous(normal)",
		Logger:    logger,
	})
	if err != nil {
		return nil, fmt.Errorf("embedded mongo: %w", err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	m := &Mongo{dir: abs, log: slog.Default(), cancel: cancel, done: make(chan struct{})}
	indexing := make(chan struct{})
	go func() {
		defer close(m.done)
		defer func() { <-indexing }()
		// Run returns when Close cancels ctx; anything else (the listener
		// died) leaves the platform without its store, which the operator
		// must hear of: requests answer 503 unavailable meanwhile.
		if err := f.Run(ctx); err != nil && ctx.Err() == nil {
			m.log.Error("embedded MongoDB-wire server stopped", "err", err)
		}
	}()
	go func() {
		defer close(indexing)
		m.keepIndexingIDs(ctx)
	}()
	m.URI = f.MongoDBURI()
	return m, nil
}

// Close stops the server and waits for it to release its files.
func (m *Mongo) Close() {
	m.cancel()
	<-m.done
}

// Redis is an in-process miniredis whose clock follows the wall clock, so
// TTL-based keys (asynq's unique locks, server heartbeats) expire as they
// would on a real Redis.
type Redis struct {
	*miniredis.Miniredis
	stop     chan struct{}
	stopOnce sync.Once
}

// StartRedis serves the Redis protocol on addr (port 0 for any free port).
func StartRedis(addr string) (*Redis, error) {
	m := miniredis.NewMiniRedis()
	if err := m.StartAddr(addr); err != nil {
		return nil, fmt.Errorf("embedded redis: %w", err)
	}
	r := &Redis{Miniredis: m, stop: make(chan struct{})}
	go r.tick()
	return r, nil
}

func (r *Redis) tick() {
	t := time.NewTicker(time.Second)
	defer t.Stop()
	last := time.Now()
	for {
		select {
		case <-r.stop:
			return
		case now := <-t.C:
			r.FastForward(now.Sub(last))
			last = now
		}
	}
}

// URL is the redis:// address of the server.
func (r *Redis) URL() string { return "redis://" + r.Addr() }

// Close stops the server.
func (r *Redis) Close() {
	r.stopOnce.Do(func() { close(r.stop) })
	r.Miniredis.Close()
}

// GCPercent is the garbage collector's target in a process that embeds
// FerretDB, unless GOGC is set. FerretDB turns every document into several
// representations (wire BSON, its own types, JSON for SQLite) and back; at
// Go's default of 100 the collector took about a sixth of the pipeline
// benchmark's CPU, at 400 CPU per project fell ~17 % (docs/benchmarks.md),
// for a heap that may grow to five times what is live instead of twice.
const GCPercent = 400

// TuneGC applies GCPercent unless the environment sets GOGC. Call it in a
// process that starts the embedded FerretDB.
func TuneGC() {
	if os.Getenv("GOGC") == "" {
		debug.SetGCPercent(GCPercent)
	}
}
