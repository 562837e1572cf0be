package matching

import (
	"math/bits"

	"finzone"
)

// Score components, in the order Pick.Components lists them.
const (
	CompRate           = "rate"
	CompAmountFit      = "amount_fit"
	CompTermFit        = "term_fit"
	CompSpecialisation = "specialisation"
	CompLocality       = "locality"
	CompTrackRecord    = "track_record"
	CompLoad           = "load"
	numComponents      = 7
)

// ComponentNames lists the components in order.
var ComponentNames = [numComponents]string{CompRate, CompAmountFit, CompTermFit, CompSpecialisation, CompLocality, CompTrackRecord, CompLoad}

// Component is one named part of a score: Value of at most Max points.
type Component struct {
	Name  string  `json:"name"`
	Value float64 `json:"value"`
	Max   float64 `json:"max"`
}

// Scoring constants. Fits are fixed point with one = 1024, points are
// hundredths, so scores are exact integers and ties are real ties.
const (
	one          = 1024
	rateBestBps  = 300  // about the one-year LPR: a floor at or below it scores full
	rateWorstBps = 1000 // a floor at or above it scores nothing
	loadHalf     = 20   // live matches at which the load component halves
)

// scoreIn is everything a score depends on. The parts that depend on the
// product alone (rate) or the institution alone (track record, load) come
// precomputed, so the index works them out once per update rather than once
// per candidate; the scan computes them on the spot with the same functions.
type scoreIn struct {
	ratePts, trackPts, loadPts int32
	amount, amax, ticket       int64
	lAmt, lMin, lMax           int32
	term, tmin, tmax           int
	spec                       int32 // specPts
	locality                   int   // 2 same county, 1 same city, 0 elsewhere
}

func pts(weight int, fit int64) int32 { return int32(int64(weight) * 100 * fit / one) }

// ratePts: a floor at or below the LPR scores full, at 10% or more nothing.
func ratePts(floor int, w *Weights) int32 {
	var fit int64 = one
	switch {
	case floor >= rateWorstBps:
		fit = 0
	case floor > rateBestBps:
		fit = int64(rateWorstBps-floor) * one / (rateWorstBps - rateBestBps)
	}
	return pts(w.Rate, fit)
}

// trackPts: response and approval rates averaged; no record scores half.
func trackPts(pushed, resp, approv int, w *Weights) int32 {
	fit := int64(one / 2)
	if pushed > 0 {
		fit = min(max(int64(resp)+int64(approv), 0)*one/20000, one)
	}
	return pts(w.TrackRecord, fit)
}

// loadPts halves at loadHalf live matches.
func loadPts(load int, w *Weights) int32 {
	return pts(w.Load, one*loadHalf/(loadHalf+int64(max(load, 0))))
}

// specPts weighs the industry match three times each of green and tech,
// counting green and tech only when the project claims them.
func specPts(level int, green, tech, prodGreen, prodTech bool, w *Weights) int32 {
	num, den := int64([3]int{one * 3 / 10, one * 6 / 10, one}[level])*3, int64(3)
	if green {
		den++
		if prodGreen {
			num += one
		}
	}
	if tech {
		den++
		if prodTech {
			num += one
		}
	}
	return pts(w.Specialisation, num/den)
}

var localityFit = [3]int64{one / 5, one * 6 / 10, one}

// score returns each component's points (hundredths) under the weights.
func score(in *scoreIn, w *Weights) (c [numComponents]int32) {
	c[0] = in.ratePts
	var amt int64
	if in.amount <= in.amax {
		amt = centred(int64(in.lAmt-in.lMin), int64(in.lMax-in.lMin))
	} else {
		// A syndicate member covers only its ticket: score the share it covers.
		amt = one / 2 * min(in.ticket, in.amount) / in.amount
	}
	c[1] = pts(w.Amount, amt)
	c[2] = pts(w.Term, centred(int64(in.term-in.tmin), int64(in.tmax-in.tmin)))
	c[3] = in.spec
	c[4] = pts(w.Locality, localityFit[in.locality])
	c[5] = in.trackPts
	c[6] = in.loadPts
	return c
}

// centred scores where x lies in [0, span]: full in the middle of a product's
// range, half at its edges, so a product built around the ask ranks first.
func centred(x, span int64) int64 {
	if span <= 0 {
		return one
	}
	x = min(max(x, 0), span)
	d := 2*x - span
	if d < 0 {
		d = -d
	}
	return one - d*one/(2*span)
}

func total(c *[numComponents]int32) int32 {
	var t int32
	for _, v := range c {
		t += v
	}
	return t
}

// log2fx is log2(x) in 8.8 fixed point (mantissa linearly interpolated): cheap,
// monotone, and precise enough to place an amount within a range.
func log2fx(x int64) int32 {
	if x <= 0 {
		return 0
	}
	n := bits.Len64(uint64(x)) - 1
	var frac uint64
	if n >= 8 {
		frac = uint64(x) >> (n - 8) & 0xff
	} else {
		frac = uint64(x) << (8 - n) & 0xff
	}
	return int32(n)<<8 | int32(frac)
}

// locality compares the institution's region with the project's.
func locality(instRegion, projectRegion string) int {
	if instRegion == projectRegion {
		return 2
	}
	a, ok1 := finzone.LookupRegion(instRegion)
	b, ok2 := finzone.LookupRegion(projectRegion)
	if ok1 && ok2 && a.Kind != finzone.RegionProvince && a.CityCode == b.CityCode {
		return 1
	}
	return 0
}

// scoreDomain fills scoreIn from domain values: the scan's path.
func scoreDomain(pj *finzone.Project, pd *finzone.Product, in *Institution, w *Weights) [numComponents]int32 {
	// Only eligible pairs are scored: the industry passed, and the
	// excluding prefix is for Explain.
	lvl, _, _ := industryLevel(pj.IndustryCode, pd.IndustryInclude, pd.IndustryExclude)
	s := scoreIn{
		ratePts: ratePts(pd.RateFloorBps, w),
		amount:  pj.AmountYuan, amax: pd.AmountMaxYuan, ticket: pd.Ticket(),
		lAmt: log2fx(pj.AmountYuan), lMin: log2fx(pd.AmountMinYuan), lMax: log2fx(pd.AmountMaxYuan),
		term: pj.TermMonths, tmin: pd.TermMinMonths, tmax: pd.TermMaxMonths,
		spec: specPts(lvl, pj.Green, pj.Tech, hasType(pd.ProjectTypes, finzone.TypeGreenLowCarbon),
			hasType(pd.ProjectTypes, finzone.TypeTechInnovation), w),
		locality: locality(in.RegionCode, pj.RegionCode),
		trackPts: trackPts(in.Pushed, in.ResponseRateBps, in.ApprovalRateBps, w),
		loadPts:  loadPts(in.LiveLoad, w),
	}
	return score(&s, w)
}
