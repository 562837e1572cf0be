// Package readmodel answers the store's list queries from memory in a
// process that is the store's only writer: the all-in-one default on the
// embedded store, where any filter but {_id} makes FerretDB decode the
// whole collection. Store decorates *mongodb.DB: it loads the projects,
// matches, notifications and products in the background at start (lists
// go to the store until it is done), keeps them current through this
// process's own writes, which all go through it, and keeps the store's
// BSON, so a list from memory is the store's list: same filters, order,
// page boundaries and cursors.
//
// Other processes writing the same store (finzone seed, finzone admin, a
// second role on the data directory) take a lease first (Announce); while
// it runs lists go to the store, and when it has run out the model loads
// again. Split mode and MongoDB use the store alone.
package readmodel

import (
	"context"
	"hash/fnv"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"

	"finzone"
	"finzone/mongodb"
)

// PollEvery is how often the model reads the other writers' lease.
const PollEvery = time.Second

// LoadTimeout bounds the scan of one collection when the model loads.
const LoadTimeout = 15 * time.Minute

// Store is the store with the read model in front of its lists. Every
// method it does not define is the store's.
type Store struct {
	*mongodb.DB
	log *slog.Logger
	// cur is the model being loaded or in use; nil while another process
	// holds the lease (lists go to the store).
	cur   atomic.Pointer[model]
	locks [256]sync.Mutex // a document's writes, one at a time: see lock
	// loaded is closed when the first load is done (tests wait for it).
	loaded     chan struct{}
	loadedOnce sync.Once
}

// model is one load of the collections. It answers lists once ready; until
// then the writes made meanwhile are noted in touched and read again once
// the scan is done.
type model struct {
	projects      *table[projectFields]
	matches       *table[matchFields]
	notifications *table[noteFields]
	products      *table[productFields]
	generation    int64
	ready         atomic.Bool
	broken        atomic.Bool // a write's outcome is unknown: load again
	mu            sync.Mutex
	touched       map[doc]struct{}
	// families are the products (IDs) whose versions were written while
	// loading: every version the scan found is read again.
	families map[string]struct{}
	// done is closed when the load ends, loaded or not.
	done chan struct{}
}

type doc struct {
	coll string
	id   bson.ObjectID
}

func newModel(gen int64) *model {
	return &model{projects: newTable(projectSchema), matches: newTable(matchSchema),
		notifications: newTable(noteSchema), products: newTable(productSchema), generation: gen,
		touched: map[doc]struct{}{}, families: map[string]struct{}{}, done: make(chan struct{})}
}

// New puts a read model in front of db; it answers from the store until
// Run has loaded it.
func New(db *mongodb.DB, log *slog.Logger) *Store {
	if log == nil {
		log = slog.Default()
	}
	return &Store{DB: db, log: log, loaded: make(chan struct{})}
}

// Run loads the model, then watches the other writers' lease every
// PollEvery, reloading after another process wrote, until ctx ends.
func (s *Store) Run(ctx context.Context) {
	t := time.NewTicker(PollEvery)
	defer t.Stop()
	for {
		s.check(ctx)
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// Loaded is closed once the model has first loaded.
func (s *Store) Loaded() <-chan struct{} { return s.loaded }

// check reads the lease and loads the model when it is missing, broken or
// older than the last of another process's writes.
func (s *Store) check(ctx context.Context) {
	l, err := s.ReadModelLease(ctx)
	if err != nil {
		if ctx.Err() == nil {
			s.log.Warn("read model: reading the writers' lease", "err", err)
		}
		return
	}
	m := s.cur.Load()
	if time.Now().Before(l.Until) {
		if m != nil {
			s.log.Info("read model: another process writes the store; lists read the store until it is done")
			s.cur.Store(nil)
		}
		return
	}
	if m != nil && !m.broken.Load() && m.generation == l.Generation {
		return
	}
	m = newModel(l.Generation)
	s.cur.Store(m)
	start := time.Now()
	if err := s.load(ctx, m); err != nil {
		s.cur.CompareAndSwap(m, nil)
		if ctx.Err() == nil {
			s.log.Warn("read model: load failed; lists read the store", "err", err)
		}
		return
	}
	s.log.Info("read model loaded", "projects", m.projects.len(), "matches", m.matches.len(),
		"notifications", m.notifications.len(), "products", m.products.len(),
		"bson_mb", (m.projects.size()+m.matches.size()+m.notifications.size()+m.products.size())>>20,
		"took", time.Since(start).Round(time.Millisecond))
	s.loadedOnce.Do(func() { close(s.loaded) })
}

// load scans the collections into m, then settles it. m is in place
// before the scan starts, so a write either lands before the scan (which
// sees it) or is noted in touched (or families).
func (s *Store) load(ctx context.Context, m *model) error {
	defer close(m.done)
	for _, c := range []struct {
		coll string
		load func(bson.Raw)
	}{
		{mongodb.ModelProjects, m.projects.load},
		{mongodb.ModelMatches, m.matches.load},
		{mongodb.ModelNotifications, m.notifications.load},
		{mongodb.ModelProducts, m.products.load},
	} {
		// A scan of the matches can take minutes while the start-up
		// reconcile scans too: longer than a request's scan may.
		sctx, cancel := context.WithTimeout(ctx, LoadTimeout)
		err := s.EachDoc(sctx, c.coll, func(raw bson.Raw) error { c.load(raw); return nil })
		cancel()
		if err != nil {
			return err
		}
	}
	return s.settle(ctx, m)
}

// settle reads again, once the scan is done, every document written
// meanwhile until none is left, and only then lets m answer.
func (s *Store) settle(ctx context.Context, m *model) error {
	for {
		m.mu.Lock()
		if len(m.touched) == 0 && len(m.families) == 0 {
			m.ready.Store(true)
			m.mu.Unlock()
			return nil
		}
		batch, families := m.touched, m.families
		m.touched, m.families = map[doc]struct{}{}, map[string]struct{}{}
		m.mu.Unlock()
		for pid := range families {
			for _, id := range m.family(pid, bson.ObjectID{}) {
				batch[doc{mongodb.ModelProducts, id}] = struct{}{}
			}
		}
		for d := range batch {
			if err := s.reread(ctx, m, d); err != nil {
				return err
			}
		}
	}
}

// reread replaces m's copy of one document by the store's.
func (s *Store) reread(ctx context.Context, m *model, d doc) error {
	unlock := s.lock(d.id)
	defer unlock()
	raw, err := s.current(ctx, d.coll, d.id)
	if err != nil {
		return err
	}
	m.put(d.coll, d.id, raw)
	return nil
}

// current is one document as the store holds it, nil if there is none.
func (s *Store) current(ctx context.Context, coll string, id bson.ObjectID) (bson.Raw, error) {
	raw, err := s.RawDoc(ctx, coll, id)
	if finzone.IsCode(err, finzone.ECNotFound) {
		return nil, nil
	}
	return raw, err
}

func (m *model) put(coll string, id bson.ObjectID, raw bson.Raw) {
	switch coll {
	case mongodb.ModelProjects:
		m.projects.put(id, raw)
	case mongodb.ModelMatches:
		m.matches.put(id, raw)
	case mongodb.ModelNotifications:
		m.notifications.put(id, raw)
	case mongodb.ModelProducts:
		m.products.put(id, raw)
	}
}

// scanReady is the model for the reconciler's scans, which unlike a
// request can wait: while a load is in progress it waits for it (a minute
// at scale 100) rather than scan the store beside the load, which at that
// scale outlasts the store's time limit and slows the load. It is nil when
// the load failed or no model is in use.
func (s *Store) scanReady(ctx context.Context) *model {
	if m := s.cur.Load(); m != nil {
		select {
		case <-m.done:
		case <-ctx.Done():
		}
	}
	return s.ready()
}

// ready is the model if it may answer lists now.
func (s *Store) ready() *model {
	if m := s.cur.Load(); m != nil && m.ready.Load() && !m.broken.Load() {
		return m
	}
	return nil
}

// lock makes this process's writes of one document, and the model's
// update after each, go one at a time, so the model applies them in the
// order the store did. The store queues writes of a document anyway (its
// write gate); a write holds one lock at a time (a product's writes, which
// may change several of its versions, its family's: see lockFamily), so no
// two writes wait for each other in a circle.
func (s *Store) lock(id bson.ObjectID) (unlock func()) { return s.lockKey(id[:]) }

func (s *Store) lockKey(k []byte) (unlock func()) {
	h := fnv.New32a()
	_, _ = h.Write(k)
	mu := &s.locks[h.Sum32()%uint32(len(s.locks))]
	mu.Lock()
	return mu.Unlock
}

// wrote brings the model up to a write of one document that the caller
// holds the lock of. err is the write's outcome: a refusal changed
// nothing; any other error may hide a write that landed, so the document
// is read again. now gives the document as the write left it (nil:
// deleted); when it is nil too, the document is read again.
func (s *Store) wrote(ctx context.Context, coll string, id bson.ObjectID, err error, now func() (bson.Raw, error)) {
	if err != nil && refused(err) {
		return
	}
	if err != nil || now == nil {
		now = func() (bson.Raw, error) { return s.current(context.WithoutCancel(ctx), coll, id) }
	}
	m := s.cur.Load() // after the write: see load
	if m == nil {
		return
	}
	m.mu.Lock()
	if !m.ready.Load() {
		m.touched[doc{coll, id}] = struct{}{}
		m.mu.Unlock()
		return
	}
	m.mu.Unlock()
	raw, err := now()
	if err != nil {
		s.log.Warn("read model: a write's outcome is unknown; loading again", "collection", coll, "id", id.Hex(), "err", err)
		m.broken.Store(true)
		return
	}
	m.put(coll, id, raw)
}

// inserted brings the model up to an insert of documents with fixed IDs:
// one the model has already existed before (the insert left it alone).
func (s *Store) inserted(ctx context.Context, coll string, ids []bson.ObjectID, raws []bson.Raw, err error) {
	if err != nil {
		for _, id := range ids {
			unlock := s.lock(id)
			s.wrote(ctx, coll, id, err, nil)
			unlock()
		}
		return
	}
	m := s.cur.Load()
	if m == nil {
		return
	}
	m.mu.Lock()
	if !m.ready.Load() {
		for _, id := range ids {
			m.touched[doc{coll, id}] = struct{}{}
		}
		m.mu.Unlock()
		return
	}
	m.mu.Unlock()
	for i, id := range ids {
		switch coll {
		case mongodb.ModelProjects:
			m.projects.add(id, raws[i])
		case mongodb.ModelMatches:
			m.matches.add(id, raws[i])
		case mongodb.ModelNotifications:
			m.notifications.add(id, raws[i])
		}
	}
}

// refused reports an error by which the store says it wrote nothing.
func refused(err error) bool {
	switch finzone.ErrorCode(err) {
	case finzone.ECNotFound, finzone.ECInvalidState, finzone.ECConflict, finzone.ECValidation, finzone.ECForbidden:
		return true
	}
	return false
}
