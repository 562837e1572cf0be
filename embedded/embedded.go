// Package embedded starts the in-process servers that let finzone run with no
// configuration: FerretDB on SQLite, speaking the real MongoDB wire protocol,
// and miniredis. Production points at a real MongoDB replica set and a real
// Redis instead; nothing else changes.
package embedded

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/url"
	"os"
	"path/filepath"
	"runtime/debug"
	"sync"
	"time"

	"github.com/FerretDB/FerretDB/ferretdb"
	"github.com/alicebob/miniredis/v2"
)

// Mongo is an in-process FerretDB server with a SQLite backend. FerretDB
// itself listens only on a Unix socket in the data directory; the TCP
// address, when there is one, is served by an authenticating proxy (see
// proxy.go).
type Mongo struct {
	// URI reaches FerretDB over its Unix socket, without credentials: for
	// this process and others of the same OS user (the socket's directory
	// is private to that user).
	URI string
	// Addr is the TCP address of the authenticating proxy, "" if none.
	Addr string

	dir       string
	log       *slog.Logger
	cancel    context.CancelFunc
	done      chan struct{}
	proxy     *proxy
	socketDir string // a directory of our own under os.TempDir to remove, or ""
}

// MongoConfig says where the embedded server keeps its data and listens.
type MongoConfig struct {
	// Dir holds one .sqlite file per database and FerretDB's Unix socket;
	// it is made private to its owner (mode 0700).
	Dir string
	// Addr is the TCP address (port 0 for any free port) where clients
	// authenticate as MongoUser with Password; "" serves the socket only.
	Addr string
	// Password is MongoUser's; empty makes a random one that only this
	// process knows (tests that use URI only).
	Password string

	// beside starts a second server, on a socket of its own, when another
	// serves Dir already, instead of failing with ErrInUse.
	beside bool
}

// StartMongo serves FerretDB on dir's Unix socket and the authenticating
// proxy on addr, with a password nobody else knows: callers in this process
// use URI. If another server serves dir, this one gets a socket of its own
// beside it on the same files (as two processes did before the socket).
func StartMongo(dir, addr string) (*Mongo, error) {
	return MongoConfig{Dir: dir, Addr: addr, beside: true}.Start()
}

// Start starts the server. It also keeps each collection's _id lookup
// index (see IndexIDs). If another process already serves Dir, the error is
// ErrInUse: connect to SocketURI(Dir) instead.
func (cfg MongoConfig) Start() (*Mongo, error) {
	abs, err := privateDir(cfg.Dir)
	if err != nil {
		return nil, fmt.Errorf("embedded mongo: %w", err)
	}
	m := &Mongo{dir: abs, log: slog.Default(), done: make(chan struct{})}
	sock, err := m.socket(cfg.beside)
	if err != nil {
		return nil, err
	}
	var ln net.Listener
	if cfg.Addr != "" {
		// Before FerretDB: a busy address fails with nothing to undo.
		if ln, err = net.Listen("tcp", cfg.Addr); err != nil {
			return nil, fmt.Errorf("embedded mongo: %w", err)
		}
		m.Addr = ln.Addr().String()
	}
	f, err := newFerretDB(abs, sock)
	if err == nil {
		// The directory already keeps others out; the mode says so too.
		err = os.Chmod(sock, 0o600)
	}
	if err == nil && ln != nil {
		password := cfg.Password
		if password == "" {
			password = randomPassword()
		}
		m.proxy, err = newProxy(ln, sock, password, m.log)
	}
	if err != nil {
		if ln != nil {
			ln.Close()
		}
		if f != nil {
			// Run on a done context releases the socket and the backend.
			ctx, cancel := context.WithCancel(context.Background())
			cancel()
			_ = f.Run(ctx)
		}
		return nil, fmt.Errorf("embedded mongo: %w", err)
	}
	m.run(f)
	m.URI = "mongodb://" + url.QueryEscape(sock) + "/"
	return m, nil
}

// socket picks FerretDB's socket path, clearing one a dead server left.
func (m *Mongo) socket(beside bool) (string, error) {
	sock, elsewhere, err := socketPath(m.dir, socketName)
	if err == nil {
		err = clearStaleSocket(sock)
	}
	if errors.Is(err, ErrInUse) && beside {
		sock, elsewhere, err = socketPath(m.dir, extraSocketName())
	}
	if err != nil {
		return "", fmt.Errorf("embedded mongo: %w", err)
	}
	if elsewhere {
		m.socketDir = filepath.Dir(sock)
	}
	return sock, nil
}

// run serves FerretDB, the proxy and the _id indexer until Close.
func (m *Mongo) run(f *ferretdb.FerretDB) {
	ctx, cancel := context.WithCancel(context.Background())
	m.cancel = cancel
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
	if m.proxy != nil {
		go m.proxy.serve()
	}
}

func newFerretDB(dir, sock string) (*ferretdb.FerretDB, error) {
	// FerretDB logs every error response at warn level; only real trouble
	// should reach the operator.
	logger := slog.New(lazyAttrs{h: slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelError})})
	return ferretdb.New(&ferretdb.Config{
		Listener: ferretdb.ListenerConfig{Unix: sock},
		Handler:  "sqlite",
		// WAL (FerretDB's default) with synchronous=NORMAL: a commit is
		// not fsynced on its own, only at checkpoints. A crash of this
		// process loses nothing; a power cut may lose the last moments'
		// commits but never corrupts the file. It made the pipeline
		// benchmark ~10 % faster (docs/benchmarks.md).
		SQLiteURL: "file:" + dir + "/?_pragma=synchronous(normal)",
		Logger:    logger,
	})
}

// Close stops the server and waits for it to release its files.
func (m *Mongo) Close() {
	if m.proxy != nil {
		m.proxy.close()
	}
	m.cancel()
	<-m.done
	if m.socketDir != "" {
		_ = os.Remove(m.socketDir) // once empty: another server's socket may be there
	}
}

// Redis is an in-process miniredis whose clock follows the wall clock, so
// TTL-based keys (asynq's unique locks, server heartbeats) expire as they
// would on a real Redis. It requires a password (AUTH) before any command.
type Redis struct {
	*miniredis.Miniredis
	password string
	stop     chan struct{}
	stopOnce sync.Once
}

// StartRedis serves the Redis protocol on addr (port 0 for any free port)
// with a random password; URL carries it.
func StartRedis(addr string) (*Redis, error) {
	return StartRedisWithPassword(addr, randomPassword())
}

// StartRedisWithPassword serves the Redis protocol on addr, refusing every
// command until a client has sent AUTH password.
func StartRedisWithPassword(addr, password string) (*Redis, error) {
	if password == "" {
		return nil, errors.New("embedded redis: empty password")
	}
	m := miniredis.NewMiniRedis()
	m.RequireAuth(password)
	if err := m.StartAddr(addr); err != nil {
		return nil, fmt.Errorf("embedded redis: %w", err)
	}
	r := &Redis{Miniredis: m, password: password, stop: make(chan struct{})}
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

// URL is the redis:// address of the server with its password: give it to
// clients, never to logs (see PublicURL).
func (r *Redis) URL() string {
	return (&url.URL{Scheme: "redis", User: url.UserPassword("", r.password), Host: r.Addr()}).String()
}

// PublicURL is the redis:// address without the password.
func (r *Redis) PublicURL() string { return "redis://" + r.Addr() }

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
