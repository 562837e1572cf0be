package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"path/filepath"

	"finzone/embedded"
)

// dbCmd runs only the embedded MongoDB-wire server (FerretDB on SQLite), so
// separate api and worker processes on one machine can share it, and so fault
// tests can stop and restart the store on its own. It prints the URI on
// stdout and serves until SIGINT or SIGTERM.
func dbCmd(ctx context.Context, args []string) error {
	var cfg config
	fs := flag.NewFlagSet("db", flag.ExitOnError)
	cfg.register(fs)
	_ = fs.Parse(args)
	log := newLogger(cfg.LogLevel)
	dir := filepath.Join(cfg.DataDir, "db")
	// No fallback to a free port: clients were told this address.
	embedded.TuneGC()
	m, err := embedded.StartMongo(dir, cfg.MongoAddr)
	if err != nil {
		return err
	}
	defer m.Close()
	log.Info("MongoDB-wire server (FerretDB on SQLite)", "uri", m.URI, "data_dir", dir)
	fmt.Fprintln(os.Stdout, m.URI)
	<-ctx.Done()
	log.Info("shutting down")
	return nil
}
