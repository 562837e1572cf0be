package main

import (
	"context"
	"log/slog"
	"time"

	"finzone/mongodb"
)

// rebuildMissingTallies rebuilds the dashboards' counters in the
// background when the store has none under this version's layout (a store
// an older version wrote). It does not hold up the start: at
// `seed --scale 20` after the pipeline ran the rebuild takes ~18 s
// (docs/architecture.md); until it ends the dashboards show what the
// counters hold so far. The rebuild counts this process's writes made
// meanwhile as they end up (mongodb.RebuildTallies).
func rebuildMissingTallies(ctx context.Context, store *mongodb.DB, log *slog.Logger) error {
	built, err := store.TalliesBuilt(ctx)
	if err != nil || built {
		return err
	}
	log.Info("the dashboards' counters are missing: rebuilding them in the background")
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
