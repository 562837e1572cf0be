package finzone

import (
	"strings"
	"time"
)

// ProjectType is the kind of financing a project needs.
type ProjectType string

const (
	TypeIndustrialInfra   ProjectType = "industrial_infrastructure"
	TypeManufacturingLong ProjectType = "manufacturing_medium_long"
	TypeTechInnovation    ProjectType = "tech_innovation"
	TypeGreenLowCarbon    ProjectType = "green_low_carbon"
	TypeDigitalTransform  ProjectType = "digital_transformation"
	TypeWorkingCapital    ProjectType = "working_capital"
	TypeForeignTrade      ProjectType = "foreign_trade"
)

// ProjectTypes lists every project type.
var ProjectTypes = []ProjectType{TypeIndustrialInfra, TypeManufacturingLong, TypeTechInnovation,
	TypeGreenLowCarbon, TypeDigitalTransform, TypeWorkingCapital, TypeForeignTrade}

// Valid reports whether t is a known type.
func (t ProjectType) Valid() bool { return contains(ProjectTypes, t) }

// Collateral is a security or guarantee mode (担保方式).
type Collateral string

const (
	CollateralCredit           Collateral = "credit"            // 信用
	CollateralMortgage         Collateral = "mortgage"          // 抵押
	CollateralPledge           Collateral = "pledge"            // 质押
	CollateralGuarantee        Collateral = "guarantee"         // 保证
	CollateralGuaranteeCompany Collateral = "guarantee_company" // 担保公司
)

// Collaterals lists every mode.
var Collaterals = []Collateral{CollateralCredit, CollateralMortgage, CollateralPledge, CollateralGuarantee, CollateralGuaranteeCompany}

// Valid reports whether c is a known mode.
func (c Collateral) Valid() bool { return contains(Collaterals, c) }

// ProjectStatus is where a financing need stands.
type ProjectStatus string

const (
	ProjectDraft ProjectStatus = "draft"
	// ProjectScreening waits for a coordinator's screening before any push.
	ProjectScreening       ProjectStatus = "screening"
	ProjectSubmitted       ProjectStatus = "submitted"
	ProjectMatching        ProjectStatus = "matching"
	ProjectInProgress      ProjectStatus = "in_progress"
	ProjectPartiallyFunded ProjectStatus = "partially_funded"
	ProjectFunded          ProjectStatus = "funded"
	ProjectClosed          ProjectStatus = "closed"
	ProjectWithdrawn       ProjectStatus = "withdrawn"
)

// ProjectStatuses lists every status.
var ProjectStatuses = []ProjectStatus{ProjectDraft, ProjectScreening, ProjectSubmitted, ProjectMatching, ProjectInProgress,
	ProjectPartiallyFunded, ProjectFunded, ProjectClosed, ProjectWithdrawn}

// Valid reports whether s is a known status.
func (s ProjectStatus) Valid() bool { return contains(ProjectStatuses, s) }

// Bounds on what a project may ask for. The cap on amount keeps typos such as
// an extra six zeros from reaching banks.
const (
	MaxAmountYuan   int64 = 50_000_000_000 // ¥500亿
	MinAmountYuan   int64 = 10_000         // ¥1万
	MaxTermMonths         = 360
	MaxRateBps            = 3600 // 36%, the judicial protection ceiling for private lending
	maxPurposeRunes       = 2000
)

// Project is an enterprise's financing need.
type Project struct {
	ID                  string
	OwnerOrgID          string
	Title               string
	Type                ProjectType
	AmountYuan          int64
	TermMonths          int
	Purpose             string
	Collateral          []Collateral
	RateCeilingBps      int // 0: the enterprise states no ceiling
	TotalInvestmentYuan int64
	RegionCode          string
	ClusterID           string
	IndustryCode        string
	Green               bool
	Tech                bool
	// WantsInsurance: the enterprise asks for insurance cover (贷款保证保险),
	// so insurers are matched as enhancers.
	WantsInsurance bool
	// EnterpriseSize is copied from the owner when the project is created so
	// matching needs no join.
	EnterpriseSize Size
	Status         ProjectStatus
	// Exhausted marks a project with open 1+10 slots and nobody left to ask
	// (the waitlist ran dry): a catalogue change re-matches it.
	Exhausted bool
	// NeedsAttention marks an exhausted project with no lender (or no lead)
	// left working on it: coordinators are asked to help.
	NeedsAttention bool
	// EnhancersWanted: a lender asked for a guarantee or insurance cover.
	EnhancersWanted bool
	// Offers are the lenders' offers the enterprise accepted; their sum
	// never exceeds AmountYuan.
	Offers []AcceptedOffer
	// Screening: why the project needed it, when it is due, and when it
	// was escalated to the superior region.
	ScreenReason      string
	ScreenDueAt       time.Time
	ScreenEscalatedAt time.Time
	// Events are what coordinators and the platform did to the project.
	Events      []ProjectEvent
	CreatedAt   time.Time
	UpdatedAt   time.Time
	SubmittedAt time.Time
	WithdrawnAt time.Time
}

// Normalize trims user input in place.
func (p *Project) Normalize() {
	p.Title = strings.TrimSpace(p.Title)
	p.Purpose = strings.TrimSpace(p.Purpose)
	p.IndustryCode = strings.ToUpper(strings.TrimSpace(p.IndustryCode))
	p.RegionCode = strings.TrimSpace(p.RegionCode)
}

// Validate checks every field a client sets. Clusters are checked by the
// caller, which knows which exist.
func (p *Project) Validate() error {
	var pr Problems
	pr.Text("title", p.Title, true, 100)
	if p.Type == "" {
		pr.Add("project_type", FCRequired)
	} else if !p.Type.Valid() {
		pr.OneOf("project_type", Names(ProjectTypes))
	}
	pr.Range("amount_yuan", p.AmountYuan, MinAmountYuan, MaxAmountYuan)
	pr.Range("term_months", int64(p.TermMonths), 1, MaxTermMonths)
	pr.Text("purpose", p.Purpose, true, maxPurposeRunes)
	checkEnumList(&pr, "collateral", p.Collateral, true, Collaterals)
	pr.Range("rate_ceiling_bps", int64(p.RateCeilingBps), 0, MaxRateBps)
	if p.TotalInvestmentYuan != 0 {
		pr.Range("total_investment_yuan", p.TotalInvestmentYuan, p.AmountYuan, MaxAmountYuan*10)
	}
	if p.RegionCode == "" {
		pr.Add("region_code", FCRequired)
	} else if r, ok := LookupRegion(p.RegionCode); !ok || r.Kind == RegionProvince {
		pr.Add("region_code", FCUnknown)
	}
	if p.IndustryCode == "" {
		pr.Add("industry_code", FCRequired)
	} else if !ValidIndustryDivision(p.IndustryCode) {
		pr.Add("industry_code", FCInvalid)
	}
	return pr.Err()
}

// AcceptedOffer is one lender's offer the enterprise accepted.
type AcceptedOffer struct {
	MatchID       string
	InstitutionID string
	AmountYuan    int64
}

// ProjectEvent is one thing done to a project: screened, returned,
// assigned, escalated.
type ProjectEvent struct {
	At            time.Time
	Actor         string // a user ID, or "system"
	Action        string
	InstitutionID string
	ProductID     string
	Note          string
}

// EventAssign is the project event of a coordinator's assignment.
const EventAssign = "assign"

// AcceptedYuan sums the accepted offers.
func (p *Project) AcceptedYuan() int64 {
	var n int64
	for _, o := range p.Offers {
		n += o.AmountYuan
	}
	return n
}

// NeedMet reports whether accepted offers cover the amount asked for.
func (p *Project) NeedMet() bool { return p.AcceptedYuan() >= p.AmountYuan }

// EnhancerCategories are the kinds of credit enhancer the project needs:
// a guarantee firm when its collateral names one (担保公司), insurers when
// the enterprise asks for cover, either when a lender asked.
func (p *Project) EnhancerCategories() []ProductCategory {
	var out []ProductCategory
	if p.EnhancersWanted || contains(p.Collateral, CollateralGuaranteeCompany) {
		out = append(out, CategoryGuarantee)
	}
	if p.EnhancersWanted || p.WantsInsurance {
		out = append(out, CategoryInsurance)
	}
	return out
}

// ProjectChange is what one guarded write does to a project. Nil pointers
// and an empty status leave a field as it is.
type ProjectChange struct {
	To                ProjectStatus
	Offers            *[]AcceptedOffer
	EnhancersWanted   *bool
	ScreenReason      *string
	ScreenDueAt       *time.Time
	ScreenEscalatedAt *time.Time
	Event             *ProjectEvent
}

// Editable reports whether the owner may still change or delete the project.
func (p *Project) Editable() bool { return p.Status == ProjectDraft }

// WithdrawableStatuses are the statuses a project may be withdrawn from:
// submitted and still open to money.
var WithdrawableStatuses = []ProjectStatus{ProjectScreening, ProjectSubmitted, ProjectMatching, ProjectInProgress, ProjectPartiallyFunded}

// Withdrawable reports whether the owner may withdraw the project.
func (p *Project) Withdrawable() bool { return contains(WithdrawableStatuses, p.Status) }

// OwnerActions are what the owner may do to the project as it stands:
// edit, delete and submit a draft (the API's PATCH, DELETE and submit),
// withdraw a need still open to money.
func (p *Project) OwnerActions() []string {
	switch {
	case p.Editable():
		return []string{"edit", "delete", "submit"}
	case p.Withdrawable():
		return []string{"withdraw"}
	}
	return []string{}
}

// Refused is the invalid_state error of an owner's step the project does
// not allow now, with the steps it does.
func (p *Project) Refused(format string, args ...any) *Error {
	e := Errorf(ECInvalidState, format, args...)
	e.Allowed = p.OwnerActions()
	return e
}

func contains[T comparable](list []T, v T) bool {
	for _, x := range list {
		if x == v {
			return true
		}
	}
	return false
}

// NeedsHelp is the coordinators' flag of a project whose last fill found
// open slots and nobody left to ask: it needs help when no lender, or no
// lead, is left working on it. One with lenders at work is only short of
// partners, which a catalogue change may fill.
func NeedsHelp(exhausted bool, liveLenders int, hasLead bool) bool {
	return exhausted && (liveLenders == 0 || !hasLead)
}
