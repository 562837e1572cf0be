package web_test

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"finzone"
	"finzone/matching"
)

// pushed sets up what the pipeline would have made: a submitted project
// pushed to two banks (a ledger and two matches) and a proposed syndicate.
func pushed(t *testing.T, e *env) (owner, lead, partner account, p finzone.Project) {
	t.Helper()
	owner = e.enterprise("341221")
	lead, partner = e.institution("341221"), e.institution("341200")
	p = e.submitProject(owner, e.createProject(owner, "太和县中药饮片智能工厂"))
	now := time.Now()
	led := finzone.Ledger{ProjectID: p.ID}
	var ms []finzone.Match
	for i, inst := range []account{lead, partner} {
		role := finzone.RoleLead
		if i > 0 {
			role = finzone.RolePartner
		}
		comps := []finzone.ScoreComponent{{Name: "rate", Value: 18}, {Name: "locality", Value: 15}}
		led.Entries = append(led.Entries, finzone.LedgerEntry{InstitutionID: inst.OrgID, Role: role, Rank: i + 1, Score: 33,
			Components: comps, PushedAt: now})
		ms = append(ms, finzone.Match{ID: finzone.MatchID(p.ID, inst.OrgID), ProjectID: p.ID, InstitutionID: inst.OrgID,
			ProjectTitle: p.Title, ProjectAmountYuan: p.AmountYuan, OwnerOrgID: owner.OrgID, RegionCode: "341221",
			Role: role, Rank: i + 1, Score: 33, Components: comps, Stage: finzone.StagePushed, DueAt: now.Add(-time.Hour),
			Events:    []finzone.Event{{At: now, Actor: "system", Action: "push", To: finzone.StagePushed, Note: string(role)}},
			CreatedAt: now, UpdatedAt: now})
	}
	if err := e.db.SaveLedger(ctx, &led, 0); err != nil {
		t.Fatal(err)
	}
	if err := e.db.InsertMatches(ctx, ms); err != nil {
		t.Fatal(err)
	}
	// A syndicate in book-building: the lead committed ¥300万 of the ¥500万
	// facility, the partner is invited.
	bank := func(string) bool { return true }
	kind := func(string) (finzone.OrgKind, bool) { return finzone.KindBank, true }
	syn := finzone.SuggestSyndicate(p, finzone.SyndicateReasonThreshold, lead.OrgID, now)
	syn, err := syn.Mandate(lead.OrgID, []string{lead.OrgID}, "u", owner.OrgID, now)
	if err == nil {
		syn, err = syn.SetFacility(finzone.FacilityInput{AmountYuan: p.AmountYuan, CommitDays: 5}, p.AmountYuan, finzone.SyndicateRules{},
			bank, func(int) time.Time { return now.Add(72 * time.Hour) }, "u", lead.OrgID, now)
	}
	if err == nil {
		syn, err = syn.Invite([]string{partner.OrgID}, finzone.SyndicateParticipant, 0, kind, "u", lead.OrgID, now)
	}
	if err == nil {
		syn, err = syn.Commit(lead.OrgID, "", 3_000_000, finzone.SyndicateRules{}, "u", now)
	}
	if err != nil {
		t.Fatal(err)
	}
	syn = matching.AllocateBook(syn, matching.DefaultRules())
	if err := e.db.SaveSyndicate(ctx, &syn, 0); err != nil {
		t.Fatal(err)
	}
	return owner, lead, partner, p
}

func TestMatchPagesThroughTheCoresRules(t *testing.T) {
	e := newEnv(t)
	owner, lead, partner, p := pushed(t, e)
	matchPath := "/matches/" + finzone.MatchID(p.ID, lead.OrgID)

	// The inbox marks the unread, overdue match; opening it marks it read.
	wantPage(t, e.page(pageReq{method: "GET", path: "/inbox", session: lead.Token}), http.StatusOK,
		`class="unread"`, `class="overdue"`, p.Title)
	wantPage(t, e.page(pageReq{method: "GET", path: matchPath, session: lead.Token}), http.StatusOK,
		`id="form-accept"`, `id="form-decline"`, "利率", "18.00")
	if r := e.page(pageReq{method: "GET", path: "/inbox", session: lead.Token}); strings.Contains(string(r.Body), `class="unread"`) {
		t.Errorf("inbox still marks the opened match unread")
	}

	// A competitor cannot open it; the partner sees only its own match.
	if r := e.page(pageReq{method: "GET", path: matchPath, session: partner.Token}); r.Status != http.StatusNotFound {
		t.Errorf("partner GET lead's match: got %d, want 404", r.Status)
	}
	r := e.page(pageReq{method: "GET", path: "/projects/" + p.ID, session: partner.Token})
	wantPage(t, r, http.StatusOK)
	if n := countRows(string(r.Body), `id="matches-table"`); n != 1 {
		t.Errorf("partner sees %d institutions on the project page, want only its own", n)
	}

	// A decline without reason or note shows both field messages, in place.
	r = e.page(pageReq{method: "POST", path: matchPath + "/action", session: lead.Token, form: url.Values{"action": {"decline"}}})
	wantPage(t, r, http.StatusBadRequest, `id="f-decline_reason-err"`, `id="f-note_decline-err"`)
	// The enterprise cannot act on it at all.
	r = e.page(pageReq{method: "POST", path: matchPath + "/action", session: owner.Token, form: url.Values{"action": {"accept"}}})
	wantPage(t, r, http.StatusForbidden)
	// An action the stage does not allow is refused.
	r = e.page(pageReq{method: "POST", path: matchPath + "/action", session: lead.Token, form: url.Values{"action": {"approve"},
		"approved_amount_wan": {"100"}, "approved_rate_pct": {"4"}, "approved_term_months": {"12"}}})
	wantPage(t, r, http.StatusConflict, "当前状态下不能执行此操作")
	mustSee(t, e.page(pageReq{method: "POST", path: matchPath + "/action", session: lead.Token, form: url.Values{"action": {"accept"}}}), matchPath)
	wantPage(t, e.page(pageReq{method: "GET", path: "/projects/" + p.ID, session: owner.Token}), http.StatusOK,
		"已受理", "银团贷款", "缺口", `title="¥2,000,000"`)

	// The partner commits to the syndicate from its match page.
	partnerPath := "/matches/" + finzone.MatchID(p.ID, partner.OrgID)
	wantPage(t, e.page(pageReq{method: "GET", path: partnerPath, session: partner.Token}), http.StatusOK,
		`id="form-syn-commit"`, `id="form-syn-decline"`, `name="back" value="`+partnerPath+`"`)
	mustSee(t, e.page(pageReq{method: "POST", path: "/projects/" + p.ID + "/syndicate/commit", session: partner.Token,
		form: url.Values{"commit_wan": {"100"}, "back": {partnerPath}}}), partnerPath)
	syn, err := e.db.Syndicate(context.Background(), p.ID)
	if err != nil {
		t.Fatal(err)
	}
	if m, _ := syn.Member(partner.OrgID); m.Status != finzone.MemberCommitted || m.CommittedYuan() != 1_000_000 {
		t.Errorf("partner after committing: %+v", m)
	}
	// The enterprise is no member and cannot answer.
	r = e.page(pageReq{method: "POST", path: "/projects/" + p.ID + "/syndicate/commit", session: owner.Token,
		form: url.Values{"commit_wan": {"100"}}})
	wantPage(t, r, http.StatusForbidden)
}

// countRows counts the body rows of the table that opens with marker.
func countRows(body, marker string) int {
	i := strings.Index(body, marker)
	if i < 0 {
		return 0
	}
	body = body[i:]
	start, end := strings.Index(body, "<tbody>"), strings.Index(body, "</tbody>")
	if start < 0 || end < start {
		return 0
	}
	return strings.Count(body[start:end], "<tr")
}

func TestPipelineBoardFindsMatches(t *testing.T) {
	e := newEnv(t)
	_, _, _, p := pushed(t, e)
	coord := e.coordinator("341200")
	wantPage(t, e.page(pageReq{method: "GET", path: "/pipeline", session: coord.Token}), http.StatusOK,
		`id="overdue-table"`, p.Title)
	// Search by project words and by stage; the board keeps only what fits.
	r := e.page(pageReq{method: "GET", path: "/pipeline?stage=pushed&q=" + url.QueryEscape("中药饮片"), session: coord.Token})
	wantPage(t, r, http.StatusOK, `id="col-pushed"`)
	if n := strings.Count(string(r.Body), `href="/projects/`+p.ID+`"`); n != 4 {
		t.Errorf("board and overdue list link the project %d times, want 4 (two matches, each on the board and overdue)", n)
	}
	r = e.page(pageReq{method: "GET", path: "/pipeline?q=" + url.QueryEscape("没有这个项目"), session: coord.Token})
	if strings.Contains(string(r.Body), `href="/projects/`+p.ID+`"`) {
		t.Errorf("a search for another name still lists the project")
	}
}
