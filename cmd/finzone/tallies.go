package main

import (
	"context"
	"log/slog"
	"time"

	"finzone/mongodb"
)

// prepareStore loads the demo data into an empty embedded store and has
// the dashboards' counters rebuilt if they are missing.
func prepareStore(ctx context.Context, in *infra, cfg config, log *slog.Logger) error {
	if err := loadDemo(ctx, in, cfg, log); err != nil {
		return err
	}
	return rebuildMissingTallies(ctx, in.store, log)
}

// rebuildMissingTallies rebuilds the dashboards' counters in the
// background when the store has none under this version's layout (a store
// an older version wrote), or when a process died with counts perhaps
// unwritten (mongodb.LostTallies). It does not hold up the start: a
// rebuild scans every project and match (docs/architecture.md); until it
// ends the dashboards show what the counters hold so far. The rebuild
// counts this process's writes made meanwhile as they end up
// (mongodb.RebuildTallies).
func rebuildMissingTallies(ctx context.Context, store *mongodb.DB, log *slog.Logger) error {
	built, err := store.TalliesBuilt(ctx)
	if err != nil {
		return err
	}
	lost := false
	if built {
		if lost, err = store.LostTallies(ctx); err != nil || !lost {
			return err
		}
	}
	why := map[bool]string{false: "the dashboards' counters are missing", true: "a process died with counts perhaps unwritten"}[lost]
	log.Info(why + ": rebuilding the dashboards' counters in the background")
	go func() {
		start := time.Now()
		if err := store.RebuildTallies(ctx); err != nil {
			log.Error("rebuilding the dashboards' counters failed; run finzone admin rebuild-stats", "err", err)
			return
		}
		log.Info("rebuilt the dashboards' counters", "took", time.Since(start).Round(time.Millisecond))
	}()
	return nil
}
