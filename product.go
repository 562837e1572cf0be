package finzone

import (
	"strings"
	"time"
)

// ProductCategory is what kind of financing a product offers.
type ProductCategory string

const (
	CategoryLoan           ProductCategory = "loan"
	CategorySyndicatedLoan ProductCategory = "syndicated_loan"
	CategoryLeasing        ProductCategory = "leasing"
	CategoryInsurance      ProductCategory = "insurance"
	CategoryGuarantee      ProductCategory = "guarantee"
)

// ProductCategories lists every category.
var ProductCategories = []ProductCategory{CategoryLoan, CategorySyndicatedLoan, CategoryLeasing, CategoryInsurance, CategoryGuarantee}

// Valid reports whether c is a known category.
func (c ProductCategory) Valid() bool { return contains(ProductCategories, c) }

// Lends reports whether products of this category provide financing and so
// fill the 1+10 lender slots: loans, syndicated loans and leasing.
// Guarantees and insurance enhance a lender's credit instead; they are
// matched as enhancers beside the 1+10 and never count as money provided.
func (c ProductCategory) Lends() bool {
	return c == CategoryLoan || c == CategorySyndicatedLoan || c == CategoryLeasing
}

// ReviewStatus is where one version of a product stands in review.
type ReviewStatus string

const (
	ReviewDraft     ReviewStatus = "draft"
	ReviewPending   ReviewStatus = "pending_review"
	ReviewPublished ReviewStatus = "published"
	ReviewRejected  ReviewStatus = "rejected"
	// ReviewSuperseded marks a published version replaced by a newer published
	// one. It stays readable so matches made against it can be explained.
	ReviewSuperseded ReviewStatus = "superseded"
)

// ReviewStatuses lists every status.
var ReviewStatuses = []ReviewStatus{ReviewDraft, ReviewPending, ReviewPublished, ReviewRejected, ReviewSuperseded}

// Valid reports whether s is a known status.
func (s ReviewStatus) Valid() bool { return contains(ReviewStatuses, s) }

// Product is one version of an institution's financing product. ID is stable
// across versions; (ID, Version) is unique. Editing a published version makes
// a new draft version and leaves the published one live until the new one is
// approved.
type Product struct {
	ID             string
	Version        int
	OwnerOrgID     string
	Name           string
	Category       ProductCategory
	Description    string
	AmountMinYuan  int64
	AmountMaxYuan  int64
	TermMinMonths  int
	TermMaxMonths  int
	RateFloorBps   int
	RateCeilingBps int
	ProjectTypes   []ProjectType
	// IndustryInclude empty means every industry; prefixes per GB/T 4754.
	IndustryInclude []string
	IndustryExclude []string
	// Regions are the division codes served: a county, a city (all its
	// counties) or the province.
	Regions          []string
	Collateral       []Collateral
	Sizes            []Size
	CanLeadSyndicate bool
	// MaxTicketYuan is the most this institution takes in one syndicate; 0
	// means AmountMaxYuan.
	MaxTicketYuan int64
	CapacityYuan  int64
	ValidFrom     time.Time
	ValidTo       time.Time
	Status        ReviewStatus
	ReviewedBy    string
	ReviewNote    string
	ReviewedAt    time.Time
	CreatedAt     time.Time
	UpdatedAt     time.Time
}

// Normalize trims user input in place.
func (p *Product) Normalize() {
	p.Name = strings.TrimSpace(p.Name)
	p.Description = strings.TrimSpace(p.Description)
	for i := range p.IndustryInclude {
		p.IndustryInclude[i] = strings.ToUpper(strings.TrimSpace(p.IndustryInclude[i]))
	}
	for i := range p.IndustryExclude {
		p.IndustryExclude[i] = strings.ToUpper(strings.TrimSpace(p.IndustryExclude[i]))
	}
}

// Ticket is the most the product lends into one syndicate.
func (p *Product) Ticket() int64 {
	if p.MaxTicketYuan > 0 {
		return p.MaxTicketYuan
	}
	return p.AmountMaxYuan
}

// Validate checks every field an institution sets.
func (p *Product) Validate() error {
	var pr Problems
	pr.Text("name", p.Name, true, 100)
	pr.Text("description", p.Description, false, 4000)
	if p.Category == "" {
		pr.Add("category", FCRequired)
	} else if !p.Category.Valid() {
		pr.OneOf("category", Names(ProductCategories))
	}
	pr.Range("amount_min_yuan", p.AmountMinYuan, MinAmountYuan, MaxAmountYuan)
	pr.Range("amount_max_yuan", p.AmountMaxYuan, MinAmountYuan, MaxAmountYuan)
	if p.AmountMinYuan > p.AmountMaxYuan {
		pr.Add("amount_min_yuan", FCOrder)
	}
	pr.Range("term_min_months", int64(p.TermMinMonths), 1, MaxTermMonths)
	pr.Range("term_max_months", int64(p.TermMaxMonths), 1, MaxTermMonths)
	if p.TermMinMonths > p.TermMaxMonths {
		pr.Add("term_min_months", FCOrder)
	}
	pr.Range("rate_floor_bps", int64(p.RateFloorBps), 0, MaxRateBps)
	pr.Range("rate_ceiling_bps", int64(p.RateCeilingBps), 0, MaxRateBps)
	if p.RateFloorBps > p.RateCeilingBps {
		pr.Add("rate_floor_bps", FCOrder)
	}
	checkEnumList(&pr, "project_types", p.ProjectTypes, true, ProjectTypes)
	checkList(&pr, "industry_include", p.IndustryInclude, false, FCInvalid, ValidIndustryPrefix)
	checkList(&pr, "industry_exclude", p.IndustryExclude, false, FCInvalid, ValidIndustryPrefix)
	checkList(&pr, "regions", p.Regions, true, FCUnknown, func(r string) bool { _, ok := LookupRegion(r); return ok })
	checkEnumList(&pr, "collateral", p.Collateral, true, Collaterals)
	checkEnumList(&pr, "sizes", p.Sizes, true, Sizes)
	if p.MaxTicketYuan != 0 {
		pr.Range("max_ticket_yuan", p.MaxTicketYuan, MinAmountYuan, MaxAmountYuan)
	}
	pr.Range("capacity_yuan", p.CapacityYuan, 0, MaxAmountYuan*10)
	if p.ValidFrom.IsZero() {
		pr.Add("valid_from", FCRequired)
	}
	if p.ValidTo.IsZero() {
		pr.Add("valid_to", FCRequired)
	}
	if !p.ValidFrom.IsZero() && !p.ValidTo.IsZero() && !p.ValidTo.After(p.ValidFrom) {
		pr.Add("valid_to", FCOrder)
	}
	return pr.Err()
}

// Editable reports whether the version can be changed in place. Published
// and superseded versions are never overwritten: an edit makes a new version.
func (p *Product) Editable() bool { return p.Status == ReviewDraft || p.Status == ReviewRejected }

// Revise applies an owner's edit to the newest version head: a draft or
// rejected version changes in place (and is a draft again); a published or
// superseded one is never overwritten: the edit becomes the next version, a
// draft, and the published version stays live until that one is approved.
// A version in review cannot change. newVersion says which happened.
func (head Product) Revise(edited Product) (next Product, newVersion bool, err error) {
	next = edited
	next.ID, next.OwnerOrgID, next.Version, next.Status = head.ID, head.OwnerOrgID, head.Version, ReviewDraft
	switch head.Status {
	case ReviewDraft, ReviewRejected:
	case ReviewPublished, ReviewSuperseded:
		newVersion = true
		next.Version = head.Version + 1
		next.ReviewedBy, next.ReviewNote, next.ReviewedAt = "", "", time.Time{}
		next.CreatedAt, next.UpdatedAt = time.Time{}, time.Time{}
	default:
		return Product{}, false, Errorf(ECInvalidState, "a version in review cannot be edited")
	}
	next.Normalize()
	if err := next.Validate(); err != nil {
		return Product{}, false, err
	}
	return next, newVersion, nil
}

// SendForReview moves a draft or rejected version, complete, to review.
func (p Product) SendForReview() (Product, error) {
	if !p.Editable() {
		return Product{}, Errorf(ECInvalidState, "a %s version cannot be sent for review", p.Status)
	}
	if err := p.Validate(); err != nil {
		return Product{}, err
	}
	p.Status = ReviewPending
	return p, nil
}

// maxReviewNote bounds a reviewer's note.
const maxReviewNote = 1000

// Review is a coordinator's decision on the version in review: "approve"
// publishes it, "reject" returns it to the owner and must say why in the
// note. Who may review is the caller's check (Actor.CanReviewProduct).
func (p Product) Review(decision, note, by string, at time.Time) (Product, error) {
	from, note := p.Status, strings.TrimSpace(note)
	var probs Problems
	switch decision {
	case "approve":
		p.Status = ReviewPublished
	case "reject":
		p.Status = ReviewRejected
		if note == "" {
			probs.Add("note", FCRequired)
		}
	case "":
		probs.Add("decision", FCRequired)
	default:
		probs.OneOf("decision", []string{"approve", "reject"})
	}
	probs.Text("note", note, false, maxReviewNote)
	if err := probs.Err(); err != nil {
		return Product{}, err
	}
	if from != ReviewPending {
		return Product{}, Errorf(ECInvalidState, "version %d is %s, not pending review", p.Version, from)
	}
	p.ReviewedBy, p.ReviewNote, p.ReviewedAt = by, note, at
	return p, nil
}
