package matching

// Reason codes say why a product cannot serve a project. They are stable:
// the catalogue (package i18n) translates them under "reason.<code>" and tests
// compare them.
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

// ReasonCodes lists every code, in the order Explain reports them.
var ReasonCodes = []string{ReasonNotPublished, ReasonUnverified, ReasonNotYetValid, ReasonExpired,
	ReasonTypeNotServed, ReasonAmountBelowMin, ReasonAmountAboveMax, ReasonTermOutOfRange,
	ReasonIndustryExcluded, ReasonIndustryNotIncluded, ReasonRegionNotServed, ReasonCollateral,
	ReasonSizeNotServed, ReasonRateAboveCeiling, ReasonCapacity}
