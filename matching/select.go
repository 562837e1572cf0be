package matching

import (
	"runtime"
	"slices"
	"sync"
	"time"

	"finzone"
)

// query is a project resolved against the index's tables once.
type query struct {
	buckets       [3]int // -1: unused
	region, city  uint16
	div           int // -1: not a known division
	amount        int64
	lAmt          int32
	term          int
	ceiling       int
	coll, size    uint8
	now           int64
	green, tech   bool
	industry      string
	anySizeWanted bool // unknown size: only products serving every size pass
}

func (x *Index) resolve(pj *finzone.Project, now time.Time) (q query, ok bool) {
	t, ok1 := typeIdx[pj.Type]
	r, ok2 := regionIdx[pj.RegionCode]
	if !ok1 || !ok2 {
		return q, false
	}
	q.buckets = [3]int{-1, -1, -1}
	n := len(regionCity)
	q.buckets[0] = t*n + int(r)
	q.region, q.city = r, regionCity[r]
	if q.city != noRegion && q.city != r {
		q.buckets[1] = t*n + int(q.city)
	}
	if p := regionIdx[finzone.ProvinceCode]; p != r {
		q.buckets[2] = t*n + int(p)
	}
	q.div = -1
	if d, ok := divIdx[pj.IndustryCode]; ok {
		q.div = d
	}
	q.industry = pj.IndustryCode
	q.amount, q.lAmt = pj.AmountYuan, log2fx(pj.AmountYuan)
	q.term, q.ceiling = pj.TermMonths, pj.RateCeilingBps
	q.coll = collateralMask(pj.Collateral)
	q.size = sizeBit(pj.EnterpriseSize)
	q.anySizeWanted = q.size == 0
	q.now = nanos(now)
	q.green, q.tech = pj.Green, pj.Tech
	return q, true
}

// scratch is per-selection working memory, pooled: the best product found so
// far for each institution, stamped so it needs no clearing between uses.
type scratch struct {
	stamp   uint32
	best    []best
	touched []int32
	heap    []int32
}

type best struct {
	stamp  uint32
	points int32
	slot   int32
	c      [numComponents]int32
}

// Select picks the leads, partners and waitlist for a project among the
// products valid at now. It gives the same result as SelectScan over the
// same catalogue.
func (x *Index) Select(pj finzone.Project, now time.Time) Selection {
	x.mu.RLock()
	defer x.mu.RUnlock()
	q, ok := x.resolve(&pj, now)
	if !ok {
		return Selection{}
	}
	sc, _ := x.pool.Get().(*scratch)
	if sc == nil {
		sc = &scratch{}
	}
	defer x.pool.Put(sc)
	if len(sc.best) < len(x.insts) {
		sc.best = make([]best, len(x.insts)+len(x.insts)/4)
		sc.stamp = 0
	}
	sc.stamp++
	if sc.stamp == 0 { // wrapped: old stamps could collide
		clear(sc.best)
		sc.stamp = 1
	}
	sc.touched = sc.touched[:0]
	x.collect(&q, sc)
	return x.rank(sc)
}

// collect applies the hard filters to the candidate buckets and keeps each
// institution's best product.
func (x *Index) collect(q *query, sc *scratch) {
	w := &x.cfg.Weights
	for _, b := range q.buckets {
		if b < 0 {
			continue
		}
		for _, slot := range x.buckets[b] {
			h := &x.hot[slot]
			if q.amount < h.amin || q.amount > h.amax && h.flags&fSyndicable == 0 ||
				q.term < int(h.tmin) || q.term > int(h.tmax) ||
				q.coll&h.coll == 0 ||
				q.ceiling > 0 && int(h.rate) > q.ceiling ||
				q.now < h.from || q.now >= h.to {
				continue
			}
			if q.anySizeWanted {
				if h.sizes&allSizes != allSizes {
					continue
				}
			} else if h.sizes&q.size == 0 {
				continue
			}
			lvl, pass := 0, false
			if q.div >= 0 {
				l := x.rules[h.rule].level[q.div]
				lvl, pass = int(max(l, 0)), l >= 0
			} else {
				lvl, pass = x.rules[h.rule].levelOf(q.industry)
			}
			if !pass {
				continue
			}
			in := &x.insts[h.inst]
			capLeft := in.capLeft
			if h.capacity > 0 && h.capacity < capLeft {
				capLeft = h.capacity
			}
			if !in.verified || capLeft < h.amin {
				continue
			}
			loc := 0
			if in.region == q.region {
				loc = 2
			} else if in.city != noRegion && in.city == q.city {
				loc = 1
			}
			s := scoreIn{
				rateFloor: int(h.rate), amount: q.amount, amin: h.amin, amax: h.amax, ticket: h.ticket,
				lAmt: q.lAmt, lMin: h.lmin, lMax: h.lmax,
				term: q.term, tmin: int(h.tmin), tmax: int(h.tmax),
				industryLevel: lvl, green: q.green, tech: q.tech,
				prodGreen: h.flags&fGreen != 0, prodTech: h.flags&fTech != 0,
				locality: loc, pushed: int(in.pushed), resp: int(in.resp), approv: int(in.approv), load: int(in.load),
			}
			c := score(&s, w)
			t := total(&c)
			bb := &sc.best[h.inst]
			if bb.stamp != sc.stamp {
				*bb = best{stamp: sc.stamp, points: t, slot: slot, c: c}
				sc.touched = append(sc.touched, h.inst)
			} else if t > bb.points || t == bb.points && x.cold[slot].id < x.cold[bb.slot].id {
				bb.points, bb.slot, bb.c = t, slot, c
			}
		}
	}
}

// rank orders the institutions found and keeps only those the selection
// needs: the best Leads lead-capable ones and the top Leads+Partners+Waitlist
// overall, which holds every partner and waitlisted institution.
func (x *Index) rank(sc *scratch) Selection {
	cfg := &x.cfg
	worse := func(a, b int32) bool { // a ranks below b
		return better(sc.best[b].points, x.insts[b].id, sc.best[a].points, x.insts[a].id)
	}
	keep := sc.touched
	if k := cfg.keep(); k >= 0 && len(sc.touched) > k {
		// A min-heap of the k best seen, worst at the root.
		h := sc.heap[:0]
		var leads []int32
		for _, i := range sc.touched {
			if x.insts[i].lead {
				j := len(leads)
				for j > 0 && worse(leads[j-1], i) {
					j--
				}
				if j < cfg.Leads {
					leads = slices.Insert(leads, j, i)
					if len(leads) > cfg.Leads {
						leads = leads[:cfg.Leads]
					}
				}
			}
			if len(h) < k {
				h = append(h, i)
				siftUp(h, len(h)-1, worse)
			} else if worse(h[0], i) {
				h[0] = i
				siftDown(h, 0, worse)
			}
		}
		for _, l := range leads {
			if !slices.Contains(h, l) {
				h = append(h, l)
			}
		}
		sc.heap = h
		keep = h
	}
	list := make([]ranked, len(keep))
	for n, i := range keep {
		list[n] = ranked{points: sc.best[i].points, instID: x.insts[i].id, mayLead: x.insts[i].lead, pick: x.picker(sc, i)}
	}
	slices.SortFunc(list, func(a, b ranked) int {
		if better(a.points, a.instID, b.points, b.instID) {
			return -1
		}
		return 1
	})
	return assemble(list, cfg)
}

func (x *Index) picker(sc *scratch, i int32) func() Pick {
	b := sc.best[i]
	return func() Pick {
		h, c, in := &x.hot[b.slot], &x.cold[b.slot], &x.insts[i]
		capLeft := in.capLeft
		if h.capacity > 0 && h.capacity < capLeft {
			capLeft = h.capacity
		}
		return Pick{
			InstitutionID: in.id, ProductID: c.id, ProductVersion: int(c.version),
			Score: float64(b.points) / 100, Components: components(&b.c, &x.cfg.Weights), points: b.points,
			MinTicketYuan: h.amin, MaxTicketYuan: h.ticket, CapacityLeftYuan: capLeft,
			Syndicable: h.flags&fSyndicable != 0, CanLeadSyndicate: h.flags&fCanLead != 0 && in.lead,
		}
	}
}

func siftUp(h []int32, i int, worse func(a, b int32) bool) {
	for i > 0 {
		p := (i - 1) / 2
		if !worse(h[i], h[p]) {
			return
		}
		h[i], h[p] = h[p], h[i]
		i = p
	}
}

func siftDown(h []int32, i int, worse func(a, b int32) bool) {
	for {
		l := 2*i + 1
		if l >= len(h) {
			return
		}
		m := l
		if r := l + 1; r < len(h) && worse(h[r], h[l]) {
			m = r
		}
		if !worse(h[m], h[i]) {
			return
		}
		h[i], h[m] = h[m], h[i]
		i = m
	}
}

// SelectAll selects for many projects at once on every core: the rematch a
// worker runs after the catalogue changes. Results are in project order.
func (x *Index) SelectAll(projects []finzone.Project, now time.Time) []Selection {
	out := make([]Selection, len(projects))
	workers := min(runtime.GOMAXPROCS(0), max(len(projects), 1))
	var next sync.WaitGroup
	var mu sync.Mutex
	i := 0
	const batch = 64
	for range workers {
		next.Go(func() {
			for {
				mu.Lock()
				start := i
				i += batch
				mu.Unlock()
				if start >= len(projects) {
					return
				}
				for j := start; j < min(start+batch, len(projects)); j++ {
					out[j] = x.Select(projects[j], now)
				}
			}
		})
	}
	next.Wait()
	return out
}
