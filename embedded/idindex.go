package embedded

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"time"

	_ "modernc.org/sqlite" // the driver FerretDB itself uses
)

// FerretDB 1.24 on SQLite keeps each collection in a table with one JSON
// column and a unique index on the expression _ferretdb_sjson->"_id". Its
// lookups by _id, though (finds, and every update and delete, which rewrite
// documents by _id), filter on _ferretdb_sjson->'$._id': the same value, but
// an expression SQLite does not match to that index, so each of them scanned
// the whole table and parsed every document (47 ms instead of 0.13 ms at
// 1,500 matches; docs/benchmarks.md). idIndexSuffix names a second index,
// on exactly the expression FerretDB queries, which this package keeps on
// every FerretDB table. FerretDB's own metadata does not know it, so
// listIndexes is unchanged, and dropping a collection drops it with the table.
const idIndexSuffix = "_finzone_id_lookup"

// IndexIDs gives every collection of every database under the server's
// directory its _id lookup index. The server also does this once a second in
// the background, so collections created later get theirs within a second;
// callers use IndexIDs when they want it at once, e.g. after creating their
// collections at start-up.
func (m *Mongo) IndexIDs(ctx context.Context) error {
	files, err := filepath.Glob(filepath.Join(m.dir, "*.sqlite"))
	if err != nil {
		return err
	}
	var errs []error
	for _, f := range files {
		err := indexIDs(ctx, f, m.log)
		if _, statErr := os.Stat(f); err != nil && os.IsNotExist(statErr) {
			continue // the database was dropped under us (SQLite then reports an I/O error)
		}
		if err != nil {
			errs = append(errs, fmt.Errorf("%s: %w", filepath.Base(f), err))
		}
	}
	return errors.Join(errs...)
}

func (m *Mongo) keepIndexingIDs(ctx context.Context) {
	t := time.NewTicker(time.Second)
	defer t.Stop()
	for {
		if err := m.IndexIDs(ctx); err != nil && ctx.Err() == nil {
			m.log.Warn("embedded mongo: _id lookup index", "err", err)
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// indexIDs opens one database file (never creating it: it may have just been
// dropped), lists FerretDB's tables and creates the missing lookup indexes.
// The connection is closed again so that a dropped and recreated database is
// never reached through a stale file handle.
func indexIDs(ctx context.Context, file string, log *slog.Logger) error {
	if _, err := os.Stat(file); err != nil {
		return nil // dropped meanwhile
	}
	db, err := sql.Open("sqlite", "file:"+file+"?mode=rw&_pragma=busy_timeout(10000)")
	if err != nil {
		return err
	}
	defer db.Close()
	rows, err := db.QueryContext(ctx, `SELECT c.table_name FROM _ferretdb_collections c
		WHERE NOT EXISTS (SELECT 1 FROM sqlite_master m WHERE m.type = 'index' AND m.name = c.table_name || ?)`, idIndexSuffix)
	if err != nil {
		if strings.Contains(err.Error(), "no such table") {
			return nil // a database FerretDB has not set up yet
		}
		return err
	}
	var tables []string
	for rows.Next() {
		var t string
		if err := rows.Scan(&t); err != nil {
			rows.Close()
			return err
		}
		tables = append(tables, t)
	}
	if err := rows.Close(); err != nil {
		return err
	}
	for _, t := range tables {
		began := time.Now()
		q := fmt.Sprintf(`CREATE INDEX IF NOT EXISTS %q ON %q (_ferretdb_sjson->'$._id')`, t+idIndexSuffix, t)
		if _, err := db.ExecContext(ctx, q); err != nil {
			if strings.Contains(err.Error(), "no such table") {
				continue // the collection was dropped meanwhile
			}
			return err
		}
		log.Debug("embedded mongo: _id lookup index created", "table", t, "took", time.Since(began))
	}
	return nil
}
