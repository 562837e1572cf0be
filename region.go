package finzone

import (
	_ "embed"
	"encoding/csv"
	"sort"
	"strings"
)

// ProvinceCode is Anhui's GB/T 2260 code; a coordinator scoped to it sees
// the whole province.
const ProvinceCode = "340000"

// Region kinds as in data/anhui-divisions.csv, plus the province.
const (
	RegionProvince = "province"
	RegionCity     = "city"
	RegionDistrict = "district"
	RegionCounty   = "county_level"
	RegionDevZone  = "development_zone"
)

// Region is one Anhui administrative division (GB/T 2260).
type Region struct {
	Code     string `json:"code"`
	Name     string `json:"name"`
	CityCode string `json:"city_code"`
	CityName string `json:"city_name"`
	Kind     string `json:"kind"`
	// Wanbei marks northern Anhui (皖北), whose clusters get a 20% subsidy uplift.
	Wanbei bool `json:"wanbei"`
	// Dabie marks the Dabie Mountain old revolutionary area cities (大别山革命老区).
	Dabie bool `json:"dabieshan"`
}

//go:embed data/anhui-divisions.csv
var divisionsCSV string

var (
	regionList []Region
	regionByID map[string]Region
)

func init() {
	rows, err := csv.NewReader(strings.NewReader(divisionsCSV)).ReadAll()
	if err != nil {
		panic("finzone: bad embedded divisions: " + err.Error())
	}
	regionByID = map[string]Region{}
	prov := Region{Code: ProvinceCode, Name: "安徽省", CityCode: ProvinceCode, CityName: "安徽省", Kind: RegionProvince}
	regionList = append(regionList, prov)
	regionByID[prov.Code] = prov
	for _, r := range rows[1:] {
		reg := Region{Code: r[0], Name: r[1], CityCode: r[2], CityName: r[3], Kind: r[4], Wanbei: r[5] == "1", Dabie: r[6] == "1"}
		regionList = append(regionList, reg)
		regionByID[reg.Code] = reg
	}
}

// Regions returns every division, the province first, then in file order.
func Regions() []Region { return append([]Region(nil), regionList...) }

// LookupRegion finds a division by code.
func LookupRegion(code string) (Region, bool) {
	r, ok := regionByID[code]
	return r, ok
}

// RegionCovers reports whether the scope region (province, city or county)
// includes the region code: the province covers everything, a city covers
// itself and its counties, anything else covers only itself.
func RegionCovers(scope, code string) bool {
	if scope == code || scope == ProvinceCode {
		_, ok := regionByID[code]
		return ok
	}
	s, ok := regionByID[scope]
	if !ok || s.Kind != RegionCity {
		return false
	}
	r, ok := regionByID[code]
	return ok && r.CityCode == scope
}

// ExpandRegions returns every division code covered by any of the scopes,
// sorted, for use in store filters.
func ExpandRegions(scopes []string) []string {
	set := map[string]bool{}
	for _, r := range regionList {
		for _, s := range scopes {
			if RegionCovers(s, r.Code) {
				set[r.Code] = true
				break
			}
		}
	}
	out := make([]string, 0, len(set))
	for c := range set {
		out = append(out, c)
	}
	sort.Strings(out)
	return out
}
