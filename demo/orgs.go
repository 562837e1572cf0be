package demo

import (
	"fmt"
	"math/rand/v2"
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

// GenerateEnterprises makes n enterprises, each in one of the clusters'
// counties; most work in the cluster's leading industry.
func GenerateEnterprises(seed int64, n int, clusters []finzone.Cluster) []finzone.Organization {
	r := rng(seed, streamEnterprise)
	out := make([]finzone.Organization, n)
	for i := range out {
		c := clusters[i%len(clusters)]
		ind := c.LeadingIndustry
		if r.IntN(5) == 0 {
			ind = pick(r, otherDivisions)
		}
		words := industryWords[ind]
		if words == nil {
			words = []string{"科技"}
		}
		size := finzone.Sizes[weighted(r, []int{5, 20, 45, 30})]
		name := fmt.Sprintf("安徽%s%s%s有限公司", shortPlace(regionName(c.CountyCode)), pick(r, firmWords), pick(r, words))
		out[i] = finzone.Organization{
			ID: EnterpriseID(i), Kind: finzone.KindEnterprise, Name: name,
			USCC:       uscc(c.CountyCode, serialEnterprise+uint64(i)),
			RegionCode: c.CountyCode, ClusterID: c.ID, IndustryCode: ind, Size: size,
			CreatedAt: Epoch.AddDate(0, 0, -30-r.IntN(300)),
		}
	}
	return out
}

// Institution levels: where a branch is registered decides what it serves.
const (
	levelProvince = iota
	levelCity
	levelCounty
)

var (
	bigBanks    = []string{"中国工商银行", "中国农业银行", "中国银行", "中国建设银行", "交通银行", "中国邮政储蓄银行", "徽商银行", "兴业银行", "招商银行"}
	policyBanks = []string{"国家开发银行", "中国农业发展银行"}
	insurers    = []string{"中国人民财产保险", "中国太平洋财产保险", "中国平安财产保险"}
	lessors     = []string{"徽银金融租赁", "兴泰融资租赁", "合肥科技融资租赁", "安徽中安融资租赁", "皖新融资租赁"}
)

// kindPattern fixes the mix, 6 banks in 10, and puts one of each kind first
// so every kind appears at any scale.
var kindPattern = []finzone.OrgKind{finzone.KindBank, finzone.KindInsurer, finzone.KindLeasing, finzone.KindGuarantee,
	finzone.KindBank, finzone.KindBank, finzone.KindBank, finzone.KindGuarantee, finzone.KindBank, finzone.KindBank}

// GenerateInstitutions makes n institutions: mostly banks, some insurers,
// leasing and guarantee firms, registered at province, city or county level.
func GenerateInstitutions(seed int64, n int, clusters []finzone.Cluster) []finzone.Organization {
	r := rng(seed, streamInstitution)
	out := make([]finzone.Organization, n)
	seen := map[string]int{}
	for i := range out {
		kind := kindPattern[i%len(kindPattern)]
		level := weighted(r, []int{60, 30, 10})
		region := finzone.ProvinceCode
		switch level {
		case levelCity:
			// Branches concentrate where the clusters are.
			region = pick(r, cities)
			if r.IntN(10) < 7 && len(clusters) > 0 {
				region = cityOf(pick(r, clusters).CountyCode)
			}
		case levelCounty:
			// The zone's county institutions are mostly where the clusters are.
			if r.IntN(10) < 8 && len(clusters) > 0 {
				region = pick(r, clusters).CountyCode
			} else {
				region = pick(r, counties)
			}
		}
		name := institutionName(r, kind, level, region)
		if k := seen[name]; k > 0 {
			name = fmt.Sprintf("%s第%d营业部", name, k+1)
		}
		seen[name]++
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

func institutionName(r *rand.Rand, kind finzone.OrgKind, level int, region string) string {
	place := shortPlace(regionName(region))
	city := shortPlace(regionName(cityOf(region)))
	switch kind {
	case finzone.KindBank:
		switch level {
		case levelProvince:
			if r.IntN(4) == 0 {
				return policyBanks[r.IntN(len(policyBanks))] + "安徽省分行"
			}
			return bigBanks[r.IntN(len(bigBanks))] + "安徽省分行"
		case levelCity:
			return bigBanks[r.IntN(len(bigBanks))] + city + "分行"
		default:
			if r.IntN(2) == 0 {
				return "安徽" + place + "农村商业银行"
			}
			return bigBanks[r.IntN(len(bigBanks))] + place + "支行"
		}
	case finzone.KindInsurer:
		if level == levelProvince {
			return "国元农业保险股份有限公司"
		}
		return insurers[r.IntN(len(insurers))] + city + "中心支公司"
	case finzone.KindLeasing:
		if level == levelProvince || r.IntN(2) == 0 {
			return lessors[r.IntN(len(lessors))] + "有限公司"
		}
		return city + "建投融资租赁有限公司"
	default:
		switch level {
		case levelProvince:
			return "安徽省信用融资担保集团有限公司"
		case levelCity:
			return city + "市融资担保有限公司"
		default:
			return place + "融资担保有限公司"
		}
	}
}
