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

var componentText = map[string][2]string{
	CompRate:           {"利率", "Rate"},
	CompAmountFit:      {"额度匹配", "Amount fit"},
	CompTermFit:        {"期限匹配", "Term fit"},
	CompSpecialisation: {"专业化（行业、绿色、科技）", "Specialisation (industry, green, technology)"},
	CompLocality:       {"属地", "Locality"},
	CompTrackRecord:    {"历史响应与审批", "Track record"},
	CompLoad:           {"当前工作量", "Current load"},
}

// ComponentLabel translates a component name for the UI.
func ComponentLabel(name string, lang finzone.Lang) string {
	t, ok := componentText[name]
	if !ok {
		return name
	}
	if lang == finzone.LangEN {
		return t[1]
	}
	return t[0]
}

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

// scoreIn is everything a score depends on, filled from domain values by the
// scan and from compact entries by the index, so both score alike.
type scoreIn struct {
	rateFloor            int
	amount, amin, amax   int64
	ticket               int64
	lAmt, lMin, lMax     int32
	term, tmin, tmax     int
	industryLevel        int
	green, tech          bool // the project's flags
	prodGreen, prodTech  bool // the product finances green / tech projects
	locality             int  // 2 same county, 1 same city, 0 elsewhere
	pushed, resp, approv int
	load                 int
}

// score returns each component's points (hundredths) under the weights.
func score(in *scoreIn, w *Weights) (c [numComponents]int32) {
	pts := func(weight int, fit int64) int32 { return int32(int64(weight) * 100 * fit / one) }

	var rate int64 = one
	switch {
	case in.rateFloor >= rateWorstBps:
		rate = 0
	case in.rateFloor > rateBestBps:
		rate = int64(rateWorstBps-in.rateFloor) * one / (rateWorstBps - rateBestBps)
	}
	c[0] = pts(w.Rate, rate)

	var amt int64
	if in.amount <= in.amax {
		amt = centred(int64(in.lAmt-in.lMin), int64(in.lMax-in.lMin))
	} else {
		// A syndicate member covers only its ticket: score the share it covers.
		amt = one / 2 * min(in.ticket, in.amount) / in.amount
	}
	c[1] = pts(w.Amount, amt)
	c[2] = pts(w.Term, centred(int64(in.term-in.tmin), int64(in.tmax-in.tmin)))

	num, den := int64([3]int{one * 3 / 10, one * 6 / 10, one}[in.industryLevel])*3, int64(3)
	if in.green {
		den++
		if in.prodGreen {
			num += one
		}
	}
	if in.tech {
		den++
		if in.prodTech {
			num += one
		}
	}
	c[3] = pts(w.Specialisation, num/den)
	c[4] = pts(w.Locality, int64([3]int{one / 5, one * 6 / 10, one}[in.locality]))

	track := int64(one / 2)
	if in.pushed > 0 {
		track = min(int64(in.resp+in.approv)*one/20000, one)
	}
	c[5] = pts(w.TrackRecord, max(track, 0))
	c[6] = pts(w.Load, one*loadHalf/int64(loadHalf+max(in.load, 0)))
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

// scoreDomain fills scoreIn from domain values: the scan's and Explain's path.
func scoreDomain(pj *finzone.Project, pd *finzone.Product, in *Institution, w *Weights) [numComponents]int32 {
	lvl, _, _ := industryLevel(pj.IndustryCode, pd.IndustryInclude, pd.IndustryExclude)
	s := scoreIn{
		rateFloor: pd.RateFloorBps,
		amount:    pj.AmountYuan, amin: pd.AmountMinYuan, amax: pd.AmountMaxYuan, ticket: pd.Ticket(),
		lAmt: log2fx(pj.AmountYuan), lMin: log2fx(pd.AmountMinYuan), lMax: log2fx(pd.AmountMaxYuan),
		term: pj.TermMonths, tmin: pd.TermMinMonths, tmax: pd.TermMaxMonths,
		industryLevel: lvl,
		green:         pj.Green, tech: pj.Tech,
		prodGreen: hasType(pd.ProjectTypes, finzone.TypeGreenLowCarbon),
		prodTech:  hasType(pd.ProjectTypes, finzone.TypeTechInnovation),
		locality:  locality(in.RegionCode, pj.RegionCode),
		pushed:    in.Pushed, resp: in.ResponseRateBps, approv: in.ApprovalRateBps, load: in.LiveLoad,
	}
	return score(&s, w)
}
