package web_test

// The syndicated loan's pages: the owner's mandate, the lead arranger's
// facility, invitations, book and signature, a bank's commitment, decline
// and the deadline, the agent's drawdowns, who sees whose fee terms, and
// the list of syndicates.

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"finzone"
	"finzone/finzonetest"
	"finzone/i18n"
	"finzone/usecase"
)

func zh(key string, args ...any) string { return i18n.T(finzone.LangZH, i18n.Key(key), args...) }

// synForm is the address of one of a project's syndicate forms.
func synForm(p finzone.Project, form string) string {
	return "/projects/" + p.ID + "/syndicate/" + form
}

// suggested is what the pipeline makes of a project too large for its
// lead: pushed to two banks and to an insurer lending beside them, and a
// syndicate suggested with lead as the platform's pick.
func suggested(t *testing.T, e *env) (owner, lead, partner, insurer account, p finzone.Project) {
	t.Helper()
	owner = e.enterprise("341221")
	lead, partner = e.institution("341221"), e.institution("341200")
	insurer = e.register(finzone.KindInsurer, "341200")
	p = e.submitProject(owner, e.createProject(owner, "临泉县农产品冷链物流园"))
	if err := e.db.SaveLedger(ctx, &finzone.Ledger{ProjectID: p.ID}, 0); err != nil {
		t.Fatal(err)
	}
	e.addMatch(p, lead, finzone.RoleLead, finzone.CategoryLoan)
	e.addMatch(p, partner, finzone.RolePartner, finzone.CategoryLoan)
	e.addMatch(p, insurer, finzone.RolePartner, finzone.CategoryLoan)
	syn := finzone.SuggestSyndicate(p, finzone.SyndicateReasonLeadTicket, lead.OrgID, e.uc.Now())
	if err := e.db.SaveSyndicate(ctx, &syn, 0); err != nil {
		t.Fatal(err)
	}
	return owner, lead, partner, insurer, p
}

// mandated is suggested with every institution's push accepted and the
// lead mandated.
func mandated(t *testing.T, e *env) (owner, lead, partner, insurer account, p finzone.Project) {
	t.Helper()
	owner, lead, partner, insurer, p = suggested(t, e)
	for _, a := range []account{lead, partner, insurer} {
		e.step(a, finzone.MatchID(p.ID, a.OrgID), finzone.ActionAccept)
	}
	if _, err := e.uc.MandateLead(ctx, owner.Actor, p.ID, lead.OrgID); err != nil {
		t.Fatal(err)
	}
	return owner, lead, partner, insurer, p
}

// invited is mandated with a ¥500万 facility in one tranche (arrangement
// 50 bp, agency 10 bp) and the partner invited at a 25 bp fee.
func invited(t *testing.T, e *env) (owner, lead, partner account, p finzone.Project) {
	t.Helper()
	owner, lead, partner, _, p = mandated(t, e)
	if _, err := e.uc.SetFacility(ctx, lead.Actor, p.ID, finzone.FacilityInput{AmountYuan: p.AmountYuan,
		ArrangementFeeBps: 50, AgencyFeeBps: 10, CommitDays: 5}); err != nil {
		t.Fatal(err)
	}
	if _, err := e.uc.InviteBanks(ctx, lead.Actor, p.ID, usecase.InviteInput{InstitutionIDs: []string{partner.OrgID},
		Role: finzone.SyndicateParticipant, FeeBps: 25}); err != nil {
		t.Fatal(err)
	}
	return owner, lead, partner, p
}

// signIn signs an account in again.
func (e *env) signIn(email string) account {
	e.t.Helper()
	s, err := e.uc.SignIn(ctx, finzone.Actor{}, usecase.SignInInput{Email: email, Password: finzonetest.Password})
	if err != nil {
		e.t.Fatalf("sign in %s: %v", email, err)
	}
	return e.signedIn(s.Token, email)
}

func (e *env) syndicate(projectID string) finzone.Syndicate {
	e.t.Helper()
	syn, err := e.db.Syndicate(ctx, projectID)
	if err != nil {
		e.t.Fatal(err)
	}
	return syn
}

func TestOwnerMandatesALeadArranger(t *testing.T) {
	e := newEnv(t)
	owner, lead, partner, insurer, p := suggested(t, e)
	projectPath := "/projects/" + p.ID
	// No bank accepted the push yet: the owner is told why it cannot choose.
	wantPage(t, e.page(pageReq{method: "GET", path: projectPath, session: owner.Token}), http.StatusOK,
		`id="syndicate-reason"`, zh("synreason.lead_ticket"), `id="mandate-none"`, zh("syndicate.mandate_none"))
	for _, a := range []account{lead, partner, insurer} {
		e.step(a, finzone.MatchID(p.ID, a.OrgID), finzone.ActionAccept)
	}
	// The banks that accepted are offered, the platform's pick preselected;
	// never the insurer.
	r := e.page(pageReq{method: "GET", path: projectPath, session: owner.Token})
	wantPage(t, r, http.StatusOK, `id="form-syn-mandate"`, `<option value="`+lead.OrgID+`" selected>`,
		`<option value="`+partner.OrgID+`">`, zh("syndicate.suggested_mark"))
	if strings.Contains(string(r.Body), `value="`+insurer.OrgID+`"`) {
		t.Errorf("the insurer is offered as lead arranger")
	}
	// The suggestion is not imposed: the owner mandates the partner.
	mustSee(t, e.page(pageReq{method: "POST", path: synForm(p, "mandate"), session: owner.Token,
		form: url.Values{"lead_id": {partner.OrgID}, "back": {projectPath}}}), projectPath)
	if syn := e.syndicate(p.ID); syn.LeadID != partner.OrgID || syn.State != finzone.SyndicateMandated {
		t.Errorf("after the mandate: lead %s, state %s; want %s, mandated", syn.LeadID, syn.State, partner.OrgID)
	}
	// A bank cannot mandate; a non-bank is refused on the form, in place.
	wantPage(t, e.page(pageReq{method: "POST", path: synForm(p, "mandate"), session: lead.Token,
		form: url.Values{"lead_id": {lead.OrgID}}}), http.StatusForbidden)
	r = e.page(pageReq{method: "POST", path: synForm(p, "mandate"), session: owner.Token, form: url.Values{"lead_id": {insurer.OrgID}}})
	wantPage(t, r, http.StatusBadRequest, `id="error-summary"`, `id="f-lead_id-err"`, zh("err.not_eligible"))
	// The mandate changes hands until the facility is set.
	mustSee(t, e.page(pageReq{method: "POST", path: synForm(p, "mandate"), session: owner.Token,
		form: url.Values{"lead_id": {lead.OrgID}}}), "/projects/"+p.ID+"/syndicate")
	wantPage(t, e.page(pageReq{method: "GET", path: projectPath, session: owner.Token}), http.StatusOK,
		`id="syndicate-lead"`, "测试bank341221", zh("synstate.mandated"))
}

func TestLeadSetsTheFacilityAndInvitesBanksOnly(t *testing.T) {
	e := newEnv(t)
	owner, lead, partner, insurer, p := mandated(t, e)
	leadMatch := "/matches/" + finzone.MatchID(p.ID, lead.OrgID)
	wantPage(t, e.page(pageReq{method: "GET", path: leadMatch, session: lead.Token}), http.StatusOK,
		`id="form-syn-facility"`, `name="facility_wan" value="500"`, `name="tranche_1_months" value="36"`)
	// Only the lead arranger sets the facility, invites and signs.
	facility := url.Values{"facility_wan": {"500"}, "commit_days": {"5"}}
	for _, who := range []account{owner, partner, insurer} {
		for form, body := range map[string]url.Values{"facility": facility, "invite": {"invite_ids": {who.OrgID}}, "sign": {}} {
			if r := e.page(pageReq{method: "POST", path: synForm(p, form), session: who.Token, form: body}); r.Status != http.StatusForbidden {
				t.Errorf("%s by %s: got %d, want 403", form, who.Email, r.Status)
			}
		}
	}
	// Groups that do not add up and a fee the form cannot read are both
	// named, in 万元, and nothing is written.
	r := e.page(pageReq{method: "POST", path: synForm(p, "facility"), session: lead.Token, form: url.Values{
		"facility_wan": {"500"}, "tranche_1_wan": {"300"}, "tranche_1_months": {"36"}, "tranche_2_wan": {"100"},
		"tranche_2_months": {"24"}, "arrangement_fee_bps": {"五十"}, "commit_days": {"5"}, "back": {leadMatch}}})
	wantPage(t, r, http.StatusBadRequest, `id="f-tranches-err"`, zh("err.sum_mismatch", "sum", "400", "amount", "500"),
		`id="f-arrangement_fee_bps-err"`, zh("err.integer"), `name="back" value="`+leadMatch+`"`)
	if syn := e.syndicate(p.ID); syn.State != finzone.SyndicateMandated {
		t.Fatalf("a refused facility was written: state %s", syn.State)
	}
	mustSee(t, e.page(pageReq{method: "POST", path: synForm(p, "facility"), session: lead.Token, form: url.Values{
		"facility_wan": {"500"}, "tranche_1_months": {"24"}, "arrangement_fee_bps": {"50"}, "agency_fee_bps": {"10"},
		"commit_days": {"5"}, "back": {leadMatch}}}), leadMatch)
	syn := e.syndicate(p.ID)
	if f := syn.Facility; syn.State != finzone.SyndicateBookBuilding || f.AmountYuan != 5_000_000 || len(f.Tranches) != 1 ||
		f.Tranches[0].AmountYuan != 5_000_000 || f.Tranches[0].TermMonths != 24 || f.AgentID != lead.OrgID || f.ArrangementFeeBps != 50 {
		t.Fatalf("facility after the form: %s %+v", syn.State, f)
	}
	// The invitation lists banks only: the partner, marked a lender.
	r = e.page(pageReq{method: "GET", path: leadMatch, session: lead.Token})
	wantPage(t, r, http.StatusOK, `id="form-syn-invite"`, `value="`+partner.OrgID+`"`, zh("syndicate.lender_mark"))
	if strings.Contains(string(r.Body), insurer.OrgID) {
		t.Errorf("the lead is offered the insurer")
	}
	// A forged invitation of the insurer is refused, saying why.
	r = e.page(pageReq{method: "POST", path: synForm(p, "invite"), session: lead.Token,
		form: url.Values{"invite_ids": {insurer.OrgID}, "invite_role": {"participant"}, "invite_fee_bps": {"0"}}})
	wantPage(t, r, http.StatusBadRequest, `id="f-invite_ids-err"`, zh("err.not_a_bank"))
	mustSee(t, e.page(pageReq{method: "POST", path: synForm(p, "invite"), session: lead.Token, form: url.Values{
		"invite_ids": {partner.OrgID}, "invite_role": {"co_lead"}, "invite_fee_bps": {"25"}, "back": {leadMatch}}}), leadMatch)
	if m, ok := e.syndicate(p.ID).Member(partner.OrgID); !ok || m.Role != finzone.SyndicateCoLead || m.FeeBps != 25 {
		t.Errorf("the partner after the invitation: %+v", m)
	}
}

func TestBookCommitmentsFeesAndSigning(t *testing.T) {
	e := newEnv(t)
	owner, lead, partner, p := invited(t, e)
	leadMatch, partnerMatch := "/matches/"+finzone.MatchID(p.ID, lead.OrgID), "/matches/"+finzone.MatchID(p.ID, partner.OrgID)
	// The lead commits its own share; the book shows the gap and the rule
	// that fails, and offers no signature yet.
	mustSee(t, e.page(pageReq{method: "POST", path: synForm(p, "commit"), session: lead.Token,
		form: url.Values{"commit_wan": {"300"}, "back": {leadMatch}}}), leadMatch)
	r := e.page(pageReq{method: "GET", path: leadMatch, session: lead.Token})
	wantPage(t, r, http.StatusOK, `id="rule-checks"`, `data-rule="distribute_min"`, zh("synrule.distribute_min"),
		`id="sign-not-yet"`, `id="syndicate-gap"><span class="money" title="¥2,000,000"`)
	if strings.Contains(string(r.Body), `id="sign-syndicate"`) {
		t.Errorf("the lead may sign a book with a gap")
	}
	// The partner answers on its match page; an amount that is not whole
	// 万元 is refused on the form.
	wantPage(t, e.page(pageReq{method: "GET", path: partnerMatch, session: partner.Token}), http.StatusOK,
		`id="form-syn-commit"`, `id="form-syn-decline"`, `id="syndicate-commit-by"`)
	r = e.page(pageReq{method: "POST", path: synForm(p, "commit"), session: partner.Token, form: url.Values{"commit_wan": {"12.5"}}})
	wantPage(t, r, http.StatusBadRequest, `id="f-commit_wan-err"`, zh("err.not_whole_unit", "unit", "1"))
	mustSee(t, e.page(pageReq{method: "POST", path: synForm(p, "commit"), session: partner.Token,
		form: url.Values{"commit_wan": {"200"}, "back": {partnerMatch}}}), partnerMatch)
	// Covered: every rule holds, the lead may sign, and sees each fee.
	r = e.page(pageReq{method: "GET", path: leadMatch, session: lead.Token})
	wantPage(t, r, http.StatusOK, `id="sign-syndicate"`, `id="syndicate-coverage">100%`, `data-fee>25 bp`)
	if strings.Contains(string(r.Body), `class="rule-broken"`) {
		t.Errorf("a covered book shows a broken rule")
	}
	// The enterprise sees the lead, the agent and the shares, never a
	// bank's fee terms; the partner sees its own.
	r = e.page(pageReq{method: "GET", path: "/projects/" + p.ID, session: owner.Token})
	wantPage(t, r, http.StatusOK, `id="syndicate-agent"`, "测试bank341221", `title="¥3,000,000"`, `title="¥2,000,000"`,
		zh("syndicate.fee_terms", "arrangement", 50, "agency", 10))
	if body := string(r.Body); strings.Contains(body, "data-fee") || strings.Contains(body, "25 bp") {
		t.Errorf("the enterprise sees a member's fee")
	}
	wantPage(t, e.page(pageReq{method: "GET", path: partnerMatch, session: partner.Token}), http.StatusOK, `data-fee>25 bp`)
	// Signed; the agent (the lead) records a drawdown split by shares.
	mustSee(t, e.page(pageReq{method: "POST", path: synForm(p, "sign"), session: lead.Token,
		form: url.Values{"back": {leadMatch}}}), leadMatch)
	if syn := e.syndicate(p.ID); syn.State != finzone.SyndicateSigned {
		t.Fatalf("after signing: %s", syn.State)
	}
	wantPage(t, e.page(pageReq{method: "POST", path: synForm(p, "drawdown"), session: partner.Token,
		form: url.Values{"draw_wan": {"100"}}}), http.StatusForbidden)
	for range 2 { // sent twice with its payment reference, recorded once
		mustSee(t, e.page(pageReq{method: "POST", path: synForm(p, "drawdown"), session: lead.Token,
			form: url.Values{"draw_wan": {"100"}, "draw_reference": {"PAY-1"}, "back": {leadMatch}}}), leadMatch)
	}
	if drawn := e.syndicate(p.ID).DrawnYuan(""); drawn != 1_000_000 {
		t.Errorf("drawn after the same drawdown twice: %d, want 1,000,000", drawn)
	}
	wantPage(t, e.page(pageReq{method: "GET", path: leadMatch, session: lead.Token}), http.StatusOK,
		`id="drawdowns-table"`, `title="¥600,000"`, `title="¥400,000"`, `id="form-syn-drawdown"`)
}

func TestCatalogueBankAndTheCommitmentDeadline(t *testing.T) {
	now := time.Now()
	e := newEnvOn(t, finzonetest.NewStore(t), usecase.Config{Now: func() time.Time { return now }})
	_, lead, _, p := invited(t, e)
	other := e.institution("341200")
	if _, err := e.uc.InviteBanks(ctx, lead.Actor, p.ID, usecase.InviteInput{InstitutionIDs: []string{other.OrgID}}); err != nil {
		t.Fatal(err)
	}
	// A bank invited from the catalogue sees the project it is invited to
	// (as a pushed bank does) and the syndicate's page, and answers there.
	wantPage(t, e.page(pageReq{method: "GET", path: "/projects/" + p.ID, session: other.Token}), http.StatusOK, p.Title)
	wantPage(t, e.page(pageReq{method: "GET", path: "/projects/" + p.ID + "/syndicate", session: other.Token}), http.StatusOK,
		`id="form-syn-commit"`, `id="form-syn-decline"`)
	r := e.page(pageReq{method: "POST", path: synForm(p, "decline"), session: other.Token, form: url.Values{"syn_decline_note": {""}}})
	wantPage(t, r, http.StatusBadRequest, `id="f-syn_decline_reason-err"`, zh("err.required"))
	// After the deadline the page says commitments are closed, and a
	// commitment is refused with the deadline named.
	now = e.syndicate(p.ID).Facility.CommitBy.Add(time.Minute)
	other = e.signIn(other.Email) // a week on, its sign-in has lapsed
	r = e.page(pageReq{method: "GET", path: "/projects/" + p.ID + "/syndicate", session: other.Token})
	wantPage(t, r, http.StatusOK, `id="commitments-closed"`)
	if strings.Contains(string(r.Body), `id="form-syn-commit"`) {
		t.Errorf("the page offers to commit after the deadline")
	}
	r = e.page(pageReq{method: "POST", path: synForm(p, "commit"), session: other.Token, form: url.Values{"commit_wan": {"100"}}})
	wantPage(t, r, http.StatusConflict, zh("error.title_deadline_passed"))
	// Its notices lead to the syndicate's page.
	wantPage(t, e.page(pageReq{method: "GET", path: "/syndicates", session: other.Token}), http.StatusOK,
		`href="/projects/`+p.ID+`/syndicate"`)
}

func TestSyndicatesListByRegionAndState(t *testing.T) {
	e := newEnv(t)
	owner, _, partner, p := invited(t, e)
	coord, far := e.coordinator("341200"), e.coordinator("340100")
	r := e.page(pageReq{method: "GET", path: "/syndicates", session: coord.Token})
	wantPage(t, r, http.StatusOK, `href="/syndicates"`, `id="syndicates-table"`, `href="/projects/`+p.ID+`"`, p.Title,
		zh("synstate.book_building"), `<tr data-state="book_building"><td>`+zh("synstate.book_building")+`</td><td class="num" data-count>1</td>`)
	wantPage(t, e.page(pageReq{method: "GET", path: "/syndicates?state=signed", session: coord.Token}), http.StatusOK, `id="syndicates-empty"`)
	wantPage(t, e.page(pageReq{method: "GET", path: "/syndicates?region=341221&state=book_building", session: coord.Token}), http.StatusOK, p.Title)
	wantPage(t, e.page(pageReq{method: "GET", path: "/syndicates?state=nonsense", session: coord.Token}), http.StatusBadRequest)
	wantPage(t, e.page(pageReq{method: "GET", path: "/syndicates", session: far.Token}), http.StatusOK, `id="syndicates-empty"`)
	// The enterprise and a member see theirs; another enterprise none.
	wantPage(t, e.page(pageReq{method: "GET", path: "/syndicates", session: owner.Token}), http.StatusOK, `href="/projects/`+p.ID+`"`)
	wantPage(t, e.page(pageReq{method: "GET", path: "/syndicates", session: partner.Token}), http.StatusOK, `href="/projects/`+p.ID+`/syndicate"`)
	wantPage(t, e.page(pageReq{method: "GET", path: "/syndicates", session: e.enterprise("341221").Token}), http.StatusOK, `id="syndicates-empty"`)
}

func TestWithdrawalAndTransferAfterSigning(t *testing.T) {
	e := newEnv(t)
	_, lead, partner, p := invited(t, e)
	buyer, insurer := e.institution("341200"), e.register(finzone.KindInsurer, "341200")
	synPage := "/projects/" + p.ID + "/syndicate"
	commit := func(who account, wan string) {
		t.Helper()
		mustSee(t, e.page(pageReq{method: "POST", path: synForm(p, "commit"), session: who.Token,
			form: url.Values{"commit_wan": {wan}}}), synPage)
	}
	commit(lead, "300")
	commit(partner, "200")
	// The partner withdraws: the book has a gap again; it commits anew.
	wantPage(t, e.page(pageReq{method: "GET", path: synPage, session: partner.Token}), http.StatusOK, `id="form-syn-withdraw"`)
	mustSee(t, e.page(pageReq{method: "POST", path: synForm(p, "withdraw"), session: partner.Token,
		form: url.Values{"withdraw_note": {"授信额度调整"}}}), synPage)
	if syn := e.syndicate(p.ID); syn.GapYuan != 2_000_000 {
		t.Errorf("gap after the withdrawal: %d, want 2000000", syn.GapYuan)
	}
	commit(partner, "200")
	if _, err := e.uc.SignSyndicate(ctx, lead.Actor, p.ID); err != nil {
		t.Fatal(err)
	}
	// After signing a member passes part of its share on, to a bank named
	// by its ID; a non-bank is refused on the form, and a transfer that
	// would break a rule is refused naming the rule.
	wantPage(t, e.page(pageReq{method: "GET", path: synPage, session: partner.Token}), http.StatusOK, `id="form-syn-transfer"`)
	r := e.page(pageReq{method: "POST", path: synForm(p, "transfer"), session: partner.Token,
		form: url.Values{"transfer_to": {insurer.OrgID}, "transfer_wan": {"100"}}})
	wantPage(t, r, http.StatusBadRequest, `id="f-transfer_to-err"`, zh("err.not_a_bank"))
	r = e.page(pageReq{method: "POST", path: synForm(p, "transfer"), session: partner.Token,
		form: url.Values{"transfer_to": {lead.OrgID}, "transfer_wan": {"200"}}})
	wantPage(t, r, http.StatusConflict, zh("synrule.distribute_min"))
	mustSee(t, e.page(pageReq{method: "POST", path: synForm(p, "transfer"), session: partner.Token,
		form: url.Values{"transfer_to": {buyer.OrgID}, "transfer_wan": {"100"}}}), synPage)
	if m, ok := e.syndicate(p.ID).Member(buyer.OrgID); !ok || m.AllocatedYuan() != 1_000_000 {
		t.Errorf("the buyer after the transfer: %+v", m)
	}
	wantPage(t, e.page(pageReq{method: "GET", path: synPage, session: buyer.Token}), http.StatusOK, `id="member-`+buyer.OrgID+`"`)
}
