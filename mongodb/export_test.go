package mongodb

import (
	"context"
	"time"
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
