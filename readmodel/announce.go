package readmodel

import (
	"context"
	"log/slog"
	"sync"
	"time"

	"finzone/mongodb"
)

// LeaseFor is how long one announcement holds the lease; Announce renews
// it every LeaseFor/3.
const LeaseFor = 3 * time.Second

// Announce tells a read model over the same store that this process
// writes it too: it takes the lease now, before any write, and renews it
// until stop, which bumps the generation a last time after this process's
// writes. The model reads the store meanwhile and loads again once the
// lease has run out. A process killed without stop leaves a lease that
// runs out by itself.
func Announce(ctx context.Context, db *mongodb.DB, log *slog.Logger) (stop func()) {
	if err := db.TakeModelLease(ctx, time.Now().Add(LeaseFor)); err != nil {
		log.Warn("read model lease not taken: a running platform's lists may lag this process's writes until it restarts", "err", err)
	}
	ctx, cancel := context.WithCancel(context.WithoutCancel(ctx))
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		t := time.NewTicker(LeaseFor / 3)
		defer t.Stop()
		for {
			select {
			case <-ctx.Done():
				return
			case <-t.C:
				if err := db.TakeModelLease(ctx, time.Now().Add(LeaseFor)); err != nil && ctx.Err() == nil {
					log.Warn("read model lease not renewed", "err", err)
				}
			}
		}
	}()
	return func() {
		cancel()
		wg.Wait()
		if err := db.TakeModelLease(context.Background(), time.Time{}); err != nil {
			log.Warn("read model generation not bumped after this process's writes", "err", err)
		}
	}
}
