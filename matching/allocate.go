package matching

import (
	"slices"

	"finzone"
)

// AllocateBook allocates a syndicate's book: the committed banks'
// commitments are the capacities, and each tranche group is filled from
// them. An over-subscribed tranche is scaled back pro rata (every bank
// keeps the same fraction of its commitment) in whole units (¥1万),
// keeping the lead's and co-leads' minimums and the 70 % cap:
//
//  1. a bank's commitments above 70 % of the facility are cut to it, pro
//     rata across its tranches;
//  2. the lead (15 %, or 10 % each with co-leads) and co-leads (10 %) have
//     their minimum reserved, spread over their tranches by commitment;
//  3. each tranche is water-filled: share = commitment × λ, held within
//     [reserve, commitment], with λ chosen so the shares sum to the tranche,
//     and units left by rounding go to the largest remainders (ties to the
//     earlier member).
//
// An under-subscribed tranche gives every bank what it committed and
// leaves a gap. The result is deterministic; the syndicate it returns
// carries the shares, the gap, the rule checks and the binding rule
// (finzone.Syndicate.Allocated).
func AllocateBook(s finzone.Syndicate, r Rules) finzone.Syndicate {
	r = r.WithDefaults()
	shares, capped := allocateUnits(s, r)
	out := map[string][]finzone.TrancheAmount{}
	for i, m := range s.Members {
		for t, tr := range s.Facility.Tranches {
			if n := shares[i][t]; n > 0 {
				out[m.InstitutionID] = append(out[m.InstitutionID], finzone.TrancheAmount{Tranche: tr.ID, AmountYuan: n * r.UnitYuan})
			}
		}
	}
	return s.Allocated(out, capped, r)
}

// allocateUnits returns each member's share of each tranche in units, and
// whether the cap cut a commitment.
func allocateUnits(s finzone.Syndicate, r finzone.SyndicateRules) ([][]int64, bool) {
	tr := s.Facility.Tranches
	total := s.Facility.AmountYuan / r.UnitYuan
	c := make([][]int64, len(s.Members)) // commitments in units, member × tranche
	coLeads := false
	for i, m := range s.Members {
		c[i] = make([]int64, len(tr))
		if m.Status != finzone.MemberCommitted {
			continue
		}
		for t, g := range tr {
			c[i][t] = m.CommittedIn(g.ID) / r.UnitYuan
		}
		if m.Role == finzone.SyndicateCoLead && sum(c[i]) > 0 {
			coLeads = true
		}
	}
	// 1. The cap.
	capUnits := total * r.MemberMaxBps / 10_000
	capped := false
	for i := range c {
		if sum(c[i]) > capUnits {
			c[i], capped = spread(capUnits, c[i]), true
		}
	}
	// 2. The leads' minimums, reserved.
	leadMin, coMin := ceilDiv(total*r.SingleLeadMinBps, 10_000), ceilDiv(total*r.CoLeadMinBps, 10_000)
	if coLeads {
		leadMin = coMin
	}
	reserve := make([][]int64, len(s.Members))
	for i, m := range s.Members {
		switch m.Role {
		case finzone.SyndicateLead:
			reserve[i] = spread(min(leadMin, sum(c[i])), c[i])
		case finzone.SyndicateCoLead:
			reserve[i] = spread(min(coMin, sum(c[i])), c[i])
		default:
			reserve[i] = make([]int64, len(tr))
		}
	}
	// 3. Each tranche, water-filled.
	shares := make([][]int64, len(s.Members))
	for i := range shares {
		shares[i] = make([]int64, len(tr))
	}
	for t, g := range tr {
		hi, lo := make([]int64, len(c)), make([]int64, len(c))
		for i := range c {
			hi[i], lo[i] = c[i][t], reserve[i][t]
		}
		for i, x := range waterFill(g.AmountYuan/r.UnitYuan, lo, hi) {
			shares[i][t] = x
		}
	}
	return shares, capped
}

func ceilDiv(a, b int64) int64 { return (a + b - 1) / b }

func sum(xs []int64) int64 {
	var n int64
	for _, x := range xs {
		n += x
	}
	return n
}

// spread splits n units over weights in proportion, each part at most its
// weight, largest remainder first (ties to the earlier).
func spread(n int64, weights []int64) []int64 {
	out := make([]int64, len(weights))
	w := sum(weights)
	if w == 0 || n <= 0 {
		return out
	}
	n = min(n, w)
	rems := make([]int64, len(weights))
	var got int64
	for i, x := range weights {
		out[i], rems[i] = x*n/w, x*n%w
		got += out[i]
	}
	order := byRemainder(rems)
	for k := 0; got < n; k = (k + 1) % len(order) {
		if i := order[k]; out[i] < weights[i] {
			out[i]++
			got++
		}
	}
	return out
}

// byRemainder orders indexes by descending remainder, ties by index.
func byRemainder[T int64 | float64](rems []T) []int {
	order := make([]int, len(rems))
	for i := range order {
		order[i] = i
	}
	slices.SortStableFunc(order, func(a, b int) int {
		switch {
		case rems[a] > rems[b]:
			return -1
		case rems[a] < rems[b]:
			return 1
		}
		return 0
	})
	return order
}

// waterFill gives each member x_i = clamp(λ·hi_i, lo_i, hi_i) units with
// Σ x_i = u when Σ hi ≥ u: a pro-rata scale-back of the commitments hi that
// keeps the reserves lo. Under-subscribed (Σ hi < u), each gets hi. When
// the reserves alone pass u, the last members' reserves give way.
func waterFill(u int64, lo, hi []int64) []int64 {
	out := make([]int64, len(hi))
	if sum(hi) <= u {
		copy(out, hi)
		return out
	}
	if sum(lo) >= u {
		copy(out, lo)
		for i := len(out) - 1; i >= 0 && sum(out) > u; i-- {
			out[i] -= min(out[i], sum(out)-u)
		}
		return out
	}
	at := func(l float64, i int) float64 {
		return max(float64(lo[i]), min(float64(hi[i]), l*float64(hi[i])))
	}
	a, b := 0.0, 1.0
	for range 64 {
		m := (a + b) / 2
		var t float64
		for i := range hi {
			t += at(m, i)
		}
		if t < float64(u) {
			a = m
		} else {
			b = m
		}
	}
	fracs := make([]float64, len(hi))
	var got int64
	for i := range hi {
		v := at(b, i)
		out[i] = max(lo[i], min(hi[i], int64(v)))
		fracs[i] = v - float64(out[i])
		got += out[i]
	}
	order := byRemainder(fracs)
	for k := 0; got < u; k = (k + 1) % len(order) {
		if i := order[k]; out[i] < hi[i] {
			out[i]++
			got++
		}
	}
	for k := len(order) - 1; got > u; k = (k - 1 + len(order)) % len(order) {
		if i := order[k]; out[i] > lo[i] {
			out[i]--
			got--
		}
	}
	return out
}
