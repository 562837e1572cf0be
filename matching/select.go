package matching

import (
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
	aCode, tCode uint8 // coarse codes for the posting tests
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
	q.aCode, q.tCode, q.rCode = amountCode(pj.AmountYuan), clamp8(pj.TermMonths), rateCode(pj.RateCeilingBps)
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
}

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
	sc.touched, sc.top, sc.leads = sc.touched[:0], sc.top[:0], sc.leads[:0]
	x.collect(&q, sc)
	return x.rank(&q, sc)
}

// collect applies the hard filters to the candidate buckets and keeps each
// institution's best product.
func (x *Index) collect(q *query, sc *scratch) {
	keep, leads := x.cfg.keep(), x.cfg.Leads
	for _, b := range q.buckets {
		if b < 0 {
			continue
		}
		bk := &x.buckets[b]
		rest := bk.rest[:len(bk.coarse)]
		for i := range bk.coarse {
			// Coarse tests first: most candidates end here.
			// Each test yields 0 or 1 without a branch; one branch on the sum.
			c := &bk.coarse[i]
			bad := lt(q.aCode, c.amin) | lt(c.amax, q.aCode) | lt(q.tCode, c.tmin) | lt(c.tmax, q.tCode) |
				lt(q.rCode, c.rate) | lt(q.coll&c.coll, 1) | lt(c.sizes&q.sizeNeed, q.sizeNeed)
			if bad != 0 {
				continue
			}
			p := &rest[i]
			// The score from the posting alone: exact for an eligible product,
			// an upper bound otherwise (amount fit above the maximum).
			lvl, pass := 0, false
			if q.div >= 0 {
				l := x.rules[p.rule].level[q.div]
				lvl, pass = int(max(l, 0)), l >= 0
			} else {
				lvl, pass = x.rules[p.rule].levelOf(q.industry)
			}
			if !pass {
				continue
			}
			in := &x.insts[p.inst]
			if keep >= 0 && len(sc.top) == keep {
				need := sc.top[0]
				if in.lead {
					need = 0
					if len(sc.leads) == leads {
						need = min(sc.top[0], sc.leads[0])
					}
				}
				if ub := x.bound(q, c, p, in, lvl, need); ub < need {
					continue
				}
			}
			pc, ok := x.eval(q, p.slot)
			if !ok {
				continue
			}
			t, slot, inst := total(&pc), p.slot, p.inst
			bb := &sc.best[inst]
			if bb.stamp != sc.stamp {
				*bb = best{stamp: sc.stamp, points: t, slot: slot}
				sc.touched = append(sc.touched, inst)
				if keep >= 0 {
					sc.top = pushTop(sc.top, keep, t)
					if in.lead {
						sc.leads = pushTop(sc.leads, leads, t)
					}
				}
			} else if t > bb.points || t == bb.points && x.cold[slot].id < x.cold[bb.slot].id {
				bb.points, bb.slot = t, slot
			}
		}
	}
}

// bound scores a candidate from its posting and institution without the
// hot entry. It equals the true score of an eligible product, since the
// posting holds every input the score reads; for a syndicate member asked
// for more than its maximum, the in-range formula gives at least as much.
func (x *Index) bound(q *query, c *coarse, p *post, in *instRec, lvl int, need int32) int32 {
	w := &x.cfg.Weights
	b := int32(p.ratePts) + in.trackPts + in.loadPts + q.spec[lvl][p.flags>>1]
	switch {
	case in.region == q.region:
		b += q.locPts[2]
	case in.city != noRegion && in.city == q.city:
		b += q.locPts[1]
	default:
		b += q.locPts[0]
	}
	// The fits cost divisions: skip them when even full fits fall short.
	if b+int32(w.Amount+w.Term)*100 < need {
		return b + int32(w.Amount+w.Term)*100
	}
	b += pts(w.Amount, centred(int64(q.lAmt)-int64(p.lmin), int64(p.lmax)-int64(p.lmin)))
	if c.tmax < 255 {
		b += pts(w.Term, centred(int64(q.term)-int64(c.tmin), int64(c.tmax)-int64(c.tmin)))
	} else {
		b += int32(w.Term) * 100
	}
	return b
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
