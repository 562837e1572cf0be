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
// products and verified institutions, indexed for matching. Every write that
// changes them bumps a version in MongoDB, whichever process made it; every
// worker process polls it and reloads within seconds.
type catalogue struct {
	store   Store
	records bool // score institutions' track records and load
	cfg     matching.Config
	log     *slog.Logger
	// loaded is called after each load that brought a version this process
	// had not loaded before (its first load included), outside the locks.
	loaded func(v int64)

	loading sync.Mutex // one load at a time; the others wait and use it
	mu      sync.RWMutex
	view    catalogueView
	loads   uint64
}

// catalogueView is one load of the catalogue. Lenders are the products of
// the categories that lend (loans, syndicated loans, leasing): only they
// fill the 1+10. Enhancers are the guarantees and insurance that back a
// lender's credit, matched beside it. Insts are the verified institutions
// both were loaded with.
type catalogueView struct {
	Lenders   *matching.Index
	Enhancers *matching.Index
	Insts     map[string]matching.Institution
	// Version is the stored version this load read; Load counts this
	// process's loads, forced reloads included.
	Version int64
	Load    uint64
}

func newCatalogue(store Store, cfg matching.Config, records bool, log *slog.Logger) *catalogue {
	return &catalogue{store: store, cfg: cfg, records: records, log: log}
}

// get returns the current view, loading it first if this process has none.
func (c *catalogue) get(ctx context.Context) (catalogueView, error) {
	c.mu.RLock()
	v := c.view
	c.mu.RUnlock()
	if v.Load > 0 {
		return v, nil
	}
	return c.fresh(ctx)
}

// fresh returns a view of the stored version, reloading first if it moved:
// one read by _id when it did not.
func (c *catalogue) fresh(ctx context.Context) (catalogueView, error) {
	if err := c.refresh(ctx, false); err != nil {
		return catalogueView{}, err
	}
	c.mu.RLock()
	defer c.mu.RUnlock()
	return c.view, nil
}

// version is the stored version this process has loaded (0 before its first
// load).
func (c *catalogue) version() int64 {
	c.mu.RLock()
	defer c.mu.RUnlock()
	return c.view.Version
}

// refresh reloads when the stored version moved (or always, with force):
// products, verified institutions and their track records.
func (c *catalogue) refresh(ctx context.Context, force bool) error {
	c.loading.Lock()
	v, moved, err := c.reload(ctx, force)
	c.loading.Unlock()
	if err == nil && moved && c.loaded != nil {
		c.loaded(v)
	}
	return err
}

// reload is refresh under the loading lock; moved reports a version this
// process had not loaded before.
func (c *catalogue) reload(ctx context.Context, force bool) (v int64, moved bool, err error) {
	if v, err = c.store.CatalogueVersion(ctx); err != nil {
		return 0, false, err
	}
	c.mu.RLock()
	prev := c.view
	c.mu.RUnlock()
	if prev.Load > 0 && v == prev.Version && !force {
		return v, false, nil
	}
	view, err := c.load(ctx)
	if err != nil {
		return 0, false, err
	}
	view.Version = v
	c.mu.Lock()
	c.loads++
	view.Load = c.loads
	c.view = view
	c.mu.Unlock()
	c.log.Debug("catalogue loaded", "version", v, "lenders", view.Lenders.Len(), "enhancers", view.Enhancers.Len(),
		"institutions", len(view.Insts))
	return v, prev.Load == 0 || v != prev.Version, nil
}

// load reads the catalogue and indexes it.
func (c *catalogue) load(ctx context.Context) (catalogueView, error) {
	orgs, err := c.store.VerifiedInstitutions(ctx)
	if err != nil {
		return catalogueView{}, err
	}
	products, err := c.store.PublishedProducts(ctx)
	if err != nil {
		return catalogueView{}, err
	}
	var records map[string]finzone.TrackRecord
	if c.records {
		if records, err = c.store.TrackRecords(ctx); err != nil {
			return catalogueView{}, err
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
	var lenders, enhancers []finzone.Product
	for _, p := range products {
		if p.Category.Lends() {
			lenders = append(lenders, p)
		} else {
			enhancers = append(enhancers, p)
		}
	}
	owner := func(id string) (matching.Institution, bool) {
		in, ok := insts[id]
		return in, ok
	}
	view := catalogueView{Lenders: matching.NewIndex(c.cfg), Enhancers: matching.NewIndex(c.cfg), Insts: insts}
	view.Lenders.Load(lenders, owner)
	view.Enhancers.Load(enhancers, owner)
	return view, nil
}

// recordsEvery is how often the catalogue is reloaded even when no version
// moved: track records drift with every answer, and a product's validity
// can begin or end with no write at all.
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
