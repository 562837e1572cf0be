package usecase

import (
	"context"

	"finzone"
)

// Syndicate is a project's syndicated loan, for whoever may see the project.
func (s *Service) Syndicate(ctx context.Context, a finzone.Actor, projectID string) (finzone.Syndicate, error) {
	p, err := s.Project(ctx, a, projectID)
	if err != nil {
		return finzone.Syndicate{}, err
	}
	return s.matches.Syndicate(ctx, p.ID)
}

// answerRetries is how often an answer retries after losing a race with
// another member's.
const answerRetries = 3

// AnswerShare records a member institution's answer ("accept" or
// "decline") to its share; finzone.Syndicate.Answer says who may, and when.
// A decline is reallocated by the pipeline. The write is conditional on the
// syndicate's version, so two members answering at once both land (the
// loser retries on fresh data).
func (s *Service) AnswerShare(ctx context.Context, a finzone.Actor, projectID, decision string) (finzone.Syndicate, error) {
	p, err := s.Project(ctx, a, projectID)
	if err != nil {
		return finzone.Syndicate{}, err
	}
	answer, err := finzone.ParseShareAnswer(decision)
	if err != nil {
		return finzone.Syndicate{}, err
	}
	for attempt := 0; ; attempt++ {
		syn, err := s.matches.Syndicate(ctx, p.ID)
		if err != nil {
			return finzone.Syndicate{}, err
		}
		next, err := syn.Answer(a.Org.ID, answer)
		if err != nil {
			return finzone.Syndicate{}, err
		}
		err = s.matches.SaveSyndicate(ctx, &next, syn.Version)
		if finzone.IsCode(err, finzone.ECConflict) && attempt < answerRetries {
			continue
		}
		if err != nil {
			return finzone.Syndicate{}, err
		}
		if answer == finzone.ShareDeclined {
			s.tell(ctx, "syndicate", func(pl Pipeline) error { return pl.SyndicateDeclined(ctx, p.ID, a.Org.ID) })
		}
		return next, nil
	}
}

// SignSyndicate marks a committed syndicate signed, for its lead arranger
// (finzone.Syndicate.Sign says who may).
// The write is conditional on the version read.
func (s *Service) SignSyndicate(ctx context.Context, a finzone.Actor, projectID string) (finzone.Syndicate, error) {
	p, err := s.Project(ctx, a, projectID)
	if err != nil {
		return finzone.Syndicate{}, err
	}
	syn, err := s.matches.Syndicate(ctx, p.ID)
	if err != nil {
		return finzone.Syndicate{}, err
	}
	next, err := syn.Sign(a.Org.ID)
	if err != nil {
		return finzone.Syndicate{}, err
	}
	if err := s.matches.SaveSyndicate(ctx, &next, syn.Version); err != nil {
		return finzone.Syndicate{}, err
	}
	return next, nil
}

// syndicateOf is a project's syndicate when one with members exists, or nil.
func (s *Service) syndicateOf(ctx context.Context, projectID string) (*finzone.Syndicate, error) {
	syn, err := s.matches.Syndicate(ctx, projectID)
	if finzone.IsCode(err, finzone.ECNotFound) || err == nil && len(syn.Members) == 0 {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	return &syn, nil
}

// ProjectDetail is a project's page: what ProjectMatches shows, the
// syndicate if there is one, and the names of the institutions in both.
type ProjectDetail struct {
	ProjectMatches
	Syndicate *finzone.Syndicate
	Names     map[string]string
}

// ProjectDetail reads a project's page for whoever may see the project; a
// read by anyone outside its enterprise is recorded in its view log.
func (s *Service) ProjectDetail(ctx context.Context, a finzone.Actor, projectID string) (ProjectDetail, error) {
	pm, err := s.ProjectMatches(ctx, a, projectID)
	if err != nil {
		return ProjectDetail{}, err
	}
	s.recordView(ctx, a, pm.Project)
	if pm.Project.Status == finzone.ProjectDraft {
		return ProjectDetail{ProjectMatches: pm}, nil
	}
	d := ProjectDetail{ProjectMatches: pm}
	if d.Syndicate, err = s.syndicateOf(ctx, pm.Project.ID); err != nil {
		return ProjectDetail{}, err
	}
	d.Names, err = s.OrgNames(ctx, institutions(pm.Matches, d.Syndicate))
	return d, err
}

// MatchDetail is a match's page: the match, its project, the project's
// syndicate if there is one, and the names of the institutions in them.
type MatchDetail struct {
	Match     finzone.Match
	Project   finzone.Project
	Syndicate *finzone.Syndicate
	Names     map[string]string
}

// MatchDetail reads a match's page; its institution opening it marks it
// read, and the read of the project's details is recorded in its view log.
func (s *Service) MatchDetail(ctx context.Context, a finzone.Actor, id string) (MatchDetail, error) {
	m, p, err := s.OpenMatch(ctx, a, id)
	if err != nil {
		return MatchDetail{}, err
	}
	s.recordView(ctx, a, p) // the match's page shows the project's details
	d := MatchDetail{Match: m, Project: p}
	if d.Syndicate, err = s.syndicateOf(ctx, p.ID); err != nil {
		return MatchDetail{}, err
	}
	d.Names, err = s.OrgNames(ctx, institutions([]finzone.Match{m}, d.Syndicate))
	return d, err
}

func institutions(ms []finzone.Match, syn *finzone.Syndicate) []string {
	var ids []string
	for _, m := range ms {
		ids = append(ids, m.InstitutionID)
	}
	if syn != nil {
		for _, m := range syn.Members {
			ids = append(ids, m.InstitutionID)
		}
	}
	return ids
}
