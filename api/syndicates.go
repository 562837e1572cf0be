package api

import (
	"time"

	"github.com/gofiber/fiber/v2"

	"finzone"
	"finzone/server"
	"finzone/usecase"
)

// The syndicated loan's routes: one handler per step, each decoding its
// body, calling the use case and answering the syndicate as the caller
// sees it.

type amountJSON struct {
	Tranche    string `json:"tranche"`
	AmountYuan int64  `json:"amount_yuan"`
}

func toAmounts(as []finzone.TrancheAmount) []amountJSON {
	out := []amountJSON{}
	for _, a := range as {
		out = append(out, amountJSON{a.Tranche, a.AmountYuan})
	}
	return out
}

type trancheGroupJSON struct {
	ID            string `json:"id"`
	AmountYuan    int64  `json:"amount_yuan"`
	TermMonths    int    `json:"term_months"`
	CommittedYuan int64  `json:"committed_yuan"`
	AllocatedYuan int64  `json:"allocated_yuan"`
	DrawnYuan     int64  `json:"drawn_yuan"`
}

type facilityJSON struct {
	AmountYuan        int64              `json:"amount_yuan"`
	Tranches          []trancheGroupJSON `json:"tranches"`
	AgentID           string             `json:"agent_id"`
	ArrangementFeeBps int                `json:"arrangement_fee_bps"`
	AgencyFeeBps      int                `json:"agency_fee_bps"`
	CommitDays        int                `json:"commit_days"`
	CommitBy          *time.Time         `json:"commit_by"`
}

type syndicateMemberJSON struct {
	InstitutionID string       `json:"institution_id"`
	Role          string       `json:"role"`
	Status        string       `json:"status"`
	FeeBps        *int         `json:"fee_bps,omitempty"` // only to the bank itself and the lead
	Commitments   []amountJSON `json:"commitments"`
	Allocations   []amountJSON `json:"allocations"`
	CommittedYuan int64        `json:"committed_yuan"`
	AllocatedYuan int64        `json:"allocated_yuan"`
	ShareBps      int64        `json:"share_bps"` // of the facility
	DeclineReason string       `json:"decline_reason,omitempty"`
	Note          string       `json:"note,omitempty"`
}

type ruleCheckJSON struct {
	Rule string `json:"rule"`
	OK   bool   `json:"ok"`
}

type splitJSON struct {
	InstitutionID string `json:"institution_id"`
	AmountYuan    int64  `json:"amount_yuan"`
}

type drawdownJSON struct {
	ID         string      `json:"id"`
	Reference  string      `json:"reference,omitempty"`
	Tranche    string      `json:"tranche"`
	AmountYuan int64       `json:"amount_yuan"`
	At         time.Time   `json:"at"`
	Splits     []splitJSON `json:"splits"`
}

type syndicateEventJSON struct {
	At            time.Time `json:"at"`
	Action        string    `json:"action"`
	OrgID         string    `json:"org_id,omitempty"`
	InstitutionID string    `json:"institution_id,omitempty"`
	Tranche       string    `json:"tranche,omitempty"`
	AmountYuan    int64     `json:"amount_yuan,omitempty"`
	Note          string    `json:"note,omitempty"`
}

type syndicateJSON struct {
	ProjectID       string                `json:"project_id"`
	ProjectTitle    string                `json:"project_title"`
	RegionCode      string                `json:"region_code"`
	AmountYuan      int64                 `json:"amount_yuan"` // the project's need
	State           string                `json:"state"`
	Reason          string                `json:"reason"`
	SuggestedLeadID string                `json:"suggested_lead_id"`
	LeadID          string                `json:"lead_id"`
	Facility        facilityJSON          `json:"facility"`
	Members         []syndicateMemberJSON `json:"members"`
	CommittedYuan   int64                 `json:"committed_yuan"`
	AllocatedYuan   int64                 `json:"allocated_yuan"`
	GapYuan         int64                 `json:"gap_yuan"`
	Coverage        float64               `json:"coverage"` // allocated share of the facility, 0–1
	BindingRule     string                `json:"binding_rule,omitempty"`
	Checks          []ruleCheckJSON       `json:"checks"`
	Signable        bool                  `json:"signable"`
	AllowedActions  []string              `json:"allowed_actions"`
	Drawdowns       []drawdownJSON        `json:"drawdowns"`
	DrawnYuan       int64                 `json:"drawn_yuan"`
	Events          []syndicateEventJSON  `json:"events"`
	SignedAt        *time.Time            `json:"signed_at"`
	Version         int                   `json:"version"`
	UpdatedAt       time.Time             `json:"updated_at"`
}

// toSyndicateJSON is s as viewer (an organization) sees it.
func toSyndicateJSON(s finzone.Syndicate, viewer string) syndicateJSON {
	f := s.Facility
	out := syndicateJSON{ProjectID: s.ProjectID, ProjectTitle: s.ProjectTitle, RegionCode: s.RegionCode, AmountYuan: s.AmountYuan,
		State: string(s.State), Reason: s.Reason, SuggestedLeadID: s.SuggestedLeadID, LeadID: s.LeadID,
		Facility: facilityJSON{AmountYuan: f.AmountYuan, AgentID: f.AgentID, ArrangementFeeBps: f.ArrangementFeeBps,
			AgencyFeeBps: f.AgencyFeeBps, CommitDays: f.CommitDays, CommitBy: timePtr(f.CommitBy.UTC()), Tranches: []trancheGroupJSON{}},
		CommittedYuan: s.CommittedYuan(), AllocatedYuan: s.AllocatedYuan(), GapYuan: s.GapYuan,
		Coverage: float64(s.CoverageBps()) / 10_000, BindingRule: s.Binding, Checks: []ruleCheckJSON{}, Signable: s.Signable(),
		AllowedActions: append([]string{}, s.Actions()...), Drawdowns: []drawdownJSON{}, DrawnYuan: s.DrawnYuan(""),
		Events: []syndicateEventJSON{}, Members: []syndicateMemberJSON{}, SignedAt: timePtr(s.SignedAt.UTC()), Version: s.Version,
		UpdatedAt: s.UpdatedAt.UTC()}
	for _, t := range f.Tranches {
		g := trancheGroupJSON{ID: t.ID, AmountYuan: t.AmountYuan, TermMonths: t.TermMonths, DrawnYuan: s.DrawnYuan(t.ID)}
		for _, m := range s.Members {
			if m.Status == finzone.MemberCommitted {
				g.CommittedYuan += m.CommittedIn(t.ID)
			}
			g.AllocatedYuan += m.AllocatedIn(t.ID)
		}
		out.Facility.Tranches = append(out.Facility.Tranches, g)
	}
	for _, m := range s.Members {
		mj := syndicateMemberJSON{InstitutionID: m.InstitutionID, Role: string(m.Role), Status: string(m.Status),
			Commitments: toAmounts(m.Commitments), Allocations: toAmounts(m.Allocations), CommittedYuan: m.CommittedYuan(),
			AllocatedYuan: m.AllocatedYuan(), DeclineReason: m.DeclineReason, Note: m.Note}
		if f.AmountYuan > 0 {
			mj.ShareBps = m.AllocatedYuan() * 10_000 / f.AmountYuan
		}
		if s.FeeVisible(viewer, m.InstitutionID) {
			fee := m.FeeBps
			mj.FeeBps = &fee
		}
		out.Members = append(out.Members, mj)
	}
	for _, c := range s.Checks {
		out.Checks = append(out.Checks, ruleCheckJSON{c.Rule, c.OK})
	}
	for _, d := range s.Drawdowns {
		dj := drawdownJSON{ID: d.ID, Reference: d.Ref, Tranche: d.Tranche, AmountYuan: d.AmountYuan, At: d.At.UTC(), Splits: []splitJSON{}}
		for _, sp := range d.Splits {
			dj.Splits = append(dj.Splits, splitJSON{sp.InstitutionID, sp.AmountYuan})
		}
		out.Drawdowns = append(out.Drawdowns, dj)
	}
	for _, e := range s.Events {
		out.Events = append(out.Events, syndicateEventJSON{At: e.At.UTC(), Action: e.Action, OrgID: e.OrgID,
			InstitutionID: e.InstitutionID, Tranche: e.Tranche, AmountYuan: e.AmountYuan, Note: e.Note})
	}
	return out
}

// answerSyndicate answers the syndicate a step returned, or its error.
func answerSyndicate(c *fiber.Ctx, s finzone.Syndicate, err error) error {
	if err != nil {
		return err
	}
	return c.JSON(toSyndicateJSON(s, server.Actor(c).Org.ID))
}

func (h handler) getSyndicate(c *fiber.Ctx) error {
	s, err := h.uc.Syndicate(c.UserContext(), server.Actor(c), c.Params("id"))
	return answerSyndicate(c, s, err)
}

type mandateBody struct {
	InstitutionID string `json:"institution_id"`
}

func (h handler) mandateLead(c *fiber.Ctx) error {
	var body mandateBody
	if err := decode(c, &body); err != nil {
		return err
	}
	s, err := h.uc.MandateLead(c.UserContext(), server.Actor(c), c.Params("id"), body.InstitutionID)
	return answerSyndicate(c, s, err)
}

type facilityBody struct {
	AmountYuan int64 `json:"amount_yuan"`
	Tranches   []struct {
		AmountYuan int64 `json:"amount_yuan"`
		TermMonths int   `json:"term_months"`
	} `json:"tranches"`
	AgentID           string `json:"agent_id"`
	ArrangementFeeBps int    `json:"arrangement_fee_bps"`
	AgencyFeeBps      int    `json:"agency_fee_bps"`
	CommitDays        int    `json:"commit_days"`
}

func (h handler) setFacility(c *fiber.Ctx) error {
	var body facilityBody
	if err := decode(c, &body); err != nil {
		return err
	}
	in := finzone.FacilityInput{AmountYuan: body.AmountYuan, AgentID: body.AgentID, ArrangementFeeBps: body.ArrangementFeeBps,
		AgencyFeeBps: body.AgencyFeeBps, CommitDays: body.CommitDays}
	for _, t := range body.Tranches {
		in.Tranches = append(in.Tranches, finzone.TrancheInput{AmountYuan: t.AmountYuan, TermMonths: t.TermMonths})
	}
	s, err := h.uc.SetFacility(c.UserContext(), server.Actor(c), c.Params("id"), in)
	return answerSyndicate(c, s, err)
}

type inviteBody struct {
	InstitutionIDs []string `json:"institution_ids"`
	Role           string   `json:"role"`
	FeeBps         int      `json:"fee_bps"`
}

func (h handler) inviteBanks(c *fiber.Ctx) error {
	var body inviteBody
	if err := decode(c, &body); err != nil {
		return err
	}
	s, err := h.uc.InviteBanks(c.UserContext(), server.Actor(c), c.Params("id"),
		usecase.InviteInput{InstitutionIDs: body.InstitutionIDs, Role: finzone.SyndicateRole(body.Role), FeeBps: body.FeeBps})
	return answerSyndicate(c, s, err)
}

type candidateJSON struct {
	InstitutionID string `json:"institution_id"`
	Name          string `json:"name"`
	Lender        bool   `json:"lender"` // one of the project's lenders
	Stage         string `json:"stage,omitempty"`
}

func (h handler) syndicateCandidates(c *fiber.Ctx) error {
	cs, err := h.uc.SyndicateCandidates(c.UserContext(), server.Actor(c), c.Params("id"))
	if err != nil {
		return err
	}
	out := []candidateJSON{}
	for _, x := range cs {
		out = append(out, candidateJSON{x.InstitutionID, x.Name, x.Lender, string(x.Stage)})
	}
	return c.JSON(listJSON[candidateJSON]{Items: out})
}

type commitBody struct {
	AmountYuan int64  `json:"amount_yuan"`
	Tranche    string `json:"tranche"`
}

func (h handler) commitToSyndicate(c *fiber.Ctx) error {
	var body commitBody
	if err := decode(c, &body); err != nil {
		return err
	}
	s, err := h.uc.CommitToSyndicate(c.UserContext(), server.Actor(c), c.Params("id"),
		usecase.CommitInput{AmountYuan: body.AmountYuan, Tranche: body.Tranche})
	return answerSyndicate(c, s, err)
}

type syndicateDeclineBody struct {
	ReasonCode string `json:"reason_code"`
	Note       string `json:"note"`
}

func (h handler) declineSyndicate(c *fiber.Ctx) error {
	var body syndicateDeclineBody
	if err := decode(c, &body); err != nil {
		return err
	}
	s, err := h.uc.DeclineSyndicate(c.UserContext(), server.Actor(c), c.Params("id"), body.ReasonCode, body.Note)
	return answerSyndicate(c, s, err)
}

func (h handler) withdrawCommitment(c *fiber.Ctx) error {
	var body noteBody // optional: an empty body withdraws without a note
	if len(c.Body()) > 0 {
		if err := decode(c, &body); err != nil {
			return err
		}
	}
	s, err := h.uc.WithdrawCommitment(c.UserContext(), server.Actor(c), c.Params("id"), body.Note)
	return answerSyndicate(c, s, err)
}

func (h handler) signSyndicate(c *fiber.Ctx) error {
	s, err := h.uc.SignSyndicate(c.UserContext(), server.Actor(c), c.Params("id"))
	return answerSyndicate(c, s, err)
}

type drawdownBody struct {
	AmountYuan int64  `json:"amount_yuan"`
	Tranche    string `json:"tranche"`
	Reference  string `json:"reference"`
}

func (h handler) recordDrawdown(c *fiber.Ctx) error {
	var body drawdownBody
	if err := decode(c, &body); err != nil {
		return err
	}
	s, err := h.uc.RecordDrawdown(c.UserContext(), server.Actor(c), c.Params("id"),
		usecase.DrawInput{AmountYuan: body.AmountYuan, Tranche: body.Tranche, Reference: body.Reference})
	return answerSyndicate(c, s, err)
}

type transferBody struct {
	ToInstitutionID string `json:"to_institution_id"`
	Tranche         string `json:"tranche"`
	AmountYuan      int64  `json:"amount_yuan"`
}

func (h handler) transferShare(c *fiber.Ctx) error {
	var body transferBody
	if err := decode(c, &body); err != nil {
		return err
	}
	s, err := h.uc.TransferShare(c.UserContext(), server.Actor(c), c.Params("id"),
		usecase.TransferInput{ToInstitutionID: body.ToInstitutionID, Tranche: body.Tranche, AmountYuan: body.AmountYuan})
	return answerSyndicate(c, s, err)
}

type syndicateTotalJSON struct {
	State      string `json:"state"`
	Count      int    `json:"count"`
	AmountYuan int64  `json:"amount_yuan"`
}

type syndicateListJSON struct {
	Items  []syndicateJSON      `json:"items"`
	Next   string               `json:"next"`
	Totals []syndicateTotalJSON `json:"totals"`
}

func (h handler) listSyndicates(c *fiber.Ctx) error {
	a := server.Actor(c)
	l, err := h.uc.ListSyndicates(c.UserContext(), a, usecase.SyndicateQuery{State: finzone.SyndicateState(c.Query("state")),
		Region: c.Query("region"), ListInput: listInput(c)})
	if err != nil {
		return err
	}
	out := syndicateListJSON{Items: []syndicateJSON{}, Next: l.Next, Totals: []syndicateTotalJSON{}}
	for _, s := range l.Syndicates {
		out.Items = append(out.Items, toSyndicateJSON(s, a.Org.ID))
	}
	for _, t := range l.Totals {
		out.Totals = append(out.Totals, syndicateTotalJSON{string(t.State), t.Count, t.AmountYuan})
	}
	return c.JSON(out)
}
