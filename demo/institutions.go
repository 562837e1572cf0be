package demo

import (
	"fmt"
	"math/rand/v2"
	"time"

	"finzone"
)

// Institution levels: where a branch is registered decides what it serves.
const (
	levelProvince = iota
	levelCity
	levelCounty
)

var (
	bigBanks    = []string{"中国工商银行", "中国农业银行", "中国银行", "中国建设银行", "交通银行", "中国邮政储蓄银行", "徽商银行", "兴业银行", "招商银行"}
	policyBanks = []string{"国家开发银行", "中国农业发展银行"}
	insurers    = []string{"中国人民财产保险股份有限公司", "中国太平洋财产保险股份有限公司", "中国平安财产保险股份有限公司", "国元农业保险股份有限公司"}
	lessors     = []string{"徽银金融租赁有限公司", "兴泰融资租赁有限公司", "合肥科技融资租赁有限公司", "安徽中安融资租赁股份有限公司", "皖新融资租赁有限公司"}
)

// kindPattern fixes the mix, 6 banks in 10, and puts one of each kind first
// so every kind appears at any scale.
var kindPattern = []finzone.OrgKind{finzone.KindBank, finzone.KindInsurer, finzone.KindLeasing, finzone.KindGuarantee,
	finzone.KindBank, finzone.KindBank, finzone.KindBank, finzone.KindGuarantee, finzone.KindBank, finzone.KindBank}

// GenerateInstitutions makes n institutions: mostly banks, some insurers,
// leasing and guarantee firms, registered at province, city or county level.
// No two share a name: a bank has one provincial branch, one branch per city
// and one sub-branch (支行) per county, and so on for the other kinds.
func GenerateInstitutions(seed int64, n int, clusters []finzone.Cluster) []finzone.Organization {
	r := rng(seed, streamInstitution)
	out := make([]finzone.Organization, n)
	taken := map[string]bool{}
	for i := range out {
		kind := kindPattern[i%len(kindPattern)]
		level := weighted(r, []int{60, 30, 10})
		region, name := placeInstitution(r, kind, level, clusters, taken)
		taken[name] = true
		o := finzone.Organization{
			ID: InstitutionID(i), Kind: kind, Name: name,
			USCC:       uscc(region, serialInstitution+uint64(i)),
			RegionCode: region, CreatedAt: Epoch.AddDate(0, 0, -200-r.IntN(300)),
		}
		if r.IntN(10) != 0 {
			o.Verified = true
			o.VerifiedAt = o.CreatedAt.Add(72 * time.Hour)
		}
		out[i] = o
	}
	return out
}

// placeInstitution draws where an institution of kind is registered and a
// name not taken yet. Its level's offices fill up (a bank has one
// provincial branch), so it draws again, then moves down a level; a county
// has room for every brand. Past that (far beyond any scale in use) a
// numbered business department keeps names apart.
func placeInstitution(r *rand.Rand, kind finzone.OrgKind, level int, clusters []finzone.Cluster, taken map[string]bool) (string, string) {
	for ; level <= levelCounty; level++ {
		for try := 0; try < 8; try++ {
			region := drawRegion(r, level, clusters)
			var free []string
			for _, name := range officeNames(kind, level, region) {
				if !taken[name] {
					free = append(free, name)
				}
			}
			if len(free) > 0 {
				return region, pick(r, free)
			}
		}
	}
	for _, off := range r.Perm(len(counties)) {
		for _, name := range officeNames(kind, levelCounty, counties[off]) {
			if !taken[name] {
				return counties[off], name
			}
		}
	}
	region := drawRegion(r, levelCity, clusters)
	base := officeNames(kind, levelCity, region)[0]
	for k := 2; ; k++ {
		if name := fmt.Sprintf("%s第%d营业部", base, k); !taken[name] {
			return region, name
		}
	}
}

// drawRegion is where an office of level lies: institutions concentrate
// where the clusters are.
func drawRegion(r *rand.Rand, level int, clusters []finzone.Cluster) string {
	switch level {
	case levelCity:
		if r.IntN(10) < 7 && len(clusters) > 0 {
			return cityOf(pick(r, clusters).CountyCode)
		}
		return pick(r, cities)
	case levelCounty:
		if r.IntN(10) < 8 && len(clusters) > 0 {
			return pick(r, clusters).CountyCode
		}
		return pick(r, counties)
	}
	return finzone.ProvinceCode
}

// officeNames are every name an institution of kind may carry at level in
// region, in a fixed order.
func officeNames(kind finzone.OrgKind, level int, region string) []string {
	county := regionName(region)
	city := shortPlace(regionName(cityOf(region)))
	var out []string
	switch kind {
	case finzone.KindBank:
		switch level {
		case levelProvince:
			for _, b := range append(bigBanks[:len(bigBanks):len(bigBanks)], policyBanks...) {
				out = append(out, b+"安徽省分行")
			}
		case levelCity:
			for _, b := range append(bigBanks[:len(bigBanks):len(bigBanks)], policyBanks...) {
				out = append(out, b+city+"分行")
			}
		default:
			out = append(out, "安徽"+shortPlace(county)+"农村商业银行")
			for _, b := range bigBanks {
				out = append(out, b+county+"支行")
			}
		}
	case finzone.KindInsurer:
		for _, ins := range insurers {
			switch level {
			case levelProvince:
				if ins == insurers[len(insurers)-1] {
					out = append(out, ins) // 国元 is an Anhui company
				} else {
					out = append(out, ins+"安徽分公司")
				}
			case levelCity:
				out = append(out, ins+city+"中心支公司")
			default:
				out = append(out, ins+county+"支公司")
			}
		}
	case finzone.KindLeasing:
		switch level {
		case levelProvince:
			out = append(out, lessors...)
		case levelCity:
			out = append(out, city+"建投融资租赁有限公司")
			for _, l := range lessors {
				out = append(out, l+city+"分公司")
			}
		default:
			out = append(out, shortPlace(county)+"产投融资租赁有限公司")
		}
	default:
		switch level {
		case levelProvince:
			out = append(out, "安徽省信用融资担保集团有限公司", "安徽省农业信贷融资担保有限公司")
		case levelCity:
			out = append(out, city+"市融资担保有限公司", city+"市中小企业融资担保有限公司", "安徽省农业信贷融资担保有限公司"+city+"分公司")
		default:
			out = append(out, county+"融资担保有限公司", county+"中小企业融资担保有限公司")
		}
	}
	return out
}
