package web_test

// Pages added after the first release: registration and match actions on
// the core's rules, the waitlist-exhausted flag, notifications, syndicate
// signing and the admin's queue table.

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"finzone"
	"finzone/finzonetest"
	"finzone/server"
	"finzone/usecase"
)

func TestRegisterFormSharesTheCoresRules(t *testing.T) {
	e := newEnv(t)
	taken := e.enterprise("341221")
	form := url.Values{"kind": {"enterprise"}, "org_name": {"临泉县绿源食品有限公司"}, "uscc": {finzonetest.USCC()},
		"region_code": {"341221"}, "industry_code": {"C13"}, "size": {"small"}, "name": {"王经理"},
		"email": {taken.Email}, "password": {finzonetest.Password},
		"privacy_consent": {"on"}, "privacy_version": {finzone.PrivacyVersion}}
	// The core's conflict (email taken) comes back onto the form.
	r := e.page(pageReq{method: "POST", path: "/register", form: form})
	wantPage(t, r, http.StatusConflict, `id="f-email-err"`, "已被使用", `value="临泉县绿源食品有限公司"`)
	if strings.Contains(string(r.Body), finzonetest.Password) {
		t.Errorf("the form echoes the password back")
	}
	// So do the domain's checks, in the form's field names.
	bad := url.Values{}
	for k, v := range form {
		bad[k] = v
	}
	bad.Set("kind", "coordinator_office")
	bad.Set("uscc", "91341221MA2U8K3L70")
	bad.Set("email", "not-an-email")
	r = e.page(pageReq{method: "POST", path: "/register", form: bad})
	wantPage(t, r, http.StatusBadRequest, `id="f-kind-err"`, `id="f-uscc-err"`, `id="f-email-err"`)

	form.Set("email", finzonetest.Email("form"))
	r = e.page(pageReq{method: "POST", path: "/register", form: form})
	if r.Status != http.StatusSeeOther || r.Header.Get("Location") != "/projects" {
		t.Fatalf("register: got %d to %q, want 303 to /projects: %.300s", r.Status, r.Header.Get("Location"), r.Body)
	}
	me, err := e.uc.Authenticate(ctx, r.Cookie(server.SessionCookie))
	if err != nil {
		t.Fatalf("the session the form started: %v", err)
	}
	if me.User.Email != form.Get("email") || me.User.Role != finzone.RoleAdmin || me.Org.Kind != finzone.KindEnterprise || me.Org.USCC != form.Get("uscc") {
		t.Errorf("registered through the form: got %+v, want the enterprise's admin", me)
	}
}

func TestMatchFormsApplyTheCoresSteps(t *testing.T) {
	e := newEnv(t)
	owner, lead, _, p := pushed(t, e)
	id := finzone.MatchID(p.ID, lead.OrgID)
	path := "/matches/" + id
	for _, step := range []url.Values{
		{"action": {"accept"}},
		{"action": {"record_contact"}, "note_record_contact": {"已上门调查"}},
		{"action": {"submit_credit"}},
		{"action": {"approve"}, "approved_amount_wan": {"400"}, "approved_rate_pct": {"3.85"}, "approved_term_months": {"36"},
			"guarantee_mode": {"mortgage"}, "repayment_method": {"equal_principal"}},
	} {
		mustSee(t, e.page(pageReq{method: "POST", path: path + "/action", session: lead.Token, form: step}), path)
	}
	// Only an offer the enterprise accepted may be contracted.
	wantPage(t, e.page(pageReq{method: "POST", path: path + "/action", session: lead.Token, form: url.Values{"action": {"contract"}}}),
		http.StatusConflict)
	if _, err := e.uc.DecideOffer(ctx, owner.Actor, id, usecase.OfferInput{Decision: finzone.DecisionAccept}); err != nil {
		t.Fatal(err)
	}
	mustSee(t, e.page(pageReq{method: "POST", path: path + "/action", session: lead.Token, form: url.Values{"action": {"contract"}}}), path)
	m := e.match(lead, id)
	o := m.Offer
	if m.Stage != finzone.StageContracted || o.AmountYuan != 4_000_000 || o.RateBps != 385 || o.TermMonths != 36 ||
		o.GuaranteeMode != finzone.CollateralMortgage || o.RepaymentMethod != finzone.RepayEqualPrincipal || o.Status != finzone.OfferAccepted {
		t.Fatalf("after the forms: got %s with %+v, want contracted on an accepted ¥4,000,000 at 385 bps for 36 months, mortgage, equal principal", m.Stage, o)
	}
	if len(m.Events) < 3 || m.Events[2].Action != "record_contact" || m.Events[2].Note != "已上门调查" {
		t.Errorf("events: got %+v, want the contact with its note third", m.Events)
	}
	// More than approved is refused with the message on the tranche field,
	// in 万元 as the form asks.
	r := e.page(pageReq{method: "POST", path: path + "/action", session: lead.Token,
		form: url.Values{"action": {"disburse"}, "tranche_wan": {"500"}, "tranche_date": {time.Now().Format("2006-01-02")}}})
	wantPage(t, r, http.StatusBadRequest, `id="f-tranche_wan-err"`, "400")
	mustSee(t, e.page(pageReq{method: "POST", path: path + "/action", session: lead.Token,
		form: url.Values{"action": {"disburse"}, "tranche_wan": {"150"}, "tranche_date": {time.Now().Format("2006-01-02")}}}), path)
	m = e.match(lead, id)
	if m.Stage != finzone.StageDisbursed || m.DisbursedYuan() != 1_500_000 {
		t.Errorf("after a tranche: got %s with %d disbursed, want disbursed with 1,500,000", m.Stage, m.DisbursedYuan())
	}
}

// match is a match as its institution reads it.
func (e *env) match(inst account, id string) finzone.Match {
	e.t.Helper()
	m, _, err := e.uc.Match(ctx, inst.Actor, id)
	if err != nil {
		e.t.Fatalf("match %s: %v", id, err)
	}
	return m
}

func TestWaitlistExhaustedIsShown(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	owner, lead, _, p := pushed(t, e)
	calm := e.submitProject(owner, e.createProject(owner, "临泉县粮食烘干中心"))
	if err := e.db.SetProjectAttention(ctx, p.ID, true); err != nil {
		t.Fatal(err)
	}
	path := "/projects/" + p.ID
	wantPage(t, e.page(pageReq{method: "GET", path: path, session: owner.Token}), http.StatusOK,
		`id="attention-notice"`, "暂无更多可推送的机构，已提请协调员协助")
	wantPage(t, e.page(pageReq{method: "GET", path: path, session: owner.Token, lang: "en"}), http.StatusOK,
		"No more institutions can be asked for now; a coordinator has been asked to help.")
	if r := e.page(pageReq{method: "GET", path: "/projects/" + calm.ID, session: owner.Token}); strings.Contains(string(r.Body), "attention-notice") {
		t.Errorf("a project with institutions left to ask shows the notice")
	}
	if r := e.page(pageReq{method: "GET", path: path, session: lead.Token}); r.Status != http.StatusOK || strings.Contains(string(r.Body), "attention-notice") {
		t.Errorf("institution on the project page: got %d, want 200 without the coordinators' notice", r.Status)
	}

	fuyang := e.coordinator("341200")
	r := e.page(pageReq{method: "GET", path: "/dashboard", session: fuyang.Token})
	wantPage(t, r, http.StatusOK, `id="total-attention">1<`, "待协调员协助的项目")
	if n := countRows(string(r.Body), `id="attention-table"`); n != 1 || !strings.Contains(string(r.Body), `href="/projects/`+p.ID+`"`) {
		t.Errorf("attention table has %d rows, want the one flagged project", n)
	}
	wantPage(t, e.page(pageReq{method: "GET", path: "/dashboard?region=341221", session: fuyang.Token, lang: "en"}), http.StatusOK,
		`id="total-attention">1<`, "Projects that need a coordinator")
	wantPage(t, e.page(pageReq{method: "GET", path: "/dashboard?flag=dabie", session: fuyang.Token}), http.StatusOK, `id="total-attention">0<`)
	hefei := e.coordinator("340100")
	wantPage(t, e.page(pageReq{method: "GET", path: "/dashboard", session: hefei.Token}), http.StatusOK,
		`id="total-attention">0<`, "目前没有需要协助的项目")
}

func TestNotificationsPage(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	owner, lead, partner, p := pushed(t, e)
	now := time.Now()
	mid := finzone.MatchID(p.ID, lead.OrgID)
	if err := e.db.AddNotifications(ctx, []finzone.Notification{
		{ID: finzone.StableID("t", "1"), OrgID: lead.OrgID, Kind: "match_pushed", ProjectID: p.ID, MatchID: mid,
			Stage: finzone.StagePushed, Params: map[string]string{"title": p.Title, "role": "lead"}, CreatedAt: now.Add(-time.Minute)},
		{ID: finzone.StableID("t", "2"), OrgID: lead.OrgID, Kind: "syndicate_proposed", ProjectID: p.ID,
			Params: map[string]string{"title": p.Title, "share_yuan": "3000000"}, CreatedAt: now},
		{ID: finzone.StableID("t", "3"), OrgID: partner.OrgID, Kind: "deadline_soon", ProjectID: p.ID,
			MatchID: finzone.MatchID(p.ID, partner.OrgID), Params: map[string]string{"title": p.Title}, CreatedAt: now},
		{ID: finzone.StableID("t", "4"), OrgID: owner.OrgID, Kind: "match_pushed", ProjectID: p.ID, MatchID: mid,
			Params: map[string]string{"title": p.Title}, CreatedAt: now},
	}); err != nil {
		t.Fatal(err)
	}
	// The badge counts the organization's unread, on every page.
	wantPage(t, e.page(pageReq{method: "GET", path: "/inbox", session: lead.Token}), http.StatusOK,
		`href="/notifications"`, `id="unread-badge">2<`)
	r := e.page(pageReq{method: "GET", path: "/notifications", session: lead.Token, lang: "en"})
	wantPage(t, r, http.StatusOK, "New project for you (Lead): "+p.Title, "A syndicated loan share awaits your answer: "+p.Title+", share ¥3,000,000",
		`href="/matches/`+mid+`"`, `href="/projects/`+p.ID+`/syndicate"`, `id="mark-all-read"`, "2 unread")
	if strings.Contains(string(r.Body), "deadline_soon") || strings.Contains(string(r.Body), "银团") {
		t.Errorf("lead's notifications show another organization's notice or the untranslated text: %.800s", r.Body)
	}
	if n := strings.Count(string(r.Body), `<li class="unread"`); n != 2 {
		t.Errorf("unread items: got %d, want 2", n)
	}
	wantPage(t, e.page(pageReq{method: "GET", path: "/notifications", session: owner.Token}), http.StatusOK,
		"项目已推送至一家金融机构："+p.Title, `id="unread-badge">1<`)

	// Marking all read needs the CSRF token and touches only this organization.
	wantPage(t, e.page(pageReq{method: "POST", path: "/notifications/read", session: lead.Token, noCSRF: true}), http.StatusForbidden)
	if n, _ := e.db.CountUnread(ctx, lead.OrgID); n != 2 {
		t.Fatalf("unread after a post without the token: got %d, want 2", n)
	}
	mustSee(t, e.page(pageReq{method: "POST", path: "/notifications/read", session: lead.Token}), "/notifications")
	if n, _ := e.db.CountUnread(ctx, lead.OrgID); n != 0 {
		t.Errorf("lead's unread after mark all read: got %d, want 0", n)
	}
	if n, _ := e.db.CountUnread(ctx, partner.OrgID); n != 1 {
		t.Errorf("partner's unread after the lead marked its own: got %d, want 1", n)
	}
	r = e.page(pageReq{method: "GET", path: "/notifications", session: lead.Token})
	wantPage(t, r, http.StatusOK, "新项目推送（主办）："+p.Title)
	if strings.Contains(string(r.Body), "unread-badge") || strings.Contains(string(r.Body), `<li class="unread"`) {
		t.Errorf("after mark all read the page still shows unread items or the badge")
	}
	coord := e.coordinator("341200")
	// A coordinator reads the finance office's notices (screening,
	// escalations), never an institution's.
	r = e.page(pageReq{method: "GET", path: "/notifications", session: coord.Token})
	wantPage(t, r, http.StatusOK)
	if strings.Contains(string(r.Body), p.Title) {
		t.Errorf("a coordinator's notices show the lead's push")
	}
}

func TestAdminPageShowsQueues(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	admin, err := e.uc.CreateStaff(ctx, usecase.Console, usecase.StaffInput{Email: finzonetest.Email("admin"), Name: "平台管理员",
		Password: finzonetest.Password, PlatformAdmin: true})
	if err != nil {
		t.Fatal(err)
	}
	// Sign in through the page, as a platform admin (who belongs to no
	// organization) does.
	r := e.page(pageReq{method: "POST", path: "/login", form: url.Values{"email": {admin.Email}, "password": {finzonetest.Password}}})
	var out struct{ Token string }
	if out.Token = r.Cookie(server.SessionCookie); out.Token == "" {
		t.Fatalf("admin sign-in: got %d without a session cookie", r.Status)
	}
	withQueues := func(f func(context.Context) ([]finzone.QueueStat, error)) *env {
		return newEnvOn(t, e.db, usecase.Config{Queues: f})
	}
	stat := finzone.QueueStat{Queue: "finzone", Pending: 12, Active: 2, Scheduled: 340, Retry: 3, Archived: 1, ProcessedToday: 5678, FailedToday: 4}
	r = withQueues(func(context.Context) ([]finzone.QueueStat, error) { return []finzone.QueueStat{stat}, nil }).
		page(pageReq{method: "GET", path: "/admin", session: out.Token})
	wantPage(t, r, http.StatusOK, `id="queues-table"`, "<code>finzone</code>", `data-col="pending">12<`, `data-col="scheduled">340<`,
		`data-col="retry">3<`, `data-col="archived">1<`, `data-col="processed">5,678<`, `data-col="failed">4<`, "后台任务队列")
	r = withQueues(func(context.Context) ([]finzone.QueueStat, error) {
		return nil, errors.New("dial tcp: connection refused")
	}).
		page(pageReq{method: "GET", path: "/admin", session: out.Token, lang: "en"})
	wantPage(t, r, http.StatusOK, `id="queues-down"`, "The queues cannot be read")
	if r := e.page(pageReq{method: "GET", path: "/admin", session: out.Token}); r.Status != http.StatusOK || strings.Contains(string(r.Body), "queues") {
		t.Errorf("admin page without a queue reader: got %d, want 200 without the queue section", r.Status)
	}
}
