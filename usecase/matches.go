package usecase

import (
	"context"
	"slices"
	"strings"
	"time"

	"finzone"
)

// ledgerMatches reads a project's matches through its ledger, in push
// order: lookups by ID only, the fast path on the embedded store.
func (s *Service) ledgerMatches(ctx context.Context, projectID string) ([]finzone.Match, finzone.Ledger, error) {
	led, err := s.matches.Ledger(ctx, projectID)
	if err != nil {
		return nil, led, err
	}
	ids := make([]string, len(led.Entries))
	for i, e := range led.Entries {
		ids[i] = finzone.MatchID(projectID, e.InstitutionID)
	}
	ms, err := s.matches.MatchesByID(ctx, ids)
	return ms, led, err
}

// ProjectMatches is a project's matches as the actor may see them, and
// whether its waitlist ran dry.
type ProjectMatches struct {
	Project   finzone.Project
	Matches   []finzone.Match
	Exhausted bool
}

// ProjectMatches lists a project's matches in push order; an institution
// sees only its own, never its competitors'.
func (s *Service) ProjectMatches(ctx context.Context, a finzone.Actor, projectID string) (ProjectMatches, error) {
	p, err := s.Project(ctx, a, projectID)
	if err != nil {
		return ProjectMatches{}, err
	}
	ms, led, err := s.ledgerMatches(ctx, p.ID)
	if err != nil {
		return ProjectMatches{}, err
	}
	out := ProjectMatches{Project: p, Exhausted: led.Exhausted}
	for _, m := range ms {
		if a.CanSeeProject(p) || m.InstitutionID == a.Org.ID {
			out.Matches = append(out.Matches, m)
		}
	}
	return out, nil
}

// MatchQuery narrows a match list: a project, stages (comma-separated),
// overdue ("true": past their deadline) and a region.
type MatchQuery struct {
	ProjectID, Stage, Overdue, Region string
	ListInput
}

// ListMatches is an institution's inbox, an enterprise's view across its
// projects, or a coordinator's pipeline over its regions.
func (s *Service) ListMatches(ctx context.Context, a finzone.Actor, q MatchQuery) ([]finzone.Match, string, error) {
	var probs finzone.Problems
	f := finzone.MatchFilter{ProjectID: q.ProjectID}
	if q.Stage != "" {
		for _, one := range strings.Split(q.Stage, ",") {
			if !finzone.Stage(one).Valid() {
				probs.OneOf("stage", finzone.Names(finzone.Stages))
				break
			}
			f.Stages = append(f.Stages, finzone.Stage(one))
		}
	}
	if flag("overdue", q.Overdue, &probs) {
		f.OverdueAt = s.now()
	}
	reg := region("region", q.Region, &probs)
	pg := s.page("matches", q.ListInput, &probs)
	if err := probs.Err(); err != nil {
		return nil, "", err
	}
	switch {
	case a.IsInstitution():
		f.InstitutionID = a.Org.ID
	case a.IsEnterprise():
		f.OwnerOrgID = a.Org.ID
	case a.IsStaff():
		f.Regions = a.Scope("")
	default:
		return nil, "", forbidden("no match view for this account")
	}
	if reg != "" {
		want := finzone.ExpandRegions([]string{reg})
		if f.Regions != nil {
			want = finzone.Intersect(f.Regions, want)
		}
		f.Regions = want
	}
	items, next, err := s.matches.ListMatches(ctx, f, pg)
	return items, s.next("matches", pg, next), err
}

// Match is one match the actor may see, with its project: its institution,
// or whoever may see the project.
func (s *Service) Match(ctx context.Context, a finzone.Actor, id string) (finzone.Match, finzone.Project, error) {
	m, err := s.matches.Match(ctx, id)
	if err != nil {
		return m, finzone.Project{}, err
	}
	p, err := s.projects.Project(ctx, m.ProjectID)
	if err != nil {
		return m, p, err
	}
	if !a.CanSeeMatch(m, p) {
		return finzone.Match{}, finzone.Project{}, hidden("match")
	}
	return m, p, nil
}

// OpenMatch is Match as its institution opens it: the match is marked read.
func (s *Service) OpenMatch(ctx context.Context, a finzone.Actor, id string) (finzone.Match, finzone.Project, error) {
	m, p, err := s.Match(ctx, a, id)
	if err != nil {
		return m, p, err
	}
	if a.CanActOnMatch(m) && !m.Read {
		if err := s.matches.SetMatchRead(ctx, m.ID, true); err != nil {
			return m, p, err
		}
		m.Read = true
	}
	return m, p, nil
}

// ActOnMatch moves a match one step for its institution, along the stage
// machine and by the domain's rules (finzone.Match.Step). The move is
// conditional on the state read, so two racing clicks cannot both apply.
func (s *Service) ActOnMatch(ctx context.Context, a finzone.Actor, id string, in finzone.ActionInput) (finzone.Match, error) {
	readAt := time.Now()
	m, p, err := s.Match(ctx, a, id)
	if err != nil {
		return m, err
	}
	if !a.CanActOnMatch(m) {
		return finzone.Match{}, forbidden("only the institution moves its match")
	}
	ch, err := m.Step(p, in, a.User.ID, s.now(), s.policy)
	if err != nil {
		return finzone.Match{}, err
	}
	if in.Action == finzone.ActionRequestEnhancer && !p.EnhancersWanted {
		yes := true
		if _, err := s.changeProject(ctx, p.ID, func(p finzone.Project) (finzone.ProjectChange, error) {
			return finzone.ProjectChange{EnhancersWanted: &yes}, nil
		}); err != nil {
			return finzone.Match{}, err
		}
	}
	return s.moveMatch(ctx, m, readAt, ch)
}

// moveMatch writes a change to a match read in its current state at readAt
// (this process's clock, taken before the read) and tells the pipeline. A
// match moved meanwhile is refused with what it allows now.
func (s *Service) moveMatch(ctx context.Context, m finzone.Match, readAt time.Time, ch finzone.MatchChange) (finzone.Match, error) {
	ch.Seen, ch.SeenAt, ch.SeenMatch = len(m.Events), readAt, &m
	moved, err := s.matches.MoveMatch(ctx, m.ID, m.Stage, ch)
	if finzone.IsCode(err, finzone.ECInvalidState) {
		if cur, gerr := s.matches.Match(ctx, m.ID); gerr == nil {
			return finzone.Match{}, cur.Refused("match moved to %s meanwhile", cur.Stage)
		}
	}
	if err != nil {
		return finzone.Match{}, err
	}
	s.tell(ctx, "match", func(pl Pipeline) error { return pl.MatchChanged(ctx, moved.ID) })
	return moved, nil
}

// Inbox is an institution's matches, soonest deadline first (those without
// one after), and how many it has not opened.
type Inbox struct {
	Matches []finzone.Match
	Unread  int
}

// inboxRead bounds how many matches one inbox view reads.
const inboxRead = 1000

// Inbox lists the projects pushed to an institution: the open ones, or all
// with all set.
func (s *Service) Inbox(ctx context.Context, a finzone.Actor, all bool) (Inbox, error) {
	if !a.IsInstitution() {
		return Inbox{}, forbidden("the inbox is for institutions")
	}
	var out Inbox
	pg := finzone.Page{Limit: finzone.MaxPageLimit, Sort: "due_at"}
	for read := 0; read < inboxRead; {
		ms, next, err := s.matches.ListMatches(ctx, finzone.MatchFilter{InstitutionID: a.Org.ID}, pg)
		if err != nil {
			return Inbox{}, err
		}
		read += len(ms)
		for _, m := range ms {
			if !m.Read {
				out.Unread++
			}
			if all || m.Stage.Open() {
				out.Matches = append(out.Matches, m)
			}
		}
		if next == "" {
			break
		}
		pg.Cursor = next
	}
	slices.SortStableFunc(out.Matches, byDeadline)
	return out, nil
}

// byDeadline orders matches with a deadline first, soonest on top.
func byDeadline(a, b finzone.Match) int {
	if a.DueAt.IsZero() != b.DueAt.IsZero() {
		if a.DueAt.IsZero() {
			return 1
		}
		return -1
	}
	return a.DueAt.Compare(b.DueAt)
}
