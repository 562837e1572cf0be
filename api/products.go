package api

import (
	"strconv"
	"strings"

	"github.com/gofiber/fiber/v2"

	"finzone"
)

func (s *Server) createProduct(c *fiber.Ctx) error {
	a := actor(c)
	if !a.IsInstitution() {
		return finzone.Errorf(finzone.ECForbidden, "only institutions list products")
	}
	var in productInput
	if err := decode(c, &in, productReadOnly...); err != nil {
		return err
	}
	p := finzone.Product{OwnerOrgID: a.Org.ID, Status: finzone.ReviewDraft}
	in.apply(&p)
	p.Normalize()
	if err := p.Validate(); err != nil {
		return err
	}
	if err := s.store.CreateProduct(c.UserContext(), &p); err != nil {
		return err
	}
	return c.Status(fiber.StatusCreated).JSON(toProductJSON(p))
}

// listProducts shows published products to everyone; "owner=me" gives an
// institution every product of its own (newest versions); other statuses are
// for owners, and for coordinators within the regions the products serve.
func (s *Server) listProducts(c *fiber.Ctx) error {
	a := actor(c)
	var probs finzone.Problems
	f := finzone.ProductFilter{
		Status:   queryEnum(c, "status", finzone.ReviewStatuses, &probs),
		Category: queryEnum(c, "category", finzone.ProductCategories, &probs),
		Type:     queryEnum(c, "type", finzone.ProjectTypes, &probs),
		Region:   c.Query("region"),
	}
	if f.Region != "" {
		if _, ok := finzone.LookupRegion(f.Region); !ok {
			probs.Add("region", finzone.FCUnknown)
		}
	}
	owner := c.Query("owner")
	if owner != "" && owner != "me" {
		probs.Add("owner", finzone.FCInvalid)
	}
	pg, err := pageOf(c)
	if err != nil {
		return err
	}
	if len(probs) > 0 {
		return probs.Err()
	}
	switch {
	case owner == "me":
		if !a.IsInstitution() {
			return finzone.Errorf(finzone.ECForbidden, "only institutions own products")
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
		return finzone.Errorf(finzone.ECForbidden, "unpublished products are for their owners and reviewers")
	}
	items, next, err := s.store.ListProducts(c.UserContext(), f, pg)
	if err != nil {
		return err
	}
	out := listJSON[productJSON]{Items: make([]productJSON, len(items)), Next: next}
	for i, p := range items {
		out.Items[i] = toProductJSON(p)
	}
	return c.JSON(out)
}

// loadProduct finds the version of a product the actor should see: the
// newest one for the owner and reviewers, the published one for everyone
// else, or the version asked for with ?version=N.
func (s *Server) loadProduct(c *fiber.Ctx) (finzone.Product, error) {
	a := actor(c)
	ctx := c.UserContext()
	id := c.Params("id")
	hidden := finzone.Errorf(finzone.ECNotFound, "product hidden from actor")
	if v := c.Query("version"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 {
			var p finzone.Problems
			p.Add("version", finzone.FCInvalid)
			return finzone.Product{}, p.Err()
		}
		p, err := s.store.ProductVersion(ctx, id, n)
		if err != nil {
			return p, err
		}
		if !a.CanSeeProduct(p) && !s.canSeeHistory(c, p) {
			return finzone.Product{}, hidden
		}
		return p, nil
	}
	head, err := s.store.Product(ctx, id)
	if err != nil {
		return head, err
	}
	if a.CanSeeProduct(head) {
		return head, nil
	}
	versions, err := s.store.ProductVersions(ctx, id)
	if err != nil {
		return finzone.Product{}, err
	}
	for i := len(versions) - 1; i >= 0; i-- {
		if versions[i].Status == finzone.ReviewPublished {
			return versions[i], nil
		}
	}
	return finzone.Product{}, hidden
}

// canSeeHistory lets anyone who may see some version of a product read its
// superseded versions too, so a past match stays explainable.
func (s *Server) canSeeHistory(c *fiber.Ctx, p finzone.Product) bool {
	if p.Status != finzone.ReviewSuperseded {
		return false
	}
	versions, err := s.store.ProductVersions(c.UserContext(), p.ID)
	if err != nil {
		return false
	}
	for _, v := range versions {
		if actor(c).CanSeeProduct(v) {
			return true
		}
	}
	return false
}

func (s *Server) getProduct(c *fiber.Ctx) error {
	p, err := s.loadProduct(c)
	if err != nil {
		return err
	}
	out := toProductJSON(p)
	a := actor(c)
	if p.OwnerOrgID == a.Org.ID || a.CanReviewProduct(p) {
		versions, err := s.store.ProductVersions(c.UserContext(), p.ID)
		if err != nil {
			return err
		}
		for _, v := range versions {
			out.Versions = append(out.Versions, versionJSON{Version: v.Version, Status: string(v.Status), UpdatedAt: v.UpdatedAt})
		}
	}
	return c.JSON(out)
}

// loadOwnProductHead finds the newest version of a product the actor owns.
func (s *Server) loadOwnProductHead(c *fiber.Ctx) (finzone.Product, error) {
	head, err := s.store.Product(c.UserContext(), c.Params("id"))
	if err != nil {
		return head, err
	}
	a := actor(c)
	if a.CanChangeProduct(head) {
		return head, nil
	}
	if a.CanSeeProduct(head) {
		return finzone.Product{}, finzone.Errorf(finzone.ECForbidden, "only the owner changes a product")
	}
	return finzone.Product{}, finzone.Errorf(finzone.ECNotFound, "product hidden from actor")
}

// patchProduct edits a draft or rejected version in place; editing a
// published version makes a new draft version and leaves the published one
// live until the new one is approved.
func (s *Server) patchProduct(c *fiber.Ctx) error {
	head, err := s.loadOwnProductHead(c)
	if err != nil {
		return err
	}
	var in productInput
	if err := decode(c, &in, productReadOnly...); err != nil {
		return err
	}
	p := head
	in.apply(&p)
	p.Normalize()
	switch head.Status {
	case finzone.ReviewDraft, finzone.ReviewRejected:
		p.Status = finzone.ReviewDraft
		if err := p.Validate(); err != nil {
			return err
		}
		p, err = s.store.UpdateProduct(c.UserContext(), p, []finzone.ReviewStatus{head.Status})
	case finzone.ReviewPublished, finzone.ReviewSuperseded:
		p.Version, p.Status = head.Version+1, finzone.ReviewDraft
		p.ReviewedBy, p.ReviewNote, p.ReviewedAt = "", "", timeZero
		p.CreatedAt, p.UpdatedAt = timeZero, timeZero
		if err := p.Validate(); err != nil {
			return err
		}
		err = s.store.CreateProduct(c.UserContext(), &p)
		if finzone.IsCode(err, finzone.ECConflict) {
			return finzone.Errorf(finzone.ECConflict, "another edit made version %d first", p.Version)
		}
		if err == nil {
			return c.Status(fiber.StatusCreated).JSON(toProductJSON(p))
		}
	default:
		return finzone.Errorf(finzone.ECInvalidState, "a version in review cannot be edited")
	}
	if err != nil {
		return err
	}
	return c.JSON(toProductJSON(p))
}

func (s *Server) publishProduct(c *fiber.Ctx) error {
	head, err := s.loadOwnProductHead(c)
	if err != nil {
		return err
	}
	if !head.Editable() {
		return finzone.Errorf(finzone.ECInvalidState, "a %s version cannot be sent for review", head.Status)
	}
	if err := head.Validate(); err != nil {
		return err
	}
	from := head.Status
	head.Status = finzone.ReviewPending
	p, err := s.store.SetProductReview(c.UserContext(), head, from)
	if err != nil {
		return err
	}
	return c.JSON(toProductJSON(p))
}

type reviewBody struct {
	Decision *string `json:"decision"`
	Note     *string `json:"note"`
}

func (s *Server) reviewProduct(c *fiber.Ctx) error {
	a := actor(c)
	head, err := s.store.Product(c.UserContext(), c.Params("id"))
	if err != nil {
		return err
	}
	if !a.CanReviewProduct(head) {
		if a.CanSeeProduct(head) {
			return finzone.Errorf(finzone.ECForbidden, "only coordinators review, never the owner")
		}
		return finzone.Errorf(finzone.ECNotFound, "product hidden from actor")
	}
	var body reviewBody
	if err := decode(c, &body); err != nil {
		return err
	}
	var probs finzone.Problems
	note := strings.TrimSpace(str(body.Note))
	switch str(body.Decision) {
	case "approve":
		head.Status = finzone.ReviewPublished
	case "reject":
		head.Status = finzone.ReviewRejected
		if note == "" {
			probs.Add("note", finzone.FCRequired) // a rejection must say why
		}
	case "":
		probs.Add("decision", finzone.FCRequired)
	default:
		probs.Add("decision", finzone.FCInvalid)
	}
	probs.Text("note", note, false, 1000)
	if len(probs) > 0 {
		return probs.Err()
	}
	p, err := s.store.Product(c.UserContext(), head.ID)
	if err != nil {
		return err
	}
	if p.Status != finzone.ReviewPending {
		return finzone.Errorf(finzone.ECInvalidState, "version %d is %s, not pending review", p.Version, p.Status)
	}
	head.ReviewedBy, head.ReviewNote, head.ReviewedAt = a.User.ID, note, s.now()
	p, err = s.store.SetProductReview(c.UserContext(), head, finzone.ReviewPending)
	if err != nil {
		return err
	}
	if p.Status == finzone.ReviewPublished {
		s.notify(c, "catalogue", func(pl finzone.Pipeline) error { return pl.CatalogueChanged(c.UserContext()) })
	}
	return c.JSON(toProductJSON(p))
}
