package usecase

import (
	"context"
	"fmt"
	"slices"
	"time"

	"finzone"
	"finzone/matching"
)

// The syndicated loan's operations: the enterprise mandates a lead
// arranger; the lead sets the facility, invites banks and signs; invited
// banks commit, decline or withdraw; the agent bank records drawdowns;
// members transfer shares after signing. The rules are the domain's
// (syndicate*.go); these check who acts, allocate the book
// (matching.AllocateBook) on every change to it, write conditional on the
// version read, and tell the pipeline.

// syndicateRetries is how often a change retries after losing a race with
// another bank's.
const syndicateRetries = 5

// syndicateProject is a project a may see (its syndicate's invited banks
// may) and its syndicate.
func (s *Service) syndicateProject(ctx context.Context, a finzone.Actor, projectID string) (finzone.Project, finzone.Syndicate, error) {
	p, err := s.Project(ctx, a, projectID)
	if err != nil {
		return p, finzone.Syndicate{}, err
	}
	syn, err := s.matches.Syndicate(ctx, p.ID)
	return p, syn, err
}

// Syndicate is a project's syndicated loan as a sees it: a member's fee
// terms only to that bank and the lead.
func (s *Service) Syndicate(ctx context.Context, a finzone.Actor, projectID string) (finzone.Syndicate, error) {
	_, syn, err := s.syndicateProject(ctx, a, projectID)
	if err != nil {
		return syn, err
	}
	return syn.SeenBy(a.Org.ID), nil
}

// changeSyndicate reads the project and its syndicate, asks decide for the
// next syndicate, re-allocates a book being built, and writes it
// conditional on the version read; a lost race is decided again on fresh
// data. The pipeline then tells whom it concerns.
func (s *Service) changeSyndicate(ctx context.Context, a finzone.Actor, projectID string,
	decide func(p finzone.Project, syn finzone.Syndicate) (finzone.Syndicate, error)) (finzone.Syndicate, error) {
	for try := 0; ; try++ {
		p, syn, err := s.syndicateProject(ctx, a, projectID)
		if err != nil {
			return syn, err
		}
		next, err := decide(p, syn)
		if err != nil {
			return finzone.Syndicate{}, err
		}
		if next.State == finzone.SyndicateBookBuilding {
			next = matching.AllocateBook(next, matching.DefaultRules())
		}
		err = s.matches.SaveSyndicate(ctx, &next, syn.Version)
		if finzone.IsCode(err, finzone.ECConflict) && try < syndicateRetries {
			continue
		}
		if err != nil {
			return finzone.Syndicate{}, err
		}
		s.tell(ctx, "syndicate", func(pl Pipeline) error { return pl.SyndicateChanged(ctx, next.ProjectID, next.Version) })
		return next.SeenBy(a.Org.ID), nil
	}
}

// lead checks that a is the syndicate's lead arranger.
func lead(a finzone.Actor, syn finzone.Syndicate) error {
	if !a.IsInstitution() || syn.LeadID == "" || syn.LeadID != a.Org.ID {
		return forbidden("only the lead arranger does this")
	}
	return nil
}

// MandateCandidates are the banks an enterprise may mandate: those that
// accepted its project's push and are still working on it.
func (s *Service) MandateCandidates(ctx context.Context, p finzone.Project) ([]string, error) {
	ms, _, err := s.ledgerMatches(ctx, p.ID)
	if err != nil {
		return nil, err
	}
	var out []string
	for _, m := range ms {
		if !m.Role.Lends() || !m.Stage.Live() || m.Reached().Order() < finzone.StageAccepted.Order() {
			continue
		}
		if k, ok := s.orgKind(ctx, m.InstitutionID); ok && k == finzone.KindBank {
			out = append(out, m.InstitutionID)
		}
	}
	return out, nil
}

// orgKind is what an organization is; ok is false when there is none.
func (s *Service) orgKind(ctx context.Context, id string) (finzone.OrgKind, bool) {
	o, err := s.orgs.Org(ctx, id)
	if err != nil {
		return "", false
	}
	return o.Kind, o.Kind.IsInstitution()
}

func (s *Service) isBank(ctx context.Context) func(string) bool {
	return func(id string) bool { k, _ := s.orgKind(ctx, id); return k == finzone.KindBank }
}

// MandateLead is the project's owner mandating a lead arranger from the
// banks that accepted its push (the platform's suggestion is preselected in
// the pages, not imposed).
func (s *Service) MandateLead(ctx context.Context, a finzone.Actor, projectID, institutionID string) (finzone.Syndicate, error) {
	return s.changeSyndicate(ctx, a, projectID, func(p finzone.Project, syn finzone.Syndicate) (finzone.Syndicate, error) {
		if !a.CanChangeProject(p) {
			return syn, forbidden("only the project's owner mandates a lead arranger")
		}
		eligible, err := s.MandateCandidates(ctx, p)
		if err != nil {
			return syn, err
		}
		return syn.Mandate(institutionID, eligible, a.User.ID, a.Org.ID, s.now())
	})
}

// SetFacility is the lead arranger setting the facility; book-building
// opens.
func (s *Service) SetFacility(ctx context.Context, a finzone.Actor, projectID string, in finzone.FacilityInput) (finzone.Syndicate, error) {
	return s.changeSyndicate(ctx, a, projectID, func(p finzone.Project, syn finzone.Syndicate) (finzone.Syndicate, error) {
		if err := lead(a, syn); err != nil {
			return syn, err
		}
		commitBy := func(days int) time.Time { return s.policy.Deadlines.AddDays(s.now(), days) }
		return syn.SetFacility(in, p.SyndicateRoom(syn), matching.DefaultRules(), s.isBank(ctx), commitBy, a.User.ID, a.Org.ID, s.now())
	})
}

// InviteInput is the lead arranger's invitation.
type InviteInput struct {
	InstitutionIDs []string
	Role           finzone.SyndicateRole
	FeeBps         int
}

// InviteBanks is the lead arranger inviting banks; anything but a bank is
// refused.
func (s *Service) InviteBanks(ctx context.Context, a finzone.Actor, projectID string, in InviteInput) (finzone.Syndicate, error) {
	return s.changeSyndicate(ctx, a, projectID, func(p finzone.Project, syn finzone.Syndicate) (finzone.Syndicate, error) {
		if err := lead(a, syn); err != nil {
			return syn, err
		}
		kindOf := func(id string) (finzone.OrgKind, bool) { return s.orgKind(ctx, id) }
		return syn.Invite(in.InstitutionIDs, in.Role, in.FeeBps, kindOf, a.User.ID, a.Org.ID, s.now())
	})
}

// CommitInput is a bank's commitment.
type CommitInput struct {
	AmountYuan int64
	Tranche    string
}

// CommitToSyndicate is an invited bank committing an amount before the
// deadline.
func (s *Service) CommitToSyndicate(ctx context.Context, a finzone.Actor, projectID string, in CommitInput) (finzone.Syndicate, error) {
	return s.changeSyndicate(ctx, a, projectID, func(_ finzone.Project, syn finzone.Syndicate) (finzone.Syndicate, error) {
		return syn.Commit(a.Org.ID, in.Tranche, in.AmountYuan, matching.DefaultRules(), a.User.ID, s.now())
	})
}

// DeclineSyndicate is an invited bank declining, with a reason code.
func (s *Service) DeclineSyndicate(ctx context.Context, a finzone.Actor, projectID, reason, note string) (finzone.Syndicate, error) {
	return s.changeSyndicate(ctx, a, projectID, func(_ finzone.Project, syn finzone.Syndicate) (finzone.Syndicate, error) {
		return syn.Decline(a.Org.ID, reason, note, a.User.ID, s.now())
	})
}

// WithdrawCommitment is a bank taking its commitment back before signing;
// the book is re-allocated, filling from over-subscription.
func (s *Service) WithdrawCommitment(ctx context.Context, a finzone.Actor, projectID, note string) (finzone.Syndicate, error) {
	return s.changeSyndicate(ctx, a, projectID, func(_ finzone.Project, syn finzone.Syndicate) (finzone.Syndicate, error) {
		return syn.Withdraw(a.Org.ID, note, a.User.ID, s.now())
	})
}

// SignSyndicate is the lead arranger signing a book that covers the
// facility under every rule. The members' shares are first booked as the
// project's accepted offers (never past its need), then the signature is
// written; if that write loses, the booking is undone. The pipeline then
// moves the members' matches to contracted.
func (s *Service) SignSyndicate(ctx context.Context, a finzone.Actor, projectID string) (finzone.Syndicate, error) {
	p, syn, err := s.syndicateProject(ctx, a, projectID)
	if err != nil {
		return syn, err
	}
	if err := lead(a, syn); err != nil {
		return syn, err
	}
	next, err := syn.Sign(a.User.ID, a.Org.ID, s.now())
	if err != nil {
		return finzone.Syndicate{}, err
	}
	before := p.Offers
	if _, err := s.changeProject(ctx, p.ID, func(p finzone.Project) (finzone.ProjectChange, error) {
		before = p.Offers
		offers, err := p.BookSyndicate(next)
		return finzone.ProjectChange{Offers: &offers}, err
	}); err != nil {
		return finzone.Syndicate{}, err
	}
	if err := s.matches.SaveSyndicate(ctx, &next, syn.Version); err != nil {
		if _, rerr := s.changeProject(ctx, p.ID, func(finzone.Project) (finzone.ProjectChange, error) {
			return finzone.ProjectChange{Offers: &before}, nil
		}); rerr != nil {
			s.log.Error("syndicate booking not undone", "project", p.ID, "err", rerr)
		}
		return finzone.Syndicate{}, err
	}
	s.tell(ctx, "syndicate", func(pl Pipeline) error { return pl.SyndicateChanged(ctx, next.ProjectID, next.Version) })
	return next.SeenBy(a.Org.ID), nil
}

// DrawInput is a drawdown the agent bank records, with its own reference
// for the payment (optional: with one, sending it again records it once).
type DrawInput struct {
	AmountYuan int64
	Tranche    string
	Reference  string
}

// RecordDrawdown is the agent bank recording a drawdown, split among the
// members by their shares; the pipeline records each member's part on its
// match.
func (s *Service) RecordDrawdown(ctx context.Context, a finzone.Actor, projectID string, in DrawInput) (finzone.Syndicate, error) {
	return s.changeSyndicate(ctx, a, projectID, func(_ finzone.Project, syn finzone.Syndicate) (finzone.Syndicate, error) {
		if !a.IsInstitution() || syn.Facility.AgentID != a.Org.ID {
			return syn, forbidden("only the agent bank records drawdowns")
		}
		next, _, err := syn.Draw(fmt.Sprintf("d%d", len(syn.Drawdowns)+1), in.Reference, in.Tranche, in.AmountYuan, a.User.ID, s.now())
		return next, err
	})
}

// TransferInput is a member passing part of its share to another bank.
type TransferInput struct {
	ToInstitutionID string
	Tranche         string
	AmountYuan      int64
}

// TransferShare is a member passing (part of) its share to another bank
// after signing; a change that would break a rule is refused, naming it.
// The project's booked offers follow the new shares.
func (s *Service) TransferShare(ctx context.Context, a finzone.Actor, projectID string, in TransferInput) (finzone.Syndicate, error) {
	kindOf := func(id string) (finzone.OrgKind, bool) { return s.orgKind(ctx, id) }
	next, err := s.changeSyndicate(ctx, a, projectID, func(_ finzone.Project, syn finzone.Syndicate) (finzone.Syndicate, error) {
		if !a.IsInstitution() {
			return syn, forbidden("only members transfer their share")
		}
		return syn.Transfer(a.Org.ID, in.ToInstitutionID, in.Tranche, in.AmountYuan, kindOf, matching.DefaultRules(), a.User.ID, s.now())
	})
	if err != nil {
		return next, err
	}
	_, err = s.changeProject(ctx, projectID, func(p finzone.Project) (finzone.ProjectChange, error) {
		offers, err := p.BookSyndicate(next)
		return finzone.ProjectChange{Offers: &offers}, err
	})
	return next, err
}

// SyndicateQuery narrows a syndicate list: a state and a region.
type SyndicateQuery struct {
	State  finzone.SyndicateState
	Region string
	ListInput
}

// SyndicateList is one page of syndicates and the totals of every
// syndicate the query selects, by state.
type SyndicateList struct {
	Syndicates []finzone.Syndicate
	Next       string
	Totals     []SyndicateTotal
}

// SyndicateTotal is how many syndicates are in a state and the amount
// arranged in them (their facilities; the need for those without one).
type SyndicateTotal struct {
	State      finzone.SyndicateState
	Count      int
	AmountYuan int64
}

// syndicateTotalsRead bounds how many syndicates the totals read.
const syndicateTotalsRead = 2000

// ListSyndicates lists the syndicates a may see: a coordinator's in its
// regions, a bank's it is invited to, an enterprise's own.
func (s *Service) ListSyndicates(ctx context.Context, a finzone.Actor, q SyndicateQuery) (SyndicateList, error) {
	var probs finzone.Problems
	if q.State != "" && !q.State.Valid() {
		probs.OneOf("state", finzone.Names(finzone.SyndicateStates))
	}
	reg := region("region", q.Region, &probs)
	pg := s.page("syndicates", q.ListInput, &probs)
	if err := probs.Err(); err != nil {
		return SyndicateList{}, err
	}
	f := finzone.SyndicateFilter{State: q.State}
	switch {
	case a.IsStaff():
		f.Regions = a.Scope("")
	case a.IsInstitution():
		f.MemberID = a.Org.ID
	case a.IsEnterprise():
		f.OwnerOrgID = a.Org.ID
	default:
		return SyndicateList{}, forbidden("no syndicates for this account")
	}
	if reg != "" {
		want := finzone.ExpandRegions([]string{reg})
		if f.Regions != nil {
			want = finzone.Intersect(f.Regions, want)
		}
		f.Regions = want
	}
	list, next, err := s.matches.ListSyndicates(ctx, f, pg)
	if err != nil {
		return SyndicateList{}, err
	}
	out := SyndicateList{Next: s.next("syndicates", pg, next)}
	for _, syn := range list {
		out.Syndicates = append(out.Syndicates, syn.SeenBy(a.Org.ID))
	}
	f.State = ""
	out.Totals, err = s.syndicateTotals(ctx, f)
	return out, err
}

func (s *Service) syndicateTotals(ctx context.Context, f finzone.SyndicateFilter) ([]SyndicateTotal, error) {
	out := make([]SyndicateTotal, len(finzone.SyndicateStates))
	for i, st := range finzone.SyndicateStates {
		out[i].State = st
	}
	pg := finzone.Page{Limit: finzone.MaxPageLimit}
	for read := 0; read < syndicateTotalsRead; read += pg.Limit {
		list, next, err := s.matches.ListSyndicates(ctx, f, pg)
		if err != nil {
			return nil, err
		}
		for _, syn := range list {
			i := slices.Index(finzone.SyndicateStates, syn.State)
			if i < 0 {
				continue
			}
			out[i].Count++
			out[i].AmountYuan += cmpOr(syn.Facility.AmountYuan, syn.AmountYuan)
		}
		if next == "" {
			break
		}
		pg.Cursor = next
	}
	return out, nil
}

func cmpOr(a, b int64) int64 {
	if a != 0 {
		return a
	}
	return b
}

// SyndicateCandidate is a bank the lead arranger may invite.
type SyndicateCandidate struct {
	InstitutionID string
	Name          string
	// Lender marks the project's own lenders; the others list a
	// syndicable product serving the project's region.
	Lender bool
	Stage  finzone.Stage
}

// SyndicateCandidates lists the banks the lead arranger may invite: the
// project's lenders, then banks with a published syndicable product serving
// the project's region. Banks invited already are left out.
func (s *Service) SyndicateCandidates(ctx context.Context, a finzone.Actor, projectID string) ([]SyndicateCandidate, error) {
	p, syn, err := s.syndicateProject(ctx, a, projectID)
	if err != nil {
		return nil, err
	}
	if err := lead(a, syn); err != nil {
		return nil, err
	}
	seen := map[string]bool{}
	for _, m := range syn.Members {
		seen[m.InstitutionID] = true
	}
	var out []SyndicateCandidate
	add := func(id string, lender bool, stage finzone.Stage) {
		if seen[id] {
			return
		}
		seen[id] = true
		if o, err := s.orgs.Org(ctx, id); err == nil && o.Kind == finzone.KindBank {
			out = append(out, SyndicateCandidate{InstitutionID: id, Name: o.Name, Lender: lender, Stage: stage})
		}
	}
	ms, _, err := s.ledgerMatches(ctx, p.ID)
	if err != nil {
		return nil, err
	}
	for _, m := range ms {
		if m.Role.Lends() {
			add(m.InstitutionID, true, m.Stage)
		}
	}
	pg := finzone.Page{Limit: finzone.MaxPageLimit}
	for read := 0; read < syndicateTotalsRead; read += pg.Limit {
		ps, next, err := s.products.ListProducts(ctx, finzone.ProductFilter{Status: finzone.ReviewPublished, Region: p.RegionCode}, pg)
		if err != nil {
			return nil, err
		}
		for _, pr := range ps {
			if matching.Syndicable(&pr) {
				add(pr.OwnerOrgID, false, "")
			}
		}
		if next == "" {
			break
		}
		pg.Cursor = next
	}
	return out, nil
}

// syndicateOf is a project's syndicate as a sees it, when one exists, or
// nil.
func (s *Service) syndicateOf(ctx context.Context, a finzone.Actor, projectID string) (*finzone.Syndicate, error) {
	syn, err := s.matches.Syndicate(ctx, projectID)
	if finzone.IsCode(err, finzone.ECNotFound) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	syn = syn.SeenBy(a.Org.ID)
	return &syn, nil
}

// ProjectDetail is a project's page: what ProjectMatches shows, the
// syndicate if there is one, and the names of the institutions in both.
type ProjectDetail struct {
	ProjectMatches
	Syndicate *finzone.Syndicate
	Names     map[string]string
	// Mandatable are the banks the owner may mandate as lead arranger.
	Mandatable []string
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
	if d.Syndicate, err = s.syndicateOf(ctx, a, pm.Project.ID); err != nil {
		return ProjectDetail{}, err
	}
	if d.Syndicate != nil && a.CanChangeProject(pm.Project) && slices.Contains(d.Syndicate.Actions(), "mandate") {
		if d.Mandatable, err = s.MandateCandidates(ctx, pm.Project); err != nil {
			return ProjectDetail{}, err
		}
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
	if d.Syndicate, err = s.syndicateOf(ctx, a, p.ID); err != nil {
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
		if syn.SuggestedLeadID != "" {
			ids = append(ids, syn.SuggestedLeadID)
		}
	}
	return ids
}
