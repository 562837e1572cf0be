package workers

import (
	"context"
	"log/slog"
	"slices"
	"sync"
	"time"

	"finzone"
	"finzone/matching"
)

// catalogue is this worker process's in-memory copy of the published
// products and verified institutions, indexed for matching. A change bumps
// a version in MongoDB; every process polls it and reloads within seconds.
type catalogue struct {
	store   Store
	records bool // score institutions' track records and load
	cfg     matching.Config
	log     *slog.Logger
	mu      sync.RWMutex
	idx     *matching.Index
	insts   map[string]matching.Institution
	version int64
	loaded  bool
}

func newCatalogue(store Store, cfg matching.Config, records bool, log *slog.Logger) *catalogue {
	return &catalogue{store: store, cfg: cfg, records: records, log: log}
}

// get returns the index, loading it first if this process has none yet.
func (c *catalogue) get(ctx context.Context) (*matching.Index, map[string]matching.Institution, error) {
	c.mu.RLock()
	idx, insts, loaded := c.idx, c.insts, c.loaded
	c.mu.RUnlock()
	if loaded {
		return idx, insts, nil
	}
	if err := c.refresh(ctx, true); err != nil {
		return nil, nil, err
	}
	c.mu.RLock()
	defer c.mu.RUnlock()
	return c.idx, c.insts, nil
}

// refresh reloads when the stored version moved (or always, with force):
// products, verified institutions and their track records.
func (c *catalogue) refresh(ctx context.Context, force bool) error {
	v, err := c.store.CatalogueVersion(ctx)
	if err != nil {
		return err
	}
	c.mu.RLock()
	same := c.loaded && v == c.version
	c.mu.RUnlock()
	if same && !force {
		return nil
	}
	orgs, err := c.store.VerifiedInstitutions(ctx)
	if err != nil {
		return err
	}
	products, err := c.store.PublishedProducts(ctx)
	if err != nil {
		return err
	}
	var records map[string]finzone.TrackRecord
	if c.records {
		if records, err = c.store.TrackRecords(ctx); err != nil {
			return err
		}
	}
	insts := make(map[string]matching.Institution, len(orgs))
	for _, o := range orgs {
		in := matching.InstitutionOf(o)
		if r := records[o.ID]; r.Pushed > 0 {
			in.Pushed, in.LiveLoad = r.Pushed, r.Open
			in.ResponseRateBps = r.Answered * 10000 / r.Pushed
			in.ApprovalRateBps = r.Approved * 10000 / r.Pushed
		}
		insts[o.ID] = in
	}
	// Two live versions of one product can exist for a moment after an
	// approval; keep the newer.
	slices.SortFunc(products, func(a, b finzone.Product) int {
		if a.ID != b.ID {
			return compareStrings(a.ID, b.ID)
		}
		return b.Version - a.Version
	})
	products = slices.CompactFunc(products, func(a, b finzone.Product) bool { return a.ID == b.ID })
	idx := matching.NewIndex(c.cfg)
	idx.Load(products, func(id string) (matching.Institution, bool) {
		in, ok := insts[id]
		return in, ok
	})
	c.mu.Lock()
	c.idx, c.insts, c.version, c.loaded = idx, insts, v, true
	c.mu.Unlock()
	c.log.Debug("catalogue loaded", "version", v, "products", idx.Len(), "institutions", len(insts))
	return nil
}

// recordsEvery is how often track records are re-read even when no
// product changed: they drift with every answer.
const recordsEvery = 5 * time.Minute

// watch polls the version until ctx ends.
func (c *catalogue) watch(ctx context.Context, every time.Duration) {
	t := time.NewTicker(every)
	defer t.Stop()
	last := time.Now()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			force := time.Since(last) > recordsEvery
			if force {
				last = time.Now()
			}
			if err := c.refresh(ctx, force); err != nil && ctx.Err() == nil {
				c.log.Warn("catalogue refresh failed", "err", err)
			}
		}
	}
}

func compareStrings(a, b string) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}
