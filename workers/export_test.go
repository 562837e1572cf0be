package workers

import (
	"context"
	"fmt"
	"time"
)

// CatalogueSizes is how many products the process's loaded catalogue holds
// as lenders and as enhancers.
func CatalogueSizes(w *Workers) (lenders, enhancers int) {
	w.cat.mu.RLock()
	defer w.cat.mu.RUnlock()
	if w.cat.view.Load == 0 {
		return 0, 0
	}
	return w.cat.view.Lenders.Len(), w.cat.view.Enhancers.Len()
}

// OfferPeriod offers the periodic task name ("reconcile", "purge") for the
// period starting at start, as each process's timer does at that start.
func OfferPeriod(ctx context.Context, w *Workers, name string, start time.Time) error {
	for _, p := range w.periodics() {
		if p.name == name {
			return w.offerPeriod(ctx, p, start)
		}
	}
	return fmt.Errorf("no periodic task %q", name)
}

// LeaseKey is the Redis key of the lease called name on queue.
func LeaseKey(queue, name string) string { return leaseKey(queue, name) }
