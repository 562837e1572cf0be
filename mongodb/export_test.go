package mongodb

import (
	"context"
	"time"

	"finzone"
)

// Abandon stops d as a killed process stops: the counts it has pending
// and its counting mark stay as they are.
func Abandon(ctx context.Context, d *DB) {
	d.tallies.stopOnce.Do(func() { close(d.tallies.stop) })
	<-d.tallies.stopped
	_ = d.client.Disconnect(ctx)
}

// SetClock sets the store's clock.
func SetClock(d *DB, now func() time.Time) { d.now = now }

// BoardQueries and BoardScan are PipelineBoard's two ways, whatever the
// server, for tests that compare them.
func (d *DB) BoardQueries(ctx context.Context, f finzone.BoardFilter) (finzone.MatchBoard, error) {
	return d.boardQueries(ctx, f)
}

func (d *DB) BoardScan(ctx context.Context, f finzone.BoardFilter) (finzone.MatchBoard, error) {
	return d.boardScan(ctx, f)
}
