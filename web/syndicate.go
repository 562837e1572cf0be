package web

import (
	"net/url"
	"slices"
	"strconv"

	"github.com/gofiber/fiber/v2"

	"finzone"
	"finzone/server"
)

// A project's syndicated loan as the project, match and syndicate pages
// show it: its state, why it was suggested, the lead and the agent, the
// book (tranches, members, commitments, allocations, rule checks), the
// drawdowns, and the forms the viewer may use now. Who may do what is the
// use cases' to decide; the view only leaves out forms that could not
// succeed, and every form still goes through them.

type syndicateView struct {
	S finzone.Syndicate
	// Back is the page the forms come back to.
	Back                               string
	LeadName, AgentName, SuggestedName string
	Members                            []syndicateMemberView
	Tranches                           []trancheView
	Drawdowns                          []drawdownView
	// IsLead: the viewer is the lead arranger, which sees the whole book;
	// Me is the viewer's own place in the syndicate, if it has one.
	IsLead bool
	Me     *syndicateMemberView
	// Closed: the commitment deadline passed while the book is open.
	Closed bool
	// The forms the viewer may use now, with their choices.
	CanMandate     bool
	Mandatable     []Option
	CanFacility    bool
	AgentOptions   []Option
	CanInvite      bool
	Candidates     []Option
	CanCommit      bool
	CanDecline     bool
	CanWithdraw    bool
	CanSign        bool
	CanDraw        bool
	CanTransfer    bool
	TrancheOptions []Option
}

type syndicateMemberView struct {
	M    finzone.SyndicateMember
	Name string
	// Mine marks the viewer's own place; Agent the agent bank.
	Mine  bool
	Agent bool
	// ShowFee: the member's participation fee is shown to that bank and
	// the lead only; ShowCommitments: so are its commitments.
	ShowFee         bool
	ShowCommitments bool
	// ShareBps is the member's allocation as a share of the facility.
	ShareBps int64
}

type trancheView struct {
	T                                       finzone.TrancheGroup
	CommittedYuan, AllocatedYuan, DrawnYuan int64
}

type drawdownView struct {
	D      finzone.Drawdown
	Splits []splitView
}

type splitView struct {
	Name       string
	AmountYuan int64
}

// newSyndicateView is syn as actor a sees it, with the forms its state and
// a's place in it open; back is the page the forms return to.
func newSyndicateView(v *View, a finzone.Actor, syn finzone.Syndicate, names map[string]string, back string) *syndicateView {
	sv := &syndicateView{S: syn, Back: back, LeadName: nameOrEmpty(names, syn.LeadID),
		AgentName: nameOrEmpty(names, syn.Facility.AgentID), SuggestedName: nameOrEmpty(names, syn.SuggestedLeadID)}
	sv.IsLead = a.IsInstitution() && syn.LeadID != "" && syn.LeadID == a.Org.ID
	building := syn.State == finzone.SyndicateBookBuilding
	sv.Closed = building && !syn.Facility.CommitBy.IsZero() && v.Now.After(syn.Facility.CommitBy)
	for _, m := range syn.Members {
		row := syndicateMemberView{M: m, Name: orgName(names, m.InstitutionID), Mine: a.IsInstitution() && m.InstitutionID == a.Org.ID,
			Agent: m.InstitutionID == syn.Facility.AgentID, ShowFee: syn.FeeVisible(a.Org.ID, m.InstitutionID)}
		row.ShowCommitments = sv.IsLead || row.Mine
		if syn.Facility.AmountYuan > 0 {
			row.ShareBps = m.AllocatedYuan() * 10_000 / syn.Facility.AmountYuan
		}
		sv.Members = append(sv.Members, row)
	}
	for i := range sv.Members {
		if sv.Members[i].Mine {
			sv.Me = &sv.Members[i]
		}
	}
	sv.Tranches, sv.TrancheOptions = trancheViews(v, syn)
	sv.Drawdowns = drawdownViews(syn, names)
	open := func(step string) bool { return slices.Contains(syn.Actions(), step) }
	sv.CanMandate = a.IsEnterprise() && syn.OwnerOrgID == a.Org.ID && open("mandate")
	sv.CanFacility = sv.IsLead && open("facility")
	sv.CanInvite = sv.IsLead && open("invite")
	sv.CanSign = sv.IsLead && syn.Signable()
	sv.CanDraw = a.IsInstitution() && syn.Facility.AgentID == a.Org.ID && open("drawdown")
	if me := sv.Me; me != nil {
		answering := building && !sv.Closed
		st := me.M.Status
		sv.CanCommit = answering && st != finzone.MemberDeclined && st != finzone.MemberLeft
		sv.CanDecline = answering && me.M.Role != finzone.SyndicateLead && st == finzone.MemberInvited
		sv.CanWithdraw = answering && me.M.Role != finzone.SyndicateLead && st == finzone.MemberCommitted
		sv.CanTransfer = me.M.AllocatedYuan() > 0 && open("transfer")
	}
	if sv.CanFacility {
		sv.AgentOptions = agentOptions(syn, names)
	}
	return sv
}

// nameOrEmpty names an organization; "" when there is none to name.
func nameOrEmpty(names map[string]string, id string) string {
	if id == "" {
		return ""
	}
	return orgName(names, id)
}

// trancheViews are the facility's tranche groups with what is committed,
// allocated and drawn in each, and the choice of them for the forms.
func trancheViews(v *View, syn finzone.Syndicate) ([]trancheView, []Option) {
	var rows []trancheView
	var opts []Option
	for _, t := range syn.Facility.Tranches {
		row := trancheView{T: t, DrawnYuan: syn.DrawnYuan(t.ID)}
		for _, m := range syn.Members {
			if m.Status == finzone.MemberCommitted {
				row.CommittedYuan += amountOf(m.Commitments, t.ID)
			}
			row.AllocatedYuan += amountOf(m.Allocations, t.ID)
		}
		rows = append(rows, row)
		opts = append(opts, Option{Value: t.ID, Label: v.T("syndicate.tranche_option", "id", t.ID,
			"amount", MoneyText(t.AmountYuan), "term", t.TermMonths)})
	}
	return rows, opts
}

func amountOf(as []finzone.TrancheAmount, tranche string) int64 {
	for _, a := range as {
		if a.Tranche == tranche {
			return a.AmountYuan
		}
	}
	return 0
}

func drawdownViews(syn finzone.Syndicate, names map[string]string) []drawdownView {
	var out []drawdownView
	for i := len(syn.Drawdowns) - 1; i >= 0; i-- { // the newest first
		d := syn.Drawdowns[i]
		row := drawdownView{D: d}
		for _, sp := range d.Splits {
			row.Splits = append(row.Splits, splitView{Name: orgName(names, sp.InstitutionID), AmountYuan: sp.AmountYuan})
		}
		out = append(out, row)
	}
	return out
}

// agentOptions are the banks the lead may name agent: itself and the
// banks invited that have not dropped out.
func agentOptions(syn finzone.Syndicate, names map[string]string) []Option {
	var out []Option
	for _, m := range syn.Members {
		switch m.Status {
		case finzone.MemberDeclined, finzone.MemberWithdrawn, finzone.MemberLeft:
			continue
		}
		out = append(out, Option{Value: m.InstitutionID, Label: orgName(names, m.InstitutionID)})
	}
	return out
}

// syndicateSection is the syndicate (nil: none) as a sees it on a page,
// with the choices its forms offer: the banks the owner may mandate, and
// the lead's candidates to invite. Forms start from the syndicate's
// current terms, except where a posted form already holds a value.
func (p *pages) syndicateSection(c *fiber.Ctx, v *View, syn *finzone.Syndicate, names map[string]string,
	mandatable []string, back string) (*syndicateView, error) {
	if syn == nil {
		return nil, nil
	}
	a := server.Actor(c)
	sv := newSyndicateView(v, a, *syn, names, back)
	if sv.CanMandate {
		for _, id := range mandatable {
			label := orgName(names, id)
			if id == syn.SuggestedLeadID {
				label += " · " + v.T("syndicate.suggested_mark")
			}
			sv.Mandatable = append(sv.Mandatable, Option{Value: id, Label: label})
		}
	}
	if sv.CanInvite {
		cands, err := p.uc.SyndicateCandidates(c.UserContext(), a, syn.ProjectID)
		if err != nil {
			return nil, err
		}
		for _, cd := range cands {
			label := cd.Name
			if cd.Lender {
				label += " · " + v.T("syndicate.lender_mark")
			}
			sv.Candidates = append(sv.Candidates, Option{Value: cd.InstitutionID, Label: label})
		}
	}
	syndicateDefaults(v, sv, mandatable)
	return sv, nil
}

// syndicateDefaults starts the forms from the syndicate's terms: the
// mandate on the current or suggested lead (preselected, not imposed), the
// facility as set or the amount asked for in one tranche.
func syndicateDefaults(v *View, sv *syndicateView, mandatable []string) {
	f := v.Form.Values
	def := func(k, val string) {
		if _, posted := f[k]; !posted && val != "" {
			f.Set(k, val)
		}
	}
	syn := sv.S
	if sv.CanMandate {
		switch {
		case syn.LeadID != "":
			def("lead_id", syn.LeadID)
		case slices.Contains(mandatable, syn.SuggestedLeadID):
			def("lead_id", syn.SuggestedLeadID)
		}
	}
	if sv.CanFacility {
		fac := syn.Facility
		amount := cmpOr(fac.AmountYuan, syn.AmountYuan)
		def("facility_wan", WanPlain(amount))
		tranches := fac.Tranches
		if len(tranches) == 0 {
			tranches = []finzone.TrancheGroup{{AmountYuan: amount, TermMonths: syn.TermMonths}}
		}
		for i, t := range tranches {
			def(trancheField(i, "wan"), WanPlain(t.AmountYuan))
			def(trancheField(i, "months"), strconv.Itoa(t.TermMonths))
		}
		def("agent_id", cmpOr(fac.AgentID, syn.LeadID))
		def("arrangement_fee_bps", strconv.Itoa(fac.ArrangementFeeBps))
		def("agency_fee_bps", strconv.Itoa(fac.AgencyFeeBps))
		def("commit_days", strconv.Itoa(cmpOr(fac.CommitDays, defaultCommitDays)))
	}
	if sv.CanInvite {
		def("invite_role", string(finzone.SyndicateParticipant))
		def("invite_fee_bps", "0")
	}
}

// defaultCommitDays is the commitment period the facility form offers
// first, in working days.
const defaultCommitDays = 5

func cmpOr[T comparable](a, b T) T {
	var zero T
	if a != zero {
		return a
	}
	return b
}

// trancheField names the facility form's field of tranche group i (0-based).
func trancheField(i int, what string) string { return "tranche_" + strconv.Itoa(i+1) + "_" + what }

// syndicatePageData is the syndicate's own page: for banks invited from
// the catalogue, which see no project page, and for every form's field
// messages.
type syndicatePageData struct {
	Syndicate *syndicateView
}

func (p *pages) syndicatePage(c *fiber.Ctx, v *View) error {
	return p.showSyndicate(c, v, fiber.StatusOK)
}

// showSyndicate draws the syndicate's page for whoever may see the
// syndicate; the owner choosing a lead gets the banks it may mandate.
func (p *pages) showSyndicate(c *fiber.Ctx, v *View, status int) error {
	a, id := server.Actor(c), c.Params("id")
	syn, err := p.uc.Syndicate(c.UserContext(), a, id)
	if err != nil {
		return err
	}
	var mandatable []string
	if a.IsEnterprise() && syn.OwnerOrgID == a.Org.ID && slices.Contains(syn.Actions(), "mandate") {
		pd, err := p.uc.ProjectDetail(c.UserContext(), a, id)
		if err != nil {
			return err
		}
		mandatable = pd.Mandatable
	}
	var ids []string
	for _, id := range append([]string{syn.SuggestedLeadID, syn.Facility.AgentID}, mandatable...) {
		if id != "" {
			ids = append(ids, id)
		}
	}
	for _, m := range syn.Members {
		ids = append(ids, m.InstitutionID)
	}
	names, err := p.uc.OrgNames(c.UserContext(), ids)
	if err != nil {
		return err
	}
	back := localPath(v.Form.Get("back"))
	if back == "/" {
		back = syndicatePath(id)
	}
	sv, err := p.syndicateSection(c, v, &syn, names, mandatable, back)
	if err != nil {
		return err
	}
	v.TitleText, v.Data = syn.ProjectTitle, syndicatePageData{Syndicate: sv}
	return p.render(c, status, "syndicate", v)
}

// syndicatePath is the address of a project's syndicate page.
func syndicatePath(projectID string) string {
	return "/projects/" + url.PathEscape(projectID) + "/syndicate"
}
