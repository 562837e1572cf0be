package finzone

import (
	"slices"
	"sort"
)

// Tally scopes: the levels a dashboard reads a tally at. Each names the
// objects it adds up: "province" every object, "city:<code>" those of a
// city and its divisions, "region:<code>" those of exactly that division,
// "wanbei" and "dabie" those of divisions carrying the flag.
const (
	ScopeProvince = "province"
	ScopeWanbei   = "wanbei"
	ScopeDabie    = "dabie"
)

// TallyScopes are the scopes an object in region code adds to: the
// province, its own division, its city, and its policy flags.
func TallyScopes(code string) []string {
	out := []string{ScopeProvince, "region:" + code}
	r, ok := LookupRegion(code)
	if !ok {
		return out
	}
	if r.Kind != RegionProvince {
		out = append(out, "city:"+r.CityCode)
	}
	if r.Wanbei {
		out = append(out, ScopeWanbei)
	}
	if r.Dabie {
		out = append(out, ScopeDabie)
	}
	return out
}

// TallyCover is the fewest scopes whose tallies add up to the objects in
// regions (division codes as a store filter takes them; nil is the whole
// province): the province or a flag when regions are exactly one, then a
// city for each city wholly in regions, then each division left.
func TallyCover(regions []string) []string {
	if regions == nil {
		return []string{ScopeProvince}
	}
	in := map[string]bool{}
	for _, c := range regions {
		if _, ok := LookupRegion(c); ok {
			in[c] = true
		}
	}
	all := ExpandRegions([]string{ProvinceCode})
	switch {
	case len(in) == len(all):
		return []string{ScopeProvince}
	case len(in) > 0 && sameSet(in, flaggedCodes(func(r Region) bool { return r.Wanbei })):
		return []string{ScopeWanbei}
	case len(in) > 0 && sameSet(in, flaggedCodes(func(r Region) bool { return r.Dabie })):
		return []string{ScopeDabie}
	}
	out := []string{}
	for _, r := range regionList {
		if r.Kind != RegionCity {
			continue
		}
		city := ExpandRegions([]string{r.Code})
		if !slices.ContainsFunc(city, func(c string) bool { return !in[c] }) {
			out = append(out, "city:"+r.Code)
			for _, c := range city {
				delete(in, c)
			}
		}
	}
	left := make([]string, 0, len(in))
	for c := range in {
		left = append(left, "region:"+c)
	}
	sort.Strings(left)
	return append(out, left...)
}

// flaggedCodes are the divisions that carry a flag.
func flaggedCodes(flag func(Region) bool) []string {
	var out []string
	for _, r := range regionList {
		if flag(r) {
			out = append(out, r.Code)
		}
	}
	return out
}

func sameSet(in map[string]bool, codes []string) bool {
	if len(in) != len(codes) {
		return false
	}
	for _, c := range codes {
		if !in[c] {
			return false
		}
	}
	return true
}
