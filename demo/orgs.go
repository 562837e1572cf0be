package demo

import (
	"fmt"
	"time"

	"finzone"
)

// Stream numbers for rng, one per entity kind.
const (
	streamEnterprise = iota + 1
	streamInstitution
	streamProduct
	streamProject
)

// Serial bases keep credit codes unique across kinds.
const (
	serialEnterprise  = 1_000_000_000
	serialInstitution = 2_000_000_000
)

var (
	firmWords = []string{"丰源", "金穗", "皖润", "宏达", "恒信", "瑞丰", "华康", "鑫盛", "永泰", "天润", "德昌", "嘉禾",
		"安泰", "同创", "汇通", "中和", "长兴", "锦程", "新亚", "正邦", "益民", "富华", "兴业", "明远"}
	industryWords = map[string][]string{
		"C13": {"食品", "农产品", "粮油", "面业"}, "C14": {"食品"}, "C15": {"茶业", "茶叶"},
		"C17": {"纺织", "棉纺"}, "C26": {"化工", "盐化"}, "C27": {"药业", "中药饮片"}, "C29": {"塑业", "包装"},
		"C30": {"新材料", "玻璃", "硅材料"}, "C31": {"钢铁", "金属材料"}, "C33": {"金属制品"}, "C34": {"机械"},
		"C35": {"装备"}, "C36": {"汽车零部件", "汽配"}, "C38": {"电缆", "电气"}, "C39": {"电子", "电路"},
		"C40": {"仪表", "仪器"}, "C42": {"再生资源", "环保科技"},
	}
	// otherDivisions are supporting manufacturing divisions for the firms of a
	// cluster that are not in its leading industry.
	otherDivisions = []string{"C14", "C29", "C33", "C34", "C35", "C38", "C39"}
)

// platformEvery puts one platform company among this many enterprises: 7
// is coprime to the cluster count, so they spread over every cluster.
const platformEvery = 7

// platformForms are the county platform companies that build and run
// industrial parks: city-construction investment (城投), park development
// and industrial investment firms, with the GB/T 4754 division each works
// in (civil engineering, business services).
var platformForms = []struct{ suffix, industry string }{
	{"城市建设投资有限公司", "E48"},
	{"经济开发区建设投资有限公司", "E48"},
	{"产业投资集团有限公司", "L72"},
	{"现代产业园开发建设有限公司", "E48"},
	{"城乡发展投资集团有限公司", "L72"},
	{"国有资本投资运营有限公司", "L72"},
}

// IsPlatform reports whether an enterprise is a platform company (城投,
// park developer, industrial investor): the owners of park infrastructure.
func IsPlatform(o finzone.Organization) bool {
	return o.Kind == finzone.KindEnterprise && (o.IndustryCode == "E48" || o.IndustryCode == "L72")
}

// GenerateEnterprises makes n enterprises, each in one of the clusters'
// counties; most work in the cluster's leading industry. One in
// platformEvery is the county's platform company, large or medium.
func GenerateEnterprises(seed int64, n int, clusters []finzone.Cluster) []finzone.Organization {
	r := rng(seed, streamEnterprise)
	out := make([]finzone.Organization, n)
	for i := range out {
		c := clusters[i%len(clusters)]
		county := regionName(c.CountyCode)
		var name, ind string
		var size finzone.Size
		if i%platformEvery == platformEvery-4 {
			// The k-th platform of its county takes the k-th form, so names
			// repeat only past len(platformForms) per county.
			f := platformForms[i/platformEvery/len(clusters)%len(platformForms)]
			name, ind = county+f.suffix, f.industry
			size = finzone.Sizes[weighted(r, []int{60, 40})]
		} else {
			ind = c.LeadingIndustry
			if r.IntN(5) == 0 {
				ind = pick(r, otherDivisions)
			}
			words := industryWords[ind]
			if words == nil {
				words = []string{"科技"}
			}
			size = finzone.Sizes[weighted(r, []int{5, 20, 45, 30})]
			name = fmt.Sprintf("安徽%s%s%s有限公司", shortPlace(county), pick(r, firmWords), pick(r, words))
		}
		out[i] = finzone.Organization{
			ID: EnterpriseID(i), Kind: finzone.KindEnterprise, Name: name,
			USCC:       uscc(c.CountyCode, serialEnterprise+uint64(i)),
			RegionCode: c.CountyCode, ClusterID: c.ID, IndustryCode: ind, Size: size,
			CreatedAt: Epoch.AddDate(0, 0, -30-r.IntN(300)),
		}
		// Two in three are verified, so institutions see both kinds; the
		// first demo enterprise is, the second is not. By index, not by rng:
		// the rest of the data stays as it was.
		if i%unverifiedEvery != 1 {
			out[i].Verified = true
			out[i].VerifiedAt = out[i].CreatedAt.Add(5 * 24 * time.Hour)
		}
	}
	return out
}

// unverifiedEvery leaves one in this many demo enterprises unverified.
const unverifiedEvery = 3
