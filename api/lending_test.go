package api_test

import (
	"net/http"
	"slices"
	"sync"
	"testing"
	"time"

	"finzone"
	"finzone/usecase"
)

// The lending workflow end to end through the API on the embedded store,
// with the real pipeline behind it: offers the enterprise answers, a total
// that never passes the need, paused and escalated clocks, coordinators'
// extensions, screening and assignment.

type lendingMatch struct {
	matchOut
	Offer *struct {
		AmountYuan int64  `json:"amount_yuan"`
		Status     string `json:"status"`
	} `json:"offer"`
	Paused *struct {
		Note        string `json:"note"`
		LeftSeconds int64  `json:"left_seconds"`
	} `json:"paused"`
	EscalatedAt *time.Time `json:"escalated_at"`
	DueTime     *time.Time `json:"due_at"`
	Urges       int        `json:"urges"`
	Overdue     bool       `json:"overdue"`
	ExtendedIn  string     `json:"extended_in"`
}

// lendingSetup: a province coordinator, n verified banks with broad
// products, and an enterprise's submitted ¥5,000,000 project pushed to all.
func lendingSetup(t *testing.T, e *pipelineEnv, n int) (coord account, banks []account, ent account, p projectOut, byBank map[string]matchOut) {
	t.Helper()
	coord = e.coordinator("340000")
	for i := 0; i < n; i++ {
		banks = append(banks, e.verifiedBank(coord, broadProduct("集群贷", 200_000_000, 0, false)))
	}
	ent = e.enterprise("341221")
	p = e.createProject(ent.Token, projectBody("年产5万吨粮油加工项目"))
	e.catalogueSeen()
	e.ok(http.StatusOK, "POST", "/api/v1/projects/"+p.ID+"/submit", ent.Token, nil, nil)
	l := e.waitMatches(ent.Token, p.ID, 30*time.Second, func(l matchList) bool { return len(l.Items) == n })
	byBank = map[string]matchOut{}
	for _, m := range l.Items {
		byBank[m.InstitutionID] = m
	}
	return coord, banks, ent, p, byBank
}

// walk takes bank's match through the given actions.
func (e *pipelineEnv) walk(bank account, matchID string, steps ...map[string]any) lendingMatch {
	e.t.Helper()
	var out lendingMatch
	for _, s := range steps {
		e.ok(http.StatusOK, "POST", "/api/v1/matches/"+matchID+"/actions", bank.Token, s, &out)
	}
	return out
}

var toCreditReview = []map[string]any{{"action": "accept"}, {"action": "record_contact"}, {"action": "submit_credit"}}

func offerOf(amount int64) map[string]any {
	return map[string]any{"action": "approve", "amount_yuan": amount, "lpr_spread_bps": -20, "term_months": 36,
		"guarantee_mode": "mortgage", "repayment_method": "equal_installment"}
}

func TestOffersNeverExceedTheNeed(t *testing.T) {
	e := newPipelineEnv(t)
	_, banks, ent, p, byBank := lendingSetup(t, e, 3)
	a, b := byBank[banks[0].OrgID], byBank[banks[1].OrgID]
	for _, x := range []struct {
		bank account
		m    matchOut
	}{{banks[0], a}, {banks[1], b}} {
		got := e.walk(x.bank, x.m.ID, append(toCreditReview, offerOf(3_000_000))...)
		if got.Stage != "approved" || got.Offer == nil || got.Offer.Status != "pending" {
			t.Fatalf("offer: %+v", got)
		}
	}
	// Both offers accepted at once: ¥6,000,000 against a ¥5,000,000 need.
	results := make([]resp, 2)
	var wg sync.WaitGroup
	for i, id := range []string{a.ID, b.ID} {
		wg.Add(1)
		go func() {
			defer wg.Done()
			results[i] = e.do("POST", "/api/v1/matches/"+id+"/offer", ent.Token, map[string]any{"decision": "accept"})
		}()
	}
	wg.Wait()
	won, lost := 0, -1
	for i, r := range results {
		switch r.Status {
		case http.StatusOK:
			won++
		case http.StatusConflict:
			lost = i
		default:
			t.Fatalf("acceptance %d: %s", i, r)
		}
	}
	if won != 1 || lost < 0 {
		t.Fatalf("concurrent acceptances: %d won, want exactly 1 (%s / %s)", won, results[0], results[1])
	}
	er := wantError(t, results[lost], http.StatusConflict, "exceeds_need")
	if er.Params["room_yuan"] != float64(2_000_000) {
		t.Errorf("409 names room %v, want 2000000", er.Params)
	}
	var got struct {
		AcceptedYuan int64 `json:"accepted_yuan"`
		Offers       []struct{ MatchID string }
	}
	e.ok(http.StatusOK, "GET", "/api/v1/projects/"+p.ID, ent.Token, nil, &got)
	if got.AcceptedYuan != 3_000_000 || len(got.Offers) != 1 {
		t.Errorf("project books %d in %d offers, want 3000000 in 1", got.AcceptedYuan, len(got.Offers))
	}
	var seenByBank struct {
		Offers []struct{ MatchID string }
	}
	e.ok(http.StatusOK, "GET", "/api/v1/projects/"+p.ID, banks[2].Token, nil, &seenByBank)
	if len(seenByBank.Offers) != 0 {
		t.Errorf("a competing bank sees the accepted offers %v", seenByBank.Offers)
	}

	// The third bank offers the rest; accepting it meets the need and closes
	// the other open lender as need_met.
	c := byBank[banks[2].OrgID]
	e.walk(banks[2], c.ID, append(toCreditReview, offerOf(2_000_000))...)
	e.ok(http.StatusOK, "POST", "/api/v1/matches/"+c.ID+"/offer", ent.Token, map[string]any{"decision": "accept"}, nil)
	loser := []string{a.ID, b.ID}[lost]
	deadline := time.Now().Add(20 * time.Second)
	for {
		var m lendingMatch
		e.ok(http.StatusOK, "GET", "/api/v1/matches/"+loser, ent.Token, nil, &m)
		if m.Stage == "need_met" {
			if m.Offer == nil || m.Offer.Status != "declined" {
				t.Errorf("need_met match keeps offer %+v", m.Offer)
			}
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the unaccepted offer is %s, want need_met", m.Stage)
		}
		time.Sleep(100 * time.Millisecond)
	}
	e.ok(http.StatusOK, "GET", "/api/v1/projects/"+p.ID, ent.Token, nil, &got)
	if got.AcceptedYuan != 5_000_000 {
		t.Errorf("accepted total %d, want 5000000", got.AcceptedYuan)
	}
}

func TestDisbursementsNeverExceedTheOffer(t *testing.T) {
	e := newPipelineEnv(t)
	_, banks, ent, _, byBank := lendingSetup(t, e, 1)
	m := byBank[banks[0].OrgID]
	e.walk(banks[0], m.ID, append(toCreditReview, offerOf(4_000_000))...)
	e.ok(http.StatusOK, "POST", "/api/v1/matches/"+m.ID+"/offer", ent.Token, map[string]any{"decision": "accept"}, nil)
	e.walk(banks[0], m.ID, map[string]any{"action": "contract"})
	// Six racing tranches of ¥1,000,000 against a ¥4,000,000 offer.
	var wg sync.WaitGroup
	for i := 0; i < 6; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for try := 0; try < 20; try++ {
				r := e.do("POST", "/api/v1/matches/"+m.ID+"/actions", banks[0].Token, map[string]any{"action": "disburse", "tranche_amount_yuan": 1_000_000})
				if r.Status != http.StatusConflict { // lost a race: the match moved; try again
					return
				}
			}
		}()
	}
	wg.Wait()
	var got lendingMatch
	e.ok(http.StatusOK, "GET", "/api/v1/matches/"+m.ID, banks[0].Token, nil, &got)
	if got.DisbursedYuan != 4_000_000 {
		t.Errorf("disbursed %d after racing tranches, want exactly the offer's 4000000", got.DisbursedYuan)
	}
}

// clockDeadlines count a working day as dayLength: pushes wait long,
// credit work is short.
func clockDeadlines(day time.Duration) finzone.Deadlines {
	return finzone.Deadlines{AcceptDays: 200, ContactDays: 200, CreditDays: 10, ContractDays: 200, DrawdownDays: 200,
		ScreenDays: 10, ExtendMaxDays: 10, DayLength: day}
}

func TestPausedReviewDoesNotExpireAndLateReviewEscalates(t *testing.T) {
	const day = 300 * time.Millisecond // credit review: 10 days = 3 s
	e := newPipelineEnvWith(t, usecase.Config{}, clockDeadlines(day))
	coord, banks, ent, _, byBank := lendingSetup(t, e, 2)
	paused, late := byBank[banks[0].OrgID], byBank[banks[1].OrgID]
	e.walk(banks[0], paused.ID, toCreditReview...)
	p := e.walk(banks[0], paused.ID, map[string]any{"action": "pause", "note": "等待企业补充近三年审计报告"})
	if p.Paused == nil || p.Paused.LeftSeconds < 1 || p.DueTime != nil {
		t.Fatalf("paused: %+v", p)
	}
	lateStart := e.walk(banks[1], late.ID, toCreditReview...)

	// Well past both deadlines: the paused review is as it was; the late one
	// escalated and is still live.
	time.Sleep(5 * time.Second)
	var m lendingMatch
	deadline := time.Now().Add(20 * time.Second)
	for {
		e.ok(http.StatusOK, "GET", "/api/v1/matches/"+late.ID, coord.Token, nil, &m)
		if m.EscalatedAt != nil || time.Now().After(deadline) {
			break
		}
		time.Sleep(200 * time.Millisecond)
	}
	if m.Stage != "credit_review" || m.EscalatedAt == nil || !m.Overdue {
		t.Errorf("late review: stage %s escalated %v, want credit_review, escalated and overdue", m.Stage, m.EscalatedAt)
	}
	var owner lendingMatch
	e.ok(http.StatusOK, "GET", "/api/v1/matches/"+paused.ID, ent.Token, nil, &owner)
	if owner.Stage != "credit_review" || owner.EscalatedAt != nil || owner.Paused == nil || owner.Paused.Note != "等待企业补充近三年审计报告" {
		t.Errorf("paused review seen by the owner: %+v", owner)
	}
	// Resuming restarts the clock with what was left.
	before := time.Now()
	r := e.walk(banks[0], paused.ID, map[string]any{"action": "resume"})
	if r.DueTime == nil || r.DueTime.Sub(before) > time.Duration(p.Paused.LeftSeconds+2)*time.Second || r.Paused != nil {
		t.Errorf("resumed: due %v, paused %+v; want due within the %d s left", r.DueTime, r.Paused, p.Paused.LeftSeconds)
	}

	// A coordinator's extension moves the escalated deadline forward, once.
	var ext lendingMatch
	e.ok(http.StatusOK, "POST", "/api/v1/matches/"+late.ID+"/extend", coord.Token, map[string]any{"days": 5, "note": "企业春节停工"}, &ext)
	if ext.DueTime == nil || !ext.DueTime.Equal(lateStart.DueTime.Add(5*day)) || ext.ExtendedIn != "credit_review" {
		t.Errorf("extended: due %v, want %v", ext.DueTime, lateStart.DueTime.Add(5*day))
	}
	wantError(t, e.do("POST", "/api/v1/matches/"+late.ID+"/extend", coord.Token, map[string]any{"days": 1, "note": "再延"}),
		http.StatusConflict, "invalid_state")
	wantError(t, e.do("POST", "/api/v1/matches/"+late.ID+"/extend", coord.Token, map[string]any{"days": 11, "note": "x"}),
		http.StatusBadRequest, "validation_failed", fieldCode{"days", "out_of_range"})
	wantError(t, e.do("POST", "/api/v1/matches/"+late.ID+"/extend", banks[1].Token, map[string]any{"days": 1, "note": "x"}),
		http.StatusForbidden, "forbidden")
	var urged lendingMatch
	e.ok(http.StatusOK, "POST", "/api/v1/matches/"+late.ID+"/urge", coord.Token, map[string]any{"note": "请于本周内完成审批"}, &urged)
	if urged.Urges != 1 {
		t.Errorf("urges: %d", urged.Urges)
	}
}

func TestScreeningAndAssignment(t *testing.T) {
	e := newPipelineEnvWith(t, usecase.Config{ScreeningRegions: []string{"341200"}}, finzone.Deadlines{})
	coord := e.coordinator("341200")
	local := broadProduct("阜阳集群贷", 200_000_000, 0, false)
	local["regions"] = []string{"341200"} // a city's coordinator publishes only within its city
	bank := e.verifiedBank(coord, local)
	ent := e.enterprise("341221")
	e.catalogueSeen()

	returned := e.createProject(ent.Token, projectBody("待初审项目"))
	var p projectOut
	e.ok(http.StatusOK, "POST", "/api/v1/projects/"+returned.ID+"/submit", ent.Token, nil, &p)
	if p.Status != "screening" {
		t.Fatalf("submitted in a screening region: %s, want screening", p.Status)
	}
	wantError(t, e.do("POST", "/api/v1/projects/"+returned.ID+"/screen", coord.Token, map[string]any{"decision": "return"}),
		http.StatusBadRequest, "validation_failed", fieldCode{"note", "required"})
	wantError(t, e.do("POST", "/api/v1/projects/"+returned.ID+"/screen", bank.Token, map[string]any{"decision": "pass"}),
		http.StatusNotFound, "not_found")
	var inbox0 struct {
		Items []struct {
			Kind      string `json:"kind"`
			ProjectID string `json:"project_id"`
		}
	}
	deadline := time.Now().Add(10 * time.Second)
	for len(inbox0.Items) == 0 && time.Now().Before(deadline) {
		e.ok(http.StatusOK, "GET", "/api/v1/notifications", coord.Token, nil, &inbox0)
		time.Sleep(100 * time.Millisecond)
	}
	if len(inbox0.Items) != 1 || inbox0.Items[0].Kind != "screening" || inbox0.Items[0].ProjectID != returned.ID {
		t.Errorf("the screening office's inbox: %+v, want one screening notice", inbox0.Items)
	}
	e.ok(http.StatusOK, "POST", "/api/v1/projects/"+returned.ID+"/screen", coord.Token, map[string]any{"decision": "return", "note": "请补充环评批复"}, &p)
	if p.Status != "draft" {
		t.Errorf("returned: %s, want draft", p.Status)
	}

	passed := e.createProject(ent.Token, projectBody("初审通过项目"))
	e.ok(http.StatusOK, "POST", "/api/v1/projects/"+passed.ID+"/submit", ent.Token, nil, nil)
	e.ok(http.StatusOK, "POST", "/api/v1/projects/"+passed.ID+"/screen", coord.Token, map[string]any{"decision": "pass"}, nil)
	e.waitMatches(ent.Token, passed.ID, 20*time.Second, func(l matchList) bool { return len(l.Items) == 1 })

	// The returned one was never pushed.
	var l matchList
	e.ok(http.StatusOK, "GET", "/api/v1/projects/"+returned.ID+"/matches", ent.Token, nil, &l)
	if len(l.Items) != 0 {
		t.Errorf("a returned project was pushed to %d institutions", len(l.Items))
	}

	// A coordinator assigns a bank the engine did not pick (its product
	// serves another city): the bank receives the push.
	other := e.institution("340100")
	hefei := e.coordinator("340100")
	e.ok(http.StatusOK, "POST", "/api/v1/institutions/"+other.OrgID+"/verify", hefei.Token, nil, nil)
	prod := broadProduct("合肥专项贷", 200_000_000, 0, false)
	prod["regions"] = []string{"340100"}
	var pr struct{ ID string }
	e.ok(http.StatusCreated, "POST", "/api/v1/products", other.Token, prod, &pr)
	e.ok(http.StatusOK, "POST", "/api/v1/products/"+pr.ID+"/publish", other.Token, nil, nil)
	e.ok(http.StatusOK, "POST", "/api/v1/products/"+pr.ID+"/review", hefei.Token, map[string]any{"decision": "approve"}, nil)
	wantError(t, e.do("POST", "/api/v1/projects/"+passed.ID+"/assign", hefei.Token, map[string]any{"institution_id": other.OrgID, "note": "x"}),
		http.StatusNotFound, "not_found")
	e.ok(http.StatusAccepted, "POST", "/api/v1/projects/"+passed.ID+"/assign", coord.Token,
		map[string]any{"institution_id": other.OrgID, "note": "该行有粮油加工授信经验"}, nil)
	e.waitMatches(ent.Token, passed.ID, 20*time.Second, func(l matchList) bool {
		for _, m := range l.Items {
			if m.InstitutionID == other.OrgID {
				return true
			}
		}
		return false
	})
	var inbox struct{ Items []matchOut }
	e.ok(http.StatusOK, "GET", "/api/v1/matches", other.Token, nil, &inbox)
	if len(inbox.Items) != 1 || inbox.Items[0].ProjectID != passed.ID {
		t.Errorf("assigned bank's inbox: %+v", inbox.Items)
	}
	wantError(t, e.do("POST", "/api/v1/projects/"+passed.ID+"/assign", coord.Token, map[string]any{"institution_id": other.OrgID, "note": "x"}),
		http.StatusConflict, "conflict")
}

// TestGuaranteeNeverCountsAsFunding: a project backed by a guarantee firm
// gets the firm as an enhancer beside its lender; the firm commits cover
// and issues its guarantee, and only the bank's money counts as funded.
func TestGuaranteeNeverCountsAsFunding(t *testing.T) {
	e := newPipelineEnv(t)
	coord := e.coordinator("340000")
	loan := broadProduct("集群贷", 200_000_000, 0, false)
	loan["collateral"] = []string{"mortgage", "guarantee_company"}
	bank := e.verifiedBank(coord, loan)
	guarantor := e.register(finzone.KindGuarantee, "341200")
	e.ok(http.StatusOK, "POST", "/api/v1/institutions/"+guarantor.OrgID+"/verify", coord.Token, nil, nil)
	g := broadProduct("政策性融资担保", 10_000_000, 0, false)
	g["category"], g["rate_floor_bps"], g["rate_ceiling_bps"] = "guarantee", 50, 200
	g["collateral"] = []string{"guarantee_company"}
	var gp struct{ ID string }
	e.ok(http.StatusCreated, "POST", "/api/v1/products", guarantor.Token, g, &gp)
	e.ok(http.StatusOK, "POST", "/api/v1/products/"+gp.ID+"/publish", guarantor.Token, nil, nil)
	e.ok(http.StatusOK, "POST", "/api/v1/products/"+gp.ID+"/review", coord.Token, map[string]any{"decision": "approve"}, nil)

	ent := e.enterprise("341221")
	body := projectBody("担保增信的技改项目")
	body["collateral"] = []string{"mortgage", "guarantee_company"}
	p := e.createProject(ent.Token, body)
	e.catalogueSeen()
	e.ok(http.StatusOK, "POST", "/api/v1/projects/"+p.ID+"/submit", ent.Token, nil, nil)
	l := e.waitMatches(ent.Token, p.ID, 30*time.Second, func(l matchList) bool { return len(l.Items) == 2 })
	var lender, enhancer matchOut
	for _, m := range l.Items {
		switch m.Role {
		case "enhancer":
			enhancer = m
		case "lead":
			lender = m
		}
	}
	if lender.InstitutionID != bank.OrgID || enhancer.InstitutionID != guarantor.OrgID {
		t.Fatalf("matches %+v: want the bank as lead and the guarantee firm as enhancer", l.Items)
	}
	if !slices.Equal(enhancer.AllowedActions, nil) {
		t.Errorf("the enterprise may act on the enhancer: %v", enhancer.AllowedActions)
	}
	var gm lendingMatch
	gm = e.walk(guarantor, enhancer.ID, map[string]any{"action": "accept"}, map[string]any{"action": "assess"},
		map[string]any{"action": "commit", "cover_yuan": 4_000_000, "fee_bps": 100, "risk_share_pct": 40},
		map[string]any{"action": "issue"})
	if gm.Stage != "issued" {
		t.Fatalf("enhancer: %s", gm.Stage)
	}
	wantError(t, e.do("POST", "/api/v1/matches/"+enhancer.ID+"/actions", guarantor.Token,
		map[string]any{"action": "disburse", "tranche_amount_yuan": 1_000_000}), http.StatusConflict, "invalid_state")
	wantError(t, e.do("POST", "/api/v1/matches/"+enhancer.ID+"/offer", ent.Token, map[string]any{"decision": "accept"}),
		http.StatusConflict, "invalid_state")

	e.walk(bank, lender.ID, append(toCreditReview, offerOf(5_000_000))...)
	e.ok(http.StatusOK, "POST", "/api/v1/matches/"+lender.ID+"/offer", ent.Token, map[string]any{"decision": "accept"}, nil)
	e.walk(bank, lender.ID, map[string]any{"action": "contract"}, map[string]any{"action": "disburse", "tranche_amount_yuan": 2_000_000})
	deadline := time.Now().Add(20 * time.Second)
	for {
		var got projectOut
		e.ok(http.StatusOK, "GET", "/api/v1/projects/"+p.ID, ent.Token, nil, &got)
		if got.Status == "partially_funded" {
			break
		}
		if got.Status == "funded" || time.Now().After(deadline) {
			t.Fatalf("project %s after ¥2,000,000 of ¥5,000,000 lent and ¥4,000,000 of guarantee, want partially_funded", got.Status)
		}
		time.Sleep(100 * time.Millisecond)
	}
	// The enhancer never took the need_met exit when the offer met the need.
	e.ok(http.StatusOK, "GET", "/api/v1/matches/"+enhancer.ID, guarantor.Token, nil, &gm)
	if gm.Stage != "issued" {
		t.Errorf("enhancer after the need was met: %s", gm.Stage)
	}
}

// TestMakeUpSaturdayCounts: pushed on Friday 13 February 2026, before the
// Spring Festival, a 3-working-day answer is due on Wednesday 25 February:
// the make-up Saturday 14 February counts, the festival (15–23) does not.
// Without the calendar it would be Wednesday 18; without the make-up day,
// Thursday 26.
func TestMakeUpSaturdayCounts(t *testing.T) {
	cst := time.FixedZone("CST", 8*3600)
	friday := time.Date(2026, 2, 13, 10, 0, 0, 0, cst)
	e := newPipelineEnvWith(t, usecase.Config{Now: func() time.Time { return friday }}, finzone.Deadlines{})
	coord := e.coordinator("340000")
	prod := broadProduct("集群贷", 200_000_000, 0, false)
	prod["valid_from"] = "2026-01-01T00:00:00+08:00"
	bank := e.verifiedBank(coord, prod)
	ent := e.enterprise("341221")
	p := e.createProject(ent.Token, projectBody("节前提交的项目"))
	e.catalogueSeen()
	e.ok(http.StatusOK, "POST", "/api/v1/projects/"+p.ID+"/submit", ent.Token, nil, nil)
	l := e.waitMatches(ent.Token, p.ID, 30*time.Second, func(l matchList) bool { return len(l.Items) == 1 })
	var m lendingMatch
	e.ok(http.StatusOK, "GET", "/api/v1/matches/"+l.Items[0].ID, bank.Token, nil, &m)
	if want := time.Date(2026, 2, 25, 10, 0, 0, 0, cst); m.DueTime == nil || !m.DueTime.Equal(want) {
		t.Errorf("due %v, want %v", m.DueTime, want)
	}
}

// TestLenderAsksForAnEnhancer: a project with no guarantee firm in its
// collateral gets one when its lender asks.
func TestLenderAsksForAnEnhancer(t *testing.T) {
	e := newPipelineEnv(t)
	coord := e.coordinator("340000")
	bank := e.verifiedBank(coord, broadProduct("集群贷", 200_000_000, 0, false))
	insurer := e.register(finzone.KindInsurer, "341200")
	e.ok(http.StatusOK, "POST", "/api/v1/institutions/"+insurer.OrgID+"/verify", coord.Token, nil, nil)
	cover := broadProduct("贷款保证保险", 10_000_000, 0, false)
	cover["category"], cover["rate_floor_bps"], cover["rate_ceiling_bps"] = "insurance", 80, 200
	var ip struct{ ID string }
	e.ok(http.StatusCreated, "POST", "/api/v1/products", insurer.Token, cover, &ip)
	e.ok(http.StatusOK, "POST", "/api/v1/products/"+ip.ID+"/publish", insurer.Token, nil, nil)
	e.ok(http.StatusOK, "POST", "/api/v1/products/"+ip.ID+"/review", coord.Token, map[string]any{"decision": "approve"}, nil)
	ent := e.enterprise("341221")
	p := e.createProject(ent.Token, projectBody("科技型企业研发楼"))
	e.catalogueSeen()
	e.ok(http.StatusOK, "POST", "/api/v1/projects/"+p.ID+"/submit", ent.Token, nil, nil)
	l := e.waitMatches(ent.Token, p.ID, 30*time.Second, func(l matchList) bool { return len(l.Items) == 1 })
	if l.Items[0].InstitutionID != bank.OrgID {
		t.Fatalf("before the request: %+v, want only the bank", l.Items)
	}
	e.walk(bank, l.Items[0].ID, map[string]any{"action": "accept"}, map[string]any{"action": "request_enhancer", "note": "需要履约保证保险"})
	l = e.waitMatches(ent.Token, p.ID, 20*time.Second, func(l matchList) bool { return len(l.Items) == 2 })
	for _, m := range l.Items {
		if m.InstitutionID == insurer.OrgID && m.Role != "enhancer" {
			t.Errorf("the insurer joined as %s, want enhancer", m.Role)
		}
	}
}

// TestProjectNobodyWorksOnNeedsHelp: when the only lender declines and
// nobody is left to ask, the coordinators are asked to help; a product
// published later re-matches the project and the flag clears.
func TestProjectNobodyWorksOnNeedsHelp(t *testing.T) {
	e := newPipelineEnv(t)
	coord, banks, ent, p, byBank := lendingSetup(t, e, 1)
	e.walk(banks[0], byBank[banks[0].OrgID].ID, map[string]any{"action": "decline", "reason_code": "capacity", "note": "额度已满"})
	deadline := time.Now().Add(20 * time.Second)
	for {
		flagged := e.listProjects(coord.Token, "?attention=true")
		if len(flagged.Items) == 1 && flagged.Items[0].ID == p.ID {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("attention list %v, want the project nobody works on", projectIDs(flagged))
		}
		time.Sleep(100 * time.Millisecond)
	}
	// A bank verified and a product published later: within 10 s the
	// project is pushed to it, the declined bank is not asked again, and
	// the flag clears.
	fresh := e.verifiedBank(coord, broadProduct("新发布的集群贷", 200_000_000, 0, false))
	began := time.Now()
	l := e.waitMatches(ent.Token, p.ID, 10*time.Second, func(l matchList) bool { return len(l.Items) == 2 })
	t.Logf("re-matched %s after the product was approved", time.Since(began).Round(time.Millisecond))
	for _, m := range l.Items {
		if m.InstitutionID == banks[0].OrgID && m.Stage != "declined" {
			t.Errorf("the declined bank was asked again: %s", m.Stage)
		}
		if m.InstitutionID == fresh.OrgID && (m.Stage != "pushed" || m.Role != "lead") {
			t.Errorf("the new bank: %s %s, want a pushed lead", m.Stage, m.Role)
		}
	}
	deadline = time.Now().Add(10 * time.Second)
	for len(e.listProjects(coord.Token, "?attention=true").Items) != 0 {
		if time.Now().After(deadline) {
			t.Fatal("the attention flag stayed after the re-match")
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// TestUnscreenedNeedEscalates: a need left in screening past its 2 working
// days is escalated to the superior region's office: here the province's,
// since the county has no office and its city's did not act.
func TestUnscreenedNeedEscalates(t *testing.T) {
	e := newPipelineEnvWith(t, usecase.Config{ScreeningRegions: []string{"341200"}}, clockDeadlines(100*time.Millisecond))
	city := e.coordinator("341200")
	province := e.coordinator("340000")
	ent := e.enterprise("341221")
	p := e.createProject(ent.Token, projectBody("无人初审的项目"))
	e.ok(http.StatusOK, "POST", "/api/v1/projects/"+p.ID+"/submit", ent.Token, nil, nil)
	type notices struct {
		Items []struct {
			Kind      string `json:"kind"`
			ProjectID string `json:"project_id"`
		} `json:"items"`
	}
	kinds := func(who account) []string {
		var n notices
		e.ok(http.StatusOK, "GET", "/api/v1/notifications", who.Token, nil, &n)
		var out []string
		for _, it := range n.Items {
			if it.ProjectID == p.ID {
				out = append(out, it.Kind)
			}
		}
		return out
	}
	deadline := time.Now().Add(20 * time.Second)
	for !slices.Contains(kinds(province), "screen_escalated") {
		if time.Now().After(deadline) {
			t.Fatalf("province office's notices %v, want screen_escalated", kinds(province))
		}
		time.Sleep(100 * time.Millisecond)
	}
	if got := kinds(city); !slices.Equal(got, []string{"screening"}) {
		t.Errorf("city office's notices %v, want only the screening one", got)
	}
	var got struct {
		Status            string     `json:"status"`
		ScreenEscalatedAt *time.Time `json:"screen_escalated_at"`
	}
	e.ok(http.StatusOK, "GET", "/api/v1/projects/"+p.ID, province.Token, nil, &got)
	if got.Status != "screening" || got.ScreenEscalatedAt == nil {
		t.Errorf("project %s escalated %v, want still screening and escalated", got.Status, got.ScreenEscalatedAt)
	}
}

// TestLendingRoutesKeepTenants: nobody answers, extends, urges, screens
// or assigns outside their own project or region; what they may not see
// is not found, what they see but may not change is forbidden.
func TestLendingRoutesKeepTenants(t *testing.T) {
	e := newPipelineEnv(t)
	_, banks, ent, p, byBank := lendingSetup(t, e, 2)
	m := byBank[banks[0].OrgID]
	e.walk(banks[0], m.ID, append(toCreditReview, offerOf(1_000_000))...)
	stranger := e.enterprise("341221")
	hefei := e.coordinator("340100")
	fuyang := e.coordinator("341200")
	match, project := "/api/v1/matches/"+m.ID, "/api/v1/projects/"+p.ID
	for _, c := range []struct {
		who    account
		path   string
		body   map[string]any
		status int
		code   string
	}{
		{stranger, match + "/offer", map[string]any{"decision": "accept"}, http.StatusNotFound, "not_found"},
		{banks[1], match + "/offer", map[string]any{"decision": "accept"}, http.StatusNotFound, "not_found"},
		{banks[0], match + "/offer", map[string]any{"decision": "accept"}, http.StatusForbidden, "forbidden"},
		{hefei, match + "/extend", map[string]any{"days": 1, "note": "x"}, http.StatusNotFound, "not_found"},
		{hefei, match + "/urge", map[string]any{"note": "x"}, http.StatusNotFound, "not_found"},
		{ent, match + "/urge", map[string]any{"note": "x"}, http.StatusForbidden, "forbidden"},
		{banks[0], match + "/extend", map[string]any{"days": 1, "note": "x"}, http.StatusForbidden, "forbidden"},
		{hefei, project + "/screen", map[string]any{"decision": "pass"}, http.StatusNotFound, "not_found"},
		{ent, project + "/screen", map[string]any{"decision": "pass"}, http.StatusForbidden, "forbidden"},
		{hefei, project + "/assign", map[string]any{"institution_id": banks[1].OrgID, "note": "x"}, http.StatusNotFound, "not_found"},
		{banks[0], project + "/assign", map[string]any{"institution_id": banks[1].OrgID, "note": "x"}, http.StatusForbidden, "forbidden"},
		{fuyang, project + "/screen", map[string]any{"decision": "pass"}, http.StatusConflict, "invalid_state"},
	} {
		wantError(t, e.do("POST", c.path, c.who.Token, c.body), c.status, c.code)
	}
	// Nothing changed: the offer still waits for its owner.
	var got lendingMatch
	e.ok(http.StatusOK, "GET", match, ent.Token, nil, &got)
	if got.Offer == nil || got.Offer.Status != "pending" || got.Urges != 0 || got.ExtendedIn != "" {
		t.Errorf("after refused requests: %+v", got)
	}
}
