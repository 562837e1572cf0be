package api_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"sync/atomic"
	"testing"
	"time"

	"finzone"
	"finzone/usecase"
)

// synOut is the syndicate as the API answers it (the fields the tests read).
type synOut struct {
	State           string `json:"state"`
	Reason          string `json:"reason"`
	SuggestedLeadID string `json:"suggested_lead_id"`
	LeadID          string `json:"lead_id"`
	Facility        struct {
		AmountYuan int64  `json:"amount_yuan"`
		AgentID    string `json:"agent_id"`
		CommitBy   string `json:"commit_by"`
		Tranches   []struct {
			ID            string `json:"id"`
			AmountYuan    int64  `json:"amount_yuan"`
			CommittedYuan int64  `json:"committed_yuan"`
			AllocatedYuan int64  `json:"allocated_yuan"`
			DrawnYuan     int64  `json:"drawn_yuan"`
		} `json:"tranches"`
	} `json:"facility"`
	Members []struct {
		InstitutionID string `json:"institution_id"`
		Role          string `json:"role"`
		Status        string `json:"status"`
		FeeBps        *int   `json:"fee_bps"`
		CommittedYuan int64  `json:"committed_yuan"`
		AllocatedYuan int64  `json:"allocated_yuan"`
		Commitments   []struct {
			Tranche    string `json:"tranche"`
			AmountYuan int64  `json:"amount_yuan"`
		} `json:"commitments"`
		Allocations []struct {
			Tranche    string `json:"tranche"`
			AmountYuan int64  `json:"amount_yuan"`
		} `json:"allocations"`
	} `json:"members"`
	CommittedYuan  int64    `json:"committed_yuan"`
	AllocatedYuan  int64    `json:"allocated_yuan"`
	GapYuan        int64    `json:"gap_yuan"`
	BindingRule    string   `json:"binding_rule"`
	Signable       bool     `json:"signable"`
	AllowedActions []string `json:"allowed_actions"`
	Checks         []struct {
		Rule string `json:"rule"`
		OK   bool   `json:"ok"`
	} `json:"checks"`
	DrawnYuan int64 `json:"drawn_yuan"`
	Drawdowns []struct {
		Splits []struct {
			InstitutionID string `json:"institution_id"`
			AmountYuan    int64  `json:"amount_yuan"`
		} `json:"splits"`
	} `json:"drawdowns"`
}

func (s synOut) allocated(id string) int64 {
	for _, m := range s.Members {
		if m.InstitutionID == id {
			return m.AllocatedYuan
		}
	}
	return -1
}

func (s synOut) member(id string) (status string, fee *int) {
	for _, m := range s.Members {
		if m.InstitutionID == id {
			return m.Status, m.FeeBps
		}
	}
	return "", nil
}

// synEnv is a pipeline whose clock the test moves forward.
type synEnv struct {
	*pipelineEnv
	offset atomic.Int64 // nanoseconds added to the wall clock
}

func newSynEnv(t *testing.T) *synEnv {
	e := &synEnv{}
	now := func() time.Time { return time.Now().Add(time.Duration(e.offset.Load())) }
	e.pipelineEnv = newPipelineEnvWith(t, usecase.Config{Now: now}, finzone.Deadlines{})
	return e
}

func (e *synEnv) path(projectID, rest string) string {
	return "/api/v1/projects/" + projectID + "/syndicate" + rest
}

func (e *synEnv) syndicate(token, projectID string) synOut {
	e.t.Helper()
	var s synOut
	e.ok(http.StatusOK, "GET", e.path(projectID, ""), token, nil, &s)
	return s
}

// step posts one syndicate step and answers the syndicate.
func (e *synEnv) step(token, method, projectID, rest string, body any) synOut {
	e.t.Helper()
	var s synOut
	e.ok(http.StatusOK, method, e.path(projectID, rest), token, body, &s)
	return s
}

// waitFor polls until cond holds.
func waitFor(t *testing.T, within time.Duration, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(within)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("%s: not after %s", what, within)
		}
		time.Sleep(200 * time.Millisecond)
	}
}

const yi = 100_000_000 // ¥1亿

// TestSyndicateOf800MillionEndToEnd runs a ¥8亿 facility through the API on
// the embedded store with the real pipeline: the platform suggests a
// syndicate; the enterprise mandates a lead that accepted its push; the
// lead sets two tranche groups and invites six banks (an insurer is
// refused), one declines; ¥9.5亿 committed is scaled back to exactly ¥8亿
// under the rules; signing with a gap is refused; a member withdraws and
// the over-subscription fills its place; a commitment after the deadline
// is refused; the lead signs; members' matches are contracted for their
// shares; after signing a transfer breaking a rule is refused and a member
// passes its share on and leaves; the agent bank's drawdowns reach the
// members' matches and the project, never past the facility.
func TestSyndicateOf800MillionEndToEnd(t *testing.T) {
	t.Parallel() // it mostly waits for the pipeline; its store, queue and clock are its own
	e := newSynEnv(t)
	coord := e.coordinator("340000")
	var banks []account
	for i := range 7 {
		banks = append(banks, e.verifiedBank(coord, broadProduct(fmt.Sprintf("银团贷%d", i), 500_000_000, 300_000_000, true)))
	}
	insurer := e.register(finzone.KindInsurer, "341200")
	ent := e.enterprise("341221")
	body := projectBody("县域产业园基础设施项目")
	body["amount_yuan"], body["project_type"], body["term_months"] = 8*yi, "industrial_infrastructure", 60
	p := e.createProject(ent.Token, body)
	e.catalogueSeen()
	e.ok(http.StatusOK, "POST", "/api/v1/projects/"+p.ID+"/submit", ent.Token, nil, nil)
	e.waitMatches(ent.Token, p.ID, 30*time.Second, func(l matchList) bool { return len(l.Items) == len(banks) })
	var s synOut
	waitFor(t, 30*time.Second, "syndicate suggested", func() bool {
		r := e.do("GET", e.path(p.ID, ""), ent.Token, nil)
		return r.Status == http.StatusOK && json.Unmarshal(r.Body, &s) == nil
	})
	if s.State != "suggested" || s.Reason != finzone.SyndicateReasonThreshold || s.SuggestedLeadID == "" {
		t.Fatalf("suggestion: %+v", s)
	}
	lead, members, decliner := banks[0], banks[1:6], banks[6]

	// 1. Mandate: only a bank that accepted the push.
	wantError(t, e.do("POST", e.path(p.ID, "/mandate"), ent.Token, map[string]any{"institution_id": lead.OrgID}),
		http.StatusBadRequest, "validation_failed", fieldCode{"institution_id", "not_eligible"})
	for _, b := range banks {
		e.ok(http.StatusOK, "POST", "/api/v1/matches/"+finzone.MatchID(p.ID, b.OrgID)+"/actions", b.Token, map[string]any{"action": "accept"}, nil)
	}
	wantError(t, e.do("POST", e.path(p.ID, "/mandate"), lead.Token, map[string]any{"institution_id": lead.OrgID}),
		http.StatusForbidden, "forbidden")
	s = e.step(ent.Token, "POST", p.ID, "/mandate", map[string]any{"institution_id": lead.OrgID})
	if s.State != "mandated" || s.LeadID != lead.OrgID {
		t.Fatalf("mandate: %+v", s)
	}
	var cands struct{ Items []map[string]any }
	if e.ok(http.StatusOK, "GET", e.path(p.ID, "/candidates"), lead.Token, nil, &cands); len(cands.Items) != len(banks)-1 {
		t.Errorf("candidates: got %d, want the %d other lenders", len(cands.Items), len(banks)-1)
	}

	// 2. Two tranche groups, set by the lead only.
	facility := map[string]any{"amount_yuan": 8 * yi, "arrangement_fee_bps": 50, "agency_fee_bps": 10, "commit_days": 1,
		"tranches": []map[string]any{{"amount_yuan": 5 * yi, "term_months": 60}, {"amount_yuan": 3 * yi, "term_months": 36}}}
	wantError(t, e.do("PUT", e.path(p.ID, "/facility"), members[0].Token, facility), http.StatusForbidden, "forbidden")
	s = e.step(lead.Token, "PUT", p.ID, "/facility", facility)
	if s.State != "book_building" || len(s.Facility.Tranches) != 2 || s.Facility.AgentID != lead.OrgID {
		t.Fatalf("facility: %+v", s.Facility)
	}

	// 3. Six banks invited; an insurer is refused; one bank declines.
	wantError(t, e.do("POST", e.path(p.ID, "/invitations"), lead.Token, map[string]any{"institution_ids": []string{insurer.OrgID}}),
		http.StatusBadRequest, "validation_failed", fieldCode{"institution_ids[0]", "not_a_bank"})
	invited := []string{decliner.OrgID}
	for _, b := range members {
		invited = append(invited, b.OrgID)
	}
	s = e.step(lead.Token, "POST", p.ID, "/invitations", map[string]any{"institution_ids": invited, "fee_bps": 15})
	if len(s.Members) != 7 {
		t.Fatalf("after inviting six: %d members", len(s.Members))
	}
	e.step(decliner.Token, "POST", p.ID, "/decline", map[string]any{"reason_code": "capacity", "note": "额度已满"})

	// Signing with a gap is refused, naming it.
	e.step(lead.Token, "POST", p.ID, "/commit", map[string]any{"amount_yuan": 2 * yi, "tranche": "A"})
	e.step(lead.Token, "POST", p.ID, "/commit", map[string]any{"amount_yuan": 1 * yi, "tranche": "B"})
	r := e.do("POST", e.path(p.ID, "/sign"), lead.Token, nil)
	wantError(t, r, http.StatusConflict, "syndicate_rule")
	if er := parseError(t, r); er.Params["rule"] != finzone.RuleCovered || er.Params["gap_yuan"] != float64(5*yi) {
		t.Fatalf("sign with a gap: %+v", er)
	}

	// 4. ¥9.5亿 committed, scaled back to exactly ¥8亿.
	for i, c := range []struct {
		tranche string
		amount  int64
	}{{"A", 2 * yi}, {"A", 1.5 * yi}, {"B", 1.5 * yi}, {"B", 1 * yi}, {"A", 0.5 * yi}} {
		s = e.step(members[i].Token, "POST", p.ID, "/commit", map[string]any{"amount_yuan": c.amount, "tranche": c.tranche})
	}
	s = e.syndicate(lead.Token, p.ID)
	checkBook(t, s, 9.5*yi)
	if got := s.allocated(lead.OrgID); got != 252_390_000 {
		t.Errorf("lead's share: got %d, want 252,390,000 (A 16,667 units of 20,000 ×5/6, B 8,572 of 10,000 ×6/7)", got)
	}
	before := map[string]int64{}
	for _, b := range banks {
		before[b.OrgID] = s.allocated(b.OrgID)
	}

	// 5. A member withdraws: the over-subscribed tranche fills its place.
	s = e.step(members[4].Token, "POST", p.ID, "/withdraw", map[string]any{"note": "授信审批未通过"})
	checkBook(t, s, 9*yi)
	for _, b := range []account{lead, members[0], members[1]} {
		if s.allocated(b.OrgID) <= before[b.OrgID] {
			t.Errorf("%s's share did not grow after the withdrawal: %d then %d", b.OrgID, before[b.OrgID], s.allocated(b.OrgID))
		}
	}
	// A commitment after the deadline is refused: the clock moves an hour
	// past it.
	commitBy, err := time.Parse(time.RFC3339, s.Facility.CommitBy)
	if err != nil {
		t.Fatalf("commit_by %q: %v", s.Facility.CommitBy, err)
	}
	e.offset.Store(int64(time.Until(commitBy) + time.Hour))
	wantError(t, e.do("POST", e.path(p.ID, "/commit"), members[4].Token, map[string]any{"amount_yuan": 0.5 * yi, "tranche": "A"}),
		http.StatusConflict, "deadline_passed")

	// 6. Signing.
	wantError(t, e.do("POST", e.path(p.ID, "/sign"), members[0].Token, nil), http.StatusForbidden, "forbidden")
	s = e.step(lead.Token, "POST", p.ID, "/sign", nil)
	if st, _ := s.member(decliner.OrgID); s.State != "signed" || st != "declined" {
		t.Fatalf("after signing: state %s, decliner %s", s.State, st)
	}
	checkViews(t, e, p.ID, s, ent, lead, members[0], coord)

	// 7. Members' matches are contracted for their shares; the project
	// booked exactly the facility.
	signedBook := s
	for _, b := range append([]account{lead}, members[:4]...) {
		waitForMatch(t, e, b, p.ID, func(m matchDetail) bool {
			return m.Stage == "contracted" && m.Offer != nil && m.Offer.AmountYuan == signedBook.allocated(b.OrgID)
		})
	}
	var pr struct {
		AcceptedYuan int64  `json:"accepted_yuan"`
		Status       string `json:"status"`
	}
	e.ok(http.StatusOK, "GET", "/api/v1/projects/"+p.ID, ent.Token, nil, &pr)
	if pr.AcceptedYuan != 8*yi {
		t.Fatalf("project's accepted total after signing: %d, want 800,000,000", pr.AcceptedYuan)
	}

	// Changes after signing: a transfer that would take the lead below
	// 15 % is refused, naming the rule; a member passing its whole share
	// to another bank leaves, and the matches follow.
	r = e.do("POST", e.path(p.ID, "/transfers"), lead.Token, map[string]any{"to_institution_id": decliner.OrgID, "tranche": "A", "amount_yuan": 1.5 * yi})
	wantError(t, r, http.StatusConflict, "syndicate_rule")
	if er := parseError(t, r); er.Params["rule"] != finzone.RuleLeadMin {
		t.Fatalf("transfer below the lead's minimum: %+v", er)
	}
	leaver, share := members[3], signedBook.allocated(members[3].OrgID)
	s = e.step(leaver.Token, "POST", p.ID, "/transfers", map[string]any{"to_institution_id": decliner.OrgID, "tranche": "B", "amount_yuan": share})
	if st, _ := s.member(leaver.OrgID); st != "left" || s.allocated(decliner.OrgID) != share || s.AllocatedYuan != 8*yi {
		t.Fatalf("after the transfer: leaver %s, taker %d of %d, allocated %d", st, s.allocated(decliner.OrgID), share, s.AllocatedYuan)
	}
	waitForMatch(t, e, leaver, p.ID, func(m matchDetail) bool { return m.Stage == "withdrawn" })
	waitForMatch(t, e, decliner, p.ID, func(m matchDetail) bool {
		return m.Stage == "contracted" && m.Offer != nil && m.Offer.AmountYuan == share
	})
	e.ok(http.StatusOK, "GET", "/api/v1/projects/"+p.ID, ent.Token, nil, &pr)
	if pr.AcceptedYuan != 8*yi {
		t.Fatalf("project's accepted total after the transfer: %d, want 800,000,000", pr.AcceptedYuan)
	}

	// 8. Drawdowns go through the agent bank only, and follow the shares.
	m0 := "/api/v1/matches/" + finzone.MatchID(p.ID, members[0].OrgID) + "/actions"
	wantError(t, e.do("POST", m0, members[0].Token, map[string]any{"action": "disburse", "amount_yuan": 1000000}),
		http.StatusConflict, "invalid_state")
	wantError(t, e.do("POST", e.path(p.ID, "/drawdowns"), members[0].Token, map[string]any{"amount_yuan": yi, "tranche": "A"}),
		http.StatusForbidden, "forbidden")
	drawA := map[string]any{"amount_yuan": 2 * yi, "tranche": "A", "reference": "PAY-2026-A1"}
	e.step(lead.Token, "POST", p.ID, "/drawdowns", drawA)
	if s = e.step(lead.Token, "POST", p.ID, "/drawdowns", drawA); s.DrawnYuan != 2*yi || len(s.Drawdowns) != 1 {
		t.Fatalf("a drawdown sent twice with its reference: %d drawn in %d drawdowns", s.DrawnYuan, len(s.Drawdowns))
	}
	s = e.step(lead.Token, "POST", p.ID, "/drawdowns", map[string]any{"amount_yuan": 3 * yi, "tranche": "B"})
	wantError(t, e.do("POST", e.path(p.ID, "/drawdowns"), lead.Token, map[string]any{"amount_yuan": 1, "tranche": "B"}),
		http.StatusBadRequest, "validation_failed", fieldCode{"amount_yuan", "out_of_range"})
	drawn := map[string]int64{}
	for _, d := range s.Drawdowns {
		for _, sp := range d.Splits {
			drawn[sp.InstitutionID] += sp.AmountYuan
		}
	}
	for _, b := range []account{lead, members[0], members[1], members[2], decliner} {
		want := drawn[b.OrgID]
		waitForMatch(t, e, b, p.ID, func(m matchDetail) bool { return m.Stage == "disbursed" && m.DisbursedYuan == want })
	}
	waitFor(t, 30*time.Second, "project partly funded", func() bool {
		e.ok(http.StatusOK, "GET", "/api/v1/projects/"+p.ID, ent.Token, nil, &pr)
		return pr.Status == "partially_funded"
	})
	if s.DrawnYuan != 5*yi || drawn[members[2].OrgID] != s.allocated(members[2].OrgID) {
		t.Errorf("drawn %d (want 500,000,000); tranche B drawn in full gives its member its whole share: %d of %d",
			s.DrawnYuan, drawn[members[2].OrgID], s.allocated(members[2].OrgID))
	}
}

// checkBook: the allocation sums exactly to the facility, no bank gets more
// than it committed, every rule holds, and the book is signable.
func checkBook(t *testing.T, s synOut, committed int64) {
	t.Helper()
	if s.CommittedYuan != committed || s.AllocatedYuan != 8*yi || s.GapYuan != 0 || !s.Signable || s.BindingRule != "" {
		t.Fatalf("book: committed %d (want %d), allocated %d, gap %d, signable %v, binding %q", s.CommittedYuan, committed,
			s.AllocatedYuan, s.GapYuan, s.Signable, s.BindingRule)
	}
	for _, c := range s.Checks {
		if !c.OK {
			t.Errorf("rule %s broken in a signable book", c.Rule)
		}
	}
	for _, m := range s.Members {
		if m.AllocatedYuan > m.CommittedYuan || m.AllocatedYuan%10_000 != 0 || m.AllocatedYuan*10 > 8*yi*7 {
			t.Errorf("%s: allocated %d of %d committed", m.InstitutionID, m.AllocatedYuan, m.CommittedYuan)
		}
	}
	for _, tr := range s.Facility.Tranches {
		if tr.AllocatedYuan != tr.AmountYuan {
			t.Errorf("tranche %s: allocated %d of %d", tr.ID, tr.AllocatedYuan, tr.AmountYuan)
		}
	}
}

// checkViews: the enterprise sees the members but no bank's fee; a member
// sees only its own; the lead sees every fee; the coordinator lists the
// signed syndicate with the amount arranged.
func checkViews(t *testing.T, e *synEnv, projectID string, s synOut, ent, lead, member, coord account) {
	t.Helper()
	for _, v := range []struct {
		who     account
		seesFee func(id string) bool
	}{
		{ent, func(string) bool { return false }},
		{member, func(id string) bool { return id == member.OrgID }},
		{lead, func(string) bool { return true }},
	} {
		got := e.syndicate(v.who.Token, projectID)
		for _, m := range got.Members {
			if (m.FeeBps != nil) != v.seesFee(m.InstitutionID) {
				t.Errorf("viewer %s: fee of %s shown=%v", v.who.OrgID, m.InstitutionID, m.FeeBps != nil)
			}
		}
	}
	var l struct {
		Items  []synOut `json:"items"`
		Totals []struct {
			State      string `json:"state"`
			Count      int    `json:"count"`
			AmountYuan int64  `json:"amount_yuan"`
		} `json:"totals"`
	}
	e.ok(http.StatusOK, "GET", "/api/v1/syndicates?state=signed&region=340000", coord.Token, nil, &l)
	if len(l.Items) != 1 || l.Items[0].State != "signed" {
		t.Fatalf("coordinator's signed syndicates: %+v", l.Items)
	}
	for _, tot := range l.Totals {
		if tot.State == "signed" && (tot.Count != 1 || tot.AmountYuan != 8*yi) {
			t.Errorf("signed total: %+v", tot)
		}
	}
	other := e.coordinator("340100") // 合肥: not the project's city
	e.ok(http.StatusOK, "GET", "/api/v1/syndicates", other.Token, nil, &l)
	if len(l.Items) != 0 {
		t.Errorf("a coordinator of another city lists %d syndicates", len(l.Items))
	}
	wantError(t, e.do("GET", "/api/v1/projects/"+projectID+"/syndicate", other.Token, nil), http.StatusNotFound, "not_found")
}

type matchDetail struct {
	Stage string `json:"stage"`
	Offer *struct {
		AmountYuan int64 `json:"amount_yuan"`
	} `json:"offer"`
	DisbursedYuan int64 `json:"disbursed_yuan"`
}

func waitForMatch(t *testing.T, e *synEnv, bank account, projectID string, cond func(matchDetail) bool) {
	t.Helper()
	var m matchDetail
	waitFor(t, 30*time.Second, "match of "+bank.OrgID, func() bool {
		e.ok(http.StatusOK, "GET", "/api/v1/matches/"+finzone.MatchID(projectID, bank.OrgID), bank.Token, nil, &m)
		return cond(m)
	})
}
