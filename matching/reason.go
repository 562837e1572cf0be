package matching

import (
	"fmt"
	"sort"
	"strings"

	"finzone"
)

// Reason codes say why a product cannot serve a project. They are stable:
// the UI translates them and tests compare them.
const (
	ReasonNotPublished        = "product_not_published"
	ReasonUnverified          = "institution_not_verified"
	ReasonNotYetValid         = "product_not_yet_valid"
	ReasonExpired             = "product_expired"
	ReasonTypeNotServed       = "project_type_not_served"
	ReasonAmountBelowMin      = "amount_below_min"
	ReasonAmountAboveMax      = "amount_above_max"
	ReasonTermOutOfRange      = "term_out_of_range"
	ReasonIndustryExcluded    = "industry_excluded"
	ReasonIndustryNotIncluded = "industry_not_included"
	ReasonRegionNotServed     = "region_not_served"
	ReasonCollateral          = "collateral_not_accepted"
	ReasonSizeNotServed       = "enterprise_size_not_served"
	ReasonRateAboveCeiling    = "rate_floor_above_ceiling"
	ReasonCapacity            = "capacity_insufficient"
)

// Reason is one failed hard condition. Params fill the placeholders of the
// translated message ({amount}, {min}, ...); amounts are yuan, rates basis
// points, lists comma-separated codes.
type Reason struct {
	Code   string
	Params map[string]any
}

// Message translates the reason into the user's language.
func (r Reason) Message(lang finzone.Lang) string {
	m, ok := reasonText[r.Code]
	if !ok {
		return r.Code
	}
	s := m[0]
	if lang == finzone.LangEN {
		s = m[1]
	}
	keys := make([]string, 0, len(r.Params))
	for k := range r.Params {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		s = strings.ReplaceAll(s, "{"+k+"}", fmt.Sprint(r.Params[k]))
	}
	return s
}

// ReasonCodes lists every code, in the order Explain reports them.
var ReasonCodes = []string{ReasonNotPublished, ReasonUnverified, ReasonNotYetValid, ReasonExpired,
	ReasonTypeNotServed, ReasonAmountBelowMin, ReasonAmountAboveMax, ReasonTermOutOfRange,
	ReasonIndustryExcluded, ReasonIndustryNotIncluded, ReasonRegionNotServed, ReasonCollateral,
	ReasonSizeNotServed, ReasonRateAboveCeiling, ReasonCapacity}

// reasonText holds {zh, en} per code.
var reasonText = map[string][2]string{
	ReasonNotPublished:        {"产品未上架（当前状态：{status}）", "The product is not published (status: {status})"},
	ReasonUnverified:          {"金融机构尚未通过认证", "The institution has not been verified yet"},
	ReasonNotYetValid:         {"产品自 {valid_from} 起生效", "The product is valid only from {valid_from}"},
	ReasonExpired:             {"产品已于 {valid_to} 到期", "The product expired on {valid_to}"},
	ReasonTypeNotServed:       {"产品不支持“{type}”类项目", "The product does not finance {type} projects"},
	ReasonAmountBelowMin:      {"融资金额 {amount} 元低于产品下限 {min} 元", "The amount ¥{amount} is below the product minimum ¥{min}"},
	ReasonAmountAboveMax:      {"融资金额 {amount} 元高于产品上限 {max} 元，且产品不参与银团", "The amount ¥{amount} exceeds the product maximum ¥{max} and the product does not join syndicates"},
	ReasonTermOutOfRange:      {"期限 {term} 个月不在产品范围 {min}–{max} 个月内", "The term of {term} months is outside the product range {min}–{max} months"},
	ReasonIndustryExcluded:    {"行业 {industry} 属于产品排除的行业 {prefix}", "Industry {industry} falls under the excluded {prefix}"},
	ReasonIndustryNotIncluded: {"行业 {industry} 不在产品支持的行业 {include} 内", "Industry {industry} is not among the product's industries {include}"},
	ReasonRegionNotServed:     {"产品服务区域 {regions} 不覆盖项目所在地 {region}", "The product's regions {regions} do not cover the project's region {region}"},
	ReasonCollateral:          {"可提供的担保方式 {offered} 均不被产品接受（接受：{accepted}）", "None of the offered security modes {offered} is accepted (accepted: {accepted})"},
	ReasonSizeNotServed:       {"产品不服务 {size} 规模企业（服务：{sizes}）", "The product does not serve {size} enterprises (serves: {sizes})"},
	ReasonRateAboveCeiling:    {"产品最低利率 {floor} 个基点高于可接受上限 {ceiling} 个基点", "The product's lowest rate of {floor} bp is above the ceiling of {ceiling} bp"},
	ReasonCapacity:            {"机构剩余额度 {capacity} 元不足产品起贷金额 {min} 元", "The institution's remaining capacity ¥{capacity} is below the product minimum ¥{min}"},
}
