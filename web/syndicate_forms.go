package web

import (
	"context"
	"strconv"

	"github.com/gofiber/fiber/v2"

	"finzone"
	"finzone/server"
	"finzone/usecase"
)

// The syndicate's forms: the owner's mandate, the lead arranger's
// facility, invitations and signature, a bank's commitment, decline and
// withdrawal, the agent's drawdowns and a member's transfer. Each posts to
// /projects/:id/syndicate/<form>, calls one use case and goes back to the
// page it came from; field messages show on the syndicate's page.

// The forms' field names, by the core's (amounts in 万元 on the forms).
var (
	mandateNames  = map[string]string{"institution_id": "lead_id"}
	inviteNames   = map[string]string{"institution_ids": "invite_ids", "role": "invite_role", "fee_bps": "invite_fee_bps"}
	commitNames   = map[string]string{"amount_yuan": "commit_wan", "tranche": "commit_tranche"}
	declineNames  = map[string]string{"reason_code": "syn_decline_reason", "note": "syn_decline_note"}
	withdrawNames = map[string]string{"note": "withdraw_note"}
	drawNames     = map[string]string{"amount_yuan": "draw_wan", "tranche": "draw_tranche", "reference": "draw_reference"}
	transferNames = map[string]string{"to_institution_id": "transfer_to", "tranche": "transfer_tranche", "amount_yuan": "transfer_wan"}
)

// syndicateForms are the forms' last path parts; a GET of one leads back
// to the syndicate's page (a page drawn by a POST links its language
// switch to its own address).
var syndicateForms = []string{"mandate", "facility", "invite", "commit", "decline", "withdraw", "sign", "drawdown", "transfer"}

// syndicateOp is one form's operation on the project's syndicate.
type syndicateOp func(ctx context.Context, a finzone.Actor, projectID string) error

// syndicateFormPost runs a syndicate form's operation and goes back to the
// page the form was on with a flash. Field problems (with those of numbers
// the form could not read, noted first) show on the syndicate's page;
// other errors are pages. A number the form could not read reaches the
// operation as -1, which every amount, term, fee and period refuses: the
// operation still judges who acts, and writes nothing.
func (p *pages) syndicateFormPost(c *fiber.Ctx, v *View, names map[string]string, flash string, op syndicateOp) error {
	err := op(c.UserContext(), server.Actor(c), c.Params("id"))
	if err == nil {
		back := localPath(v.Form.Get("back"))
		if back == "/" {
			back = syndicatePath(c.Params("id"))
		}
		return redirectFlash(c, back, flash)
	}
	status := fiber.StatusBadRequest
	if err != nil {
		var ok bool
		if status, ok = formError(v, err, names); !ok {
			return err
		}
	}
	return p.showSyndicate(c, v, status)
}

// orBad is a number the form read, or -1 for one it could not.
func orBad[T int | int64](n *T) T {
	if n == nil {
		return -1
	}
	return *n
}

// syndicateForm reads a posted syndicate form: its values on the view, its
// field order for the error summary, and a reader of its numbers.
func syndicateForm(c *fiber.Ctx, v *View, names map[string]string, layout ...string) *numbers {
	_, n := postedForm(c, v, layout, names)
	return n
}

func (p *pages) mandatePost(c *fiber.Ctx, v *View) error {
	syndicateForm(c, v, mandateNames, "lead_id")
	return p.syndicateFormPost(c, v, mandateNames, "flash.syndicate_mandated", func(ctx context.Context, a finzone.Actor, id string) error {
		_, err := p.uc.MandateLead(ctx, a, id, v.Form.Get("lead_id"))
		return err
	})
}

// facilityLayout is the facility form's fields in page order.
var facilityLayout = []string{"facility_wan", "tranches", "tranche_1_wan", "tranche_1_months", "tranche_2_wan", "tranche_2_months",
	"tranche_3_wan", "tranche_3_months", "agent_id", "arrangement_fee_bps", "agency_fee_bps", "commit_days"}

// facilityPost is the lead arranger setting the facility. Tranche groups
// left blank are left out; a lone group with no amount is the whole
// facility.
func (p *pages) facilityPost(c *fiber.Ctx, v *View) error {
	names := map[string]string{"amount_yuan": "facility_wan", "tranches": "tranches", "agent_id": "agent_id",
		"arrangement_fee_bps": "arrangement_fee_bps", "agency_fee_bps": "agency_fee_bps", "commit_days": "commit_days"}
	n := syndicateForm(c, v, names, facilityLayout...)
	in := finzone.FacilityInput{AmountYuan: orBad(n.wan("facility_wan", true)), AgentID: v.Form.Get("agent_id"),
		ArrangementFeeBps: orBad(n.int("arrangement_fee_bps", false)), AgencyFeeBps: orBad(n.int("agency_fee_bps", false)),
		CommitDays: orBad(n.int("commit_days", true))}
	var blankAmount []int
	for i := 0; i < finzone.MaxTrancheGroups; i++ {
		wan, months := trancheField(i, "wan"), trancheField(i, "months")
		if !given(v.Form, wan) && !given(v.Form, months) {
			continue
		}
		j := len(in.Tranches)
		names["tranches["+strconv.Itoa(j)+"].amount_yuan"], names["tranches["+strconv.Itoa(j)+"].term_months"] = wan, months
		if !given(v.Form, wan) {
			blankAmount = append(blankAmount, j)
		}
		in.Tranches = append(in.Tranches, finzone.TrancheInput{AmountYuan: orBad(n.wan(wan, false)), TermMonths: orBad(n.int(months, false))})
	}
	if len(in.Tranches) == 1 && len(blankAmount) == 1 {
		if in.Tranches[0].AmountYuan = in.AmountYuan; in.AmountYuan <= 0 {
			in.Tranches = nil // the facility's amount is wrong: say so there only
		}
	}
	return p.syndicateFormPost(c, v, names, "flash.facility_set", func(ctx context.Context, a finzone.Actor, id string) error {
		_, err := p.uc.SetFacility(ctx, a, id, in)
		return err
	})
}

// invitePost is the lead arranger inviting the banks ticked.
func (p *pages) invitePost(c *fiber.Ctx, v *View) error {
	n := syndicateForm(c, v, inviteNames, "invite_ids", "invite_role", "invite_fee_bps")
	names := map[string]string{}
	for k, val := range inviteNames {
		names[k] = val
	}
	ids := v.Form.Values["invite_ids"]
	for i := range ids {
		names["institution_ids["+strconv.Itoa(i)+"]"] = "invite_ids"
	}
	in := usecase.InviteInput{InstitutionIDs: ids, Role: finzone.SyndicateRole(v.Form.Get("invite_role")),
		FeeBps: orBad(n.int("invite_fee_bps", false))}
	return p.syndicateFormPost(c, v, names, "flash.banks_invited", func(ctx context.Context, a finzone.Actor, id string) error {
		_, err := p.uc.InviteBanks(ctx, a, id, in)
		return err
	})
}

// commitPost is an invited bank committing an amount, to a tranche group
// when there are several.
func (p *pages) commitPost(c *fiber.Ctx, v *View) error {
	n := syndicateForm(c, v, commitNames, "commit_tranche", "commit_wan")
	in := usecase.CommitInput{AmountYuan: orBad(n.wan("commit_wan", true)), Tranche: v.Form.Get("commit_tranche")}
	return p.syndicateFormPost(c, v, commitNames, "flash.syndicate_committed", func(ctx context.Context, a finzone.Actor, id string) error {
		_, err := p.uc.CommitToSyndicate(ctx, a, id, in)
		return err
	})
}

func (p *pages) declinePost(c *fiber.Ctx, v *View) error {
	syndicateForm(c, v, declineNames, "syn_decline_reason", "syn_decline_note")
	return p.syndicateFormPost(c, v, declineNames, "flash.syndicate_declined", func(ctx context.Context, a finzone.Actor, id string) error {
		_, err := p.uc.DeclineSyndicate(ctx, a, id, v.Form.Get("syn_decline_reason"), v.Form.Get("syn_decline_note"))
		return err
	})
}

func (p *pages) withdrawCommitmentPost(c *fiber.Ctx, v *View) error {
	syndicateForm(c, v, withdrawNames, "withdraw_note")
	return p.syndicateFormPost(c, v, withdrawNames, "flash.commitment_withdrawn", func(ctx context.Context, a finzone.Actor, id string) error {
		_, err := p.uc.WithdrawCommitment(ctx, a, id, v.Form.Get("withdraw_note"))
		return err
	})
}

// signPost is the lead arranger signing a covered book; a gap or a broken
// rule is refused with the rule named.
func (p *pages) signPost(c *fiber.Ctx, v *View) error {
	syndicateForm(c, v, nil)
	return p.syndicateFormPost(c, v, nil, "flash.syndicate_signed", func(ctx context.Context, a finzone.Actor, id string) error {
		_, err := p.uc.SignSyndicate(ctx, a, id)
		return err
	})
}

// drawdownPost is the agent bank recording a drawdown.
func (p *pages) drawdownPost(c *fiber.Ctx, v *View) error {
	n := syndicateForm(c, v, drawNames, "draw_tranche", "draw_wan", "draw_reference")
	in := usecase.DrawInput{AmountYuan: orBad(n.wan("draw_wan", true)), Tranche: v.Form.Get("draw_tranche"),
		Reference: v.Form.Get("draw_reference")}
	return p.syndicateFormPost(c, v, drawNames, "flash.drawdown_recorded", func(ctx context.Context, a finzone.Actor, id string) error {
		_, err := p.uc.RecordDrawdown(ctx, a, id, in)
		return err
	})
}

// transferPost is a member passing (part of) its share to another bank,
// named by its institution ID.
func (p *pages) transferPost(c *fiber.Ctx, v *View) error {
	n := syndicateForm(c, v, transferNames, "transfer_to", "transfer_tranche", "transfer_wan")
	in := usecase.TransferInput{ToInstitutionID: v.Form.Get("transfer_to"), Tranche: v.Form.Get("transfer_tranche"),
		AmountYuan: orBad(n.wan("transfer_wan", true))}
	return p.syndicateFormPost(c, v, transferNames, "flash.share_transferred", func(ctx context.Context, a finzone.Actor, id string) error {
		_, err := p.uc.TransferShare(ctx, a, id, in)
		return err
	})
}
