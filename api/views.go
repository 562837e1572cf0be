package api

import (
	"time"

	"finzone"
)

// The JSON shapes clients see. Converters are named toXJSON; field names are
// snake_case and money is integer yuan.

type userJSON struct {
	ID            string   `json:"id"`
	Email         string   `json:"email"`
	Name          string   `json:"name"`
	OrgID         string   `json:"org_id,omitempty"`
	Role          string   `json:"role"`
	PlatformAdmin bool     `json:"platform_admin"`
	Regions       []string `json:"regions"`
}

func toUserJSON(u finzone.User) userJSON {
	regions := u.Regions
	if regions == nil {
		regions = []string{}
	}
	return userJSON{ID: u.ID, Email: u.Email, Name: u.Name, OrgID: u.OrgID, Role: string(u.Role),
		PlatformAdmin: u.PlatformAdmin, Regions: regions}
}

type orgJSON struct {
	ID           string     `json:"id"`
	Kind         string     `json:"kind"`
	Name         string     `json:"name"`
	USCC         string     `json:"uscc"`
	RegionCode   string     `json:"region_code"`
	ClusterID    string     `json:"cluster_id,omitempty"`
	IndustryCode string     `json:"industry_code,omitempty"`
	Size         string     `json:"size,omitempty"`
	Verified     bool       `json:"verified"`
	VerifiedAt   *time.Time `json:"verified_at,omitempty"`
	CreatedAt    time.Time  `json:"created_at"`
}

func toOrgJSON(o finzone.Organization) orgJSON {
	return orgJSON{ID: o.ID, Kind: string(o.Kind), Name: o.Name, USCC: o.USCC, RegionCode: o.RegionCode,
		ClusterID: o.ClusterID, IndustryCode: o.IndustryCode, Size: string(o.Size), Verified: o.Verified,
		VerifiedAt: timePtr(o.VerifiedAt), CreatedAt: o.CreatedAt}
}

type projectJSON struct {
	ID                  string     `json:"id"`
	OwnerOrgID          string     `json:"owner_org_id"`
	Title               string     `json:"title"`
	ProjectType         string     `json:"project_type"`
	AmountYuan          int64      `json:"amount_yuan"`
	TermMonths          int        `json:"term_months"`
	Purpose             string     `json:"purpose"`
	Collateral          []string   `json:"collateral"`
	RateCeilingBps      int        `json:"rate_ceiling_bps"`
	TotalInvestmentYuan int64      `json:"total_investment_yuan"`
	RegionCode          string     `json:"region_code"`
	ClusterID           string     `json:"cluster_id"`
	IndustryCode        string     `json:"industry_code"`
	Green               bool       `json:"green"`
	Tech                bool       `json:"tech"`
	EnterpriseSize      string     `json:"enterprise_size"`
	Wanbei              bool       `json:"wanbei"`
	Status              string     `json:"status"`
	NeedsAttention      bool       `json:"needs_attention"`
	CreatedAt           time.Time  `json:"created_at"`
	UpdatedAt           time.Time  `json:"updated_at"`
	SubmittedAt         *time.Time `json:"submitted_at,omitempty"`
	WithdrawnAt         *time.Time `json:"withdrawn_at,omitempty"`
}

func toProjectJSON(p finzone.Project) projectJSON {
	r, _ := finzone.LookupRegion(p.RegionCode)
	return projectJSON{ID: p.ID, OwnerOrgID: p.OwnerOrgID, Title: p.Title, ProjectType: string(p.Type),
		AmountYuan: p.AmountYuan, TermMonths: p.TermMonths, Purpose: p.Purpose, Collateral: strs(p.Collateral),
		RateCeilingBps: p.RateCeilingBps, TotalInvestmentYuan: p.TotalInvestmentYuan, RegionCode: p.RegionCode,
		ClusterID: p.ClusterID, IndustryCode: p.IndustryCode, Green: p.Green, Tech: p.Tech,
		EnterpriseSize: string(p.EnterpriseSize), Wanbei: r.Wanbei, Status: string(p.Status), NeedsAttention: p.NeedsAttention, CreatedAt: p.CreatedAt,
		UpdatedAt: p.UpdatedAt, SubmittedAt: timePtr(p.SubmittedAt), WithdrawnAt: timePtr(p.WithdrawnAt)}
}

// projectInput is what a client may set on a project; nil means "not given".
type projectInput struct {
	Title               *string   `json:"title"`
	ProjectType         *string   `json:"project_type"`
	AmountYuan          *int64    `json:"amount_yuan"`
	TermMonths          *int      `json:"term_months"`
	Purpose             *string   `json:"purpose"`
	Collateral          *[]string `json:"collateral"`
	RateCeilingBps      *int      `json:"rate_ceiling_bps"`
	TotalInvestmentYuan *int64    `json:"total_investment_yuan"`
	RegionCode          *string   `json:"region_code"`
	ClusterID           *string   `json:"cluster_id"`
	IndustryCode        *string   `json:"industry_code"`
	Green               *bool     `json:"green"`
	Tech                *bool     `json:"tech"`
}

var projectReadOnly = []string{"id", "owner_org_id", "status", "needs_attention", "enterprise_size", "wanbei", "created_at",
	"updated_at", "submitted_at", "withdrawn_at"}

func (in projectInput) apply(p *finzone.Project) {
	set(&p.Title, in.Title)
	if in.ProjectType != nil {
		p.Type = finzone.ProjectType(*in.ProjectType)
	}
	set(&p.AmountYuan, in.AmountYuan)
	set(&p.TermMonths, in.TermMonths)
	set(&p.Purpose, in.Purpose)
	if in.Collateral != nil {
		p.Collateral = typed[finzone.Collateral](*in.Collateral)
	}
	set(&p.RateCeilingBps, in.RateCeilingBps)
	set(&p.TotalInvestmentYuan, in.TotalInvestmentYuan)
	set(&p.RegionCode, in.RegionCode)
	set(&p.ClusterID, in.ClusterID)
	set(&p.IndustryCode, in.IndustryCode)
	set(&p.Green, in.Green)
	set(&p.Tech, in.Tech)
}

type productJSON struct {
	ID               string     `json:"id"`
	Version          int        `json:"version"`
	OwnerOrgID       string     `json:"owner_org_id"`
	Name             string     `json:"name"`
	Category         string     `json:"category"`
	Description      string     `json:"description"`
	AmountMinYuan    int64      `json:"amount_min_yuan"`
	AmountMaxYuan    int64      `json:"amount_max_yuan"`
	TermMinMonths    int        `json:"term_min_months"`
	TermMaxMonths    int        `json:"term_max_months"`
	RateFloorBps     int        `json:"rate_floor_bps"`
	RateCeilingBps   int        `json:"rate_ceiling_bps"`
	ProjectTypes     []string   `json:"project_types"`
	IndustryInclude  []string   `json:"industry_include"`
	IndustryExclude  []string   `json:"industry_exclude"`
	Regions          []string   `json:"regions"`
	Collateral       []string   `json:"collateral"`
	Sizes            []string   `json:"sizes"`
	CanLeadSyndicate bool       `json:"can_lead_syndicate"`
	MaxTicketYuan    int64      `json:"max_ticket_yuan"`
	CapacityYuan     int64      `json:"capacity_yuan"`
	ValidFrom        time.Time  `json:"valid_from"`
	ValidTo          time.Time  `json:"valid_to"`
	Status           string     `json:"status"`
	ReviewedBy       string     `json:"reviewed_by,omitempty"`
	ReviewNote       string     `json:"review_note,omitempty"`
	ReviewedAt       *time.Time `json:"reviewed_at,omitempty"`
	CreatedAt        time.Time  `json:"created_at"`
	UpdatedAt        time.Time  `json:"updated_at"`
	// Versions summarises every version for those who may see them all.
	Versions []versionJSON `json:"versions,omitempty"`
}

type versionJSON struct {
	Version   int       `json:"version"`
	Status    string    `json:"status"`
	UpdatedAt time.Time `json:"updated_at"`
}

func toProductJSON(p finzone.Product) productJSON {
	return productJSON{ID: p.ID, Version: p.Version, OwnerOrgID: p.OwnerOrgID, Name: p.Name,
		Category: string(p.Category), Description: p.Description, AmountMinYuan: p.AmountMinYuan,
		AmountMaxYuan: p.AmountMaxYuan, TermMinMonths: p.TermMinMonths, TermMaxMonths: p.TermMaxMonths,
		RateFloorBps: p.RateFloorBps, RateCeilingBps: p.RateCeilingBps, ProjectTypes: strs(p.ProjectTypes),
		IndustryInclude: nonNil(p.IndustryInclude), IndustryExclude: nonNil(p.IndustryExclude),
		Regions: nonNil(p.Regions), Collateral: strs(p.Collateral), Sizes: strs(p.Sizes),
		CanLeadSyndicate: p.CanLeadSyndicate, MaxTicketYuan: p.MaxTicketYuan, CapacityYuan: p.CapacityYuan,
		ValidFrom: p.ValidFrom, ValidTo: p.ValidTo, Status: string(p.Status), ReviewedBy: p.ReviewedBy,
		ReviewNote: p.ReviewNote, ReviewedAt: timePtr(p.ReviewedAt), CreatedAt: p.CreatedAt, UpdatedAt: p.UpdatedAt}
}

// productInput is what an institution may set on a product.
type productInput struct {
	Name             *string    `json:"name"`
	Category         *string    `json:"category"`
	Description      *string    `json:"description"`
	AmountMinYuan    *int64     `json:"amount_min_yuan"`
	AmountMaxYuan    *int64     `json:"amount_max_yuan"`
	TermMinMonths    *int       `json:"term_min_months"`
	TermMaxMonths    *int       `json:"term_max_months"`
	RateFloorBps     *int       `json:"rate_floor_bps"`
	RateCeilingBps   *int       `json:"rate_ceiling_bps"`
	ProjectTypes     *[]string  `json:"project_types"`
	IndustryInclude  *[]string  `json:"industry_include"`
	IndustryExclude  *[]string  `json:"industry_exclude"`
	Regions          *[]string  `json:"regions"`
	Collateral       *[]string  `json:"collateral"`
	Sizes            *[]string  `json:"sizes"`
	CanLeadSyndicate *bool      `json:"can_lead_syndicate"`
	MaxTicketYuan    *int64     `json:"max_ticket_yuan"`
	CapacityYuan     *int64     `json:"capacity_yuan"`
	ValidFrom        *time.Time `json:"valid_from"`
	ValidTo          *time.Time `json:"valid_to"`
}

var productReadOnly = []string{"id", "version", "owner_org_id", "status", "reviewed_by", "review_note",
	"reviewed_at", "created_at", "updated_at", "versions"}

func (in productInput) apply(p *finzone.Product) {
	set(&p.Name, in.Name)
	if in.Category != nil {
		p.Category = finzone.ProductCategory(*in.Category)
	}
	set(&p.Description, in.Description)
	set(&p.AmountMinYuan, in.AmountMinYuan)
	set(&p.AmountMaxYuan, in.AmountMaxYuan)
	set(&p.TermMinMonths, in.TermMinMonths)
	set(&p.TermMaxMonths, in.TermMaxMonths)
	set(&p.RateFloorBps, in.RateFloorBps)
	set(&p.RateCeilingBps, in.RateCeilingBps)
	if in.ProjectTypes != nil {
		p.ProjectTypes = typed[finzone.ProjectType](*in.ProjectTypes)
	}
	set(&p.IndustryInclude, in.IndustryInclude)
	set(&p.IndustryExclude, in.IndustryExclude)
	set(&p.Regions, in.Regions)
	if in.Collateral != nil {
		p.Collateral = typed[finzone.Collateral](*in.Collateral)
	}
	if in.Sizes != nil {
		p.Sizes = typed[finzone.Size](*in.Sizes)
	}
	set(&p.CanLeadSyndicate, in.CanLeadSyndicate)
	set(&p.MaxTicketYuan, in.MaxTicketYuan)
	set(&p.CapacityYuan, in.CapacityYuan)
	set(&p.ValidFrom, in.ValidFrom)
	set(&p.ValidTo, in.ValidTo)
}

func set[T any](dst *T, v *T) {
	if v != nil {
		*dst = *v
	}
}

func timePtr(t time.Time) *time.Time {
	if t.IsZero() {
		return nil
	}
	return &t
}

func strs[T ~string](list []T) []string {
	out := make([]string, len(list))
	for i, v := range list {
		out[i] = string(v)
	}
	return out
}

func typed[T ~string](list []string) []T {
	out := make([]T, len(list))
	for i, v := range list {
		out[i] = T(v)
	}
	return out
}

func nonNil(list []string) []string {
	if list == nil {
		return []string{}
	}
	return list
}

// listJSON is every list's envelope.
type listJSON[T any] struct {
	Items []T    `json:"items"`
	Next  string `json:"next"`
}
