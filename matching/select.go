package matching

import (
	"slices"
	"time"

	"finzone"
)

// query is a project resolved against the index's tables once.
type query struct {
	buckets      [3]int // -1: unused
	region, city uint16
	div          int // -1: not a known division
	amount       int64
	lAmt         int32
	term         int
	ceiling      int
	coll, size   uint8
	tCode        uint8 // coarse code for the posting tests
	rCode        uint8 // 255 without a ceiling
	sizeNeed     uint8 // size bits a product must serve: the size's, or all for an unknown size
	now          int64
	green, tech  bool
	industry     string
	// spec is the specialisation points by industry level and the product's
	// green and tech flags, for this project.
	spec   [3][4]int32
	locPts [3]int32
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
	q.tCode, q.rCode = clamp8(pj.TermMonths), rateCode(pj.RateCeilingBps)
	q.coll = collateralMask(pj.Collateral)
	q.size = sizeBit(pj.EnterpriseSize)
	q.sizeNeed = q.size
	if q.size == 0 { // unknown: only a product serving every size passes
		q.sizeNeed = allSizes
	}
	if q.ceiling <= 0 {
		q.rCode = 255
	}
	q.now = nanos(now)
	q.green, q.tech = pj.Green, pj.Tech
	w := &x.cfg.Weights
	for l := range q.spec {
		for k := range q.spec[l] {
			q.spec[l][k] = specPts(l, q.green, q.tech, k&1 != 0, k&2 != 0, w)
		}
	}
	for l := range q.locPts {
		q.locPts[l] = pts(w.Locality, localityFit[l])
	}
	return q, true
}

// scratch is per-selection working memory, pooled: the best product found so
// far for each institution, stamped so it needs no clearing between uses.
type scratch struct {
	stamp   uint32
	best    []best
	touched []int32
	heap    []int32
	// top and leads hold the first score seen of each institution, the best
	// keep (and Leads) of them: a lower bound on the scores a candidate must
	// beat to matter, so collect can skip candidates whose upper bound is
	// below it without computing their score.
	top, leads []int32
	// spec is, per rule<<2|flags row of the lite entries, the
	// specialisation points for this project, or failRule when the rule
	// rejects its industry.
	spec []int32
}

// failRule makes any bound with it fall below every cut-off, noCut included.
const (
	failRule = -1 << 26
	noCut    = -1 << 25
)

// best is kept small (components are recomputed for the few picks) so the
// table stays in cache while thousands of candidates update it.
type best struct {
	stamp  uint32
	points int32
	slot   int32
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
	sc, _ := x.pool.Get().(*scratch) // nil from an empty pool
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
	sc.touched, sc.top, sc.leads = sc.touched[:0], sc.top[:0], sc.leads[:0]
	x.collect(&q, sc)
	return x.rank(&q, sc)
}

// specTable fills sc.spec for q: one row per rule of the lite entries, the
// last (rfRuleCap) for rules past it, which gets the most any rule could.
func (x *Index) specTable(q *query, sc *scratch) []int32 {
	n := min(len(x.rules), rfRuleCap)
	t := slices.Grow(sc.spec[:0], 4*(rfRuleCap+1))[:4*(n+1)]
	if n == rfRuleCap {
		t = t[:4*(rfRuleCap+1)]
	}
	for r := range n {
		lvl, pass := 0, false
		if q.div >= 0 {
			l := x.rules[r].level[q.div]
			lvl, pass = int(max(l, 0)), l >= 0
		} else {
			lvl, pass = x.rules[r].levelOf(q.industry)
		}
		for f := range 4 {
			t[4*r+f] = failRule
			if pass {
				t[4*r+f] = q.spec[lvl][f]
			}
		}
	}
	for f := range 4 {
		t[len(t)-4+f] = q.spec[2][f]
	}
	sc.spec = t
	return t
}

// collect applies the hard filters to the candidate buckets and keeps each
// institution's best product.
//
// Once keep institutions are known, a candidate matters only if it can reach
// the lowest first-seen score among them (or, for one that may lead, the
// lowest of the best Leads leads). Its lite entry bounds its score without
// the fits, which are at most their weights: most candidates end there. The
// survivors of the coarse filters get the fits from the coarse entry, which
// makes the bound the exact score of an eligible product, so the product's
// hot entry (a cache miss) is read only for the few that can still rank.
func (x *Index) collect(q *query, sc *scratch) {
	keep, leads := x.cfg.keep(), x.cfg.Leads
	w := &x.cfg.Weights
	spec := x.specTable(q, sc)
	fits := int32(w.Amount+w.Term) * 100
	// needs[lead bit] is the cut-off; lites[lead bit] is it less the full
	// fits, so the first test is s0+spec+loc < lites[lead].
	needs, lites := x.cutoffs(sc, fits)
	qRegion, qCity := q.region, q.city
	if qCity == noRegion {
		qCity = noRegion - 1 // no institution's city, noRegion included, may match
	}
	loc0, loc1, loc2 := q.locPts[0], q.locPts[1], q.locPts[2]
	maxSpec, maxLoc := slices.Max(spec), max(loc0, loc1, loc2)
	lAmt := q.lAmt
	for _, b := range q.buckets {
		if b < 0 {
			continue
		}
		bk := &x.buckets[b]
		ls := bk.lite
		coarses, slots := bk.coarse[:len(ls)], bk.slots[:len(ls)]
		blocks := bk.blocks
		for k := range blocks {
			bm := &blocks[k]
			ub := blockBound(bm, spec, maxSpec, qRegion, qCity, loc0, loc1, loc2, maxLoc)
			if bm.other+ub < lites[0] && bm.lead+ub < lites[1] {
				continue
			}
			lo, hi := k*blockLen, min((k+1)*blockLen, len(ls))
			for i := lo; i < hi; i++ {
				l := &ls[i]
				loc := loc0
				if l.city == qCity {
					loc = loc1
				}
				if l.region == qRegion {
					loc = loc2
				}
				ub := int32(l.s0) + spec[l.rf>>1] + loc
				if ub < lites[l.rf&rfLead] {
					continue
				}
				// Coarse tests next: each yields 0 or 1 without a branch; one
				// branch on the sum. A syndicable product takes any amount above
				// its minimum.
				c := &coarses[i]
				bad := lt32(lAmt, int32(c.lmin)) | lt32(int32(c.lmax)+int32(c.flags&fSyndicable)<<16, lAmt) |
					uint32(lt(q.tCode, c.tmin)|lt(c.tmax, q.tCode)|lt(q.rCode, c.rate)|lt(q.coll&c.coll, 1)|lt(c.sizes&q.sizeNeed, q.sizeNeed))
				if bad != 0 {
					continue
				}
				if need := needs[l.rf&rfLead]; need > noCut {
					// For a syndicate member asked for more than its maximum the
					// in-range formula gives at least its share's fit.
					ub += pts(w.Amount, centred(int64(lAmt)-int64(c.lmin), int64(c.lmax)-int64(c.lmin)))
					if c.tmin > 0 && c.tmax < 255 {
						ub += pts(w.Term, centred(int64(q.term)-int64(c.tmin), int64(c.tmax)-int64(c.tmin)))
					} else {
						ub += int32(w.Term) * 100
					}
					if ub < need {
						continue
					}
				}
				slot := slots[i]
				pc, ok := x.eval(q, slot)
				if !ok {
					continue
				}
				if x.record(sc, slot, total(&pc), keep, leads) {
					needs, lites = x.cutoffs(sc, fits)
				}
			}
		}
	}
}

// cutoffs are the scores a candidate must reach to matter, by its lead bit
// (needs), and the same less the full fits (lites). There is none (noCut)
// until keep institutions are known, nor when the bounds are off (loose).
func (x *Index) cutoffs(sc *scratch, fits int32) (needs, lites [2]int32) {
	needs = [2]int32{noCut, noCut}
	if keep := x.cfg.keep(); keep >= 0 && len(sc.top) == keep && !x.loose {
		needs[0] = sc.top[0]
		if len(sc.leads) == x.cfg.Leads {
			needs[1] = min(sc.top[0], sc.leads[0])
		}
	}
	return needs, [2]int32{needs[0] - fits, needs[1] - fits}
}

// blockBound is a run's bound less its best s0 (blockMax): its row's
// specialisation or, for a mixed run, the most any row gives this project,
// plus its institutions' locality or, if they differ, the most any gives.
func blockBound(bm *blockMax, spec []int32, maxSpec int32, qRegion, qCity uint16, loc0, loc1, loc2, maxLoc int32) int32 {
	ub := maxLoc
	if bm.sameLoc {
		ub = loc0
		if bm.city == qCity {
			ub = loc1
		}
		if bm.region == qRegion {
			ub = loc2
		}
	}
	if bm.row != mixedRow {
		return ub + spec[bm.row]
	}
	return ub + maxSpec
}

// record keeps an eligible product if it is its institution's best so far
// (ties go to the lower product ID). It reports whether the institution is
// new to this selection and raised the lower bounds the cut-offs come from.
func (x *Index) record(sc *scratch, slot, t int32, keep, leads int) bool {
	inst := x.hot[slot].inst
	bb := &sc.best[inst]
	if bb.stamp == sc.stamp {
		if t > bb.points || t == bb.points && x.cold[slot].id < x.cold[bb.slot].id {
			bb.points, bb.slot = t, slot
		}
		return false
	}
	*bb = best{stamp: sc.stamp, points: t, slot: slot}
	sc.touched = append(sc.touched, inst)
	if keep < 0 {
		return false
	}
	sc.top = pushTop(sc.top, keep, t)
	if x.insts[inst].lead {
		sc.leads = pushTop(sc.leads, leads, t)
	}
	return true
}

// eval applies the exact filters to one product and scores it.
func (x *Index) eval(q *query, slot int32) (c [numComponents]int32, ok bool) {
	h := &x.hot[slot]
	if q.amount < h.amin || q.amount > h.amax && h.flags&fSyndicable == 0 ||
		q.term < int(h.tmin) || q.term > int(h.tmax) ||
		q.ceiling > 0 && int(h.rate) > q.ceiling ||
		q.now < h.from || q.now >= h.to {
		return c, false
	}
	lvl, pass := 0, false
	if q.div >= 0 {
		l := x.rules[h.rule].level[q.div]
		lvl, pass = int(max(l, 0)), l >= 0
	} else {
		lvl, pass = x.rules[h.rule].levelOf(q.industry)
	}
	if !pass {
		return c, false
	}
	in := &x.insts[h.inst]
	capLeft := x.instCap[h.inst]
	if h.capacity > 0 && h.capacity < capLeft {
		capLeft = h.capacity
	}
	if !in.verified || capLeft < h.amin {
		return c, false
	}
	loc := 0
	if in.region == q.region {
		loc = 2
	} else if in.city != noRegion && in.city == q.city {
		loc = 1
	}
	w := &x.cfg.Weights
	s := scoreIn{
		ratePts: int32(h.ratePts), trackPts: in.trackPts, loadPts: in.loadPts,
		amount: q.amount, amax: h.amax, ticket: h.ticket,
		lAmt: q.lAmt, lMin: int32(h.lmin), lMax: int32(h.lmax),
		term: q.term, tmin: int(h.tmin), tmax: int(h.tmax),
		spec:     q.spec[lvl][h.flags&(fGreen|fTech)>>1],
		locality: loc,
	}
	return score(&s, w), true
}
