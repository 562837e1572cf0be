package web

import (
	"net/url"

	"github.com/gofiber/fiber/v2"

	"finzone"
	"finzone/server"
	"finzone/usecase"
)

// The list of syndicated loans: a coordinator's by region and state with
// the amount arranged, and a bank's or an enterprise's own.

// syndicateRows are the syndicates a list shows, each with its lead's name
// and where it leads: the project's page, or for a bank (which may be
// invited to a project it was never pushed) the syndicate's own.
func syndicateRows(a finzone.Actor, list []finzone.Syndicate, names map[string]string) []syndicateRow {
	var out []syndicateRow
	for _, s := range list {
		row := syndicateRow{S: s, LeadName: nameOrEmpty(names, s.LeadID), Link: "/projects/" + url.PathEscape(s.ProjectID)}
		if a.IsInstitution() {
			row.Link = syndicatePath(s.ProjectID)
		}
		out = append(out, row)
	}
	return out
}

type syndicateRow struct {
	S        finzone.Syndicate
	LeadName string
	Link     string
}

// syndicatesData is the list of syndicates with its filters and totals.
type syndicatesData struct {
	State, Region string
	States        []finzone.SyndicateState
	Regions       []Option
	Rows          []syndicateRow
	Totals        []usecase.SyndicateTotal
	Next          string
}

// syndicatesPage lists the syndicates the viewer may see (a coordinator's
// in its regions, a bank's it is invited to, an enterprise's own) by state
// and region, with the count and amount arranged in each state.
func (p *pages) syndicatesPage(c *fiber.Ctx, v *View) error {
	a := server.Actor(c)
	q := usecase.SyndicateQuery{State: finzone.SyndicateState(c.Query("state")), Region: c.Query("region"),
		ListInput: usecase.ListInput{Cursor: c.Query("cursor")}}
	list, err := p.uc.ListSyndicates(c.UserContext(), a, q)
	if err != nil {
		return err
	}
	var leads []string
	for _, s := range list.Syndicates {
		if s.LeadID != "" {
			leads = append(leads, s.LeadID)
		}
	}
	names, err := p.uc.OrgNames(c.UserContext(), leads)
	if err != nil {
		return err
	}
	d := syndicatesData{State: string(q.State), Region: q.Region, States: finzone.SyndicateStates, Regions: regionOptions(a),
		Rows: syndicateRows(a, list.Syndicates, names), Totals: list.Totals}
	if list.Next != "" {
		d.Next = "/syndicates?" + queryWith(c, "cursor", list.Next)
	}
	v.Title, v.Data = "syndicates.title", d
	return p.render(c, fiber.StatusOK, "syndicates", v)
}
