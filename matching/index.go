package matching

import (
	"slices"
	"strings"
	"sync"

	"finzone"
)

// Index holds the catalogue of published products in a form that answers
// Select without looking at every product: a posting list of product slots
// per (project type, served region), so a project reads only the lists of
// its type for its county, its city and the province.
//
// It is safe for concurrent use. Readers share a read lock; an update holds
// the write lock only for its own few slices, so selections keep running
// while the catalogue changes product by product.
type Index struct {
	cfg Config

	mu      sync.RWMutex
	hot     []hot
	cold    []cold
	free    []int32 // removed slots, reused first
	byID    map[string]int32
	buckets []bucket // [type*len(regionCity)+region], slots ascending

	insts    []instRec
	instIDs  []string // apart from insts, which every candidate reads
	instCap  []int64  // capacity left, read only by exact checks
	instByID map[string]int32

	rules     []rule
	ruleByKey map[string]uint32

	regionSets  [][]uint16
	regionSetBy map[string]uint32

	// loose is set once a score part overflowed a lite entry: the bound
	// then proves nothing and collect filters without it.
	loose bool
	// loading defers the block maxima to the end of Load.
	loading bool

	pool sync.Pool // *scratch
}

// instRec is an institution in compact form.
type instRec struct {
	region, city      uint16
	verified, lead    bool
	trackPts, loadPts int32
}

// NewIndex returns an empty index that selects with cfg.
func NewIndex(cfg Config) *Index {
	cfg = cfg.withDefaults()
	return &Index{
		cfg:         cfg,
		byID:        map[string]int32{},
		buckets:     make([]bucket, len(finzone.ProjectTypes)*len(regionCity)),
		instByID:    map[string]int32{},
		ruleByKey:   map[string]uint32{},
		regionSetBy: map[string]uint32{},
	}
}

// Config returns the configuration the index selects with.
func (x *Index) Config() Config { return x.cfg }

// Len returns how many products the index holds.
func (x *Index) Len() int {
	x.mu.RLock()
	defer x.mu.RUnlock()
	return len(x.byID)
}

// Load adds a whole catalogue, sizing the tables once: the way to fill an
// index at start-up. inst resolves each product's owner; products whose
// owner it does not know are skipped.
func (x *Index) Load(products []finzone.Product, inst func(id string) (Institution, bool)) {
	x.mu.Lock()
	defer x.mu.Unlock()
	x.hot = slices.Grow(x.hot, len(products))
	x.cold = slices.Grow(x.cold, len(products))
	// Slots in served-region order put each posting list's products next to
	// each other in the hot table, so a lookup reads it nearly sequentially
	// instead of missing the cache on every candidate.
	// Within a region, grouping by owner puts an institution's products, and
	// institutions first seen here, together too.
	// Then by the owner's place, the product's industry rule and green and
	// tech flags, and its bound's institution-and-rate part, best first, so
	// each run of a posting list shares the project-dependent parts of its
	// bound and holds similar s0: collect skips whole runs (blockMax).
	type keyed struct {
		region, place uint16
		flags         uint8
		s0            int32
		rule, owner   string
		i             int
	}
	w := &x.cfg.Weights
	// A product given twice sorts by its last version, so its versions keep
	// their order and the later one wins.
	last := make(map[string]int, len(products))
	for i := range products {
		last[products[i].ID] = i
	}
	order := make([]keyed, len(products))
	for i := range products {
		p := &products[last[products[i].ID]]
		k := keyed{region: noRegion, place: noRegion, owner: p.OwnerOrgID, i: i,
			rule: ruleKey(p.IndustryInclude, p.IndustryExclude), s0: ratePts(p.RateFloorBps, w)}
		if r := normaliseRegions(p.Regions); len(r) > 0 {
			k.region = r[0]
		}
		if hasType(p.ProjectTypes, finzone.TypeGreenLowCarbon) {
			k.flags |= fGreen
		}
		if hasType(p.ProjectTypes, finzone.TypeTechInnovation) {
			k.flags |= fTech
		}
		if in, ok := inst(k.owner); ok {
			if ri, ok := regionIdx[in.RegionCode]; ok {
				k.place = ri
			}
			k.s0 += trackPts(in.Pushed, in.ResponseRateBps, in.ApprovalRateBps, w) + loadPts(in.LiveLoad, w)
		}
		order[i] = k
	}
	slices.SortStableFunc(order, func(a, b keyed) int {
		switch {
		case a.region != b.region:
			return int(a.region) - int(b.region)
		case a.place != b.place:
			return int(a.place) - int(b.place)
		case a.rule != b.rule:
			return strings.Compare(a.rule, b.rule)
		case a.flags != b.flags:
			return int(a.flags) - int(b.flags)
		case a.s0 != b.s0:
			return int(b.s0 - a.s0)
		}
		return strings.Compare(a.owner, b.owner)
	})
	x.loading = true
	for _, k := range order {
		if in, ok := inst(products[k.i].OwnerOrgID); ok {
			x.upsert(&products[k.i], &in)
		}
	}
	x.loading = false
	for i, b := range x.buckets {
		b = bucket{lite: slices.Clip(b.lite), coarse: slices.Clip(b.coarse), slots: slices.Clip(b.slots)}
		b.reblock(0)
		x.buckets[i] = b
	}
}

// Upsert adds or replaces a product (one live version per product ID) and
// refreshes its institution. A product that is not published is removed:
// the index holds only what may be matched.
func (x *Index) Upsert(p finzone.Product, in Institution) {
	x.mu.Lock()
	defer x.mu.Unlock()
	x.upsert(&p, &in)
}

// UpsertInstitution refreshes an institution's verification, capacity and
// track record without touching its products.
func (x *Index) UpsertInstitution(in Institution) {
	x.mu.Lock()
	defer x.mu.Unlock()
	x.institution(&in)
}

// Remove drops a product; it reports whether the index held it.
func (x *Index) Remove(productID string) bool {
	x.mu.Lock()
	defer x.mu.Unlock()
	slot, ok := x.byID[productID]
	if !ok {
		return false
	}
	x.unpost(slot)
	delete(x.byID, productID)
	x.hot[slot] = hot{}
	x.cold[slot] = cold{}
	x.free = append(x.free, slot)
	return true
}

func (x *Index) upsert(p *finzone.Product, in *Institution) {
	ii := x.institution(in)
	if p.Status != finzone.ReviewPublished {
		if slot, ok := x.byID[p.ID]; ok {
			x.unpost(slot)
			delete(x.byID, p.ID)
			x.hot[slot], x.cold[slot] = hot{}, cold{}
			x.free = append(x.free, slot)
		}
		return
	}
	slot, ok := x.byID[p.ID]
	switch {
	case ok:
		x.unpost(slot)
	case len(x.free) > 0:
		slot = x.free[len(x.free)-1]
		x.free = x.free[:len(x.free)-1]
	default:
		slot = int32(len(x.hot))
		x.hot = append(x.hot, hot{})
		x.cold = append(x.cold, cold{})
	}
	h := hot{
		amin: p.AmountMinYuan, amax: p.AmountMaxYuan, ticket: p.Ticket(), capacity: max(p.CapacityYuan, 0),
		from: nanos(p.ValidFrom), to: nanos(p.ValidTo),
		inst: ii, rule: x.rule(p.IndustryInclude, p.IndustryExclude),
		lmin: int16(log2fx(p.AmountMinYuan)), lmax: int16(log2fx(p.AmountMaxYuan)),
		ratePts: int16(ratePts(p.RateFloorBps, &x.cfg.Weights)),
		tmin:    clamp16(p.TermMinMonths), tmax: clamp16(p.TermMaxMonths), rate: clamp16(p.RateFloorBps),
		coll: collateralMask(p.Collateral), sizes: sizeMask(p.Sizes),
	}
	if Syndicable(p) {
		h.flags |= fSyndicable
	}
	if hasType(p.ProjectTypes, finzone.TypeGreenLowCarbon) {
		h.flags |= fGreen
	}
	if hasType(p.ProjectTypes, finzone.TypeTechInnovation) {
		h.flags |= fTech
	}
	if p.CanLeadSyndicate {
		h.flags |= fCanLead
	}
	x.hot[slot] = h
	id := x.cold[slot].id
	if id != p.ID {
		id = strings.Clone(p.ID)
		x.byID[id] = slot // the map key and cold share one copy
	}
	x.cold[slot] = cold{id: id, version: int32(p.Version), types: typeMask(p.ProjectTypes), regions: x.regionSet(p.Regions)}
	x.post(slot)
}

// post and unpost add or drop a slot in each of its buckets, keeping the
// lists sorted by slot.
func (x *Index) post(slot int32) {
	h := &x.hot[slot]
	co, l := coarseOf(h), x.liteOf(h)
	x.eachBucket(slot, func(b *bucket) {
		i, _ := slices.BinarySearch(b.slots, slot) // where it belongs; a slot is posted once
		b.slots = slices.Insert(b.slots, i, slot)
		b.coarse = slices.Insert(b.coarse, i, co)
		b.lite = slices.Insert(b.lite, i, l)
		if !x.loading {
			b.reblock(i)
		}
	})
}

func (x *Index) unpost(slot int32) {
	x.eachBucket(slot, func(b *bucket) {
		if i, ok := slices.BinarySearch(b.slots, slot); ok {
			b.slots = slices.Delete(b.slots, i, i+1)
			b.coarse = slices.Delete(b.coarse, i, i+1)
			b.lite = slices.Delete(b.lite, i, i+1)
			if !x.loading {
				b.reblock(i)
			}
		}
	})
}

// relite refreshes a posted slot's lite entries after its institution
// changed.
func (x *Index) relite(slot int32) {
	l := x.liteOf(&x.hot[slot])
	x.eachBucket(slot, func(b *bucket) {
		if i, ok := slices.BinarySearch(b.slots, slot); ok {
			b.lite[i] = l
			if !x.loading {
				k := i / blockLen
				b.blocks[k] = blockOf(b.lite[k*blockLen : min((k+1)*blockLen, len(b.lite))])
			}
		}
	})
}

func (x *Index) eachBucket(slot int32, f func(b *bucket)) {
	c := &x.cold[slot]
	for t := range finzone.ProjectTypes {
		if c.types&(1<<t) == 0 {
			continue
		}
		for _, r := range x.regionSets[c.regions] {
			f(&x.buckets[t*len(regionCity)+int(r)])
		}
	}
}

func (x *Index) institution(in *Institution) int32 {
	i, ok := x.instByID[in.ID]
	if !ok {
		i = int32(len(x.insts))
		x.insts = append(x.insts, instRec{})
		x.instCap = append(x.instCap, 0)
		x.instIDs = append(x.instIDs, strings.Clone(in.ID))
		x.instByID[x.instIDs[i]] = i
	}
	r := &x.insts[i]
	was := *r
	r.region, r.city = noRegion, noRegion
	if ri, ok := regionIdx[in.RegionCode]; ok {
		r.region, r.city = ri, regionCity[ri]
	}
	r.verified, r.lead = in.Verified, x.cfg.mayLead(*in)
	x.instCap[i] = in.CapacityLeftYuan
	r.trackPts = trackPts(in.Pushed, in.ResponseRateBps, in.ApprovalRateBps, &x.cfg.Weights)
	r.loadPts = loadPts(in.LiveLoad, &x.cfg.Weights)
	if ok && (r.region != was.region || r.city != was.city || r.lead != was.lead ||
		r.trackPts+r.loadPts != was.trackPts+was.loadPts) {
		// Its products' lite entries copy these: refresh them. Rare (the
		// workers load whole catalogues), so a pass over the slots will do.
		for slot := range x.hot {
			if x.hot[slot].inst == i && x.cold[slot].id != "" {
				x.relite(int32(slot))
			}
		}
	}
	return i
}

func (x *Index) rule(include, exclude []string) uint32 {
	k := ruleKey(include, exclude)
	if i, ok := x.ruleByKey[k]; ok {
		return i
	}
	i := uint32(len(x.rules))
	x.rules = append(x.rules, compileRule(include, exclude))
	x.ruleByKey[k] = i
	return i
}

// regionSet interns a product's normalised served regions: catalogues reuse
// a few hundred sets at most.
func (x *Index) regionSet(codes []string) uint32 {
	set := normaliseRegions(codes)
	k := make([]byte, 0, 2*len(set))
	for _, r := range set {
		k = append(k, byte(r), byte(r>>8))
	}
	if i, ok := x.regionSetBy[string(k)]; ok {
		return i
	}
	i := uint32(len(x.regionSets))
	x.regionSets = append(x.regionSets, set)
	x.regionSetBy[string(k)] = i
	return i
}
