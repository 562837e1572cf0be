package matching

import "slices"

// rank orders the institutions found and keeps only those the selection
// needs: the best Leads lead-capable ones and the top Leads+Partners+Waitlist
// overall, which holds every partner and waitlisted institution.
func (x *Index) rank(q *query, sc *scratch) Selection {
	cfg := &x.cfg
	worse := func(a, b int32) bool { // a ranks below b
		return better(sc.best[b].points, x.instIDs[b], sc.best[a].points, x.instIDs[a])
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
		list[n] = ranked{points: sc.best[i].points, instID: x.instIDs[i], mayLead: x.insts[i].lead, ref: int(i)}
	}
	slices.SortFunc(list, func(a, b ranked) int {
		if better(a.points, a.instID, b.points, b.instID) {
			return -1
		}
		return 1
	})
	return assemble(list, cfg, func(r ranked, pk *Pick, comps []Component) { x.pick(q, sc, int32(r.ref), pk, comps) })
}

func (x *Index) pick(q *query, sc *scratch, i int32, pk *Pick, comps []Component) {
	b := sc.best[i]
	h, c, in := &x.hot[b.slot], &x.cold[b.slot], &x.insts[i]
	capLeft := x.instCap[i]
	pts, _ := x.eval(q, b.slot) // ok: collect kept it for this query, under the same lock
	fillComponents(comps, &pts, &x.cfg.Weights)
	if h.capacity > 0 && h.capacity < capLeft {
		capLeft = h.capacity
	}
	*pk = Pick{
		InstitutionID: x.instIDs[i], ProductID: c.id, ProductVersion: int(c.version),
		Score: float64(b.points) / 100, Components: comps, points: b.points,
		MinTicketYuan: h.amin, MaxTicketYuan: h.ticket, CapacityLeftYuan: capLeft,
		Syndicable: h.flags&fSyndicable != 0, CanLeadSyndicate: h.flags&fCanLead != 0 && in.lead,
	}
}

// lt is a < b as 0 or 1, computed without a branch.
func lt(a, b uint8) uint8 { return uint8((uint32(a) - uint32(b)) >> 31) }

// lt32 is a < b as 0 or 1 for values within ±2^30 of each other.
func lt32(a, b int32) uint32 { return uint32(a-b) >> 31 }

// pushTop keeps the k largest values in a min-heap.
func pushTop(h []int32, k int, v int32) []int32 {
	less := func(a, b int32) bool { return a < b }
	if len(h) < k {
		h = append(h, v)
		for i := len(h) - 1; i > 0; {
			p := (i - 1) / 2
			if !less(h[i], h[p]) {
				break
			}
			h[i], h[p] = h[p], h[i]
			i = p
		}
		return h
	}
	if v <= h[0] {
		return h
	}
	h[0] = v
	for i := 0; ; {
		l := 2*i + 1
		if l >= len(h) {
			break
		}
		m := l
		if r := l + 1; r < len(h) && less(h[r], h[l]) {
			m = r
		}
		if !less(h[m], h[i]) {
			break
		}
		h[i], h[m] = h[m], h[i]
		i = m
	}
	return h
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
