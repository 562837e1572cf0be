package main

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"

	"finzone/embedded"
)

// dbCmd runs only the embedded MongoDB-wire server (FerretDB on SQLite), so
// separate api and worker processes on one machine can share it, and so fault
// tests can stop and restart the store on its own. Clients authenticate as
// embedded.MongoUser with the password in the data directory's credentials
// file (made at first start); processes of the same OS user may instead use
// the Unix socket in the data directory. It prints the TCP address's URI,
// without the password, on stdout and serves until SIGINT or SIGTERM.
func dbCmd(ctx context.Context, args []string) error {
	var cfg config
	if _, err := parseFlags("db", args, &cfg, &cmdOptions{}); err != nil {
		return err
	}
	log := newLogger(cfg.LogLevel)
	slog.SetDefault(log) // the server's own lines, e.g. failed authentications
	credPath := filepath.Join(cfg.DataDir, embedded.CredentialsFile)
	creds, err := embedded.LoadCredentials(credPath)
	if err != nil {
		return err
	}
	dir := filepath.Join(cfg.DataDir, "db")
	// No fallback to a free port: clients were told this address.
	embedded.TuneGC()
	m, err := embedded.MongoConfig{Dir: dir, Addr: cfg.MongoAddr, Password: creds.MongoPassword}.Start()
	if err != nil {
		return err
	}
	defer m.Close()
	// What a client connects with, but the password: mongosh asks for it.
	uri := "mongodb://" + embedded.MongoUser + "@" + m.Addr + "/" + cfg.DB + "?authSource=admin&authMechanism=SCRAM-SHA-256"
	log.Info("MongoDB-wire server (FerretDB on SQLite)", "uri", uri, "user", embedded.MongoUser,
		"password_in", credPath, "socket", m.URI, "data_dir", dir)
	fmt.Fprintln(os.Stdout, uri)
	<-ctx.Done()
	log.Info("shutting down")
	return nil
}
