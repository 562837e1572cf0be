package matching

import (
	"strings"
	"time"

	"finzone"
)

// Explain returns every hard condition the pair fails, in ReasonCodes order;
// none means the product may serve the project.
func Explain(project finzone.Project, product finzone.Product, inst Institution, now time.Time) []Reason {
	var out []Reason
	check(&project, &product, &inst, now, &out)
	return out
}

// Eligible reports whether the pair passes every hard condition; it stops at
// the first failure, so it is what the plain scan calls.
func Eligible(project *finzone.Project, product *finzone.Product, inst *Institution, now time.Time) bool {
	return check(project, product, inst, now, nil)
}

// check evaluates the hard filters of DOMAIN.md, in ReasonCodes order. With
// out nil it stops at the first failure without building reasons (the
// scan's fast path); otherwise it records every failure.
func check(pj *finzone.Project, pd *finzone.Product, in *Institution, now time.Time, out *[]Reason) bool {
	if out == nil {
		return checkStanding(pd, in, now, nil) && checkTerms(pj, pd, nil) &&
			checkServed(pj, pd, nil) && checkMoney(pj, pd, in, nil)
	}
	ok := checkStanding(pd, in, now, out)
	ok = checkTerms(pj, pd, out) && ok
	ok = checkServed(pj, pd, out) && ok
	return checkMoney(pj, pd, in, out) && ok
}

// checkStanding: the product is published and valid at now, its
// institution verified.
func checkStanding(pd *finzone.Product, in *Institution, now time.Time, out *[]Reason) bool {
	ok := true
	if pd.Status != finzone.ReviewPublished {
		if out == nil {
			return false
		}
		ok = add(out, ReasonNotPublished, "status", string(pd.Status))
	}
	if !in.Verified {
		if out == nil {
			return false
		}
		ok = add(out, ReasonUnverified)
	}
	if now.Before(pd.ValidFrom) {
		if out == nil {
			return false
		}
		ok = add(out, ReasonNotYetValid, "valid_from", pd.ValidFrom.Format(time.DateOnly))
	}
	if !now.Before(pd.ValidTo) {
		if out == nil {
			return false
		}
		ok = add(out, ReasonExpired, "valid_to", pd.ValidTo.Format(time.DateOnly))
	}
	return ok
}

// checkTerms: the product takes the project's type, amount and term.
func checkTerms(pj *finzone.Project, pd *finzone.Product, out *[]Reason) bool {
	ok := true
	if !hasType(pd.ProjectTypes, pj.Type) {
		if out == nil {
			return false
		}
		ok = add(out, ReasonTypeNotServed, "type", string(pj.Type))
	}
	if pj.AmountYuan < pd.AmountMinYuan {
		if out == nil {
			return false
		}
		ok = add(out, ReasonAmountBelowMin, "amount", pj.AmountYuan, "min", pd.AmountMinYuan)
	}
	if pj.AmountYuan > pd.AmountMaxYuan && !Syndicable(pd) {
		if out == nil {
			return false
		}
		ok = add(out, ReasonAmountAboveMax, "amount", pj.AmountYuan, "max", pd.AmountMaxYuan)
	}
	if pj.TermMonths < pd.TermMinMonths || pj.TermMonths > pd.TermMaxMonths {
		if out == nil {
			return false
		}
		ok = add(out, ReasonTermOutOfRange, "term", pj.TermMonths, "min", pd.TermMinMonths, "max", pd.TermMaxMonths)
	}
	return ok
}

// checkServed: the product serves the project's industry, region,
// collateral and enterprise size.
func checkServed(pj *finzone.Project, pd *finzone.Product, out *[]Reason) bool {
	ok := true
	if _, pass, excl := industryLevel(pj.IndustryCode, pd.IndustryInclude, pd.IndustryExclude); !pass {
		if out == nil {
			return false
		}
		if excl != "" {
			ok = add(out, ReasonIndustryExcluded, "industry", pj.IndustryCode, "prefix", excl)
		} else {
			ok = add(out, ReasonIndustryNotIncluded, "industry", pj.IndustryCode, "include", strings.Join(pd.IndustryInclude, ","))
		}
	}
	if !servesRegion(pd.Regions, pj.RegionCode) {
		if out == nil {
			return false
		}
		ok = add(out, ReasonRegionNotServed, "region", pj.RegionCode, "regions", strings.Join(pd.Regions, ","))
	}
	if collateralMask(pj.Collateral)&collateralMask(pd.Collateral) == 0 {
		if out == nil {
			return false
		}
		ok = add(out, ReasonCollateral, "offered", joinAny(pj.Collateral), "accepted", joinAny(pd.Collateral))
	}
	if !sizeServed(sizeMask(pd.Sizes), pj.EnterpriseSize) {
		if out == nil {
			return false
		}
		ok = add(out, ReasonSizeNotServed, "size", string(pj.EnterpriseSize), "sizes", joinAny(pd.Sizes))
	}
	return ok
}

// checkMoney: the product's rate floor is within the project's ceiling, and
// the institution can still lend its minimum.
func checkMoney(pj *finzone.Project, pd *finzone.Product, in *Institution, out *[]Reason) bool {
	ok := true
	if pj.RateCeilingBps > 0 && pd.RateFloorBps > pj.RateCeilingBps {
		if out == nil {
			return false
		}
		ok = add(out, ReasonRateAboveCeiling, "floor", pd.RateFloorBps, "ceiling", pj.RateCeilingBps)
	}
	if c := capacityLeft(pd, in); c < pd.AmountMinYuan {
		if out == nil {
			return false
		}
		ok = add(out, ReasonCapacity, "capacity", c, "min", pd.AmountMinYuan)
	}
	return ok
}

// add records a reason and returns false, for ok = add(...).
func add(out *[]Reason, code string, kv ...any) bool {
	r := Reason{Code: code}
	if len(kv) > 0 {
		r.Params = make(map[string]any, len(kv)/2)
		for i := 0; i+1 < len(kv); i += 2 {
			r.Params[kv[i].(string)] = kv[i+1]
		}
	}
	*out = append(*out, r)
	return false
}

func hasType(list []finzone.ProjectType, t finzone.ProjectType) bool {
	for _, x := range list {
		if x == t {
			return true
		}
	}
	return false
}

// industryLevel applies include/exclude prefixes to a project's industry. It
// reports how specific the match is (0: the product takes every industry,
// 1: a section or partial prefix, 2: the exact division), whether the
// industry passes, and the exclude prefix that rejected it, if any.
func industryLevel(code string, include, exclude []string) (level int, ok bool, excludedBy string) {
	for _, e := range exclude {
		if strings.HasPrefix(code, e) {
			return 0, false, e
		}
	}
	if len(include) == 0 {
		return 0, true, ""
	}
	level = -1
	for _, p := range include {
		if strings.HasPrefix(code, p) {
			l := 1
			if len(p) == len(code) {
				l = 2
			}
			level = max(level, l)
		}
	}
	return max(level, 0), level >= 0, ""
}

// servesRegion reports whether any served code covers the project's region.
func servesRegion(served []string, region string) bool {
	for _, s := range served {
		if finzone.RegionCovers(s, region) {
			return true
		}
	}
	return false
}

func collateralMask(list []finzone.Collateral) uint8 {
	var m uint8
	for _, c := range list {
		for i, k := range finzone.Collaterals {
			if c == k {
				m |= 1 << i
			}
		}
	}
	return m
}

const allSizes = 1<<4 - 1

func sizeMask(list []finzone.Size) uint8 {
	var m uint8
	for _, s := range list {
		m |= sizeBit(s)
	}
	return m
}

func sizeBit(s finzone.Size) uint8 {
	for i, k := range finzone.Sizes {
		if s == k {
			return 1 << i
		}
	}
	return 0
}

// sizeServed: an unknown enterprise size passes only a product that serves
// every size, since such a product does not care.
func sizeServed(mask uint8, s finzone.Size) bool {
	b := sizeBit(s)
	if b == 0 {
		return mask&allSizes == allSizes
	}
	return mask&b != 0
}

func joinAny[T ~string](list []T) string {
	parts := make([]string, len(list))
	for i, v := range list {
		parts[i] = string(v)
	}
	return strings.Join(parts, ",")
}
