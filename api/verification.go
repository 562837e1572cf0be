package api

import (
	"encoding/json"
	"time"

	"github.com/gofiber/fiber/v2"

	"finzone"
	"finzone/server"
	"finzone/usecase"
)

// Enterprise verification and claims on credit codes; every push and
// project an institution reads says whether its enterprise is verified.

// listEnterprises is the coordinators' view of enterprises in their
// regions, e.g. ?verified=false for the verification queue.
func (h handler) listEnterprises(c *fiber.Ctx) error {
	items, next, err := h.uc.ListEnterprises(c.UserContext(), server.Actor(c), usecase.EnterpriseQuery{
		Verified: c.Query("verified"), ListInput: listInput(c)})
	if err != nil {
		return err
	}
	return c.JSON(toListJSON(items, next, toOrgJSON))
}

func (h handler) verifyEnterprise(c *fiber.Ctx) error {
	o, err := h.uc.VerifyEnterprise(c.UserContext(), server.Actor(c), c.Params("id"))
	if err != nil {
		return err
	}
	return c.JSON(toOrgJSON(o))
}

// claimBody is a claim on a credit code: the code, the claimant's name for
// itself, how to reach it and its evidence, with the rest of its
// registration (org: region_code, industry_code, size, cluster_id; user:
// email, name, password), for the account the outcome reaches.
type claimBody struct {
	CreditCode   string          `json:"credit_code"`
	Name         string          `json:"name"`
	Contact      string          `json:"contact"`
	EvidenceNote string          `json:"evidence_note"`
	Org          json.RawMessage `json:"org"`
	User         json.RawMessage `json:"user"`
	// PrivacyConsent: the claimant gets an account, so consents as a
	// registration does.
	PrivacyConsent string `json:"privacy_consent"`
}

type claimOrgBody struct {
	RegionCode   string       `json:"region_code"`
	ClusterID    string       `json:"cluster_id"`
	IndustryCode string       `json:"industry_code"`
	Size         finzone.Size `json:"size"`
}

// fileCodeClaim files a claim and signs the claimant in (201).
func (h handler) fileCodeClaim(c *fiber.Ctx) error {
	in, err := decodeClaim(c)
	if err != nil {
		return err
	}
	f, err := h.uc.FileCodeClaim(c.UserContext(), server.Actor(c), in)
	if err != nil {
		return err
	}
	server.SetSession(c, f.Token, f.ExpiresAt)
	return c.Status(fiber.StatusCreated).JSON(fiber.Map{"claim": toClaimJSON(f.Claim),
		"session": toSessionJSON(f.Token, f.User, f.Org)})
}

// decodeClaim reads a claim; its org and user parts are required objects,
// and every problem is reported at once.
func decodeClaim(c *fiber.Ctx) (usecase.ClaimInput, error) {
	var body claimBody
	if err := decode(c, &body); err != nil {
		return usecase.ClaimInput{}, err
	}
	var org claimOrgBody
	var user registerUserBody
	// The claim names the code and the company; its org part cannot.
	orgOnly := append([]string{"kind", "name", "uscc"}, orgReadOnly...)
	if err := decodeParts(part{"org", body.Org, &org, orgOnly}, part{"user", body.User, &user, userReadOnly}); err != nil {
		return usecase.ClaimInput{}, err
	}
	return usecase.ClaimInput{Contact: body.Contact, EvidenceNote: body.EvidenceNote, Signup: finzone.Signup{
		Org: finzone.Organization{Kind: finzone.KindEnterprise, Name: body.Name, USCC: body.CreditCode, RegionCode: org.RegionCode,
			ClusterID: org.ClusterID, IndustryCode: org.IndustryCode, Size: org.Size},
		Email: user.Email, Name: user.Name, Password: user.Password, PrivacyConsent: body.PrivacyConsent}}, nil
}

// listCodeClaims is the claims a coordinator decides, or an enterprise's
// own; ?status=pending for the queue.
func (h handler) listCodeClaims(c *fiber.Ctx) error {
	items, next, err := h.uc.ListCodeClaims(c.UserContext(), server.Actor(c), usecase.ClaimQuery{
		Status: c.Query("status"), ListInput: listInput(c)})
	if err != nil {
		return err
	}
	return c.JSON(toListJSON(items, next, toClaimJSON))
}

func (h handler) getCodeClaim(c *fiber.Ctx) error {
	cl, err := h.uc.CodeClaim(c.UserContext(), server.Actor(c), c.Params("id"))
	if err != nil {
		return err
	}
	return c.JSON(toClaimJSON(cl))
}

// decideCodeClaim upholds or rejects a claim.
func (h handler) decideCodeClaim(c *fiber.Ctx) error {
	var body reviewBody
	if err := decode(c, &body); err != nil {
		return err
	}
	cl, err := h.uc.DecideCodeClaim(c.UserContext(), server.Actor(c), c.Params("id"), usecase.ClaimDecisionInput{
		Decision: finzone.ClaimDecision(body.Decision), Note: body.Note})
	if err != nil {
		return err
	}
	return c.JSON(toClaimJSON(cl))
}

type claimJSON struct {
	ID            string     `json:"id"`
	CreditCode    string     `json:"credit_code"`
	ClaimantOrgID string     `json:"claimant_org_id"`
	HolderOrgID   string     `json:"holder_org_id"`
	HolderRegion  string     `json:"holder_region"`
	Name          string     `json:"name"`
	Contact       string     `json:"contact"`
	EvidenceNote  string     `json:"evidence_note"`
	Status        string     `json:"status"`
	DecidedBy     string     `json:"decided_by,omitempty"`
	DecidedAt     *time.Time `json:"decided_at,omitempty"`
	DecisionNote  string     `json:"decision_note,omitempty"`
	CreatedAt     time.Time  `json:"created_at"`
}

func toClaimJSON(c finzone.CodeClaim) claimJSON {
	return claimJSON{ID: c.ID, CreditCode: c.USCC, ClaimantOrgID: c.ClaimantOrgID, HolderOrgID: c.HolderOrgID,
		HolderRegion: c.HolderRegion, Name: c.Name, Contact: c.Contact, EvidenceNote: c.EvidenceNote, Status: string(c.Status),
		DecidedBy: c.DecidedBy, DecidedAt: timePtr(c.DecidedAt), DecisionNote: c.DecisionNote, CreatedAt: c.CreatedAt}
}

// matchesJSON renders matches as a sees them, each saying whether its
// enterprise is verified (each enterprise read once, by ID).
func (h handler) matchesJSON(c *fiber.Ctx, ms []finzone.Match, a finzone.Actor) ([]matchJSON, error) {
	owners := make([]string, len(ms))
	for i, m := range ms {
		owners[i] = m.OwnerOrgID
	}
	verified, err := h.uc.EnterpriseVerified(c.UserContext(), owners...)
	if err != nil {
		return nil, err
	}
	now := h.uc.Now()
	out := make([]matchJSON, len(ms))
	for i, m := range ms {
		out[i] = toMatchJSON(m, a, now, false)
		out[i].EnterpriseVerified = verified[m.OwnerOrgID]
	}
	return out, nil
}

// sendMatch answers with one match and its events.
func (h handler) sendMatch(c *fiber.Ctx, m finzone.Match, a finzone.Actor) error {
	verified, err := h.uc.EnterpriseVerified(c.UserContext(), m.OwnerOrgID)
	if err != nil {
		return err
	}
	out := toMatchJSON(m, a, h.uc.Now(), true)
	out.EnterpriseVerified = verified[m.OwnerOrgID]
	return c.JSON(out)
}

// projectsJSON renders projects, each saying whether its owner is verified.
func (h handler) projectsJSON(c *fiber.Ctx, ps []finzone.Project) ([]projectJSON, error) {
	owners := make([]string, len(ps))
	for i, p := range ps {
		owners[i] = p.OwnerOrgID
	}
	verified, err := h.uc.EnterpriseVerified(c.UserContext(), owners...)
	if err != nil {
		return nil, err
	}
	out := make([]projectJSON, len(ps))
	for i, p := range ps {
		out[i] = toProjectJSON(p)
		out[i].EnterpriseVerified = verified[p.OwnerOrgID]
	}
	return out, nil
}

// sendProject answers with one project.
func (h handler) sendProject(c *fiber.Ctx, p finzone.Project) error {
	out, err := h.projectsJSON(c, []finzone.Project{p})
	if err != nil {
		return err
	}
	return c.JSON(out[0])
}
