package web_test

// The lending workflow's pages: offers with their terms and the owner's
// answer, paused clocks the enterprise can read, credit enhancers apart
// from lenders, and the coordinators' extend, urge, screen and assign
// forms, with escalation on the board and the dashboard.

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"finzone"
	"finzone/finzonetest"
	"finzone/usecase"
)

// step moves a match through the use cases, as its institution.
func (e *env) step(inst account, id string, actions ...finzone.Action) {
	e.t.Helper()
	for _, a := range actions {
		if _, err := e.uc.ActOnMatch(ctx, inst.Actor, id, finzone.ActionInput{Action: a}); err != nil {
			e.t.Fatalf("%s on %s: %v", a, id, err)
		}
	}
}

// toCreditReview takes a pushed match to credit review.
func (e *env) toCreditReview(inst account, id string) {
	e.t.Helper()
	e.step(inst, id, finzone.ActionAccept, finzone.ActionRecordContact, finzone.ActionSubmitCredit)
}

// addMatch pushes p to one more institution, as the pipeline would: its
// ledger entry and its match.
func (e *env) addMatch(p finzone.Project, inst account, role finzone.MatchRole, cat finzone.ProductCategory) string {
	e.t.Helper()
	led, err := e.db.Ledger(ctx, p.ID)
	if err != nil {
		e.t.Fatal(err)
	}
	now := time.Now()
	led.Entries = append(led.Entries, finzone.LedgerEntry{InstitutionID: inst.OrgID, Role: role, Rank: len(led.Entries) + 1, PushedAt: now})
	if err := e.db.SaveLedger(ctx, &led, led.Version); err != nil {
		e.t.Fatal(err)
	}
	m := finzone.Match{ID: finzone.MatchID(p.ID, inst.OrgID), ProjectID: p.ID, InstitutionID: inst.OrgID, ProjectTitle: p.Title,
		ProjectAmountYuan: p.AmountYuan, OwnerOrgID: p.OwnerOrgID, RegionCode: p.RegionCode, Role: role, Rank: len(led.Entries),
		Category: cat, Stage: finzone.StagePushed, DueAt: now.Add(72 * time.Hour), CreatedAt: now, UpdatedAt: now,
		Events: []finzone.Event{{At: now, Actor: "system", Action: "push", To: finzone.StagePushed, Note: string(role)}}}
	if err := e.db.InsertMatches(ctx, []finzone.Match{m}); err != nil {
		e.t.Fatal(err)
	}
	return m.ID
}

// approveForm is a complete approve form; set changes fields, "" removes one.
func approveForm(set map[string]string) url.Values {
	f := url.Values{"action": {"approve"}, "approved_amount_wan": {"300"}, "approved_rate_pct": {"3.85"},
		"approved_term_months": {"36"}, "guarantee_mode": {"mortgage"}, "repayment_method": {"equal_installment"}}
	for k, v := range set {
		if v == "" {
			f.Del(k)
		} else {
			f.Set(k, v)
		}
	}
	return f
}

func TestOfferFormAndTheOwnersAnswer(t *testing.T) {
	e := newEnv(t)
	owner, lead, partner, p := pushed(t, e)
	id, pid := finzone.MatchID(p.ID, lead.OrgID), finzone.MatchID(p.ID, partner.OrgID)
	path, project := "/matches/"+id, "/projects/"+p.ID
	e.toCreditReview(lead, id)
	r := e.page(pageReq{method: "GET", path: path, session: lead.Token})
	wantPage(t, r, http.StatusOK, `id="form-approve"`, `id="f-guarantee_mode"`, `id="f-repayment_method"`, `id="f-lpr_spread_bp"`,
		"当前 1 年期 LPR 3%，5 年期以上 LPR 3.5%", `id="form-pause"`, `id="form-request_enhancer"`)
	if strings.Contains(string(r.Body), `id="f-lease_mode"`) {
		t.Errorf("a loan's offer form asks for a lease mode")
	}
	// A fixed rate or a spread: both, or neither, is said in place.
	post := func(f url.Values) resp {
		return e.page(pageReq{method: "POST", path: path + "/action", session: lead.Token, form: f})
	}
	wantPage(t, post(approveForm(map[string]string{"lpr_spread_bp": "35"})), http.StatusBadRequest,
		`id="f-lpr_spread_bp-err"`, "固定年利率与 LPR 加减点只能填写一项")
	wantPage(t, post(approveForm(map[string]string{"approved_rate_pct": "", "repayment_method": ""})), http.StatusBadRequest,
		`id="f-approved_rate_pct-err"`, "请填写固定年利率或 LPR 加减点", `id="f-repayment_method-err"`)
	mustSee(t, post(approveForm(map[string]string{"approved_rate_pct": "", "lpr_spread_bp": "+35"})), path)
	if o := e.match(lead, id).Offer; o.RateBps != 335 || o.LPRBps != 300 || o.LPRSpreadBps != 35 || o.Status != finzone.OfferPending {
		t.Fatalf("offer over the LPR: got %+v, want 3.35%% = LPR 3%% + 35 bp, pending", o)
	}
	wantPage(t, e.page(pageReq{method: "GET", path: path, session: lead.Token}), http.StatusOK,
		`id="offer"`, "年利率 3.35%（LPR 3% +35BP）", "等额本息", "抵押", "待企业确认")

	// The owner answers on the project page: a decline needs a note, said
	// on that offer's own form.
	wantPage(t, e.page(pageReq{method: "GET", path: project, session: owner.Token}), http.StatusOK,
		`id="offer-form-`+id+`"`, `id="accept-offer-`+id+`"`, "已接受授信 0元，融资需求 500万元，尚需 500万元")
	answer := func(decision, note, match string) resp {
		return e.page(pageReq{method: "POST", path: project + "/offer", session: owner.Token,
			form: url.Values{"for": {match}, "decision": {decision}, "offer_note": {note}}})
	}
	wantPage(t, answer("decline", "", id), http.StatusBadRequest, `id="f-offer_note-`+id+`-err"`)
	if r := answer("accept", "", id); r.Status != http.StatusSeeOther || r.Header.Get("Location") != project {
		t.Fatalf("accept: got %d to %q, want 303 to the project: %.400s", r.Status, r.Header.Get("Location"), r.Body)
	}
	r = e.page(pageReq{method: "GET", path: project, session: owner.Token})
	wantPage(t, r, http.StatusOK, "企业已接受", "已接受授信 300万元，融资需求 500万元，尚需 200万元")
	if strings.Contains(string(r.Body), `id="offer-form-`+id+`"`) {
		t.Errorf("an accepted offer still shows its answer form")
	}
	// A second offer beyond the room left is refused on its form, naming the room.
	e.toCreditReview(partner, pid)
	if _, err := e.uc.ActOnMatch(ctx, partner.Actor, pid, finzone.ActionInput{Action: finzone.ActionApprove, AmountYuan: ptr(int64(3_000_000)),
		RateBps: ptr(400), TermMonths: ptr(36), GuaranteeMode: finzone.CollateralCredit, RepaymentMethod: finzone.RepayRevolving}); err != nil {
		t.Fatal(err)
	}
	wantPage(t, answer("accept", "", pid), http.StatusConflict, `id="offer-error-`+pid+`"`, "目前尚可接受 200万元")
	wantPage(t, e.page(pageReq{method: "GET", path: project, session: owner.Token, lang: "en"}), http.StatusOK,
		"Accepted 300万元 of the 500万元 requested; 200万元 still needed", "Awaiting the enterprise")
	// Nobody else answers for the owner; a competitor's offer is not even there.
	r = e.page(pageReq{method: "POST", path: project + "/offer", session: lead.Token, form: url.Values{"for": {id}, "decision": {"decline"}, "offer_note": {"x"}}})
	wantPage(t, r, http.StatusForbidden)
	r = e.page(pageReq{method: "POST", path: project + "/offer", session: lead.Token, form: url.Values{"for": {pid}, "decision": {"accept"}}})
	wantPage(t, r, http.StatusNotFound)
}

func ptr[T any](v T) *T { return &v }

func TestPauseIsShownToTheEnterprise(t *testing.T) {
	e := newEnv(t)
	owner, lead, _, p := pushed(t, e)
	id := finzone.MatchID(p.ID, lead.OrgID)
	path := "/matches/" + id
	e.toCreditReview(lead, id)
	act := func(f url.Values) resp {
		return e.page(pageReq{method: "POST", path: path + "/action", session: lead.Token, form: f})
	}
	wantPage(t, act(url.Values{"action": {"pause"}}), http.StatusBadRequest, `id="f-note_pause-err"`)
	why := "等待企业补充近三年审计报告"
	mustSee(t, act(url.Values{"action": {"pause"}, "note_pause": {why}}), path)
	r := e.page(pageReq{method: "GET", path: path, session: lead.Token})
	wantPage(t, r, http.StatusOK, `id="paused"`, why, "暂停计时中", `id="form-resume"`, "个工作日")
	if strings.Contains(string(r.Body), `id="form-pause"`) {
		t.Errorf("a paused match offers to pause again")
	}
	wantPage(t, e.page(pageReq{method: "GET", path: "/projects/" + p.ID, session: owner.Token}), http.StatusOK,
		`data-paused="`+id+`"`, "已暂停计时", why)
	wantPage(t, e.page(pageReq{method: "GET", path: "/inbox", session: lead.Token}), http.StatusOK, "已暂停计时")
	mustSee(t, act(url.Values{"action": {"resume"}}), path)
	m := e.match(lead, id)
	if !m.Pause.At.IsZero() || m.DueAt.IsZero() {
		t.Fatalf("after resume: pause %+v, due %v; want the clock running again", m.Pause, m.DueAt)
	}
	if r := e.page(pageReq{method: "GET", path: "/projects/" + p.ID, session: owner.Token}); strings.Contains(string(r.Body), "data-paused") {
		t.Errorf("the project page still shows the pause after resume")
	}
}

func TestEnhancersStandApartFromLenders(t *testing.T) {
	e := newEnv(t)
	owner, _, _, p := pushed(t, e)
	firm := e.register(finzone.KindGuarantee, "341200")
	id := e.addMatch(p, firm, finzone.RoleEnhancer, finzone.CategoryGuarantee)
	path := "/matches/" + id
	e.step(firm, id, finzone.ActionAccept, finzone.ActionAssess)
	r := e.page(pageReq{method: "GET", path: path, session: firm.Token})
	wantPage(t, r, http.StatusOK, `id="form-commit"`, `id="f-cover_wan"`, `id="f-fee_pct"`, `id="f-risk_share_pct"`, `id="form-pause"`)
	commit := func(fee string) resp {
		return e.page(pageReq{method: "POST", path: path + "/action", session: firm.Token, form: url.Values{"action": {"commit"},
			"cover_wan": {"200"}, "fee_pct": {fee}, "risk_share_pct": {"80"}}})
	}
	// A fee above the cap is said in percent, as the form asks.
	wantPage(t, commit("20"), http.StatusBadRequest, `id="f-fee_pct-err"`, "10")
	mustSee(t, commit("1.5"), path)
	if c := e.match(firm, id).Cover; c != (finzone.Cover{CoverYuan: 2_000_000, FeeBps: 150, RiskSharePct: 80}) {
		t.Fatalf("cover: got %+v, want ¥2,000,000 at 150 bps, 80%%", c)
	}
	wantPage(t, e.page(pageReq{method: "GET", path: path, session: firm.Token}), http.StatusOK,
		`id="cover"`, "担保/承保金额 200万元 · 担保费率 1.5%/年 · 风险分担比例 80%", `id="form-issue"`, "已承诺增信")

	r = e.page(pageReq{method: "GET", path: "/projects/" + p.ID, session: owner.Token})
	wantPage(t, r, http.StatusOK, `id="enhancers-table"`, "增信机构", "担保费率 1.5%/年")
	if n := countRows(string(r.Body), `id="matches-table"`); n != 2 {
		t.Errorf("lenders table has %d rows, want the 2 lenders only", n)
	}
	if n := countRows(string(r.Body), `id="enhancers-table"`); n != 1 {
		t.Errorf("enhancers table has %d rows, want 1", n)
	}
	coord := e.coordinator("341200")
	wantPage(t, e.page(pageReq{method: "GET", path: "/dashboard", session: coord.Token}), http.StatusOK,
		`id="total-enhancers">1<`, `id="total-cover"><span class="money" title="¥2,000,000">200万元`, `id="total-pushed">2<`)
}

func TestCoordinatorExtendsAndUrges(t *testing.T) {
	e := newEnv(t)
	owner, lead, _, p := pushed(t, e)
	id := finzone.MatchID(p.ID, lead.OrgID)
	path := "/matches/" + id
	e.step(lead, id, finzone.ActionAccept)
	due := e.match(lead, id).DueAt
	coord := e.coordinator("341200")
	wantPage(t, e.page(pageReq{method: "GET", path: "/projects/" + p.ID, session: coord.Token}), http.StatusOK, `href="/matches/`+id+`"`)
	wantPage(t, e.page(pageReq{method: "GET", path: path, session: coord.Token}), http.StatusOK, `id="form-extend"`, `id="form-urge"`)
	if r := e.page(pageReq{method: "GET", path: path, session: lead.Token}); strings.Contains(string(r.Body), `id="form-extend"`) {
		t.Errorf("the institution sees the coordinators' extend form")
	}
	extend := func(session, days, note string) resp {
		return e.page(pageReq{method: "POST", path: path + "/extend", session: session,
			form: url.Values{"extend_days": {days}, "note_extend": {note}}})
	}
	wantPage(t, extend(owner.Token, "3", "x"), http.StatusForbidden)
	wantPage(t, extend(coord.Token, "三", "企业补件"), http.StatusBadRequest, `id="f-extend_days-err"`, "请填写整数")
	wantPage(t, extend(coord.Token, "11", ""), http.StatusBadRequest, `id="f-extend_days-err"`, "应在 1 到 10 之间", `id="f-note_extend-err"`)
	mustSee(t, extend(coord.Token, "3", "企业正在补充材料"), path)
	m := e.match(lead, id)
	if want := finzone.DefaultDeadlines().AddDays(due, 3); !m.DueAt.Equal(want) || m.ExtendedIn != finzone.StageAccepted {
		t.Fatalf("after extending: due %v in %q, want %v in accepted", m.DueAt, m.ExtendedIn, want)
	}
	r := e.page(pageReq{method: "GET", path: path, session: coord.Token})
	wantPage(t, r, http.StatusOK, `id="extended"`, "已在“已受理”阶段延期", `id="no-extend"`, "本阶段已延期过一次")
	if strings.Contains(string(r.Body), `id="form-extend"`) {
		t.Errorf("the extend form shows after this stage's extension")
	}
	wantPage(t, e.page(pageReq{method: "POST", path: path + "/urge", session: coord.Token, form: url.Values{}}),
		http.StatusBadRequest, `id="f-note_urge-err"`)
	mustSee(t, e.page(pageReq{method: "POST", path: path + "/urge", session: coord.Token,
		form: url.Values{"note_urge": {"请本周内完成首次对接"}}}), path)
	wantPage(t, e.page(pageReq{method: "GET", path: path, session: lead.Token}), http.StatusOK,
		`id="urges"`, "已督办 1 次", "请本周内完成首次对接", "协调员")
}

func TestScreeningAndAssignmentForms(t *testing.T) {
	e := newEnvOn(t, finzonetest.NewStore(t), usecase.Config{ScreeningRegions: []string{"341200"}})
	owner := e.enterprise("341221")
	p := e.submitProject(owner, e.createProject(owner, "临泉县预制菜产业园"))
	if p.Status != finzone.ProjectScreening {
		t.Fatalf("submitted in a screening region: got %s, want screening", p.Status)
	}
	path := "/projects/" + p.ID
	wantPage(t, e.page(pageReq{method: "GET", path: path, session: owner.Token}), http.StatusOK,
		`id="screening-notice"`, "所在地区对融资需求实行预审", "项目正在预审")
	coord := e.coordinator("341200")
	wantPage(t, e.page(pageReq{method: "GET", path: path, session: coord.Token}), http.StatusOK, `id="form-screen"`)
	screen := func(decision, note string) resp {
		return e.page(pageReq{method: "POST", path: path + "/screen", session: coord.Token,
			form: url.Values{"decision": {decision}, "screen_note": {note}}})
	}
	wantPage(t, screen("return", ""), http.StatusBadRequest, `id="f-screen_note-err"`)
	mustSee(t, screen("return", "请补充项目环评批复"), path)
	wantPage(t, e.page(pageReq{method: "GET", path: path, session: owner.Token}), http.StatusOK,
		`id="screen-returned"`, "请补充项目环评批复", `id="submit-project"`, "预审退回")
	e.submitProject(owner, p)
	mustSee(t, screen("pass", ""), path)
	bank := e.institution("341221")
	if _, err := e.uc.VerifyInstitution(ctx, coord.Actor, bank.OrgID); err != nil {
		t.Fatal(err)
	}
	r := e.page(pageReq{method: "GET", path: path, session: coord.Token})
	wantPage(t, r, http.StatusOK, `id="project-status">已提交`, `id="form-assign"`, `<option value="`+bank.OrgID+`"`)
	if strings.Contains(string(r.Body), `id="form-screen"`) {
		t.Errorf("a screened project still shows the screening form")
	}
	// An institution with no published lending product cannot be assigned:
	// said on the product field; none chosen, on the institution's.
	assign := func(inst string) resp {
		return e.page(pageReq{method: "POST", path: path + "/assign", session: coord.Token,
			form: url.Values{"institution_id": {inst}, "note_assign": {"企业点名希望对接"}}})
	}
	wantPage(t, assign(bank.OrgID), http.StatusBadRequest, `id="f-product_id-err"`)
	wantPage(t, assign(""), http.StatusBadRequest, `id="f-institution_id-err"`)
	if r := e.page(pageReq{method: "GET", path: path, session: owner.Token}); strings.Contains(string(r.Body), `id="form-assign"`) {
		t.Errorf("the owner sees the coordinators' assign form")
	}
}

func TestEscalationOnTheBoardAndTheDashboard(t *testing.T) {
	e := newEnv(t)
	_, lead, _, p := pushed(t, e)
	id := finzone.MatchID(p.ID, lead.OrgID)
	e.step(lead, id, finzone.ActionAccept, finzone.ActionRecordContact)
	at := time.Now()
	if _, err := e.db.MoveMatch(ctx, id, finzone.StageContacted, finzone.MatchChange{To: finzone.StageContacted, KeepDue: true,
		Escalated: &at, Event: finzone.Event{At: at, Actor: "system", Action: "escalate", From: finzone.StageContacted, To: finzone.StageContacted}}); err != nil {
		t.Fatal(err)
	}
	coord := e.coordinator("341200")
	r := e.page(pageReq{method: "GET", path: "/pipeline", session: coord.Token})
	wantPage(t, r, http.StatusOK, `id="escalated-table"`, `href="/matches/`+id+`"`, "已升级督办", "升级督办 1 项")
	if n := countRows(string(r.Body), `id="escalated-table"`); n != 1 {
		t.Errorf("escalated table has %d rows, want 1", n)
	}
	wantPage(t, e.page(pageReq{method: "GET", path: "/dashboard", session: coord.Token}), http.StatusOK, `id="total-escalated">1<`)
	wantPage(t, e.page(pageReq{method: "GET", path: "/matches/" + id, session: lead.Token}), http.StatusOK,
		`id="escalated"`, "升级至地方金融管理部门督办", "逾期，升级督办")
}

func TestProjectFormAsksForInsurance(t *testing.T) {
	e := newEnv(t)
	owner := e.enterprise("341221")
	p := e.createProject(owner, "界首市再生资源仓储")
	f := url.Values{"title": {p.Title}, "project_type": {string(p.Type)}, "amount_wan": {"500"}, "term_months": {"36"},
		"purpose": {p.Purpose}, "collateral": {"guarantee_company"}, "region_code": {"341221"}, "industry_code": {"C13"},
		"wants_insurance": {"on"}}
	mustSee(t, e.page(pageReq{method: "POST", path: "/projects/" + p.ID + "/edit", session: owner.Token, form: f}), "/projects/"+p.ID)
	got, err := e.uc.Project(ctx, owner.Actor, p.ID)
	if err != nil || !got.WantsInsurance {
		t.Fatalf("after the form: wants insurance %v (%v), want true", got.WantsInsurance, err)
	}
	wantPage(t, e.page(pageReq{method: "GET", path: "/projects/" + p.ID + "/edit", session: owner.Token}), http.StatusOK,
		`id="f-wants_insurance" name="wants_insurance" value="on" checked`)
	wantPage(t, e.page(pageReq{method: "GET", path: "/projects/" + p.ID, session: owner.Token}), http.StatusOK,
		`id="tag-insurance"`, "需要贷款保证保险")
}
