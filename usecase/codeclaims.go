package usecase

import (
	"context"

	"finzone"
)

// ClaimInput is a claim on a credit code someone else registered first: the
// claimant's own registration under that code (its account, which never
// reaches the holder's), how to reach it, and its evidence.
type ClaimInput struct {
	Signup       finzone.Signup
	Contact      string
	EvidenceNote string
}

// FiledClaim is a filed claim and the claimant's new session.
type FiledClaim struct {
	SignedIn
	Claim finzone.CodeClaim
}

// FileCodeClaim registers the claimant's enterprise holding only the
// code's detached form (unverified, so institutions are warned) and files
// its claim for coordinators covering the holder. A code nobody holds is
// registered, not claimed (invalid_state).
func (s *Service) FileCodeClaim(ctx context.Context, _ finzone.Actor, in ClaimInput) (FiledClaim, error) {
	in.Signup.Normalize()
	probs := in.Signup.Validate()
	if in.Signup.Org.Kind != finzone.KindEnterprise {
		probs.OneOf("org.kind", []string{string(finzone.KindEnterprise)})
	}
	probs = append(probs, finzone.FieldErrors(finzone.ValidateClaim(in.Signup.Org.USCC, in.Contact, in.EvidenceNote))...)
	if in.Signup.Org.ClusterID != "" {
		if err := s.clusterExists(ctx, in.Signup.Org.ClusterID, "org.cluster_id", &probs); err != nil {
			return FiledClaim{}, err
		}
	}
	if err := probs.Err(); err != nil {
		return FiledClaim{}, err
	}
	code := in.Signup.Org.USCC
	holder, err := s.orgs.OrgByUSCC(ctx, code)
	if finzone.IsCode(err, finzone.ECNotFound) {
		return FiledClaim{}, finzone.Errorf(finzone.ECInvalidState, "credit code %s is free: register it", code)
	} else if err != nil {
		return FiledClaim{}, err
	}
	if holder.Kind != finzone.KindEnterprise {
		return FiledClaim{}, finzone.Errorf(finzone.ECInvalidState, "only an enterprise's credit code is claimed here")
	}
	if _, err := s.users.UserByEmail(ctx, in.Signup.Email); err == nil {
		return FiledClaim{}, taken("user.email")
	} else if !finzone.IsCode(err, finzone.ECNotFound) {
		return FiledClaim{}, err
	}
	claim := finzone.CodeClaim{USCC: code, HolderOrgID: holder.ID, HolderRegion: holder.RegionCode,
		Name: in.Signup.Org.Name, Contact: in.Contact, EvidenceNote: in.EvidenceNote, Status: finzone.ClaimPending}
	return s.fileClaim(ctx, in.Signup, claim)
}

// fileClaim stores the claimant's organization, the claim and the user, in
// that order, undoing what was stored when a later step fails.
func (s *Service) fileClaim(ctx context.Context, in finzone.Signup, claim finzone.CodeClaim) (FiledClaim, error) {
	hash, err := HashPassword(in.Password)
	if err != nil {
		return FiledClaim{}, err
	}
	org := in.Org
	if org.ID, err = newOrgID(); err != nil {
		return FiledClaim{}, err
	}
	org.USCC = finzone.DetachedUSCC(claim.USCC, org.ID)
	if err := s.orgs.CreateOrg(ctx, &org); err != nil {
		return FiledClaim{}, err
	}
	undo := func(what string, f func(context.Context, string) error, id string) {
		if derr := f(context.WithoutCancel(ctx), id); derr != nil {
			s.log.Error("undo claim", "request_id", RequestID(ctx), "what", what, "id", id, "err", derr)
		}
	}
	claim.ClaimantOrgID = org.ID
	if err := s.claims.CreateCodeClaim(ctx, &claim); err != nil {
		undo("org", s.orgs.DeleteOrg, org.ID)
		return FiledClaim{}, err
	}
	user := finzone.User{Email: in.Email, Name: in.Name, PasswordHash: hash, OrgID: org.ID, Role: finzone.RoleAdmin,
		ConsentVersion: in.PrivacyConsent, ConsentAt: s.now().UTC()}
	if err := s.users.CreateUser(ctx, &user); err != nil {
		undo("claim", s.claims.DeleteCodeClaim, claim.ID)
		undo("org", s.orgs.DeleteOrg, org.ID)
		if finzone.IsCode(err, finzone.ECConflict) {
			return FiledClaim{}, taken("user.email")
		}
		return FiledClaim{}, err
	}
	s.tellOffice(ctx, claim)
	signed, err := s.startSession(ctx, user, org)
	return FiledClaim{SignedIn: signed, Claim: claim}, err
}

// tellOffice tells the finance office of the holder's region, where there
// is one, that a claim waits; the claims list shows it either way.
func (s *Service) tellOffice(ctx context.Context, c finzone.CodeClaim) {
	code, ok := finzone.OfficeUSCC(c.HolderRegion)
	if !ok {
		return
	}
	office, err := s.orgs.OrgByUSCC(ctx, code)
	if err == nil {
		err = s.claims.AddNotifications(ctx, []finzone.Notification{orgNotice(office.ID, finzone.NoticeClaimFiled, c.ID, s.now(),
			finzone.NoticeTitle, c.Name+" "+c.USCC)})
	}
	if err != nil && !finzone.IsCode(err, finzone.ECNotFound) {
		s.log.Warn("claim notice to the office failed", "request_id", RequestID(ctx), "claim", c.ID, "err", err)
	}
}

// ClaimQuery narrows a claim list by status.
type ClaimQuery struct {
	Status string
	ListInput
}

// ListCodeClaims is the claims coordinators decide (those whose holder lies
// in their regions), or an enterprise's own.
func (s *Service) ListCodeClaims(ctx context.Context, a finzone.Actor, q ClaimQuery) ([]finzone.CodeClaim, string, error) {
	var probs finzone.Problems
	f := finzone.ClaimFilter{Status: enum("status", q.Status,
		[]finzone.ClaimStatus{finzone.ClaimPending, finzone.ClaimUpholding, finzone.ClaimUpheld, finzone.ClaimRejected}, &probs)}
	pg := s.page("claims", q.ListInput, &probs)
	if err := probs.Err(); err != nil {
		return nil, "", err
	}
	switch {
	case a.IsPlatformAdmin():
	case a.IsCoordinator():
		f.Regions = finzone.ExpandRegions(a.User.Regions)
	case a.IsEnterprise():
		f.ClaimantOrgID = a.Org.ID
	default:
		return nil, "", forbidden("claims are for coordinators and claimants")
	}
	items, next, err := s.claims.ListCodeClaims(ctx, f, pg)
	return items, s.next("claims", pg, next), err
}

// CodeClaim is one claim the actor may see; another's is not found.
func (s *Service) CodeClaim(ctx context.Context, a finzone.Actor, id string) (finzone.CodeClaim, error) {
	c, err := s.claims.CodeClaim(ctx, id)
	if err != nil {
		return c, err
	}
	if !a.CanSeeClaim(c) {
		return finzone.CodeClaim{}, hidden("claim")
	}
	return c, nil
}

// ClaimDecisionInput is a coordinator's ruling on a claim.
type ClaimDecisionInput struct {
	Decision finzone.ClaimDecision
	Note     string
}

// DecideCodeClaim rules on a claim. Rejecting tells the claimant. Upholding
// moves the code (moveCode); should a step fail, the claim stays upholding
// and upholding it again finishes the move.
func (s *Service) DecideCodeClaim(ctx context.Context, a finzone.Actor, id string, in ClaimDecisionInput) (finzone.CodeClaim, error) {
	c, err := s.CodeClaim(ctx, a, id)
	if err != nil {
		return c, err
	}
	if !a.CanDecideClaim(c) {
		return finzone.CodeClaim{}, forbidden("only coordinators covering the holder decide a claim")
	}
	to, err := c.Decide(in.Decision, in.Note)
	if err != nil {
		return finzone.CodeClaim{}, err
	}
	if c.Status == finzone.ClaimPending && to == finzone.ClaimUpholding {
		if err := s.stillHeld(ctx, c); err != nil {
			return finzone.CodeClaim{}, err
		}
	}
	if c.Status == finzone.ClaimPending {
		from := c.Status
		c.Status, c.DecidedBy, c.DecidedAt, c.DecisionNote = to, a.User.ID, s.now(), in.Note
		if c, err = s.claims.SetCodeClaimStatus(ctx, c, from); err != nil {
			return finzone.CodeClaim{}, err
		}
	}
	if to == finzone.ClaimRejected {
		return c, s.claims.AddNotifications(ctx, []finzone.Notification{orgNotice(c.ClaimantOrgID, finzone.NoticeClaimRejected, c.ID, s.now(),
			finzone.NoticeTitle, c.USCC, finzone.NoticeNote, c.DecisionNote)})
	}
	return s.moveCode(ctx, c)
}

// moveCode moves an upheld claim's code: reserve it against registration,
// detach it from the holder, attach it to the claimant (verified), tell
// both, end the reservation, mark the claim upheld. The unique index on
// codes holds throughout; every step is a no-op when done already.
func (s *Service) moveCode(ctx context.Context, c finzone.CodeClaim) (finzone.CodeClaim, error) {
	if err := s.claims.ReserveCodeTransfer(ctx, c.USCC, c.ID); err != nil {
		return c, err
	}
	if _, err := s.claims.DetachCode(ctx, c.HolderOrgID, c.USCC); err != nil {
		return c, err
	}
	claimant, err := s.claims.AttachCode(ctx, c.ClaimantOrgID, c.USCC, c.DecidedBy, c.DecidedAt)
	if err != nil {
		return c, err
	}
	if claimant.USCC != c.USCC {
		return c, finzone.Errorf(finzone.ECConflict, "credit code %s not yet moved to %s: uphold again", c.USCC, c.ClaimantOrgID)
	}
	now := s.now()
	if err := s.claims.AddNotifications(ctx, []finzone.Notification{
		orgNotice(c.HolderOrgID, finzone.NoticeCodeLost, c.ID, now, finzone.NoticeTitle, c.USCC),
		orgNotice(c.ClaimantOrgID, finzone.NoticeClaimUpheld, c.ID, now, finzone.NoticeTitle, c.USCC),
	}); err != nil {
		return c, err
	}
	if err := s.claims.ReleaseCodeTransfer(ctx, c.USCC, c.ID); err != nil {
		return c, err
	}
	upheld := c
	upheld.Status = finzone.ClaimUpheld
	return s.claims.SetCodeClaimStatus(ctx, upheld, finzone.ClaimUpholding)
}

// stillHeld refuses to uphold a claim whose code has changed hands since it
// was filed (another claim on it was upheld): the claim names a holder that
// no longer has anything to give.
func (s *Service) stillHeld(ctx context.Context, c finzone.CodeClaim) error {
	holder, err := s.orgs.OrgByUSCC(ctx, c.USCC)
	if err != nil && !finzone.IsCode(err, finzone.ECNotFound) {
		return err
	}
	if err != nil || holder.ID != c.HolderOrgID {
		return finzone.Errorf(finzone.ECInvalidState, "credit code %s is no longer held by %s", c.USCC, c.HolderOrgID)
	}
	return nil
}
