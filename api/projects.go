package api

import (
	"github.com/gofiber/fiber/v2"

	"finzone"
)

func (s *Server) createProject(c *fiber.Ctx) error {
	a := actor(c)
	if !a.IsEnterprise() {
		return finzone.Errorf(finzone.ECForbidden, "only enterprises post projects")
	}
	var in projectInput
	if err := decode(c, &in, projectReadOnly...); err != nil {
		return err
	}
	// Region and industry default to the enterprise's own.
	p := finzone.Project{OwnerOrgID: a.Org.ID, RegionCode: a.Org.RegionCode, IndustryCode: a.Org.IndustryCode,
		ClusterID: a.Org.ClusterID, EnterpriseSize: a.Org.Size, Status: finzone.ProjectDraft}
	in.apply(&p)
	if err := s.validateProject(c, &p); err != nil {
		return err
	}
	if err := s.store.CreateProject(c.UserContext(), &p); err != nil {
		return err
	}
	return c.Status(fiber.StatusCreated).JSON(toProjectJSON(p))
}

// validateProject checks the domain rules and that the cluster exists.
func (s *Server) validateProject(c *fiber.Ctx, p *finzone.Project) error {
	p.Normalize()
	var probs finzone.Problems
	if err := p.Validate(); err != nil {
		probs = append(probs, err.(*finzone.Error).Fields...)
	}
	if p.ClusterID != "" {
		if _, err := s.store.Cluster(c.UserContext(), p.ClusterID); finzone.IsCode(err, finzone.ECNotFound) {
			probs.Add("cluster_id", finzone.FCInvalid)
		} else if err != nil {
			return err
		}
	}
	return probs.Err()
}

func (s *Server) listProjects(c *fiber.Ctx) error {
	a := actor(c)
	var probs finzone.Problems
	f := finzone.ProjectFilter{
		Status:    queryEnum(c, "status", finzone.ProjectStatuses, &probs),
		Type:      queryEnum(c, "type", finzone.ProjectTypes, &probs),
		ClusterID: c.Query("cluster_id"),
	}
	switch c.Query("attention") {
	case "", "false":
	case "true":
		f.NeedsAttention = true
	default:
		probs.Add("attention", finzone.FCInvalid)
	}
	region := c.Query("region")
	if region != "" {
		if _, ok := finzone.LookupRegion(region); !ok {
			probs.Add("region", finzone.FCUnknown)
		}
	}
	pg, err := pageOf(c)
	if err != nil {
		return err
	}
	if len(probs) > 0 {
		return probs.Err()
	}
	switch {
	case a.IsEnterprise():
		f.OwnerOrgID = a.Org.ID
		if region != "" {
			f.Regions = finzone.ExpandRegions([]string{region})
		}
	case a.IsPlatformAdmin():
		if region != "" {
			f.Regions = finzone.ExpandRegions([]string{region})
		}
	case a.IsCoordinator():
		f.Regions = finzone.ExpandRegions(a.User.Regions)
		if region != "" {
			f.Regions = intersect(f.Regions, finzone.ExpandRegions([]string{region}))
		}
	default:
		// Institutions see projects only through the matches pushed to them.
		return finzone.Errorf(finzone.ECForbidden, "institutions list matches, not projects")
	}
	items, next, err := s.store.ListProjects(c.UserContext(), f, pg)
	if err != nil {
		return err
	}
	out := listJSON[projectJSON]{Items: make([]projectJSON, len(items)), Next: next}
	for i, p := range items {
		out.Items[i] = toProjectJSON(p)
	}
	return c.JSON(out)
}

// loadProject finds a project the actor may see; another tenant's project is
// not found, so its existence does not leak.
func (s *Server) loadProject(c *fiber.Ctx) (finzone.Project, error) {
	p, err := s.store.Project(c.UserContext(), c.Params("id"))
	if err != nil {
		return p, err
	}
	a := actor(c)
	if a.CanSeeProject(p) {
		return p, nil
	}
	// An institution sees the projects pushed to it, and no others.
	if a.IsInstitution() {
		if _, err := s.store.Match(c.UserContext(), finzone.MatchID(p.ID, a.Org.ID)); err == nil {
			return p, nil
		} else if !finzone.IsCode(err, finzone.ECNotFound) {
			return finzone.Project{}, err
		}
	}
	return finzone.Project{}, finzone.Errorf(finzone.ECNotFound, "project hidden from actor")
}

// loadOwnProject finds a project the actor may change.
func (s *Server) loadOwnProject(c *fiber.Ctx) (finzone.Project, error) {
	p, err := s.loadProject(c)
	if err != nil {
		return p, err
	}
	if !actor(c).CanChangeProject(p) {
		return finzone.Project{}, finzone.Errorf(finzone.ECForbidden, "only the owner changes a project")
	}
	return p, nil
}

func (s *Server) getProject(c *fiber.Ctx) error {
	p, err := s.loadProject(c)
	if err != nil {
		return err
	}
	return c.JSON(toProjectJSON(p))
}

func (s *Server) patchProject(c *fiber.Ctx) error {
	p, err := s.loadOwnProject(c)
	if err != nil {
		return err
	}
	var in projectInput
	if err := decode(c, &in, projectReadOnly...); err != nil {
		return err
	}
	if !p.Editable() {
		return finzone.Errorf(finzone.ECInvalidState, "only drafts can be edited")
	}
	in.apply(&p)
	if err := s.validateProject(c, &p); err != nil {
		return err
	}
	p, err = s.store.UpdateProject(c.UserContext(), p, finzone.ProjectDraft)
	if err != nil {
		return err
	}
	return c.JSON(toProjectJSON(p))
}

func (s *Server) deleteProject(c *fiber.Ctx) error {
	p, err := s.loadOwnProject(c)
	if err != nil {
		return err
	}
	if !p.Editable() {
		return finzone.Errorf(finzone.ECInvalidState, "only drafts can be deleted")
	}
	if err := s.store.DeleteProject(c.UserContext(), p.ID, finzone.ProjectDraft); err != nil {
		return err
	}
	return c.SendStatus(fiber.StatusNoContent)
}

func (s *Server) submitProject(c *fiber.Ctx) error {
	p, err := s.loadOwnProject(c)
	if err != nil {
		return err
	}
	if p.Status != finzone.ProjectDraft {
		return finzone.Errorf(finzone.ECInvalidState, "only drafts can be submitted")
	}
	if err := s.validateProject(c, &p); err != nil {
		return err
	}
	p, err = s.store.SetProjectStatus(c.UserContext(), p.ID, []finzone.ProjectStatus{finzone.ProjectDraft},
		finzone.ProjectSubmitted, s.now())
	if err != nil {
		return err
	}
	s.notify(c, "submitted", func(pl finzone.Pipeline) error { return pl.ProjectSubmitted(c.UserContext(), p.ID) })
	return c.JSON(toProjectJSON(p))
}

func (s *Server) withdrawProject(c *fiber.Ctx) error {
	p, err := s.loadOwnProject(c)
	if err != nil {
		return err
	}
	if !p.Withdrawable() {
		return finzone.Errorf(finzone.ECInvalidState, "a %s project cannot be withdrawn", p.Status)
	}
	p, err = s.store.SetProjectStatus(c.UserContext(), p.ID, []finzone.ProjectStatus{finzone.ProjectSubmitted,
		finzone.ProjectMatching, finzone.ProjectInProgress, finzone.ProjectPartiallyFunded}, finzone.ProjectWithdrawn, s.now())
	if err != nil {
		return err
	}
	s.notify(c, "withdrawn", func(pl finzone.Pipeline) error { return pl.ProjectWithdrawn(c.UserContext(), p.ID) })
	return c.JSON(toProjectJSON(p))
}

func intersect(a, b []string) []string {
	in := map[string]bool{}
	for _, v := range b {
		in[v] = true
	}
	out := []string{}
	for _, v := range a {
		if in[v] {
			out = append(out, v)
		}
	}
	return out
}
