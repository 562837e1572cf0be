package usecase

import (
	"context"
	"slices"
	"strconv"
	"time"

	"finzone"
)

// ProductInput is what an institution sets on a product; a nil field is not
// given (an edit keeps it).
type ProductInput struct {
	Name             *string
	Category         *finzone.ProductCategory
	Description      *string
	AmountMinYuan    *int64
	AmountMaxYuan    *int64
	TermMinMonths    *int
	TermMaxMonths    *int
	RateFloorBps     *int
	RateCeilingBps   *int
	ProjectTypes     *[]finzone.ProjectType
	IndustryInclude  *[]string
	IndustryExclude  *[]string
	Regions          *[]string
	Collateral       *[]finzone.Collateral
	Sizes            *[]finzone.Size
	CanLeadSyndicate *bool
	MaxTicketYuan    *int64
	CapacityYuan     *int64
	ValidFrom        *time.Time
	ValidTo          *time.Time
	// Malformed names fields the edge could not read: they count as
	// invalid and nothing is written.
	Malformed []string
}

func (in ProductInput) apply(p *finzone.Product) {
	set(&p.Name, in.Name)
	set(&p.Category, in.Category)
	set(&p.Description, in.Description)
	set(&p.AmountMinYuan, in.AmountMinYuan)
	set(&p.AmountMaxYuan, in.AmountMaxYuan)
	set(&p.TermMinMonths, in.TermMinMonths)
	set(&p.TermMaxMonths, in.TermMaxMonths)
	set(&p.RateFloorBps, in.RateFloorBps)
	set(&p.RateCeilingBps, in.RateCeilingBps)
	set(&p.ProjectTypes, in.ProjectTypes)
	set(&p.IndustryInclude, in.IndustryInclude)
	set(&p.IndustryExclude, in.IndustryExclude)
	set(&p.Regions, in.Regions)
	set(&p.Collateral, in.Collateral)
	set(&p.Sizes, in.Sizes)
	set(&p.CanLeadSyndicate, in.CanLeadSyndicate)
	set(&p.MaxTicketYuan, in.MaxTicketYuan)
	set(&p.CapacityYuan, in.CapacityYuan)
	set(&p.ValidFrom, in.ValidFrom)
	set(&p.ValidTo, in.ValidTo)
}

// malformed adds the fields the edge could not read to a validation error.
func malformed(err error, fields []string) error {
	if len(fields) == 0 {
		return err
	}
	probs := finzone.FieldErrors(err)
	for _, f := range fields {
		probs.Add(f, finzone.FCInvalid)
	}
	return probs.Err()
}

// CreateProduct lists a draft product, version 1.
func (s *Service) CreateProduct(ctx context.Context, a finzone.Actor, in ProductInput) (finzone.Product, error) {
	if !a.IsInstitution() {
		return finzone.Product{}, forbidden("only institutions list products")
	}
	p := finzone.Product{OwnerOrgID: a.Org.ID, Status: finzone.ReviewDraft}
	in.apply(&p)
	p.Normalize()
	if err := malformed(p.Validate(), in.Malformed); err != nil {
		return finzone.Product{}, err
	}
	if err := s.products.CreateProduct(ctx, &p); err != nil {
		return finzone.Product{}, err
	}
	return p, nil
}

// EditableProduct is the newest version of a product the actor owns, and
// whether an edit makes a new version of it; a version in review cannot be
// edited.
func (s *Service) EditableProduct(ctx context.Context, a finzone.Actor, id string) (head finzone.Product, newVersion bool, err error) {
	head, err = s.ownProductHead(ctx, a, id)
	if err != nil {
		return head, false, err
	}
	if head.Status == finzone.ReviewPending {
		return finzone.Product{}, false, finzone.Errorf(finzone.ECInvalidState, "a version in review cannot be edited")
	}
	return head, !head.Editable(), nil
}

// EditProduct changes a draft or rejected version in place; editing a
// published version makes the next version, a draft, and leaves the
// published one live until the new one is approved (finzone.Product.Revise).
func (s *Service) EditProduct(ctx context.Context, a finzone.Actor, id string, in ProductInput) (p finzone.Product, newVersion bool, err error) {
	head, err := s.ownProductHead(ctx, a, id)
	if err != nil {
		return head, false, err
	}
	edited := head
	in.apply(&edited)
	p, newVersion, err = head.Revise(edited)
	if err = malformed(err, in.Malformed); err != nil {
		return finzone.Product{}, false, err
	}
	if !newVersion {
		p, err = s.products.UpdateProduct(ctx, p, []finzone.ReviewStatus{head.Status})
		return p, false, err
	}
	if err := s.products.CreateProduct(ctx, &p); err != nil {
		if finzone.IsCode(err, finzone.ECConflict) {
			return finzone.Product{}, false, finzone.Errorf(finzone.ECConflict, "another edit made version %d first", p.Version)
		}
		return finzone.Product{}, false, err
	}
	return p, true, nil
}

// SendProductForReview sends the newest version, complete, to the
// coordinators.
func (s *Service) SendProductForReview(ctx context.Context, a finzone.Actor, id string) (finzone.Product, error) {
	head, err := s.ownProductHead(ctx, a, id)
	if err != nil {
		return head, err
	}
	next, err := head.SendForReview()
	if err != nil {
		return finzone.Product{}, err
	}
	return s.products.SetProductReview(ctx, next, head.Status)
}

// ReviewInput is a reviewer's decision ("approve" or "reject") and note.
type ReviewInput struct{ Decision, Note string }

// ReviewProduct approves or rejects the version in review; a rejection
// must say why, and the owner sees the note. An approval changes the
// catalogue the pipeline matches from.
func (s *Service) ReviewProduct(ctx context.Context, a finzone.Actor, id string, in ReviewInput) (finzone.Product, error) {
	head, err := s.products.Product(ctx, id)
	if err != nil {
		return head, err
	}
	if !a.CanReviewProduct(head) {
		if a.CanSeeProduct(head) {
			return finzone.Product{}, forbidden("only coordinators review, never the owner")
		}
		return finzone.Product{}, hidden("product")
	}
	next, err := head.Review(in.Decision, in.Note, a.User.ID, s.now())
	if err != nil {
		return finzone.Product{}, err
	}
	p, err := s.products.SetProductReview(ctx, next, finzone.ReviewPending)
	if err != nil {
		return finzone.Product{}, err
	}
	return p, nil // a publication moved the catalogue's version in the store
}

// ownProductHead is the newest version of a product the actor owns.
func (s *Service) ownProductHead(ctx context.Context, a finzone.Actor, id string) (finzone.Product, error) {
	head, err := s.products.Product(ctx, id)
	if err != nil {
		return head, err
	}
	switch {
	case a.CanChangeProduct(head):
		return head, nil
	case a.CanSeeProduct(head):
		return finzone.Product{}, forbidden("only the owner changes a product")
	}
	return finzone.Product{}, hidden("product")
}

// ProductView is one version of a product, and every version (oldest
// first) for those who may see them all: its owner and its reviewers.
type ProductView struct {
	Product  finzone.Product
	Versions []finzone.Product
}

// Product is the version of a product the actor should see: the newest for
// the owner and reviewers, the published one for everyone else, or the
// version asked for (a number; superseded versions stay readable to anyone
// who may see the product, so past matches stay explainable).
func (s *Service) Product(ctx context.Context, a finzone.Actor, id, version string) (ProductView, error) {
	p, err := s.visibleProduct(ctx, a, id, version)
	if err != nil {
		return ProductView{}, err
	}
	out := ProductView{Product: p}
	if p.OwnerOrgID == a.Org.ID || a.CanReviewProduct(p) {
		if out.Versions, err = s.products.ProductVersions(ctx, p.ID); err != nil {
			return ProductView{}, err
		}
	}
	return out, nil
}

func (s *Service) visibleProduct(ctx context.Context, a finzone.Actor, id, version string) (finzone.Product, error) {
	if version != "" {
		n, err := strconv.Atoi(version)
		if err != nil || n < 1 {
			var p finzone.Problems
			p.Add("version", finzone.FCInvalid)
			return finzone.Product{}, p.Err()
		}
		p, err := s.products.ProductVersion(ctx, id, n)
		if err != nil {
			return p, err
		}
		if ok, err := s.canSeeVersion(ctx, a, p); !ok || err != nil {
			return finzone.Product{}, orHidden(err, "product")
		}
		return p, nil
	}
	head, err := s.products.Product(ctx, id)
	if err != nil || a.CanSeeProduct(head) {
		return head, err
	}
	versions, err := s.products.ProductVersions(ctx, id)
	if err != nil {
		return finzone.Product{}, err
	}
	for i := len(versions) - 1; i >= 0; i-- {
		if versions[i].Status == finzone.ReviewPublished {
			return versions[i], nil
		}
	}
	return finzone.Product{}, hidden("product")
}

// canSeeVersion: a version the actor may see, or a superseded one of a
// product it may see some version of.
func (s *Service) canSeeVersion(ctx context.Context, a finzone.Actor, p finzone.Product) (bool, error) {
	if a.CanSeeProduct(p) {
		return true, nil
	}
	if p.Status != finzone.ReviewSuperseded {
		return false, nil
	}
	versions, err := s.products.ProductVersions(ctx, p.ID)
	if err != nil {
		return false, err
	}
	return slices.ContainsFunc(versions, a.CanSeeProduct), nil
}

// orHidden is err, or not_found when there is none.
func orHidden(err error, what string) error {
	if err != nil {
		return err
	}
	return hidden(what)
}

// ProductQuery narrows a product list: review status, category, project
// type, a served region, and owner ("me": an institution's own products,
// newest version of each).
type ProductQuery struct {
	Status, Category, Type, Region, Owner string
	ListInput
}

// ListProducts shows published products to everyone; other statuses are for
// their owners, and for coordinators within the regions the products serve.
func (s *Service) ListProducts(ctx context.Context, a finzone.Actor, q ProductQuery) ([]finzone.Product, string, error) {
	var probs finzone.Problems
	f := finzone.ProductFilter{
		Status:   enum("status", q.Status, finzone.ReviewStatuses, &probs),
		Category: enum("category", q.Category, finzone.ProductCategories, &probs),
		Type:     enum("type", q.Type, finzone.ProjectTypes, &probs),
		Region:   region("region", q.Region, &probs),
	}
	if q.Owner != "" && q.Owner != "me" {
		probs.Add("owner", finzone.FCInvalid)
	}
	pg := s.page("products", q.ListInput, &probs)
	if err := probs.Err(); err != nil {
		return nil, "", err
	}
	switch {
	case q.Owner == "me":
		if !a.IsInstitution() {
			return nil, "", forbidden("only institutions own products")
		}
		f.OwnerOrgID, f.HeadOnly = a.Org.ID, true
	case f.Status == "" || f.Status == finzone.ReviewPublished:
		f.Status = finzone.ReviewPublished
	case a.IsPlatformAdmin():
	case a.IsCoordinator():
		f.ScopeRegions = finzone.ProductScopeRegions(a.User.Regions)
	case a.IsInstitution():
		f.OwnerOrgID = a.Org.ID
	default:
		return nil, "", forbidden("unpublished products are for their owners and reviewers")
	}
	items, next, err := s.products.ListProducts(ctx, f, pg)
	return items, s.next("products", pg, next), err
}

// ReviewQueue is the versions waiting for the staff member's review, oldest
// change first.
func (s *Service) ReviewQueue(ctx context.Context, a finzone.Actor) ([]finzone.Product, error) {
	if !a.IsStaff() {
		return nil, forbidden("coordinators and platform admins only")
	}
	f := finzone.ProductFilter{Status: finzone.ReviewPending}
	if !a.IsPlatformAdmin() {
		f.ScopeRegions = finzone.ProductScopeRegions(a.User.Regions)
	}
	items, _, err := s.products.ListProducts(ctx, f, finzone.Page{Limit: finzone.MaxPageLimit, Sort: "updated_at"})
	if err != nil {
		return nil, err
	}
	return slices.DeleteFunc(items, func(p finzone.Product) bool { return !a.CanReviewProduct(p) }), nil
}
