package demo

import (
	"fmt"
	"math"
	"math/rand/v2"
	"strings"
	"time"

	"finzone"
)

// projectKind describes how one project type's needs are shaped.
type projectKind struct {
	typ              finzone.ProjectType
	weight           int
	medianWan        float64 // median amount, ¥万
	termMin, termMax int
	titles           []string
	// insurable: small firms' needs of this type are covered by loan
	// guarantee insurance.
	insurable bool
}

var projectKinds = []projectKind{
	{finzone.TypeManufacturingLong, 30, 2000, 24, 96, []string{"年产%d万件智能化生产线建设项目", "新建标准化厂房及生产线项目", "扩产技改项目（年新增产能%d万吨）"}, true},
	{finzone.TypeWorkingCapital, 20, 300, 6, 36, []string{"原材料采购流动资金", "订单生产流动资金（%d个订单）"}, true},
	{finzone.TypeTechInnovation, 15, 800, 12, 60, []string{"研发中心建设项目", "第%d代产品中试及产业化项目"}, true},
	{finzone.TypeGreenLowCarbon, 10, 1500, 24, 96, []string{"屋顶分布式光伏%d兆瓦项目", "节能降碳改造项目"}, false},
	{finzone.TypeDigitalTransform, 10, 600, 12, 60, []string{"数字化车间改造项目", "工业互联网平台建设（一期%d个工位）"}, true},
	{finzone.TypeIndustrialInfra, 10, 20000, 36, 120, []string{"集群配套产业园（%d万平方米）基础设施项目", "园区污水处理及供热管网项目"}, false},
	{finzone.TypeForeignTrade, 5, 400, 6, 24, []string{"出口订单融资（%d万美元）", "跨境电商备货融资"}, true},
}

// sizeCapWan bounds what a firm of each size asks for (¥万): a micro firm
// does not borrow ¥3000万.
var sizeCapWan = map[finzone.Size]int64{finzone.SizeLarge: 200_000, finzone.SizeMedium: 50_000, finzone.SizeSmall: 5_000, finzone.SizeMicro: 500}

// sizeFactor scales a type's median amount by the owner's size.
var sizeFactor = map[finzone.Size]float64{finzone.SizeLarge: 4, finzone.SizeMedium: 1.5, finzone.SizeSmall: 0.7, finzone.SizeMicro: 0.3}

// GenerateProjects makes n projects owned by the enterprises: amounts from
// ¥50万 to ¥20亿, log-normal around each type's median and bigger for bigger
// firms (within what a firm of its size borrows), rounded to 万; about 60%
// submitted, the rest drafts. Park infrastructure belongs to the platform
// companies, everything else to the firms. Some offer a guarantee firm's
// guarantee as collateral, some ask for insurance cover: both bring credit
// enhancers in.
func GenerateProjects(seed int64, n int, enterprises []finzone.Organization) []finzone.Project {
	r := rng(seed, streamProject)
	weights := make([]int, len(projectKinds))
	for i, k := range projectKinds {
		weights[i] = k.weight
	}
	var firms, platforms []finzone.Organization
	for _, o := range enterprises {
		if IsPlatform(o) {
			platforms = append(platforms, o)
		} else {
			firms = append(firms, o)
		}
	}
	if len(firms) == 0 {
		firms = platforms
	}
	out := make([]finzone.Project, n)
	for i := range out {
		k := projectKinds[weighted(r, weights)]
		owners := firms
		if k.typ == finzone.TypeIndustrialInfra && len(platforms) > 0 {
			owners = platforms
		}
		owner := owners[r.IntN(len(owners))]
		median := k.medianWan * sizeFactor[owner.Size]
		amountWan := int64(math.Exp(math.Log(median) + 1.1*r.NormFloat64()))
		amount := min(max(amountWan, 50), sizeCapWan[owner.Size]) * wan
		term := k.termMin + r.IntN((k.termMax-k.termMin)/6+1)*6
		title := pick(r, k.titles)
		if strings.Contains(title, "%d") {
			title = fmt.Sprintf(title, 2+r.IntN(20))
		}
		by := firmShort(owner.Name)
		if IsPlatform(owner) {
			by = regionName(owner.RegionCode) // 临泉县集群配套产业园…
		}
		p := finzone.Project{
			ID: ProjectID(i), OwnerOrgID: owner.ID,
			Title:          by + title,
			Type:           k.typ,
			AmountYuan:     amount,
			TermMonths:     term,
			Purpose:        fmt.Sprintf("用于%s，资金按进度分期使用，预计投产后年新增销售收入%d万元。", title, amount/wan*(2+int64(r.IntN(4)))),
			Collateral:     collateral(r, owner),
			RegionCode:     owner.RegionCode,
			ClusterID:      owner.ClusterID,
			IndustryCode:   owner.IndustryCode,
			Green:          k.typ == finzone.TypeGreenLowCarbon || r.IntN(5) == 0,
			Tech:           k.typ == finzone.TypeTechInnovation || r.IntN(6) == 0,
			EnterpriseSize: owner.Size,
			Status:         finzone.ProjectDraft,
			CreatedAt:      Epoch.Add(-time.Duration(1+r.IntN(90*24)) * time.Hour),
		}
		// Small firms without much to pledge ask insurers to cover the loan
		// (贷款保证保险); so do some exporters and innovators.
		p.WantsInsurance = k.insurable && r.IntN(100) < map[finzone.Size]int{finzone.SizeSmall: 20, finzone.SizeMicro: 30}[owner.Size]+5
		if r.IntN(5) < 3 {
			p.RateCeilingBps = 350 + r.IntN(111)*5
		}
		p.TotalInvestmentYuan = amount + amount*int64(r.IntN(16))/10/wan*wan
		p.UpdatedAt = p.CreatedAt
		if r.IntN(5) < 3 {
			p.Status = finzone.ProjectSubmitted
			// Submitted a day or two after it was written, but never after
			// Epoch: shifted to today, a need is not submitted tomorrow.
			p.SubmittedAt = p.CreatedAt.Add(time.Duration(1+r.IntN(48)) * time.Hour)
			if last := Epoch.Add(-time.Hour); p.SubmittedAt.After(last) {
				p.SubmittedAt = last
			}
			p.UpdatedAt = p.SubmittedAt
		}
		out[i] = p
	}
	return out
}

// collateral is what an enterprise offers: platform companies mortgage
// land and pledge fee rights, other large firms pledge and mortgage, the
// small more often lean on a guarantee firm (担保公司) or their credit. One
// or two modes, in the domain's order.
func collateral(r *rand.Rand, owner finzone.Organization) []finzone.Collateral {
	// Weights in finzone.Collaterals order: credit, mortgage, pledge,
	// guarantee, guarantee_company.
	w := map[finzone.Size][]int{
		finzone.SizeLarge:  {20, 40, 25, 15, 3},
		finzone.SizeMedium: {15, 40, 20, 15, 10},
		finzone.SizeSmall:  {15, 30, 15, 20, 20},
		finzone.SizeMicro:  {20, 25, 10, 20, 25},
	}[owner.Size]
	switch {
	case IsPlatform(owner):
		w = []int{0, 45, 35, 20, 0}
	case w == nil:
		w = []int{20, 30, 15, 20, 15}
	}
	first := weighted(r, w)
	out := []finzone.Collateral{finzone.Collaterals[first]}
	if r.IntN(2) == 0 {
		if second := weighted(r, w); second != first {
			out = append(out, finzone.Collaterals[second])
			if second < first {
				out[0], out[1] = out[1], out[0]
			}
		}
	}
	return out
}

// firmShort turns "安徽临泉丰源食品有限公司" into "丰源食品".
func firmShort(name string) string {
	s := strings.TrimSuffix(strings.TrimPrefix(name, "安徽"), "有限公司")
	rs := []rune(s)
	for _, c := range clusterSpecs {
		place := []rune(shortPlace(regionName(c.county)))
		if len(rs) > len(place) && string(rs[:len(place)]) == string(place) {
			return string(rs[len(place):])
		}
	}
	return s
}
