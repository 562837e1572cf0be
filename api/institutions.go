package api

import (
	"time"

	"github.com/gofiber/fiber/v2"

	"finzone"
)

var timeZero time.Time

var institutionKinds = []finzone.OrgKind{finzone.KindBank, finzone.KindInsurer, finzone.KindLeasing, finzone.KindGuarantee}

// listInstitutions is the coordinators' view of institutions in their
// regions, e.g. ?verified=false for the verification queue.
func (s *Server) listInstitutions(c *fiber.Ctx) error {
	a := actor(c)
	if !a.IsCoordinator() && !a.IsPlatformAdmin() {
		return finzone.Errorf(finzone.ECForbidden, "institution lists are for coordinators")
	}
	f := finzone.OrgFilter{Kinds: institutionKinds}
	var probs finzone.Problems
	if k := queryEnum(c, "kind", institutionKinds, &probs); k != "" {
		f.Kinds = []finzone.OrgKind{k}
	}
	switch c.Query("verified") {
	case "":
	case "true", "false":
		v := c.Query("verified") == "true"
		f.Verified = &v
	default:
		probs.Add("verified", finzone.FCInvalid)
	}
	pg, err := pageOf(c)
	if err != nil {
		return err
	}
	if len(probs) > 0 {
		return probs.Err()
	}
	if !a.IsPlatformAdmin() {
		f.Regions = finzone.ExpandRegions(a.User.Regions)
	}
	items, next, err := s.store.ListOrgs(c.UserContext(), f, pg)
	if err != nil {
		return err
	}
	out := listJSON[orgJSON]{Items: make([]orgJSON, len(items)), Next: next}
	for i, o := range items {
		out.Items[i] = toOrgJSON(o)
	}
	return c.JSON(out)
}

func (s *Server) verifyInstitution(c *fiber.Ctx) error {
	a := actor(c)
	if !a.IsCoordinator() && !a.IsPlatformAdmin() {
		return finzone.Errorf(finzone.ECForbidden, "only coordinators verify institutions")
	}
	o, err := s.store.Org(c.UserContext(), c.Params("id"))
	if err != nil {
		return err
	}
	if !a.CanVerifyInstitution(o) {
		return finzone.Errorf(finzone.ECNotFound, "institution outside the coordinator's regions")
	}
	o, err = s.store.VerifyOrg(c.UserContext(), o.ID, a.User.ID, s.now())
	if err != nil {
		return err
	}
	s.notify(c, "catalogue", func(pl finzone.Pipeline) error { return pl.CatalogueChanged(c.UserContext()) })
	return c.JSON(toOrgJSON(o))
}
