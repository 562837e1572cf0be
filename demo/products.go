package demo

import (
	"fmt"
	"math/rand/v2"
	"slices"

	"finzone"
)

const wan = 10_000 // ¥1万, the unit amounts are rounded to

// productTemplate is one kind of product an institution of some kind offers.
type productTemplate struct {
	name             string
	category         finzone.ProductCategory
	minLo, minHi     int64 // AmountMinYuan is drawn from [minLo, minHi] (万)
	maxLo, maxHi     int64 // AmountMaxYuan (万)
	termMin, termMax int
	// rateLo, rateHi bound RateFloorBps: a loan's or lease's rate a year,
	// or, for a guarantee or insurance, its fee a year (see feeCeilingBps).
	rateLo, rateHi int
	types          []finzone.ProjectType
	collateral     []finzone.Collateral
	sizes          []finzone.Size
	// industry: "cluster" (the divisions of the clusters it serves),
	// "manufacturing" ("C"), "tech" (C, I, M) or "" (every industry).
	industry string
	// bigBank marks templates only provincial and city branches of big and
	// policy banks offer: they lend large tickets and can lead syndicates.
	bigBank bool
}

// feeCeilingBps caps a guarantee's or insurance's fee: credit enhancement
// is priced at 0.5–2 % a year (Anhui's policy guarantees around 1 %), not
// like a loan.
const (
	feeFloorBps   = 50
	feeCeilingBps = 200
)

var (
	allSizes   = finzone.Sizes
	smallEnds  = []finzone.Size{finzone.SizeMedium, finzone.SizeSmall, finzone.SizeMicro}
	bigEnds    = []finzone.Size{finzone.SizeLarge, finzone.SizeMedium, finzone.SizeSmall}
	platforms  = []finzone.Size{finzone.SizeLarge, finzone.SizeMedium}
	smallest   = []finzone.Size{finzone.SizeSmall, finzone.SizeMicro}
	allColl    = finzone.Collaterals
	securedish = []finzone.Collateral{finzone.CollateralMortgage, finzone.CollateralPledge, finzone.CollateralGuarantee}
)

var templates = map[finzone.OrgKind][]productTemplate{
	finzone.KindBank: {
		{"产业集群贷", finzone.CategoryLoan, 10, 100, 500, 3000, 6, 60, 300, 450,
			[]finzone.ProjectType{finzone.TypeWorkingCapital, finzone.TypeManufacturingLong, finzone.TypeDigitalTransform, finzone.TypeTechInnovation},
			allColl, smallEnds, "cluster", false},
		{"县域普惠贷", finzone.CategoryLoan, 10, 30, 300, 1000, 6, 60, 320, 480,
			[]finzone.ProjectType{finzone.TypeWorkingCapital, finzone.TypeManufacturingLong, finzone.TypeTechInnovation,
				finzone.TypeDigitalTransform, finzone.TypeGreenLowCarbon, finzone.TypeForeignTrade},
			allColl, smallest, "", false},
		{"流动资金贷款", finzone.CategoryLoan, 50, 300, 3000, 20000, 6, 36, 300, 450,
			[]finzone.ProjectType{finzone.TypeWorkingCapital, finzone.TypeForeignTrade},
			allColl, allSizes, "", false},
		{"固定资产贷款", finzone.CategoryLoan, 300, 1000, 20000, 50000, 12, 120, 290, 420,
			[]finzone.ProjectType{finzone.TypeManufacturingLong, finzone.TypeIndustrialInfra, finzone.TypeGreenLowCarbon, finzone.TypeTechInnovation},
			securedish, bigEnds, "", false},
		{"园区建设项目贷款", finzone.CategoryLoan, 1000, 3000, 30000, 100000, 36, 180, 280, 400,
			[]finzone.ProjectType{finzone.TypeIndustrialInfra, finzone.TypeGreenLowCarbon},
			securedish, platforms, "", false},
		{"科创贷", finzone.CategoryLoan, 50, 200, 2000, 5000, 12, 60, 300, 480,
			[]finzone.ProjectType{finzone.TypeTechInnovation, finzone.TypeDigitalTransform},
			[]finzone.Collateral{finzone.CollateralCredit, finzone.CollateralPledge, finzone.CollateralGuaranteeCompany}, smallEnds, "tech", false},
		{"绿色技改贷", finzone.CategoryLoan, 100, 500, 10000, 20000, 12, 96, 290, 430,
			[]finzone.ProjectType{finzone.TypeGreenLowCarbon, finzone.TypeManufacturingLong, finzone.TypeDigitalTransform},
			allColl, allSizes, "", false},
		{"外贸贷", finzone.CategoryLoan, 10, 50, 1000, 3000, 3, 36, 310, 500,
			[]finzone.ProjectType{finzone.TypeForeignTrade, finzone.TypeWorkingCapital},
			[]finzone.Collateral{finzone.CollateralCredit, finzone.CollateralPledge, finzone.CollateralGuarantee, finzone.CollateralGuaranteeCompany}, allSizes, "", false},
		{"园区基础设施银团贷款", finzone.CategorySyndicatedLoan, 5000, 20000, 200000, 500000, 36, 240, 280, 400,
			[]finzone.ProjectType{finzone.TypeIndustrialInfra, finzone.TypeManufacturingLong, finzone.TypeGreenLowCarbon},
			securedish, bigEnds, "", true},
	},
	finzone.KindLeasing: {
		{"设备融资租赁", finzone.CategoryLeasing, 100, 500, 5000, 20000, 12, 60, 450, 750,
			[]finzone.ProjectType{finzone.TypeManufacturingLong, finzone.TypeDigitalTransform, finzone.TypeGreenLowCarbon, finzone.TypeTechInnovation},
			allColl, allSizes, "manufacturing", false},
		{"售后回租", finzone.CategoryLeasing, 200, 1000, 10000, 30000, 12, 72, 480, 800,
			[]finzone.ProjectType{finzone.TypeIndustrialInfra, finzone.TypeManufacturingLong, finzone.TypeWorkingCapital},
			[]finzone.Collateral{finzone.CollateralMortgage, finzone.CollateralGuarantee, finzone.CollateralGuaranteeCompany}, bigEnds, "", false},
	},
	// Enhancers: their rates are fees a year.
	finzone.KindInsurer: {
		{"贷款保证保险", finzone.CategoryInsurance, 10, 50, 300, 1000, 6, 36, 80, 150,
			[]finzone.ProjectType{finzone.TypeWorkingCapital, finzone.TypeTechInnovation, finzone.TypeManufacturingLong,
				finzone.TypeDigitalTransform, finzone.TypeForeignTrade},
			allColl, smallEnds, "", false},
		{"科技型企业贷款保证保险", finzone.CategoryInsurance, 20, 100, 1000, 3000, 12, 36, 60, 120,
			[]finzone.ProjectType{finzone.TypeTechInnovation, finzone.TypeDigitalTransform},
			allColl, allSizes, "tech", false},
	},
	finzone.KindGuarantee: {
		{"集群企业融资担保", finzone.CategoryGuarantee, 10, 100, 1000, 3000, 6, 60, 80, 150,
			[]finzone.ProjectType{finzone.TypeWorkingCapital, finzone.TypeManufacturingLong, finzone.TypeTechInnovation, finzone.TypeDigitalTransform},
			[]finzone.Collateral{finzone.CollateralGuaranteeCompany, finzone.CollateralCredit, finzone.CollateralMortgage}, smallEnds, "cluster", false},
		{"政银担技改担保", finzone.CategoryGuarantee, 50, 200, 3000, 10000, 12, 60, 50, 100,
			[]finzone.ProjectType{finzone.TypeManufacturingLong, finzone.TypeGreenLowCarbon, finzone.TypeDigitalTransform, finzone.TypeTechInnovation},
			[]finzone.Collateral{finzone.CollateralGuaranteeCompany, finzone.CollateralMortgage}, allSizes, "", false},
	},
}

// GenerateProducts makes n published products owned by the institutions:
// each institution gets one before any gets a second, then banks get more
// than the others. Big banks at province or city level also offer
// syndicated loans they can lead, and take syndicate tickets in their
// fixed-asset loans. Guarantee and insurance products carry their fee a
// year in RateFloorBps–RateCeilingBps, within 0.5–2 %.
func GenerateProducts(seed int64, n int, institutions []finzone.Organization, clusters []finzone.Cluster) []finzone.Product {
	r := rng(seed, streamProduct)
	weights := make([]int, len(institutions))
	for i, o := range institutions {
		weights[i] = 1
		if o.Kind == finzone.KindBank {
			weights[i] = 2
		}
	}
	out := make([]finzone.Product, n)
	for i := range out {
		owner := i
		if i >= len(institutions) {
			owner = weighted(r, weights)
		}
		out[i] = product(r, i, institutions[owner], clusters)
	}
	return out
}

func isBigBank(o finzone.Organization) bool {
	if o.Kind != finzone.KindBank || o.RegionCode != finzone.ProvinceCode && cityOf(o.RegionCode) != o.RegionCode {
		return false
	}
	for _, b := range append(bigBanks[:5:5], policyBanks...) {
		if len(o.Name) >= len(b) && o.Name[:len(b)] == b {
			return true
		}
	}
	return false
}

func product(r *rand.Rand, i int, owner finzone.Organization, clusters []finzone.Cluster) finzone.Product {
	big := isBigBank(owner)
	var tpls []productTemplate
	for _, t := range templates[owner.Kind] {
		if !t.bigBank || big {
			tpls = append(tpls, t)
		}
	}
	t := pick(r, tpls)
	amin := between(r, t.minLo, t.minHi) * wan
	amax := max(between(r, t.maxLo, t.maxHi)*wan, amin)
	termMin := t.termMin + r.IntN(3)*t.termMin/2
	termMax := max(t.termMax-r.IntN(3)*12, termMin)
	floor := t.rateLo + r.IntN((t.rateHi-t.rateLo)/5+1)*5
	ceiling := floor + 100 + r.IntN(100)*5
	desc := fmt.Sprintf("面向县域特色产业集群的%s，额度%d万元至%d万元，期限%d至%d个月。", t.name, amin/wan, amax/wan, termMin, termMax)
	if !t.category.Lends() {
		ceiling = min(floor+25+r.IntN(16)*5, feeCeilingBps)
		desc = fmt.Sprintf("为县域特色产业集群企业的贷款提供%s，保额%d万元至%d万元，期限%d至%d个月，年费率%.2f%%至%.2f%%。",
			t.name, amin/wan, amax/wan, termMin, termMax, float64(floor)/100, float64(ceiling)/100)
	}
	p := finzone.Product{
		ID: ProductID(i), Version: 1, OwnerOrgID: owner.ID,
		Name:          shortPlace(regionName(owner.RegionCode)) + t.name,
		Category:      t.category,
		Description:   desc,
		AmountMinYuan: amin, AmountMaxYuan: amax,
		TermMinMonths: termMin, TermMaxMonths: termMax,
		RateFloorBps: floor, RateCeilingBps: ceiling,
		ProjectTypes: subset(r, t.types, len(t.types), len(t.types)),
		Regions:      served(r, owner.RegionCode),
		Collateral:   subset(r, t.collateral, max(1, len(t.collateral)-1), len(t.collateral)),
		Sizes:        subset(r, t.sizes, max(1, len(t.sizes)-1), len(t.sizes)),
		CapacityYuan: amax * int64(5+r.IntN(36)),
		Status:       finzone.ReviewPublished,
		CreatedAt:    Epoch.AddDate(0, 0, -60-r.IntN(200)),
	}
	switch t.industry {
	case "cluster":
		p.IndustryInclude = clusterDivisions(clusters, p.Regions)
	case "manufacturing":
		p.IndustryInclude = []string{"C"}
	case "tech":
		p.IndustryInclude = []string{"C3", "C4", "I", "M"}
	}
	if t.industry != "cluster" && r.IntN(3) == 0 {
		// Common policy exclusions: fossil fuel processing and coal mining.
		p.IndustryExclude = []string{"C25", "B06"}
	}
	switch {
	case t.category == finzone.CategorySyndicatedLoan:
		p.CanLeadSyndicate = true
		p.MaxTicketYuan = amax * int64(2+r.IntN(4)) / 10 / wan * wan
	case big && t.category == finzone.CategoryLoan && amax >= 100_000_000 && r.IntN(2) == 0:
		p.MaxTicketYuan = amax / 2 / wan * wan
	}
	p.ValidFrom = Epoch.AddDate(0, -1-r.IntN(9), 0)
	p.ValidTo = p.ValidFrom.AddDate(0, 12+r.IntN(25), 0)
	p.ReviewedAt = p.CreatedAt.Add(48 * 3600e9)
	p.UpdatedAt = p.ReviewedAt
	return p
}

// clusterDivisions are the leading industries of the clusters in the
// regions a product serves: a county bank's cluster loan is for its
// county's cluster, a provincial one for every cluster's.
func clusterDivisions(clusters []finzone.Cluster, regions []string) []string {
	var out []string
	for _, c := range clusters {
		for _, reg := range regions {
			if finzone.RegionCovers(reg, c.CountyCode) && !slices.Contains(out, c.LeadingIndustry) {
				out = append(out, c.LeadingIndustry)
			}
		}
	}
	if len(out) == 0 {
		// No cluster where it lends: it serves manufacturing at large.
		out = []string{"C"}
	}
	return out
}

// between draws from [lo, hi] with a log-uniform spread, favouring the low
// end as real product ranges do.
func between(r *rand.Rand, lo, hi int64) int64 {
	if hi <= lo {
		return lo
	}
	f := r.Float64()
	return lo + int64(float64(hi-lo)*f*f)
}

// served returns the regions a product serves, from its owner's level: a
// provincial institution serves the province, a city branch its city (some
// also a neighbouring one), a county institution its county.
func served(r *rand.Rand, region string) []string {
	switch {
	case region == finzone.ProvinceCode:
		return []string{region}
	case cityOf(region) == region:
		if r.IntN(5) == 0 {
			if other := pick(r, cities); other != region {
				return []string{region, other}
			}
		}
		return []string{region}
	default:
		return []string{region}
	}
}
