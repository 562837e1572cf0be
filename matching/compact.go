package matching

import (
	"math"
	"slices"
	"strings"
	"time"

	"finzone"
)

// The index keeps products in compact form: small integers for codes,
// bitsets for types, collateral and sizes, interned industry rules. These
// tables number the codes once for the whole process.
var (
	typeIdx   = map[finzone.ProjectType]int{}
	regionIdx = map[string]uint16{}
	// regionCity is each region's city as an index; the province maps to
	// noRegion so it never counts as "same city".
	regionCity []uint16
	divIdx     = map[string]int{}
	divCodes   []string
)

const noRegion = math.MaxUint16

func init() {
	for i, t := range finzone.ProjectTypes {
		typeIdx[t] = i
	}
	regs := finzone.Regions()
	if len(regs) >= noRegion-1 {
		panic("matching: too many regions for uint16 codes") // collect uses noRegion-1 as "no city"
	}
	for i, r := range regs {
		regionIdx[r.Code] = uint16(i)
	}
	regionCity = make([]uint16, len(regs))
	for i, r := range regs {
		regionCity[i] = noRegion
		if r.Kind != finzone.RegionProvince {
			if c, ok := regionIdx[r.CityCode]; ok {
				regionCity[i] = c
			}
		}
	}
	for _, in := range finzone.Industries() {
		if in.Section != "" {
			divIdx[in.Code] = len(divCodes)
			divCodes = append(divCodes, in.Code)
		}
	}
}

// Product flags in hot.flags.
const (
	fSyndicable = 1 << iota
	fGreen      // finances green projects
	fTech       // finances technology projects
	fCanLead    // can lead a syndicate
)

// hot is what the filters and the score read for every candidate: one cache
// line, kept apart from the rarely read cold part.
type hot struct {
	amin, amax, ticket int64
	capacity           int64 // the product's own cap; 0: none
	from, to           int64 // validity, Unix nanoseconds
	inst               int32
	rule               uint32
	lmin, lmax         int16 // log2fx of the bounds (at most 63<<8)
	tmin, tmax         int16
	rate               int16
	ratePts            int16
	coll, sizes, flags uint8
}

// A posting list holds, per product, in three parallel arrays: a lite
// entry read for every candidate, with what the score bound needs apart from
// the fits; a coarse and conservative copy of the most selective filters,
// read only for candidates whose bound can still matter; and the slot. Each
// coarse test only rejects what the exact test would also reject.
type bucket struct {
	lite   []lite
	coarse []coarse
	slots  []int32 // ascending
	// blocks holds, per run of blockLen postings, what the lite entries'
	// bounds share: collect skips a whole run whose best bound cannot reach
	// the cut-off without reading its entries.
	blocks []blockMax
}

// blockLen is how many postings one blockMax covers.
const blockLen = 16

// blockMax is the project-independent ceiling of a run of postings: the
// largest s0 of its lead-capable and of its other products (noS0: none),
// the specialisation row (rf>>1) when all share one (mixedRow: not), and
// the institutions' region and city when all share them.
type blockMax struct {
	lead, other  int32
	row          uint16
	region, city uint16
	sameLoc      bool
}

// noS0 is below every s0 by so much that no bound with it reaches any
// cut-off, noCut included.
const (
	noS0     = failRule
	mixedRow = math.MaxUint16
)

// reblock recomputes the block maxima from the block holding posting i on.
func (b *bucket) reblock(i int) {
	n := (len(b.lite) + blockLen - 1) / blockLen
	if cap(b.blocks) < n {
		b.blocks = slices.Grow(b.blocks[:0], n)
	}
	b.blocks = b.blocks[:n]
	for k := i / blockLen; k < n; k++ {
		b.blocks[k] = blockOf(b.lite[k*blockLen : min((k+1)*blockLen, len(b.lite))])
	}
}

func blockOf(ls []lite) blockMax {
	m := blockMax{lead: noS0, other: noS0, row: mixedRow}
	for j := range ls {
		l := &ls[j]
		if l.rf&rfLead != 0 {
			m.lead = max(m.lead, int32(l.s0))
		} else {
			m.other = max(m.other, int32(l.s0))
		}
		if j == 0 {
			m.row, m.region, m.city, m.sameLoc = l.rf>>1, l.region, l.city, true
			continue
		}
		if l.rf>>1 != m.row {
			m.row = mixedRow
		}
		if l.region != m.region || l.city != m.city {
			m.sameLoc = false
		}
	}
	return m
}

type coarse struct {
	lmin, lmax int16 // log2fx of the amount bounds, as in hot
	tmin, tmax uint8 // terms clamped to 0..255
	rate       uint8 // rateCode of the floor
	coll       uint8
	sizes      uint8
	flags      uint8 // fSyndicable
}

// lite is the part of a posting that bounds a candidate's score without the
// fits: the product's rate points plus its institution's track-record and
// load points, the institution's region and city for the locality, and the
// rule, flags and lead right for the specialisation and the cut-off. The
// institution's part is copied in, so an institution update refreshes its
// products' entries (Index.relite).
type lite struct {
	s0           int16 // ratePts+trackPts+loadPts, saturated (Index.loose)
	region, city uint16
	rf           uint16 // rule<<3 | (fGreen|fTech) flags | lead bit
}

const (
	rfLead    = 1
	rfRuleCap = 1<<13 - 1 // rules from here on share this row: max spec, checked exactly later
)

func rateCode(bps int) uint8 { return uint8(min(max(bps, 0)/16, 255)) }

func clamp8(v int) uint8 { return uint8(min(max(v, 0), 255)) }

func coarseOf(h *hot) coarse {
	return coarse{lmin: h.lmin, lmax: h.lmax, tmin: clamp8(int(h.tmin)), tmax: clamp8(int(h.tmax)),
		rate: rateCode(int(h.rate)), coll: h.coll, sizes: h.sizes, flags: h.flags & fSyndicable}
}

// liteOf builds a slot's lite entry from its product and institution.
func (x *Index) liteOf(h *hot) lite {
	in := &x.insts[h.inst]
	s0 := int32(h.ratePts) + in.trackPts + in.loadPts
	if s0 > math.MaxInt16 || s0 < math.MinInt16 {
		x.loose = true // weights too large for the bound: collect stops using it
		s0 = math.MaxInt16
	}
	r := min(h.rule, rfRuleCap)
	rf := uint16(r)<<3 | uint16(h.flags&(fGreen|fTech))
	if in.lead {
		rf |= rfLead
	}
	return lite{s0: int16(s0), region: in.region, city: in.city, rf: rf}
}

// cold is what only picks, updates and removals read.
type cold struct {
	id      string
	version int32
	types   uint8
	regions uint32 // interned set of normalised codes: none covers another
}

// rule is one interned pair of include/exclude lists, compiled to the match
// level of every GB/T 4754 division (-1: the division fails).
type rule struct {
	include, exclude []string
	level            []int8
}

func (r *rule) levelOf(code string) (int, bool) {
	if i, ok := divIdx[code]; ok {
		l := r.level[i]
		return int(max(l, 0)), l >= 0
	}
	// Not a known division: the rule's own prefixes decide, as in the scan.
	// (The excluding prefix only names a reason, for Explain.)
	l, ok, _ := industryLevel(code, r.include, r.exclude)
	return l, ok
}

func compileRule(include, exclude []string) rule {
	r := rule{include: append([]string(nil), include...), exclude: append([]string(nil), exclude...), level: make([]int8, len(divCodes))}
	for i, d := range divCodes {
		l, ok, _ := industryLevel(d, include, exclude) // the excluding prefix is for Explain
		r.level[i] = int8(l)
		if !ok {
			r.level[i] = -1
		}
	}
	return r
}

func ruleKey(include, exclude []string) string {
	return strings.Join(include, "\x1f") + "\x1e" + strings.Join(exclude, "\x1f")
}

// nanos turns a time into Unix nanoseconds, clamping times beyond what
// int64 holds (years before 1678 or after 2262) to the extremes.
func nanos(t time.Time) int64 {
	switch {
	case t.Before(time.Unix(0, math.MinInt64)):
		return math.MinInt64
	case t.After(time.Unix(0, math.MaxInt64)):
		return math.MaxInt64
	}
	return t.UnixNano()
}

// normaliseRegions drops unknown codes and any code another one covers, so a
// project's region lies under at most one of the rest and a product is found
// once per lookup.
func normaliseRegions(codes []string) []uint16 {
	var out []uint16
	for i, c := range codes {
		if _, ok := regionIdx[c]; !ok {
			continue
		}
		covered := false
		for j, s := range codes {
			if s != c && finzone.RegionCovers(s, c) || s == c && j < i {
				covered = true
				break
			}
		}
		if !covered {
			out = append(out, regionIdx[c])
		}
	}
	return out
}

func typeMask(list []finzone.ProjectType) uint8 {
	var m uint8
	for _, t := range list {
		if i, ok := typeIdx[t]; ok {
			m |= 1 << i
		}
	}
	return m
}

// clamp16 only changes values no valid product has (terms ≤ 360 months,
// rates ≤ 3600 bp).
func clamp16(v int) int16 { return int16(min(max(v, math.MinInt16), math.MaxInt16)) }
