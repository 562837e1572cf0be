package usecase

import (
	"context"
	"time"

	"finzone"
)

// The lending workflow's operations besides an institution's own steps:
// the enterprise answering an offer; coordinators extending, urging,
// screening and assigning. The rules are the domain's (workflow.go); these
// check who acts, write, and tell the pipeline.

// changeTries bounds how often a change to a project is re-judged after
// another writer got there first.
const changeTries = 8

// changeProject reads the project, asks decide for the change, and writes
// it conditional on the state read; when another writer changed it
// meanwhile, it reads again and decides again.
func (s *Service) changeProject(ctx context.Context, id string, decide func(p finzone.Project) (finzone.ProjectChange, error)) (finzone.Project, error) {
	for try := 0; ; try++ {
		p, err := s.projects.Project(ctx, id)
		if err != nil {
			return p, err
		}
		ch, err := decide(p)
		if err != nil {
			return finzone.Project{}, err
		}
		out, err := s.projects.ChangeProject(ctx, p, ch, s.now())
		if !finzone.IsCode(err, finzone.ECConflict) || try == changeTries-1 {
			return out, err
		}
	}
}

// OfferInput is the enterprise's answer to an offer.
type OfferInput struct {
	Decision finzone.OfferDecision
	Note     string
}

// DecideOffer is the project owner accepting or declining a lender's
// offer. An acceptance first books the amount on the project, where the
// accepted total can never pass the amount asked for (exceeds_need names
// the room left), then marks the offer accepted; a crash between the two
// is made good by answering again.
func (s *Service) DecideOffer(ctx context.Context, a finzone.Actor, matchID string, in OfferInput) (finzone.Match, error) {
	readAt := time.Now()
	m, p, err := s.Match(ctx, a, matchID)
	if err != nil {
		return m, err
	}
	if !a.CanChangeProject(p) {
		return finzone.Match{}, forbidden("only the project's owner answers an offer")
	}
	ch, err := m.DecideOffer(in.Decision, in.Note, a.User.ID, s.now(), s.policy.Deadlines)
	if err != nil {
		return finzone.Match{}, err
	}
	if in.Decision != finzone.DecisionAccept {
		return s.moveMatch(ctx, m, readAt, ch)
	}
	if _, err := s.changeProject(ctx, p.ID, func(p finzone.Project) (finzone.ProjectChange, error) {
		offers, err := p.AcceptOffer(m)
		return finzone.ProjectChange{Offers: &offers}, err
	}); err != nil {
		return finzone.Match{}, err
	}
	moved, err := s.moveMatch(ctx, m, readAt, ch)
	if err != nil {
		// The offer moved meanwhile (the lender withdrew it): give its room back.
		if _, rerr := s.changeProject(ctx, p.ID, func(p finzone.Project) (finzone.ProjectChange, error) {
			offers, _ := p.ReleaseOffer(m.ID)
			return finzone.ProjectChange{Offers: &offers}, nil
		}); rerr != nil {
			s.log.Error("accepted offer not released", "match", m.ID, "err", rerr)
		}
		return finzone.Match{}, err
	}
	return moved, nil
}

// coordinated is a match and its project for a coordinator covering it.
func (s *Service) coordinated(ctx context.Context, a finzone.Actor, matchID string) (finzone.Match, finzone.Project, error) {
	m, p, err := s.Match(ctx, a, matchID)
	if err != nil {
		return m, p, err
	}
	if !a.CanCoordinate(p) {
		return m, p, forbidden("only coordinators covering the project act on it")
	}
	return m, p, nil
}

// ExtendInput is a coordinator's extension.
type ExtendInput struct {
	Days int
	Note string
}

// ExtendMatch moves a match's running deadline by up to ExtendMaxDays
// working days, once per stage.
func (s *Service) ExtendMatch(ctx context.Context, a finzone.Actor, matchID string, in ExtendInput) (finzone.Match, error) {
	readAt := time.Now()
	m, _, err := s.coordinated(ctx, a, matchID)
	if err != nil {
		return m, err
	}
	ch, err := m.Extend(in.Days, in.Note, a.User.ID, s.now(), s.policy.Deadlines)
	if err != nil {
		return finzone.Match{}, err
	}
	return s.moveMatch(ctx, m, readAt, ch)
}

// UrgeMatch is a coordinator's 督办: the institution is told, and the match
// shows it.
func (s *Service) UrgeMatch(ctx context.Context, a finzone.Actor, matchID, note string) (finzone.Match, error) {
	readAt := time.Now()
	m, _, err := s.coordinated(ctx, a, matchID)
	if err != nil {
		return m, err
	}
	ch, err := m.Urge(note, a.User.ID, s.now())
	if err != nil {
		return finzone.Match{}, err
	}
	return s.moveMatch(ctx, m, readAt, ch)
}

// ScreenInput is a coordinator's screening decision.
type ScreenInput struct {
	Decision finzone.ScreenDecision
	Note     string
}

// ScreenProject passes a project waiting in screening into matching, or
// returns it to the enterprise as a draft.
func (s *Service) ScreenProject(ctx context.Context, a finzone.Actor, id string, in ScreenInput) (finzone.Project, error) {
	p, err := s.Project(ctx, a, id)
	if err != nil {
		return p, err
	}
	if !a.CanCoordinate(p) {
		return finzone.Project{}, forbidden("only coordinators covering the project screen it")
	}
	p, err = s.changeProject(ctx, p.ID, func(p finzone.Project) (finzone.ProjectChange, error) {
		return p.Screen(in.Decision, in.Note, a.User.ID, s.now())
	})
	if err != nil {
		return p, err
	}
	if p.Status == finzone.ProjectSubmitted {
		s.tell(ctx, "submitted", func(pl Pipeline) error { return pl.ProjectSubmitted(ctx, p.ID) })
	}
	s.tell(ctx, "screened", func(pl Pipeline) error { return pl.ProjectChanged(ctx, p.ID) })
	return p, nil
}

// AssignInput is a coordinator's choice of institution for a project.
type AssignInput struct {
	InstitutionID string
	ProductID     string
	Note          string
}

// AssignInstitution records a coordinator's assignment of a lender to a
// project; the pipeline pushes it within the 1+10 cap, replacing the
// lowest-ranked partner that has not accepted when the slots are full.
func (s *Service) AssignInstitution(ctx context.Context, a finzone.Actor, projectID string, in AssignInput) (finzone.Project, error) {
	p, err := s.Project(ctx, a, projectID)
	if err != nil {
		return p, err
	}
	if !a.CanCoordinate(p) {
		return finzone.Project{}, forbidden("only coordinators covering the project assign institutions")
	}
	prod, err := s.assignable(ctx, p, in)
	if err != nil {
		return finzone.Project{}, err
	}
	p, err = s.changeProject(ctx, p.ID, func(p finzone.Project) (finzone.ProjectChange, error) {
		return p.Assign(in.InstitutionID, prod.ID, in.Note, a.User.ID, s.now())
	})
	if err != nil {
		return p, err
	}
	s.tell(ctx, "assigned", func(pl Pipeline) error { return pl.ProjectChanged(ctx, p.ID) })
	return p, nil
}

// assignable checks an assignment against the store: a verified lender not
// yet pushed the project, and the product to push through (its own, or the
// institution's first published lending product).
func (s *Service) assignable(ctx context.Context, p finzone.Project, in AssignInput) (finzone.Product, error) {
	var probs finzone.Problems
	if in.InstitutionID == "" {
		probs.Add("institution_id", finzone.FCRequired)
		return finzone.Product{}, probs.Err()
	}
	org, err := s.orgs.Org(ctx, in.InstitutionID)
	if finzone.IsCode(err, finzone.ECNotFound) || (err == nil && (!org.Verified || (org.Kind != finzone.KindBank && org.Kind != finzone.KindLeasing))) {
		probs.Add("institution_id", finzone.FCInvalid)
		return finzone.Product{}, probs.Err()
	}
	if err != nil {
		return finzone.Product{}, err
	}
	led, err := s.matches.Ledger(ctx, p.ID)
	if err != nil {
		return finzone.Product{}, err
	}
	for _, e := range led.Entries {
		if e.InstitutionID == in.InstitutionID {
			return finzone.Product{}, finzone.Errorf(finzone.ECConflict, "institution %s was pushed this project already", in.InstitutionID)
		}
	}
	if in.ProductID != "" {
		prod, err := s.products.Product(ctx, in.ProductID)
		if err == nil && prod.OwnerOrgID == org.ID && prod.Status == finzone.ReviewPublished && prod.Category.Lends() {
			return prod, nil
		}
		if err != nil && !finzone.IsCode(err, finzone.ECNotFound) {
			return finzone.Product{}, err
		}
		probs.Add("product_id", finzone.FCInvalid)
		return finzone.Product{}, probs.Err()
	}
	list, _, err := s.products.ListProducts(ctx, finzone.ProductFilter{OwnerOrgID: org.ID, Status: finzone.ReviewPublished}, finzone.Page{Limit: finzone.MaxPageLimit})
	if err != nil {
		return finzone.Product{}, err
	}
	for _, prod := range list {
		if prod.Category.Lends() {
			return prod, nil
		}
	}
	probs.Add("product_id", finzone.FCRequired) // the institution publishes no lending product
	return finzone.Product{}, probs.Err()
}
