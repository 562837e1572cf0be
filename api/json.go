package api

import (
	"time"

	"finzone"
)

// The JSON shapes clients see. Converters are named toXJSON; field names are
// snake_case, money is integer yuan, and lists are [] when empty, never null.

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

// sessionJSON answers a sign-in (with the new token) and /me (without);
// platform admins belong to no organization, so have none.
type sessionJSON struct {
	Token string   `json:"token,omitempty"`
	User  userJSON `json:"user"`
	Org   *orgJSON `json:"org,omitempty"`
}

func toSessionJSON(token string, u finzone.User, o finzone.Organization) sessionJSON {
	out := sessionJSON{Token: token, User: toUserJSON(u)}
	if o.ID != "" {
		org := toOrgJSON(o)
		out.Org = &org
	}
	return out
}

type projectJSON struct {
	ID                  string   `json:"id"`
	OwnerOrgID          string   `json:"owner_org_id"`
	Title               string   `json:"title"`
	ProjectType         string   `json:"project_type"`
	AmountYuan          int64    `json:"amount_yuan"`
	TermMonths          int      `json:"term_months"`
	Purpose             string   `json:"purpose"`
	Collateral          []string `json:"collateral"`
	RateCeilingBps      int      `json:"rate_ceiling_bps"`
	TotalInvestmentYuan int64    `json:"total_investment_yuan"`
	RegionCode          string   `json:"region_code"`
	ClusterID           string   `json:"cluster_id"`
	IndustryCode        string   `json:"industry_code"`
	Green               bool     `json:"green"`
	Tech                bool     `json:"tech"`
	WantsInsurance      bool     `json:"wants_insurance"`
	EnterpriseSize      string   `json:"enterprise_size"`
	Wanbei              bool     `json:"wanbei"`
	Status              string   `json:"status"`
	NeedsAttention      bool     `json:"needs_attention"`
	EnhancersWanted     bool     `json:"enhancers_wanted"`
	// Offers are the accepted offers; AcceptedYuan their sum, which never
	// exceeds AmountYuan.
	Offers            []acceptedJSON     `json:"offers"`
	AcceptedYuan      int64              `json:"accepted_yuan"`
	ScreenReason      string             `json:"screen_reason,omitempty"`
	ScreenDueAt       *time.Time         `json:"screen_due_at,omitempty"`
	ScreenEscalatedAt *time.Time         `json:"screen_escalated_at,omitempty"`
	Events            []projectEventJSON `json:"events"`
	CreatedAt         time.Time          `json:"created_at"`
	UpdatedAt         time.Time          `json:"updated_at"`
	SubmittedAt       *time.Time         `json:"submitted_at,omitempty"`
	WithdrawnAt       *time.Time         `json:"withdrawn_at,omitempty"`

	// EnterpriseVerified: a coordinator has verified the owner (its credit
	// code may otherwise be someone else's).
	EnterpriseVerified bool `json:"enterprise_verified"`
}

type acceptedJSON struct {
	MatchID       string `json:"match_id"`
	InstitutionID string `json:"institution_id"`
	AmountYuan    int64  `json:"amount_yuan"`
}

type projectEventJSON struct {
	At            time.Time `json:"at"`
	Actor         string    `json:"actor"`
	Action        string    `json:"action"`
	InstitutionID string    `json:"institution_id,omitempty"`
	ProductID     string    `json:"product_id,omitempty"`
	Note          string    `json:"note,omitempty"`
}

func toProjectJSON(p finzone.Project) projectJSON {
	r, _ := finzone.LookupRegion(p.RegionCode)
	out := projectJSON{WantsInsurance: p.WantsInsurance, EnhancersWanted: p.EnhancersWanted, AcceptedYuan: p.AcceptedYuan(),
		ScreenReason: p.ScreenReason, ScreenDueAt: timePtr(p.ScreenDueAt), ScreenEscalatedAt: timePtr(p.ScreenEscalatedAt),
		Offers: []acceptedJSON{}, Events: []projectEventJSON{}, ID: p.ID, OwnerOrgID: p.OwnerOrgID, Title: p.Title, ProjectType: string(p.Type),
		AmountYuan: p.AmountYuan, TermMonths: p.TermMonths, Purpose: p.Purpose, Collateral: strs(p.Collateral),
		RateCeilingBps: p.RateCeilingBps, TotalInvestmentYuan: p.TotalInvestmentYuan, RegionCode: p.RegionCode,
		ClusterID: p.ClusterID, IndustryCode: p.IndustryCode, Green: p.Green, Tech: p.Tech,
		EnterpriseSize: string(p.EnterpriseSize), Wanbei: r.Wanbei, Status: string(p.Status), NeedsAttention: p.NeedsAttention, CreatedAt: p.CreatedAt,
		UpdatedAt: p.UpdatedAt, SubmittedAt: timePtr(p.SubmittedAt), WithdrawnAt: timePtr(p.WithdrawnAt)}
	for _, o := range p.Offers {
		out.Offers = append(out.Offers, acceptedJSON(o))
	}
	for _, e := range p.Events {
		out.Events = append(out.Events, projectEventJSON(e))
	}
	return out
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

type componentJSON struct {
	Name  string  `json:"name"`
	Value float64 `json:"value"`
}

type eventJSON struct {
	At     time.Time `json:"at"`
	Actor  string    `json:"actor"`
	Action string    `json:"action"`
	From   string    `json:"from,omitempty"`
	To     string    `json:"to"`
	Note   string    `json:"note,omitempty"`
}

type trancheJSON struct {
	AmountYuan int64     `json:"amount_yuan"`
	Date       time.Time `json:"date"`
}

type matchJSON struct {
	ID                string          `json:"id"`
	ProjectID         string          `json:"project_id"`
	ProjectTitle      string          `json:"project_title"`
	ProjectAmountYuan int64           `json:"project_amount_yuan"`
	RegionCode        string          `json:"region_code"`
	InstitutionID     string          `json:"institution_id"`
	ProductID         string          `json:"product_id"`
	ProductVersion    int             `json:"product_version"`
	Role              string          `json:"role"`
	Rank              int             `json:"rank"`
	Stage             string          `json:"stage"`
	DueAt             *time.Time      `json:"due_at"`
	Overdue           bool            `json:"overdue"`
	Score             float64         `json:"score"`
	Components        []componentJSON `json:"components"`
	Category          string          `json:"category,omitempty"`
	Offer             *offerJSON      `json:"offer,omitempty"`
	Cover             *coverJSON      `json:"cover,omitempty"`
	Paused            *pauseJSON      `json:"paused,omitempty"`
	EscalatedAt       *time.Time      `json:"escalated_at,omitempty"`
	ExtendedIn        string          `json:"extended_in,omitempty"`
	UrgedAt           *time.Time      `json:"urged_at,omitempty"`
	Urges             int             `json:"urges"`
	Tranches          []trancheJSON   `json:"tranches"`
	DisbursedYuan     int64           `json:"disbursed_yuan"`
	DeclineReason     string          `json:"decline_reason,omitempty"`
	DeclineNote       string          `json:"decline_note,omitempty"`
	Read              bool            `json:"read"`
	AllowedActions    []string        `json:"allowed_actions"`
	Events            []eventJSON     `json:"events,omitempty"`
	CreatedAt         time.Time       `json:"created_at"`
	UpdatedAt         time.Time       `json:"updated_at"`

	// EnterpriseVerified: a coordinator has verified the project's owner.
	EnterpriseVerified bool `json:"enterprise_verified"`
}

// toMatchJSON renders a match as actor a sees it at now: allowed actions
// only for the institution that may take them, events only when asked.
func toMatchJSON(m finzone.Match, a finzone.Actor, now time.Time, withEvents bool) matchJSON {
	out := matchJSON{ID: m.ID, ProjectID: m.ProjectID, ProjectTitle: m.ProjectTitle, ProjectAmountYuan: m.ProjectAmountYuan,
		RegionCode: m.RegionCode, InstitutionID: m.InstitutionID, ProductID: m.ProductID, ProductVersion: m.ProductVersion,
		Role: string(m.Role), Rank: m.Rank, Stage: string(m.Stage), DueAt: timePtr(m.DueAt), Overdue: m.Overdue(now),
		Score: m.Score, Category: string(m.Category), EscalatedAt: timePtr(m.EscalatedAt), ExtendedIn: string(m.ExtendedIn),
		UrgedAt: timePtr(m.UrgedAt), Urges: m.Urges, Offer: toOfferJSON(m.Offer), Cover: toCoverJSON(m.Cover), DisbursedYuan: m.DisbursedYuan(), DeclineReason: m.DeclineReason,
		DeclineNote: m.DeclineNote, Read: m.Read, CreatedAt: m.CreatedAt, UpdatedAt: m.UpdatedAt,
		Components: []componentJSON{}, Tranches: []trancheJSON{}, AllowedActions: []string{}}
	for _, c := range m.Components {
		out.Components = append(out.Components, componentJSON{Name: c.Name, Value: c.Value})
	}
	for _, t := range m.Tranches {
		out.Tranches = append(out.Tranches, trancheJSON{AmountYuan: t.AmountYuan, Date: t.Date})
	}
	if !m.Pause.At.IsZero() {
		out.Paused = &pauseJSON{Since: m.Pause.At, Note: m.Pause.Note, LeftSeconds: int64(m.Pause.Left.Seconds())}
	}
	if a.CanActOnMatch(m) {
		out.AllowedActions = strs(m.Actions())
	}
	if withEvents {
		for _, e := range m.Events {
			out.Events = append(out.Events, eventJSON{At: e.At, Actor: e.Actor, Action: e.Action, From: string(e.From), To: string(e.To), Note: e.Note})
		}
	}
	return out
}

// offerJSON is a lender's offer: rate_bps is the rate in force (the LPR
// plus the spread when lpr_bps is set).
type offerJSON struct {
	AmountYuan      int64      `json:"amount_yuan"`
	RateBps         int        `json:"rate_bps"`
	LPRBps          int        `json:"lpr_bps,omitempty"`
	LPRSpreadBps    *int       `json:"lpr_spread_bps,omitempty"`
	TermMonths      int        `json:"term_months"`
	GuaranteeMode   string     `json:"guarantee_mode"`
	RepaymentMethod string     `json:"repayment_method,omitempty"`
	LeaseMode       string     `json:"lease_mode,omitempty"`
	Status          string     `json:"status"`
	DecidedAt       *time.Time `json:"decided_at,omitempty"`
	Note            string     `json:"note,omitempty"`
}

func toOfferJSON(o finzone.Offer) *offerJSON {
	if o.Status == finzone.OfferNone {
		return nil
	}
	out := &offerJSON{AmountYuan: o.AmountYuan, RateBps: o.RateBps, LPRBps: o.LPRBps, TermMonths: o.TermMonths,
		GuaranteeMode: string(o.GuaranteeMode), RepaymentMethod: string(o.RepaymentMethod), LeaseMode: string(o.LeaseMode),
		Status: string(o.Status), DecidedAt: timePtr(o.DecidedAt), Note: o.Note}
	if o.LPRBps != 0 {
		out.LPRSpreadBps = &o.LPRSpreadBps
	}
	return out
}

type coverJSON struct {
	CoverYuan    int64 `json:"cover_yuan"`
	FeeBps       int   `json:"fee_bps"`
	RiskSharePct int   `json:"risk_share_pct"`
}

func toCoverJSON(c finzone.Cover) *coverJSON {
	if c == (finzone.Cover{}) {
		return nil
	}
	out := coverJSON(c)
	return &out
}

// pauseJSON is a stopped clock: since when, why, and the working time left.
type pauseJSON struct {
	Since       time.Time `json:"since"`
	Note        string    `json:"note"`
	LeftSeconds int64     `json:"left_seconds"`
}

type notificationJSON struct {
	ID        string    `json:"id"`
	Kind      string    `json:"kind"`
	ProjectID string    `json:"project_id"`
	MatchID   string    `json:"match_id,omitempty"`
	Stage     string    `json:"stage,omitempty"`
	Text      string    `json:"text"`
	Read      bool      `json:"read"`
	CreatedAt time.Time `json:"created_at"`
}

// toNotificationJSON renders a notice with its text, already in the
// reader's language.
func toNotificationJSON(n finzone.Notification, text string) notificationJSON {
	return notificationJSON{ID: n.ID, Kind: n.Kind, ProjectID: n.ProjectID, MatchID: n.MatchID, Stage: string(n.Stage),
		Text: text, Read: n.Read, CreatedAt: n.CreatedAt}
}

type deliveryJSON struct {
	ID             string    `json:"id"`
	NotificationID string    `json:"notification_id"`
	URL            string    `json:"url"`
	Status         string    `json:"status"`
	Attempts       int       `json:"attempts"`
	LastStatusCode int       `json:"last_status_code,omitempty"`
	LastError      string    `json:"last_error,omitempty"`
	CreatedAt      time.Time `json:"created_at"`
	UpdatedAt      time.Time `json:"updated_at"`
}

func toDeliveryJSON(d finzone.Delivery) deliveryJSON {
	return deliveryJSON{ID: d.ID, NotificationID: d.NotificationID, URL: d.URL, Status: d.Status, Attempts: d.Attempts,
		LastStatusCode: d.LastStatusCode, LastError: d.LastError, CreatedAt: d.CreatedAt, UpdatedAt: d.UpdatedAt}
}

type clusterJSON struct {
	ID              string `json:"id"`
	Name            string `json:"name"`
	NameEN          string `json:"name_en"`
	CountyCode      string `json:"county_code"`
	LeadingIndustry string `json:"leading_industry"`
	Wanbei          bool   `json:"wanbei"`
	Dabieshan       bool   `json:"dabieshan"`
}

func toClusterJSON(cl finzone.Cluster) clusterJSON {
	r, _ := finzone.LookupRegion(cl.CountyCode)
	return clusterJSON{ID: cl.ID, Name: cl.Name, NameEN: cl.NameEN, CountyCode: cl.CountyCode,
		LeadingIndustry: cl.LeadingIndustry, Wanbei: r.Wanbei, Dabieshan: r.Dabie}
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

// toListJSON is a page of a list, each item converted; an empty page has
// [] items, never null.
func toListJSON[T, J any](items []T, next string, conv func(T) J) listJSON[J] {
	return listJSON[J]{Items: toSlice(items, conv), Next: next}
}

func toSlice[T, J any](items []T, conv func(T) J) []J {
	out := make([]J, len(items))
	for i, v := range items {
		out[i] = conv(v)
	}
	return out
}
