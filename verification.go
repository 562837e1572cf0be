package finzone

import (
	"strings"
	"time"
)

// Enterprise verification and contested credit codes.
//
// Anyone can register an enterprise under a real company's credit code, so
// every enterprise starts unverified and institutions see the flag beside
// everything they are shown of it. A coordinator whose regions cover the
// enterprise verifies it. Regions may require verification before any push:
// a need of an unverified enterprise there is held in screening (reason
// ScreenUnverified) and released once the enterprise is verified.
//
// A company whose code was taken first files a claim: it gets an account
// of its own whose organization holds the code only detached
// ("<code>~<its id>", never a valid code), never the holder's account. A
// coordinator covering the holder's region decides: upholding moves the
// code (the claimant holds it, verified; the holder keeps the detached form,
// unverified), rejecting leaves both as they are. Both sides are told.

// ScreenUnverified is the screening reason of a need held until its
// enterprise is verified.
const ScreenUnverified = "unverified"

// Project events of the verification hold.
const (
	EventHoldUnverified = "hold_unverified"
	EventReleased       = "release_verified"
)

// Notices of verification and claims.
const (
	NoticeEnterpriseVerified = "enterprise_verified" // to the enterprise
	NoticeCodeLost           = "code_lost"           // to the holder whose code a claim took
	NoticeClaimUpheld        = "claim_upheld"        // to the claimant
	NoticeClaimRejected      = "claim_rejected"      // to the claimant
	NoticeClaimFiled         = "claim_filed"         // to the offices covering the holder
	NoticeHeldUnverified     = "held_unverified"     // to the owner: its need waits for its verification
	NoticeVerificationWanted = "verification_wanted" // to the offices: an enterprise's need waits for its verification
)

// NoticeEnterpriseVerifiedParam is the push notice's parameter, "true" or
// "false", that says whether the need's enterprise was verified when pushed.
const NoticeEnterpriseVerifiedParam = "enterprise_verified"

// RequiresVerification reports whether a need of owner filed in region
// waits for the owner's verification: the owner is an unverified
// enterprise, and the need's region or the owner's own lies in one of
// regions (a city's code covers its counties).
func RequiresVerification(region string, owner Organization, regions []string) bool {
	if owner.Kind != KindEnterprise || owner.Verified {
		return false
	}
	for _, r := range regions {
		if RegionCovers(r, region) || RegionCovers(r, owner.RegionCode) {
			return true
		}
	}
	return false
}

// HeldForVerification reports whether the project waits for its
// enterprise's verification.
func (p Project) HeldForVerification() bool {
	return p.Status == ProjectScreening && p.ScreenReason == ScreenUnverified
}

// HoldForVerification holds a submitted need that nobody was pushed yet.
func (p Project) HoldForVerification(now time.Time) (ProjectChange, error) {
	if p.Status != ProjectSubmitted {
		return ProjectChange{}, Errorf(ECInvalidState, "a %s project is not waiting for its first push", p.Status)
	}
	reason := ScreenUnverified
	return ProjectChange{To: ProjectScreening, ScreenReason: &reason,
		Event: &ProjectEvent{At: now, Actor: "system", Action: EventHoldUnverified}}, nil
}

// ReleaseVerified sends a held need into matching once its enterprise is
// verified (or its region no longer requires it).
func (p Project) ReleaseVerified(now time.Time) (ProjectChange, error) {
	if !p.HeldForVerification() {
		return ProjectChange{}, Errorf(ECInvalidState, "the project is not held for verification")
	}
	none, zero := "", time.Time{}
	return ProjectChange{To: ProjectSubmitted, ScreenReason: &none, ScreenDueAt: &zero, ScreenEscalatedAt: &zero,
		Event: &ProjectEvent{At: now, Actor: "system", Action: EventReleased}}, nil
}

// DetachedUSCC is the form of code an organization holds while another
// holds the code itself: unique, and never a valid credit code.
func DetachedUSCC(code, orgID string) string { return code + "~" + orgID }

// ClaimedUSCC is the credit code an organization registered under, whether
// it holds it or only its detached form.
func (o Organization) ClaimedUSCC() string {
	code, _, _ := strings.Cut(o.USCC, "~")
	return code
}

// HoldsCode reports whether the organization holds its credit code itself.
func (o Organization) HoldsCode() bool { return ValidUSCC(o.USCC) }

// CheckVerify is the rule of verifying an enterprise: it holds its own
// credit code (one whose code a claim took, or a claimant still waiting,
// cannot be verified).
func (o Organization) CheckVerify() error {
	switch {
	case o.Kind != KindEnterprise:
		return Errorf(ECInvalidState, "organization %s is not an enterprise", o.ID)
	case !o.HoldsCode():
		return Errorf(ECInvalidState, "enterprise %s does not hold its credit code", o.ID)
	}
	return nil
}

// CanVerifyEnterprise: coordinators whose scope covers the enterprise's
// region, and platform admins.
func (a Actor) CanVerifyEnterprise(o Organization) bool {
	return o.Kind == KindEnterprise && a.Covers(o.RegionCode)
}

// ClaimStatus is where a claim on a credit code stands.
type ClaimStatus string

const (
	ClaimPending ClaimStatus = "pending"
	// ClaimUpholding: upheld, the code not yet wholly moved (a step
	// failed); deciding again finishes it.
	ClaimUpholding ClaimStatus = "upholding"
	ClaimUpheld    ClaimStatus = "upheld"
	ClaimRejected  ClaimStatus = "rejected"
)

// ClaimDecision is a coordinator's ruling on a claim.
type ClaimDecision string

const (
	ClaimUphold ClaimDecision = "uphold"
	ClaimReject ClaimDecision = "reject"
)

// CodeClaim is an enterprise's contest of a credit code another
// organization registered first.
type CodeClaim struct {
	ID            string
	USCC          string
	ClaimantOrgID string
	HolderOrgID   string
	// HolderRegion decides which coordinators rule on it.
	HolderRegion string
	Name         string // the claimant's name for itself
	Contact      string // how a coordinator reaches the claimant
	EvidenceNote string // what the claimant offers as proof
	Status       ClaimStatus
	DecidedBy    string
	DecidedAt    time.Time
	DecisionNote string
	CreatedAt    time.Time
}

// Bounds of a claim's words.
const (
	maxContactRunes  = 200
	maxEvidenceRunes = 2000
)

// ValidateClaim checks what a claimant sends besides its registration.
func ValidateClaim(code, contact, evidence string) error {
	var p Problems
	switch {
	case code == "":
		p.Add("credit_code", FCRequired)
	case !ValidUSCC(code):
		p.Add("credit_code", FCInvalidUSCC)
	}
	p.Text("contact", contact, true, maxContactRunes)
	p.Text("evidence_note", evidence, true, maxEvidenceRunes)
	return p.Err()
}

// CanDecideClaim: coordinators whose scope covers the holder's region, and
// platform admins.
func (a Actor) CanDecideClaim(c CodeClaim) bool { return a.IsStaff() && a.Covers(c.HolderRegion) }

// CanSeeClaim: those who may decide it, and the claimant.
func (a Actor) CanSeeClaim(c CodeClaim) bool {
	return a.CanDecideClaim(c) || (a.Org.ID != "" && a.Org.ID == c.ClaimantOrgID)
}

// Decide is a coordinator's ruling: the status the claim moves to. A claim
// left upholding by a failed step is upheld again, to finish the move.
func (c CodeClaim) Decide(d ClaimDecision, note string) (ClaimStatus, error) {
	note = strings.TrimSpace(note)
	var p Problems
	switch d {
	case "":
		p.Add("decision", FCRequired)
	case ClaimUphold, ClaimReject:
	default:
		p.OneOf("decision", Names([]ClaimDecision{ClaimUphold, ClaimReject}))
	}
	p.Text("note", note, d == ClaimReject, maxNoteRunes)
	if err := p.Err(); err != nil {
		return "", err
	}
	switch {
	case c.Status == ClaimUpholding && d == ClaimUphold:
		return ClaimUpholding, nil
	case c.Status != ClaimPending:
		return "", Errorf(ECInvalidState, "a %s claim is decided already", c.Status)
	case d == ClaimUphold:
		return ClaimUpholding, nil
	}
	return ClaimRejected, nil
}

// ClaimFilter narrows a claim list: a claimant's own, or those whose
// holder lies in regions (nil: every region), in a status.
type ClaimFilter struct {
	ClaimantOrgID string
	Regions       []string
	Status        ClaimStatus
}
