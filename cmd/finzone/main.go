// Command finzone runs the cluster finance zone platform. With no
// configuration it starts everything in one process on embedded FerretDB and
// miniredis, with demo data; in production it points at a MongoDB replica set
// and Redis, and runs the API and workers as separate processes.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"os"
	"os/signal"
	"path/filepath"
	"syscall"
	"time"

	"github.com/hibiken/asynq"
	"github.com/redis/go-redis/v9"

	"finzone"
	"finzone/api"
	"finzone/embedded"
	"finzone/matching"
	"finzone/metrics"
	"finzone/mongodb"
	"finzone/readmodel"
	"finzone/server"
	"finzone/usecase"
	"finzone/web"
	"finzone/workers"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	err := run(ctx, os.Args[1:])
	stop()
	switch {
	case err == nil, errors.Is(err, flag.ErrHelp):
	case errors.Is(err, errBadUsage):
		os.Exit(2)
	default:
		fmt.Fprintln(os.Stderr, "finzone:", err)
		os.Exit(1)
	}
}

func newLogger(level string) *slog.Logger {
	var l slog.Level
	if err := l.UnmarshalText([]byte(level)); err != nil {
		l = slog.LevelInfo
	}
	return slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: l}))
}

// infra is the store and Redis a process talks to, embedded or real.
type infra struct {
	store *mongodb.DB
	// data is what the use cases, workers and live demo go through: the
	// store, or the read model in front of it (see serve).
	data     platformStore
	ownsDB   bool // this process runs the embedded store
	redisOpt asynq.RedisConnOpt
	redis    *redis.Client
	embedded bool
	mongoURI string
	closers  []func()
}

// platformStore is the store as the platform's parts use it.
type platformStore interface {
	usecase.Store
	workers.Store
	ProjectsInStatus(ctx context.Context, statuses []finzone.ProjectStatus) ([]finzone.Project, error)
}

func (in *infra) Close() {
	for i := len(in.closers) - 1; i >= 0; i-- {
		in.closers[i]()
	}
}

// openInfra connects to MongoDB and Redis, starting the embedded ones when no
// URI is configured. The embedded ones take the passwords kept in the data
// directory's credentials file; this process reaches its own FerretDB over
// the Unix socket, and another process's on the same data directory too.
func openInfra(ctx context.Context, cfg config, log *slog.Logger, opts ...mongodb.Option) (*infra, error) {
	in := &infra{mongoURI: cfg.MongoURI}
	var creds embedded.Credentials
	credPath := filepath.Join(cfg.DataDir, embedded.CredentialsFile)
	if cfg.MongoURI == "" || cfg.RedisURL == "" {
		var err error
		if creds, err = embedded.LoadCredentials(credPath); err != nil {
			return nil, err
		}
	}
	var em *embedded.Mongo
	if in.mongoURI == "" {
		var err error
		if em, in.mongoURI, err = startEmbeddedMongo(cfg, creds, log); err != nil {
			return nil, err
		}
		in.embedded = true
		if em != nil {
			in.closers = append(in.closers, em.Close)
		}
	}
	store, err := mongodb.Open(ctx, in.mongoURI, cfg.DB, opts...)
	if err != nil {
		in.Close()
		return nil, err
	}
	if em != nil {
		// The store just created its collections: give them their _id
		// lookup indexes now rather than within the embedded server's next
		// second.
		if err := em.IndexIDs(ctx); err != nil {
			log.Warn("embedded MongoDB: _id lookup indexes", "err", err)
		}
	}
	in.store, in.data, in.ownsDB = store, store, em != nil
	in.closers = append(in.closers, func() { _ = store.Close(context.Background()) })
	if in.embedded && em == nil { // another process's embedded store: tell its read model
		in.closers = append(in.closers, readmodel.Announce(ctx, store, log))
	}

	redisURL := cfg.RedisURL
	if redisURL == "" {
		r, err := embedded.StartRedisWithPassword(cfg.RedisAddr, creds.RedisPassword)
		if err != nil {
			in.Close()
			return nil, err
		}
		in.closers = append(in.closers, r.Close)
		redisURL = r.URL()
		log.Info("embedded Redis (miniredis)", "url", r.PublicURL(), "password_in", credPath)
	}
	if err := in.openRedis(redisURL); err != nil {
		in.Close()
		return nil, err
	}
	return in, nil
}

// startEmbeddedMongo starts FerretDB on the data directory, its
// authenticating proxy on cfg.MongoAddr (or a free port if that is taken),
// and returns the URI this process uses: the Unix socket. If another
// process serves the directory already, em is nil and the URI is that
// process's socket.
func startEmbeddedMongo(cfg config, creds embedded.Credentials, log *slog.Logger) (em *embedded.Mongo, uri string, err error) {
	dir := filepath.Join(cfg.DataDir, "db")
	mc := embedded.MongoConfig{Dir: dir, Addr: cfg.MongoAddr, Password: creds.MongoPassword}
	embedded.TuneGC()
	m, err := mc.Start()
	if errors.Is(err, embedded.ErrInUse) {
		uri, err := embedded.SocketURI(dir)
		log.Info("the data directory's embedded MongoDB-wire server is running in another process: using it", "data_dir", dir)
		return nil, uri, err
	}
	if err != nil && cfg.MongoAddr != "127.0.0.1:0" {
		log.Warn("embedded MongoDB address busy, using a free port", "addr", cfg.MongoAddr, "err", err)
		mc.Addr = "127.0.0.1:0"
		m, err = mc.Start()
	}
	if err != nil {
		return nil, "", err
	}
	log.Info("embedded MongoDB-wire server (FerretDB on SQLite)", "uri", "mongodb://"+m.Addr+"/"+cfg.DB,
		"user", embedded.MongoUser, "password_in", filepath.Join(cfg.DataDir, embedded.CredentialsFile), "data_dir", dir)
	return m, m.URI, nil
}

// openRedis makes the asynq and go-redis clients for redisURL.
func (in *infra) openRedis(redisURL string) error {
	opt, err := asynq.ParseRedisURI(redisURL)
	if err != nil {
		return fmt.Errorf("redis url: %w", err)
	}
	ropts, err := redis.ParseURL(redisURL)
	if err != nil {
		return fmt.Errorf("redis url: %w", err)
	}
	in.redisOpt, in.redis = opt, redis.NewClient(ropts)
	in.closers = append(in.closers, func() { _ = in.redis.Close() })
	return nil
}

// serve runs the HTTP server, the workers, or both until a signal arrives.
func serve(ctx context.Context, mode string, args []string) error {
	var cfg config
	if _, err := parseFlags(mode, args, &cfg, &cmdOptions{}); err != nil {
		return err
	}
	log := newLogger(cfg.LogLevel)
	slog.SetDefault(log)

	mx := newMetrics(cfg, log)
	in, err := openInfra(ctx, cfg, log, storeOptions(mx)...)
	if err != nil {
		return err
	}
	defer in.Close()
	if err := serveMetrics(mx, in, cfg, log); err != nil {
		return err
	}
	if in.embedded && mode != "all" {
		log.Warn("running one role on embedded servers: other processes cannot share them; set FINZONE_MONGO_URI and FINZONE_REDIS_URL")
	}
	if err := prepareStore(ctx, in, cfg, log); err != nil {
		return err
	}
	in.useReadModel(ctx, mode, log)
	deadlines := finzone.DefaultDeadlines()
	deadlines.DayLength = cfg.DayLength
	if deadlines.Calendar, err = loadCalendar(ctx, in.store, cfg.Holidays); err != nil {
		return err
	}
	logCalendar(log, deadlines.Calendar, time.Now())
	ring, err := cfg.keyRing()
	if err != nil {
		return err
	}
	// Secrets an older version stored in plaintext are sealed before anything signs with them.
	sealed, err := usecase.New(in.store, usecase.Config{Keys: ring, Log: log}).SealPlaintextWebhookSecrets(ctx)
	if err != nil {
		return fmt.Errorf("sealing webhook secrets: %w", err)
	}
	if sealed > 0 {
		log.Info("sealed webhook secrets stored in plaintext", "count", sealed)
	}
	errc := make(chan error, 1)
	if mode == "all" || mode == "worker" {
		verify, err := parseRegionsOf("require-verification-regions", cfg.RequireVerification)
		if err != nil {
			return err
		}
		w := workers.New(workers.Config{Redis: in.redisOpt, Store: in.data, Log: log, Concurrency: cfg.Concurrent,
			Queue: cfg.Queue, Deadlines: deadlines, ReconcileEvery: cfg.ReconcileEvery, TrackRecords: cfg.TrackRecords,
			Matching: matching.Config{Enhancers: cfg.Enhancers}, RequireVerification: verify, Keys: ring, Observer: mx})
		if err := w.Start(); err != nil {
			return err
		}
		defer w.Shutdown()
		log.Info("workers started", "concurrency", cfg.Concurrent)
	}
	if mode == "all" || mode == "api" {
		stop, err := serveHTTP(in, cfg, deadlines, log, errc, mx)
		if err != nil {
			return err
		}
		defer stop()
		log.Info("finzone is up", "url", "http://"+cfg.Addr, "mode", mode)
		printDemoAccounts(ctx, in.store, os.Stdout)
	}
	if mode == "all" && in.embedded && cfg.Demo && cfg.LiveDemo {
		defer startLiveDemo(ctx, in, cfg.Queue, deadlines, log)()
	}
	select {
	case <-ctx.Done():
		log.Info("shutting down")
		return nil
	case err := <-errc:
		if errors.Is(err, context.Canceled) {
			return nil
		}
		return fmt.Errorf("http: %w", err)
	}
}

// useReadModel puts the read model in front of the store where this
// process is its only writer: the all-in-one on the embedded store it runs.
func (in *infra) useReadModel(ctx context.Context, mode string, log *slog.Logger) {
	if mode == "all" && in.ownsDB {
		rm := readmodel.New(in.store, log)
		go rm.Run(ctx)
		in.data = rm
	}
}

// loadDemo loads the demo data into an empty embedded store.
func loadDemo(ctx context.Context, in *infra, cfg config, log *slog.Logger) error {
	if !in.embedded || !cfg.Demo {
		return nil
	}
	empty, err := in.store.Empty(ctx)
	if err != nil || !empty {
		return err
	}
	log.Info("empty embedded store: loading demo data")
	if err := seed(ctx, in.store, 1, log, false); err != nil {
		return fmt.Errorf("demo data: %w", err)
	}
	return nil
}

// serveHTTP wires the use cases to the store and the pipeline, hangs the
// JSON API and the pages on one app and listens; stop shuts it down.
func serveHTTP(in *infra, cfg config, deadlines finzone.Deadlines, log *slog.Logger, errc chan<- error, mx *metrics.Metrics) (stop func(), err error) {
	pipeline := workers.NewClient(in.redisOpt, cfg.Queue)
	queues := workers.NewInspector(in.redisOpt, cfg.Queue)
	lpr, err := parseLPR(cfg.LPR)
	if err != nil {
		return nil, err
	}
	screening, err := parseRegions(cfg.Screening)
	if err != nil {
		return nil, err
	}
	proxies, err := server.ParseProxies(cfg.TrustedProxies)
	if err != nil {
		return nil, fmt.Errorf("-trusted-proxies: %w", err)
	}
	ring, err := cfg.keyRing()
	if err != nil {
		return nil, err
	}
	uc := usecase.New(in.data, usecase.Config{
		Keys:             ring,
		Pipeline:         pipeline,
		Deadlines:        deadlines,
		LPR:              lpr,
		ScreeningRegions: screening,
		Log:              log,
		Checks: map[string]func(context.Context) error{
			"redis": func(ctx context.Context) error { return in.redis.Ping(ctx).Err() },
		},
		Queues: queues.Queues,
	})
	app := server.NewWith(server.Config{Log: log, TrustedProxies: proxies})
	app.Use(httpMetrics(mx))
	api.Mount(app, uc)
	if err := web.Mount(app, uc); err != nil {
		_ = pipeline.Close()
		_ = queues.Close()
		return nil, err
	}
	go func() { errc <- app.Listen(cfg.Addr) }()
	return func() {
		if err := app.ShutdownWithTimeout(10 * time.Second); err != nil {
			log.Error("http shutdown", "err", err)
		}
		_ = queues.Close()
		_ = pipeline.Close()
	}, nil
}
