package usecase

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"time"

	"finzone"
)

// Enterprise verification and claims on credit codes: see the rules in the
// root package (verification.go).

// CodeClaims keeps claims on credit codes, moves a code from its holder to
// an upheld claimant, and tells both sides.
type CodeClaims interface {
	CreateCodeClaim(ctx context.Context, c *finzone.CodeClaim) error
	DeleteCodeClaim(ctx context.Context, id string) error
	CodeClaim(ctx context.Context, id string) (finzone.CodeClaim, error)
	ListCodeClaims(ctx context.Context, f finzone.ClaimFilter, pg finzone.Page) ([]finzone.CodeClaim, string, error)
	// SetCodeClaimStatus moves a claim still in status from.
	SetCodeClaimStatus(ctx context.Context, c finzone.CodeClaim, from finzone.ClaimStatus) (finzone.CodeClaim, error)
	// ReserveCodeTransfer keeps registration off a code while a claim moves
	// it; ReleaseCodeTransfer ends that once it has moved.
	ReserveCodeTransfer(ctx context.Context, code, claimID string) error
	ReleaseCodeTransfer(ctx context.Context, code, claimID string) error
	// DetachCode leaves the holder the code's detached form, unverified;
	// AttachCode gives the claimant the code, verified. Both are no-ops
	// when done already.
	DetachCode(ctx context.Context, orgID, code string) (finzone.Organization, error)
	AttachCode(ctx context.Context, orgID, code, by string, at time.Time) (finzone.Organization, error)
	AddNotifications(ctx context.Context, ns []finzone.Notification) error
}

// EnterpriseQuery narrows the enterprises list: verified ("true" or
// "false"; "false" is the verification queue).
type EnterpriseQuery struct {
	Verified string
	ListInput
}

// ListEnterprises is the staff's view of enterprises in their regions.
func (s *Service) ListEnterprises(ctx context.Context, a finzone.Actor, q EnterpriseQuery) ([]finzone.Organization, string, error) {
	if !a.IsStaff() {
		return nil, "", forbidden("enterprise lists are for coordinators")
	}
	f := finzone.OrgFilter{Kinds: []finzone.OrgKind{finzone.KindEnterprise}}
	var probs finzone.Problems
	if q.Verified != "" {
		v := flag("verified", q.Verified, &probs)
		f.Verified = &v
	}
	pg := s.page("enterprises", q.ListInput, &probs)
	if err := probs.Err(); err != nil {
		return nil, "", err
	}
	if !a.IsPlatformAdmin() {
		f.Regions = finzone.ExpandRegions(a.User.Regions)
	}
	items, next, err := s.orgs.ListOrgs(ctx, f, pg)
	return items, s.next("enterprises", pg, next), err
}

// VerifyEnterprise records that a coordinator covering the enterprise has
// checked it is who its credit code says, and releases its needs held for
// that. Verifying twice keeps the first verifier.
func (s *Service) VerifyEnterprise(ctx context.Context, a finzone.Actor, id string) (finzone.Organization, error) {
	if !a.IsStaff() {
		return finzone.Organization{}, forbidden("only coordinators verify enterprises")
	}
	o, err := s.orgs.Org(ctx, id)
	if err != nil {
		return o, err
	}
	if !a.CanVerifyEnterprise(o) {
		return finzone.Organization{}, finzone.Errorf(finzone.ECNotFound, "enterprise outside the coordinator's regions")
	}
	if err := o.CheckVerify(); err != nil {
		return finzone.Organization{}, err
	}
	if o, err = s.orgs.VerifyOrg(ctx, o.ID, a.User.ID, s.now()); err != nil {
		return o, err
	}
	if err := s.claims.AddNotifications(ctx, []finzone.Notification{orgNotice(o.ID, finzone.NoticeEnterpriseVerified, o.ID, s.now(), finzone.NoticeTitle, o.Name)}); err != nil {
		return o, err
	}
	return o, s.ReleaseHeld(ctx, o.ID)
}

// ReleaseHeld sends the needs of a verified enterprise held for its
// verification into matching. Each move is conditional on the project as
// read, so a second release (a retry, the reconciler) changes nothing.
func (s *Service) ReleaseHeld(ctx context.Context, orgID string) error {
	pg := finzone.Page{Limit: finzone.MaxPageLimit}
	for {
		ps, next, err := s.projects.ListProjects(ctx, finzone.ProjectFilter{OwnerOrgID: orgID, Status: finzone.ProjectScreening}, pg)
		if err != nil {
			return err
		}
		for _, p := range ps {
			if !p.HeldForVerification() {
				continue
			}
			moved, err := s.changeProject(ctx, p.ID, func(p finzone.Project) (finzone.ProjectChange, error) {
				return p.ReleaseVerified(s.now())
			})
			if finzone.IsCode(err, finzone.ECInvalidState) {
				continue // released (or withdrawn) meanwhile
			}
			if err != nil {
				return err
			}
			s.tell(ctx, "released", func(pl Pipeline) error { return pl.ProjectSubmitted(ctx, moved.ID) })
		}
		if next == "" {
			return nil
		}
		pg.Cursor = next
	}
}

// EnterpriseVerified says, for each organization ID, whether it is
// verified, each looked up once by ID: for the rows of pushes and projects
// an actor was already allowed to read.
func (s *Service) EnterpriseVerified(ctx context.Context, ids ...string) (map[string]bool, error) {
	out := make(map[string]bool, len(ids))
	for _, id := range ids {
		if _, ok := out[id]; ok || id == "" {
			continue
		}
		o, err := s.org(ctx, id)
		switch {
		case err == nil:
			out[id] = o.Verified
		case finzone.IsCode(err, finzone.ECNotFound):
			out[id] = false
		default:
			return nil, err
		}
	}
	return out, nil
}

// orgNotice is a notice to an organization about an organization or a
// claim (about), fixed by who, what and which, so it is stored once.
func orgNotice(orgID, kind, about string, now time.Time, params ...string) finzone.Notification {
	ps := map[string]string{}
	for i := 0; i+1 < len(params); i += 2 {
		ps[params[i]] = params[i+1]
	}
	return finzone.Notification{ID: finzone.StableID("notice", orgID, kind, about), OrgID: orgID, Kind: kind,
		Params: ps, CreatedAt: now}
}

// newOrgID is a fresh organization ID, made before the organization is
// stored: a claimant's detached code names it.
func newOrgID() (string, error) {
	b := make([]byte, 12)
	if _, err := rand.Read(b); err != nil {
		return "", err
	}
	return hex.EncodeToString(b), nil
}
