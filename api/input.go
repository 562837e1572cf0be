package api

import (
	"encoding/json"
	"time"

	"finzone"
)

// The JSON bodies clients send. Where a use case's input has the same
// fields, the body is that input with JSON names, converted as is; nil
// means "not given". Malformed is there only to match the use case's input:
// decode reports a value it cannot read by name, before any operation runs.

// projectBody is what a client may set on a project (usecase.ProjectInput).
type projectBody struct {
	Title               *string               `json:"title"`
	Type                *finzone.ProjectType  `json:"project_type"`
	AmountYuan          *int64                `json:"amount_yuan"`
	TermMonths          *int                  `json:"term_months"`
	Purpose             *string               `json:"purpose"`
	Collateral          *[]finzone.Collateral `json:"collateral"`
	RateCeilingBps      *int                  `json:"rate_ceiling_bps"`
	TotalInvestmentYuan *int64                `json:"total_investment_yuan"`
	RegionCode          *string               `json:"region_code"`
	ClusterID           *string               `json:"cluster_id"`
	IndustryCode        *string               `json:"industry_code"`
	Green               *bool                 `json:"green"`
	Tech                *bool                 `json:"tech"`
	WantsInsurance      *bool                 `json:"wants_insurance"`
	Malformed           []string              `json:"-"`
}

var projectReadOnly = []string{"id", "owner_org_id", "status", "needs_attention", "enterprise_size", "wanbei", "created_at",
	"updated_at", "submitted_at", "withdrawn_at", "enhancers_wanted", "offers", "accepted_yuan", "screen_reason",
	"screen_due_at", "screen_escalated_at", "events"}

// productBody is what an institution may set on a product
// (usecase.ProductInput).
type productBody struct {
	Name             *string                  `json:"name"`
	Category         *finzone.ProductCategory `json:"category"`
	Description      *string                  `json:"description"`
	AmountMinYuan    *int64                   `json:"amount_min_yuan"`
	AmountMaxYuan    *int64                   `json:"amount_max_yuan"`
	TermMinMonths    *int                     `json:"term_min_months"`
	TermMaxMonths    *int                     `json:"term_max_months"`
	RateFloorBps     *int                     `json:"rate_floor_bps"`
	RateCeilingBps   *int                     `json:"rate_ceiling_bps"`
	ProjectTypes     *[]finzone.ProjectType   `json:"project_types"`
	IndustryInclude  *[]string                `json:"industry_include"`
	IndustryExclude  *[]string                `json:"industry_exclude"`
	Regions          *[]string                `json:"regions"`
	Collateral       *[]finzone.Collateral    `json:"collateral"`
	Sizes            *[]finzone.Size          `json:"sizes"`
	CanLeadSyndicate *bool                    `json:"can_lead_syndicate"`
	MaxTicketYuan    *int64                   `json:"max_ticket_yuan"`
	CapacityYuan     *int64                   `json:"capacity_yuan"`
	ValidFrom        *time.Time               `json:"valid_from"`
	ValidTo          *time.Time               `json:"valid_to"`
	Malformed        []string                 `json:"-"`
}

var productReadOnly = []string{"id", "version", "owner_org_id", "status", "reviewed_by", "review_note",
	"reviewed_at", "created_at", "updated_at", "versions"}

// actionBody is one step an institution asks for on its match
// (finzone.ActionInput).
type actionBody struct {
	Action            finzone.Action          `json:"action"`
	ReasonCode        string                  `json:"reason_code"`
	Note              string                  `json:"note"`
	AmountYuan        *int64                  `json:"amount_yuan"`
	RateBps           *int                    `json:"rate_bps"`
	LPRSpreadBps      *int                    `json:"lpr_spread_bps"`
	TermMonths        *int                    `json:"term_months"`
	GuaranteeMode     finzone.Collateral      `json:"guarantee_mode"`
	RepaymentMethod   finzone.RepaymentMethod `json:"repayment_method"`
	LeaseMode         finzone.LeaseMode       `json:"lease_mode"`
	CoverYuan         *int64                  `json:"cover_yuan"`
	FeeBps            *int                    `json:"fee_bps"`
	RiskSharePct      *int                    `json:"risk_share_pct"`
	TrancheAmountYuan *int64                  `json:"tranche_amount_yuan"`
	TrancheDate       *time.Time              `json:"tranche_date"`
}

// offerBody is the enterprise's answer to an offer (usecase.OfferInput).
type offerBody struct {
	Decision finzone.OfferDecision `json:"decision"`
	Note     string                `json:"note"`
}

// extendBody is a coordinator's extension (usecase.ExtendInput).
type extendBody struct {
	Days int    `json:"days"`
	Note string `json:"note"`
}

// noteBody is a coordinator's urging, or a bank withdrawing its
// syndicate commitment.
type noteBody struct {
	Note string `json:"note"`
}

// screenBody is a coordinator's screening (usecase.ScreenInput).
type screenBody struct {
	Decision finzone.ScreenDecision `json:"decision"`
	Note     string                 `json:"note"`
}

// assignBody is a coordinator's assignment (usecase.AssignInput).
type assignBody struct {
	InstitutionID string `json:"institution_id"`
	ProductID     string `json:"product_id"`
	Note          string `json:"note"`
}

// registerBody is a registration: the organization and its first user,
// each a JSON object decoded on its own so their field errors carry "org."
// and "user.".
type registerBody struct {
	Org  json.RawMessage `json:"org"`
	User json.RawMessage `json:"user"`
	// PrivacyConsent is the privacy notice's version the person agreed to.
	PrivacyConsent string `json:"privacy_consent"`
}

type registerOrgBody struct {
	Kind         finzone.OrgKind `json:"kind"`
	Name         string          `json:"name"`
	USCC         string          `json:"uscc"`
	RegionCode   string          `json:"region_code"`
	ClusterID    string          `json:"cluster_id"`
	IndustryCode string          `json:"industry_code"`
	Size         finzone.Size    `json:"size"`
}

type registerUserBody struct {
	Email    string `json:"email"`
	Password string `json:"password"`
	Name     string `json:"name"`
}

// The fields of a registration that only the platform sets.
var (
	orgReadOnly  = []string{"id", "verified", "verified_by", "verified_at", "created_at"}
	userReadOnly = []string{"id", "role", "platform_admin", "regions", "org_id", "password_hash"}
)

// signInBody is usecase.SignInInput.
type signInBody struct {
	Email    string `json:"email"`
	Password string `json:"password"`
}

// reviewBody is usecase.ReviewInput.
type reviewBody struct {
	Decision string `json:"decision"`
	Note     string `json:"note"`
}

// webhookBody is usecase.WebhookInput.
type webhookBody struct {
	URL string `json:"url"`
}

type readBody struct {
	IDs []string `json:"ids"`
}
