package usecase

import (
	"context"

	"finzone"
)

// InstitutionKinds are the kinds of organization that lend or enhance
// credit, the ones coordinators verify.
var InstitutionKinds = []finzone.OrgKind{finzone.KindBank, finzone.KindInsurer, finzone.KindLeasing, finzone.KindGuarantee}

// InstitutionQuery narrows the institutions list: a kind, and verified
// ("true" or "false"; "false" is the verification queue).
type InstitutionQuery struct {
	Kind, Verified string
	ListInput
}

// ListInstitutions is the staff's view of institutions in their regions.
func (s *Service) ListInstitutions(ctx context.Context, a finzone.Actor, q InstitutionQuery) ([]finzone.Organization, string, error) {
	if !a.IsStaff() {
		return nil, "", forbidden("institution lists are for coordinators")
	}
	f := finzone.OrgFilter{Kinds: InstitutionKinds}
	var probs finzone.Problems
	if k := enum("kind", q.Kind, InstitutionKinds, &probs); k != "" {
		f.Kinds = []finzone.OrgKind{k}
	}
	if q.Verified != "" {
		v := flag("verified", q.Verified, &probs)
		f.Verified = &v
	}
	pg := s.page("institutions", q.ListInput, &probs)
	if err := probs.Err(); err != nil {
		return nil, "", err
	}
	if !a.IsPlatformAdmin() {
		f.Regions = finzone.ExpandRegions(a.User.Regions)
	}
	items, next, err := s.orgs.ListOrgs(ctx, f, pg)
	return items, s.next("institutions", pg, next), err
}

// VerifyInstitution lets an institution's products be matched; coordinators
// verify those in their regions.
func (s *Service) VerifyInstitution(ctx context.Context, a finzone.Actor, id string) (finzone.Organization, error) {
	if !a.IsStaff() {
		return finzone.Organization{}, forbidden("only coordinators verify institutions")
	}
	o, err := s.orgs.Org(ctx, id)
	if err != nil {
		return o, err
	}
	if !a.CanVerifyInstitution(o) {
		return finzone.Organization{}, finzone.Errorf(finzone.ECNotFound, "institution outside the coordinator's regions")
	}
	o, err = s.orgs.VerifyOrg(ctx, o.ID, a.User.ID, s.now())
	if err != nil {
		return o, err
	}
	return o, nil // the store moved the catalogue's version: every worker reloads
}

// Clusters is the reference list of clusters; anyone may read it.
func (s *Service) Clusters(ctx context.Context) ([]finzone.Cluster, error) {
	return s.clusters.Clusters(ctx)
}

// OrgNames names organizations by ID for a page's rows, each looked up once;
// an ID it cannot find names itself.
func (s *Service) OrgNames(ctx context.Context, ids []string) (map[string]string, error) {
	out := make(map[string]string, len(ids))
	for _, id := range ids {
		if _, ok := out[id]; ok {
			continue
		}
		o, err := s.org(ctx, id)
		switch {
		case err == nil:
			out[id] = o.Name
		case finzone.IsCode(err, finzone.ECNotFound):
			out[id] = id
		default:
			return nil, err
		}
	}
	return out, nil
}
