package web

import "finzone"

// regionOptions lists what a staff member may filter the reports by: the
// cities in scope, or a city's counties.
func regionOptions(a finzone.Actor) []Option {
	scopes := a.User.Regions
	if a.IsPlatformAdmin() {
		scopes = []string{finzone.ProvinceCode}
	}
	var out []Option
	seen := map[string]bool{}
	for _, r := range finzone.Regions() {
		for _, s := range scopes {
			if seen[r.Code] || !offered(r, s) {
				continue
			}
			seen[r.Code] = true
			label := r.Name
			if r.Kind != finzone.RegionCity {
				label = r.CityName + " " + r.Name
			}
			out = append(out, Option{Value: r.Code, Label: label})
		}
	}
	return out
}

// offered reports whether the filter offers region r to a scope: a
// province's cities, or a city and its counties, or the one county.
func offered(r finzone.Region, scope string) bool {
	switch sr, _ := finzone.LookupRegion(scope); sr.Kind {
	case finzone.RegionProvince:
		return r.Kind == finzone.RegionCity
	case finzone.RegionCity:
		return r.Code == scope || r.CityCode == scope && r.Kind != finzone.RegionCity
	default:
		return r.Code == scope
	}
}
