package web

import (
	"strconv"

	"github.com/gofiber/fiber/v2"

	"finzone"
	"finzone/server"
	"finzone/usecase"
)

// A project's syndicated loan as the project and match pages show it, and
// the members' answers and the lead arranger's signature.

type syndicateView struct {
	S       finzone.Syndicate
	Members []syndicateMemberView
	// CanSign offers the lead arranger the sign button once every share
	// is accepted.
	CanSign bool
}

type syndicateMemberView struct {
	M    finzone.SyndicateMember
	Name string
	// Mine marks the viewer's own share, which it may accept or decline.
	Mine bool
}

// newSyndicateView is s as actor a sees it; nil when there is none.
func newSyndicateView(a finzone.Actor, s *finzone.Syndicate, names map[string]string) *syndicateView {
	if s == nil {
		return nil
	}
	sv := &syndicateView{S: *s, CanSign: a.IsInstitution() && s.LeadID == a.Org.ID && s.Signable()}
	for _, m := range s.Members {
		sv.Members = append(sv.Members, syndicateMemberView{M: m, Name: orgName(names, m.InstitutionID),
			Mine: m.InstitutionID == a.Org.ID})
	}
	return sv
}

// syndicateRespondPost commits the institution's amount (in 万元) or
// declines its invitation.
func (p *pages) syndicateRespondPost(c *fiber.Ctx, v *View) error {
	var err error
	if c.FormValue("decision") == "decline" {
		_, err = p.uc.DeclineSyndicate(c.UserContext(), server.Actor(c), c.Params("id"), c.FormValue("reason_code"), c.FormValue("note"))
	} else {
		wan, _ := strconv.ParseInt(c.FormValue("amount_wan"), 10, 64)
		_, err = p.uc.CommitToSyndicate(c.UserContext(), server.Actor(c), c.Params("id"),
			usecase.CommitInput{AmountYuan: wan * 10_000, Tranche: c.FormValue("tranche")})
	}
	if err != nil {
		return err
	}
	return redirectFlash(c, localPath(c.FormValue("back")), "flash.share_answered")
}

// syndicateSignPost lets the lead arranger mark a committed syndicate signed.
func (p *pages) syndicateSignPost(c *fiber.Ctx, v *View) error {
	if _, err := p.uc.SignSyndicate(c.UserContext(), server.Actor(c), c.Params("id")); err != nil {
		return err
	}
	return redirectFlash(c, localPath(c.FormValue("back")), "flash.syndicate_signed")
}
