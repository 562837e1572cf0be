package usecase

import (
	"context"
	"time"

	"finzone"
)

// ProjectInput is what an enterprise sets on a project; a nil field is not
// given (an edit leaves it as it is).
type ProjectInput struct {
	Title               *string
	Type                *finzone.ProjectType
	AmountYuan          *int64
	TermMonths          *int
	Purpose             *string
	Collateral          *[]finzone.Collateral
	RateCeilingBps      *int
	TotalInvestmentYuan *int64
	RegionCode          *string
	ClusterID           *string
	IndustryCode        *string
	Green               *bool
	Tech                *bool
	WantsInsurance      *bool
	// Malformed names fields the edge could not read (a form's number that
	// does not parse): they count as invalid and nothing is written.
	Malformed []string
}

func (in ProjectInput) apply(p *finzone.Project) {
	set(&p.Title, in.Title)
	set(&p.Type, in.Type)
	set(&p.AmountYuan, in.AmountYuan)
	set(&p.TermMonths, in.TermMonths)
	set(&p.Purpose, in.Purpose)
	set(&p.Collateral, in.Collateral)
	set(&p.RateCeilingBps, in.RateCeilingBps)
	set(&p.TotalInvestmentYuan, in.TotalInvestmentYuan)
	set(&p.RegionCode, in.RegionCode)
	set(&p.ClusterID, in.ClusterID)
	set(&p.IndustryCode, in.IndustryCode)
	set(&p.Green, in.Green)
	set(&p.Tech, in.Tech)
	set(&p.WantsInsurance, in.WantsInsurance)
}

func set[T any](dst *T, v *T) {
	if v != nil {
		*dst = *v
	}
}

// CreateProject posts a draft need. Region, cluster and industry default to
// the enterprise's own.
func (s *Service) CreateProject(ctx context.Context, a finzone.Actor, in ProjectInput) (finzone.Project, error) {
	if !a.IsEnterprise() {
		return finzone.Project{}, forbidden("only enterprises post projects")
	}
	p := finzone.Project{OwnerOrgID: a.Org.ID, RegionCode: a.Org.RegionCode, IndustryCode: a.Org.IndustryCode,
		ClusterID: a.Org.ClusterID, EnterpriseSize: a.Org.Size, Status: finzone.ProjectDraft}
	in.apply(&p)
	if err := s.checkProject(ctx, &p, in.Malformed); err != nil {
		return finzone.Project{}, err
	}
	if err := s.projects.CreateProject(ctx, &p); err != nil {
		return finzone.Project{}, err
	}
	return p, nil
}

// EditableProject is a project the actor may edit now: its own draft.
func (s *Service) EditableProject(ctx context.Context, a finzone.Actor, id string) (finzone.Project, error) {
	p, err := s.ownProject(ctx, a, id)
	if err != nil {
		return p, err
	}
	if !p.Editable() {
		return finzone.Project{}, p.Refused("only drafts can be edited, not %s", p.Status)
	}
	return p, nil
}

// EditProject changes a draft.
func (s *Service) EditProject(ctx context.Context, a finzone.Actor, id string, in ProjectInput) (finzone.Project, error) {
	p, err := s.EditableProject(ctx, a, id)
	if err != nil {
		return p, err
	}
	in.apply(&p)
	if err := s.checkProject(ctx, &p, in.Malformed); err != nil {
		return finzone.Project{}, err
	}
	return s.projects.UpdateProject(ctx, p, finzone.ProjectDraft)
}

// DeleteProject deletes a draft; a submitted need is withdrawn instead.
func (s *Service) DeleteProject(ctx context.Context, a finzone.Actor, id string) error {
	p, err := s.ownProject(ctx, a, id)
	if err != nil {
		return err
	}
	if !p.Editable() {
		return p.Refused("only drafts can be deleted, not %s", p.Status)
	}
	return s.projects.DeleteProject(ctx, p.ID, finzone.ProjectDraft)
}

// SubmitProject sends a complete draft into matching.
func (s *Service) SubmitProject(ctx context.Context, a finzone.Actor, id string) (finzone.Project, error) {
	p, err := s.ownProject(ctx, a, id)
	if err != nil {
		return p, err
	}
	if !p.Editable() {
		return finzone.Project{}, p.Refused("only drafts can be submitted, not %s", p.Status)
	}
	if err := s.checkProject(ctx, &p, nil); err != nil {
		return finzone.Project{}, err
	}
	if reason := finzone.ScreeningReason(p, a.Org, s.screening); reason != "" {
		return s.sendToScreening(ctx, a, p.ID, reason)
	}
	p, err = s.projects.SetProjectStatus(ctx, p.ID, []finzone.ProjectStatus{finzone.ProjectDraft}, finzone.ProjectSubmitted, s.now())
	if err != nil {
		return finzone.Project{}, err
	}
	s.tell(ctx, "submitted", func(pl Pipeline) error { return pl.ProjectSubmitted(ctx, p.ID) })
	return p, nil
}

// sendToScreening puts a submitted draft before the coordinators, with a
// clock that escalates to the superior region.
func (s *Service) sendToScreening(ctx context.Context, a finzone.Actor, id, reason string) (finzone.Project, error) {
	now := s.now()
	due := s.policy.Deadlines.ScreenDue(now)
	p, err := s.changeProject(ctx, id, func(p finzone.Project) (finzone.ProjectChange, error) {
		if !p.Editable() {
			return finzone.ProjectChange{}, p.Refused("only drafts can be submitted, not %s", p.Status)
		}
		return finzone.ProjectChange{To: finzone.ProjectScreening, ScreenReason: &reason, ScreenDueAt: &due,
			Event: &finzone.ProjectEvent{At: now, Actor: a.User.ID, Action: "submit_for_screening", Note: reason}}, nil
	})
	if err != nil {
		return p, err
	}
	s.tell(ctx, "screening", func(pl Pipeline) error { return pl.ProjectChanged(ctx, p.ID) })
	return p, nil
}

// WithdrawProject takes a submitted need back; the pipeline withdraws its
// matches that have not reached a contract.
func (s *Service) WithdrawProject(ctx context.Context, a finzone.Actor, id string) (finzone.Project, error) {
	p, err := s.ownProject(ctx, a, id)
	if err != nil {
		return p, err
	}
	if !p.Withdrawable() {
		return finzone.Project{}, p.Refused("a %s project cannot be withdrawn", p.Status)
	}
	p, err = s.projects.SetProjectStatus(ctx, p.ID, finzone.WithdrawableStatuses, finzone.ProjectWithdrawn, s.now())
	if err != nil {
		return finzone.Project{}, err
	}
	s.tell(ctx, "withdrawn", func(pl Pipeline) error { return pl.ProjectWithdrawn(ctx, p.ID) })
	return p, nil
}

// checkProject normalizes p and checks the domain's rules, that its cluster
// exists and that the edge could read every field.
func (s *Service) checkProject(ctx context.Context, p *finzone.Project, malformed []string) error {
	p.Normalize()
	probs := finzone.FieldErrors(p.Validate())
	if p.ClusterID != "" {
		if err := s.clusterExists(ctx, p.ClusterID, "cluster_id", &probs); err != nil {
			return err
		}
	}
	for _, f := range malformed {
		probs.Add(f, finzone.FCInvalid)
	}
	return probs.Err()
}

// clusterExists notes field invalid when no cluster has the ID.
func (s *Service) clusterExists(ctx context.Context, id, field string, probs *finzone.Problems) error {
	_, err := s.clusters.Cluster(ctx, id)
	if finzone.IsCode(err, finzone.ECNotFound) {
		probs.Add(field, finzone.FCInvalid)
		return nil
	}
	return err
}

// Project is one project the actor may see: its owner's, one in a
// coordinator's scope, or one pushed to the actor's institution. Another
// tenant's project is not found, so its existence does not leak.
func (s *Service) Project(ctx context.Context, a finzone.Actor, id string) (finzone.Project, error) {
	p, err := s.projects.Project(ctx, id)
	if err != nil {
		return p, err
	}
	if a.CanSeeProject(p) {
		return p, nil
	}
	if a.IsInstitution() {
		ok, err := s.pushedTo(ctx, a, p)
		if err != nil {
			return finzone.Project{}, err
		}
		if ok {
			// What the project's other lenders offered, and what
			// coordinators noted, are not an institution's business.
			p.Offers, p.Events = nil, nil
			return p, nil
		}
	}
	return finzone.Project{}, hidden("project")
}

// pushedTo reports whether the project reached institution a: pushed to
// it (it has a match), or its syndicate invited it.
func (s *Service) pushedTo(ctx context.Context, a finzone.Actor, p finzone.Project) (bool, error) {
	_, err := s.matches.Match(ctx, finzone.MatchID(p.ID, a.Org.ID))
	if !finzone.IsCode(err, finzone.ECNotFound) {
		return err == nil, err
	}
	syn, err := s.matches.Syndicate(ctx, p.ID)
	if finzone.IsCode(err, finzone.ECNotFound) {
		return false, nil
	}
	return err == nil && syn.CanSee(a.Org.ID), err
}

// ownProject is a project the actor may change: its owner's.
func (s *Service) ownProject(ctx context.Context, a finzone.Actor, id string) (finzone.Project, error) {
	p, err := s.Project(ctx, a, id)
	if err != nil {
		return p, err
	}
	if !a.CanChangeProject(p) {
		return finzone.Project{}, forbidden("only the owner changes a project")
	}
	return p, nil
}

// ProjectQuery narrows a project list as a client asks: status, type,
// cluster, region (a division code) and attention ("true": only those whose
// waitlist ran dry).
type ProjectQuery struct {
	Status, Type, ClusterID, Region, Attention string
	ListInput
}

// ListProjects is an enterprise's own projects, or those in a coordinator's
// scope. Institutions see projects only through the matches pushed to them.
func (s *Service) ListProjects(ctx context.Context, a finzone.Actor, q ProjectQuery) ([]finzone.Project, string, error) {
	var probs finzone.Problems
	f := finzone.ProjectFilter{
		Status:         enum("status", q.Status, finzone.ProjectStatuses, &probs),
		Type:           enum("type", q.Type, finzone.ProjectTypes, &probs),
		ClusterID:      q.ClusterID,
		NeedsAttention: flag("attention", q.Attention, &probs),
	}
	reg := region("region", q.Region, &probs)
	pg := s.page("projects", q.ListInput, &probs)
	if err := probs.Err(); err != nil {
		return nil, "", err
	}
	switch {
	case a.IsEnterprise():
		f.OwnerOrgID = a.Org.ID
		if reg != "" {
			f.Regions = finzone.ExpandRegions([]string{reg})
		}
	case a.IsStaff():
		f.Regions = a.Scope(reg)
	default:
		return nil, "", forbidden("institutions list matches, not projects")
	}
	items, next, err := s.projects.ListProjects(ctx, f, pg)
	return items, s.next("projects", pg, next), err
}

// ProjectProgress is one of an enterprise's projects with how many
// institutions hold a live slot and the nearest deadline among them.
type ProjectProgress struct {
	Project finzone.Project
	// Pushed is false for drafts, which no institution has seen.
	Pushed  bool
	Live    int
	NextDue time.Time
	Overdue bool
}

// myProjectsLimit bounds the enterprise's own list page.
const myProjectsLimit = 500

// MyProjects is an enterprise's projects, newest first, with their progress.
func (s *Service) MyProjects(ctx context.Context, a finzone.Actor) ([]ProjectProgress, error) {
	if !a.IsEnterprise() {
		return nil, forbidden("only enterprises have projects")
	}
	var out []ProjectProgress
	pg := finzone.Page{Limit: finzone.MaxPageLimit}
	for {
		items, next, err := s.projects.ListProjects(ctx, finzone.ProjectFilter{OwnerOrgID: a.Org.ID}, pg)
		if err != nil {
			return nil, err
		}
		for _, p := range items {
			row, err := s.progress(ctx, p)
			if err != nil {
				return nil, err
			}
			out = append(out, row)
		}
		if next == "" || len(out) >= myProjectsLimit {
			return out, nil
		}
		pg.Cursor = next
	}
}

func (s *Service) progress(ctx context.Context, p finzone.Project) (ProjectProgress, error) {
	row := ProjectProgress{Project: p}
	if p.Status == finzone.ProjectDraft || p.Status == finzone.ProjectScreening {
		return row, nil
	}
	ms, _, err := s.ledgerMatches(ctx, p.ID)
	if err != nil {
		return row, err
	}
	row.Pushed = true
	now := s.now()
	for _, m := range ms {
		if m.Stage.Live() && m.Role.Lends() {
			row.Live++ // lenders holding a slot; enhancers sit beside them
		}
		if m.Stage.Open() && !m.DueAt.IsZero() && (row.NextDue.IsZero() || m.DueAt.Before(row.NextDue)) {
			row.NextDue, row.Overdue = m.DueAt, m.Overdue(now)
		}
	}
	return row, nil
}

// SearchQuery finds projects in a coordinator's scope: words of the title
// (or an ID), a status and a region; Cursor pages a search without words.
type SearchQuery struct {
	Q, Status, Region, Cursor string
}

// Search bounds: a page of results, and how many projects a search by words
// reads at most (the store has no text index).
const (
	searchPage    = 50
	searchScanned = 2000
)

// SearchProjects finds projects in the staff member's scope. An unknown
// status or region is ignored, as a search form's stale value.
func (s *Service) SearchProjects(ctx context.Context, a finzone.Actor, q SearchQuery) ([]finzone.Project, string, error) {
	if !a.IsStaff() {
		return nil, "", forbidden("coordinators and platform admins only")
	}
	f := finzone.ProjectFilter{Regions: a.Scope(q.Region)}
	if st := finzone.ProjectStatus(q.Status); st.Valid() {
		f.Status = st
	}
	if q.Q == "" {
		var probs finzone.Problems
		pg := s.page("projects", ListInput{Cursor: q.Cursor}, &probs)
		if err := probs.Err(); err != nil {
			return nil, "", err
		}
		pg.Limit = searchPage
		items, next, err := s.projects.ListProjects(ctx, f, pg)
		return items, s.next("projects", pg, next), err
	}
	var out []finzone.Project
	pg := finzone.Page{Limit: finzone.MaxPageLimit}
	for scanned := 0; scanned < searchScanned && len(out) < searchPage; {
		rows, next, err := s.projects.ListProjects(ctx, f, pg)
		if err != nil {
			return nil, "", err
		}
		scanned += len(rows)
		for _, p := range rows {
			if containsFold(p.Title, q.Q) || p.ID == q.Q {
				out = append(out, p)
			}
		}
		if next == "" {
			break
		}
		pg.Cursor = next
	}
	return out, "", nil
}
