package api_test

import (
	"context"
	"fmt"
	"net/http"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/hibiken/asynq"

	"finzone"
	"finzone/finzonetest"
	"finzone/usecase"
	"finzone/workers"
)

// newVerifyEnv is the API with the pipeline behind it, whose workers hold
// needs of unverified enterprises in regions.
func newVerifyEnv(t *testing.T, regions ...string) *pipelineEnv {
	t.Helper()
	db := finzonetest.NewStore(t)
	opt, err := asynq.ParseRedisURI(finzonetest.RedisURL(12))
	if err != nil {
		t.Fatal(err)
	}
	queue := fmt.Sprintf("api-verify-%d-%d", os.Getpid(), finzonetest.Seq())
	w := workers.New(workers.Config{Redis: opt, Store: db, Queue: queue, Log: finzonetest.Logger(t),
		CatalogueEvery: catalogueEvery, ReconcileEvery: 5 * time.Second, RequireVerification: regions})
	if err := w.Start(); err != nil {
		t.Fatal(err)
	}
	client := workers.NewClient(opt, queue)
	t.Cleanup(func() { w.Shutdown(); client.Close() })
	e := newEnvWith(t, db, usecase.Config{Pipeline: client, Checks: redisReady(redisClient)})
	return &pipelineEnv{env: e, workers: w}
}

type verifiedOut struct {
	ID                 string `json:"id"`
	Status             string `json:"status"`
	ScreenReason       string `json:"screen_reason"`
	EnterpriseVerified bool   `json:"enterprise_verified"`
}

func (e *env) noticeKinds(orgID string) map[string]finzone.Notification {
	e.t.Helper()
	ns, _, err := e.db.ListNotifications(context.Background(), orgID, false, finzone.Page{Limit: finzone.MaxPageLimit})
	if err != nil {
		e.t.Fatal(err)
	}
	out := map[string]finzone.Notification{}
	for _, n := range ns {
		out[n.Kind] = n
	}
	return out
}

func TestInstitutionSeesTheEnterpriseIsUnverified(t *testing.T) {
	e := newVerifyEnv(t) // no region requires verification: the push goes out
	coord := e.coordinator("340000")
	bank := e.verifiedBank(coord, broadProduct("集群贷", 200_000_000, 0, false))
	ent := e.enterprise("341221")
	p := e.createProject(ent.Token, projectBody("年产5万吨粮油加工项目"))
	e.catalogueSeen()
	e.ok(http.StatusOK, "POST", "/api/v1/projects/"+p.ID+"/submit", ent.Token, nil, nil)
	l := e.waitMatches(ent.Token, p.ID, 30*time.Second, func(l matchList) bool { return len(l.Items) == 1 })
	matchID := l.Items[0].ID

	check := func(want bool) {
		t.Helper()
		var inbox struct{ Items []verifiedOut }
		e.ok(http.StatusOK, "GET", "/api/v1/matches", bank.Token, nil, &inbox)
		var m, pr verifiedOut
		e.ok(http.StatusOK, "GET", "/api/v1/matches/"+matchID, bank.Token, nil, &m)
		e.ok(http.StatusOK, "GET", "/api/v1/projects/"+p.ID, bank.Token, nil, &pr)
		var own struct{ Items []verifiedOut }
		e.ok(http.StatusOK, "GET", "/api/v1/projects/"+p.ID+"/matches", bank.Token, nil, &own)
		if len(inbox.Items) != 1 || inbox.Items[0].EnterpriseVerified != want || m.EnterpriseVerified != want ||
			pr.EnterpriseVerified != want || len(own.Items) != 1 || own.Items[0].EnterpriseVerified != want {
			t.Errorf("enterprise_verified: inbox %+v, match %v, project %v, project matches %+v; want %v everywhere",
				inbox.Items, m.EnterpriseVerified, pr.EnterpriseVerified, own.Items, want)
		}
	}
	check(false)
	// The push notice, which webhooks carry, says so too.
	if n := e.noticeKinds(bank.OrgID)[finzone.NoticeMatchPushed]; n.Params[finzone.NoticeEnterpriseVerifiedParam] != "false" {
		t.Errorf("push notice params %v, want enterprise_verified false", n.Params)
	}
	var o orgOut
	e.ok(http.StatusOK, "POST", "/api/v1/enterprises/"+ent.OrgID+"/verify", coord.Token, nil, &o)
	if !o.Verified || o.VerifiedAt == nil {
		t.Fatalf("verified enterprise: %+v", o)
	}
	check(true)
	if _, ok := e.noticeKinds(ent.OrgID)[finzone.NoticeEnterpriseVerified]; !ok {
		t.Error("the enterprise was not told it is verified")
	}
}

func TestVerifyEnterpriseOnlyWithinTheCoordinatorsRegions(t *testing.T) {
	e := newEnv(t)
	hefei := e.coordinator("340100")
	fuyang := e.coordinator("341200")
	ent := e.enterprise("341221") // 临泉县, 阜阳市
	bank := e.institution("341221")

	wantError(t, e.do("POST", "/api/v1/enterprises/"+ent.OrgID+"/verify", hefei.Token, nil), http.StatusNotFound, "not_found")
	wantError(t, e.do("POST", "/api/v1/enterprises/"+ent.OrgID+"/verify", ent.Token, nil), http.StatusForbidden, "forbidden")
	wantError(t, e.do("POST", "/api/v1/enterprises/"+ent.OrgID+"/verify", bank.Token, nil), http.StatusForbidden, "forbidden")
	// An institution is verified as one, not as an enterprise.
	wantError(t, e.do("POST", "/api/v1/enterprises/"+bank.OrgID+"/verify", fuyang.Token, nil), http.StatusNotFound, "not_found")
	var me sessionOut
	e.ok(http.StatusOK, "GET", "/api/v1/me", ent.Token, nil, &me)
	if me.Org.Verified {
		t.Fatal("a coordinator outside the region verified the enterprise")
	}
	var hefeiQueue, queue struct{ Items []orgOut }
	e.ok(http.StatusOK, "GET", "/api/v1/enterprises?verified=false", hefei.Token, nil, &hefeiQueue)
	e.ok(http.StatusOK, "GET", "/api/v1/enterprises?verified=false", fuyang.Token, nil, &queue)
	if len(hefeiQueue.Items) != 0 || len(queue.Items) != 1 || queue.Items[0].ID != ent.OrgID {
		t.Fatalf("verification queues: 合肥 %+v, 阜阳 %+v; want only 阜阳 to see the enterprise", hefeiQueue.Items, queue.Items)
	}
	e.ok(http.StatusOK, "POST", "/api/v1/enterprises/"+ent.OrgID+"/verify", fuyang.Token, nil, nil)
	e.ok(http.StatusOK, "GET", "/api/v1/me", ent.Token, nil, &me)
	if !me.Org.Verified || me.Org.VerifiedAt == nil {
		t.Errorf("after 阜阳 verified it: %+v", me.Org)
	}
	wantError(t, e.do("GET", "/api/v1/enterprises", ent.Token, nil), http.StatusForbidden, "forbidden")
}

func TestRequiredVerificationHoldsThePushUntilVerified(t *testing.T) {
	e := newVerifyEnv(t, "341200") // 阜阳市 pushes only verified enterprises' needs
	e.verifiedBank(e.coordinator("340000"), broadProduct("集群贷", 200_000_000, 0, false))
	coord := e.coordinator("341200")
	ent := e.enterprise("341221")
	p := e.createProject(ent.Token, projectBody("年产5万吨粮油加工项目"))
	e.catalogueSeen()
	e.ok(http.StatusOK, "POST", "/api/v1/projects/"+p.ID+"/submit", ent.Token, nil, nil)

	var got verifiedOut
	deadline := time.Now().Add(20 * time.Second)
	for got.Status != "screening" {
		if time.Now().After(deadline) {
			t.Fatalf("project after 20s: %+v, want held in screening", got)
		}
		time.Sleep(100 * time.Millisecond)
		e.ok(http.StatusOK, "GET", "/api/v1/projects/"+p.ID, ent.Token, nil, &got)
	}
	if got.ScreenReason != finzone.ScreenUnverified {
		t.Fatalf("held project: %+v, want screen_reason %q", got, finzone.ScreenUnverified)
	}
	time.Sleep(time.Second) // give a wrong push the time to happen
	var l matchList
	e.ok(http.StatusOK, "GET", "/api/v1/projects/"+p.ID+"/matches", ent.Token, nil, &l)
	if len(l.Items) != 0 {
		t.Fatalf("an unverified enterprise's need was pushed to %d institutions", len(l.Items))
	}
	if _, ok := e.noticeKinds(ent.OrgID)[finzone.NoticeHeldUnverified]; !ok {
		t.Error("the enterprise was not told why its need waits")
	}
	e.ok(http.StatusOK, "POST", "/api/v1/enterprises/"+ent.OrgID+"/verify", coord.Token, nil, nil)
	l = e.waitMatches(ent.Token, p.ID, 30*time.Second, func(l matchList) bool { return len(l.Items) == 1 })
	got = verifiedOut{}
	e.ok(http.StatusOK, "GET", "/api/v1/projects/"+p.ID, ent.Token, nil, &got)
	if got.Status == "screening" || got.ScreenReason != "" || !got.EnterpriseVerified {
		t.Errorf("released project: %+v", got)
	}
	// Verifying again is harmless: nothing is pushed twice.
	e.ok(http.StatusOK, "POST", "/api/v1/enterprises/"+ent.OrgID+"/verify", coord.Token, nil, nil)
	time.Sleep(500 * time.Millisecond)
	e.ok(http.StatusOK, "GET", "/api/v1/projects/"+p.ID+"/matches", ent.Token, nil, &l)
	if len(l.Items) != 1 {
		t.Errorf("after verifying twice: %d matches, want 1", len(l.Items))
	}
}

type claimOut struct {
	ID            string `json:"id"`
	CreditCode    string `json:"credit_code"`
	ClaimantOrgID string `json:"claimant_org_id"`
	HolderOrgID   string `json:"holder_org_id"`
	Status        string `json:"status"`
	DecidedBy     string `json:"decided_by"`
}

// claimBody is a claim on code by an enterprise registering in region.
func claimBody(code, region string) map[string]any {
	return map[string]any{"credit_code": code, "name": "真·临泉粮油有限公司", "contact": "0558-6543210 李四",
		"evidence_note":   "营业执照正本扫描件已邮寄阜阳市金融局",
		"org":             map[string]any{"region_code": region, "industry_code": "C13", "size": "small"},
		"user":            map[string]any{"email": finzonetest.Email("claimant"), "password": testPassword, "name": "李四"},
		"privacy_consent": finzone.PrivacyVersion}
}

// contested registers an enterprise under a code and has a claimant file
// a claim on it.
func (e *env) contested() (holder account, code string, claimant account, claim claimOut) {
	e.t.Helper()
	code = finzonetest.USCC()
	var out sessionOut
	e.ok(http.StatusCreated, "POST", "/api/v1/auth/register", "", registerBody("enterprise", "341221", code, finzonetest.Email("holder")), &out)
	holder = account{Token: out.Token, OrgID: out.Org.ID}
	// The real company cannot register: the code is taken.
	wantError(e.t, e.do("POST", "/api/v1/auth/register", "", registerBody("enterprise", "341221", code, finzonetest.Email("real"))),
		http.StatusConflict, "conflict", fieldCode{"org.uscc", "taken"})
	var filed struct {
		Claim   claimOut   `json:"claim"`
		Session sessionOut `json:"session"`
	}
	e.ok(http.StatusCreated, "POST", "/api/v1/credit-code-claims", "", claimBody(code, "341221"), &filed)
	claimant = account{Token: filed.Session.Token, OrgID: filed.Session.Org.ID}
	if filed.Claim.Status != "pending" || filed.Claim.HolderOrgID != holder.OrgID || filed.Session.Org.USCC == code ||
		!strings.HasPrefix(filed.Session.Org.USCC, code) || filed.Session.Org.Verified {
		e.t.Fatalf("filed claim %+v, claimant org %+v", filed.Claim, filed.Session.Org)
	}
	return holder, code, claimant, filed.Claim
}

func TestClaimRoutesAreForCoordinatorsInScope(t *testing.T) {
	e := newEnv(t)
	fuyang := e.coordinator("341200")
	hefei := e.coordinator("340100")
	holder, _, claimant, claim := e.contested()
	bank := e.institution("341221")

	for _, who := range []account{hefei, holder} {
		wantError(t, e.do("GET", "/api/v1/credit-code-claims/"+claim.ID, who.Token, nil), http.StatusNotFound, "not_found")
		wantError(t, e.do("POST", "/api/v1/credit-code-claims/"+claim.ID+"/decide", who.Token, map[string]any{"decision": "uphold"}),
			http.StatusNotFound, "not_found")
	}
	wantError(t, e.do("POST", "/api/v1/credit-code-claims/"+claim.ID+"/decide", claimant.Token, map[string]any{"decision": "uphold"}),
		http.StatusForbidden, "forbidden")
	wantError(t, e.do("GET", "/api/v1/credit-code-claims", bank.Token, nil), http.StatusForbidden, "forbidden")
	wantError(t, e.do("GET", "/api/v1/credit-code-claims", "", nil), http.StatusUnauthorized, "unauthenticated")
	lists := map[string]int{}
	for name, who := range map[string]account{"hefei": hefei, "holder": holder, "fuyang": fuyang, "claimant": claimant} {
		var l struct{ Items []claimOut }
		e.ok(http.StatusOK, "GET", "/api/v1/credit-code-claims", who.Token, nil, &l)
		lists[name] = len(l.Items)
	}
	if lists["hefei"] != 0 || lists["holder"] != 0 || lists["fuyang"] != 1 || lists["claimant"] != 1 {
		t.Errorf("claims listed: %v; want only 阜阳's coordinator and the claimant to see it", lists)
	}
	var got claimOut
	e.ok(http.StatusOK, "GET", "/api/v1/credit-code-claims/"+claim.ID, claimant.Token, nil, &got)
	if got.Status != "pending" {
		t.Errorf("after refusals the claim is %s, want pending", got.Status)
	}
}

func TestClaimUpheldMovesTheCode(t *testing.T) {
	e := newEnv(t)
	fuyang := e.coordinator("341200")
	holder, code, claimant, claim := e.contested()
	e.ok(http.StatusOK, "POST", "/api/v1/enterprises/"+holder.OrgID+"/verify", fuyang.Token, nil, nil)
	// A claimant holding only the detached code cannot be verified as it is.
	wantError(t, e.do("POST", "/api/v1/enterprises/"+claimant.OrgID+"/verify", fuyang.Token, nil), http.StatusConflict, "invalid_state")

	var got claimOut
	e.ok(http.StatusOK, "POST", "/api/v1/credit-code-claims/"+claim.ID+"/decide", fuyang.Token, map[string]any{"decision": "uphold"}, &got)
	if got.Status != "upheld" || got.DecidedBy == "" {
		t.Fatalf("upheld claim: %+v", got)
	}
	var c, h sessionOut
	e.ok(http.StatusOK, "GET", "/api/v1/me", claimant.Token, nil, &c)
	e.ok(http.StatusOK, "GET", "/api/v1/me", holder.Token, nil, &h)
	if c.Org.USCC != code || !c.Org.Verified {
		t.Errorf("claimant after upholding: %+v, want code %s, verified", c.Org, code)
	}
	if h.Org.USCC == code || !strings.HasPrefix(h.Org.USCC, code+"~") || h.Org.Verified {
		t.Errorf("holder after upholding: %+v, want the detached code, unverified", h.Org)
	}
	if _, ok := e.noticeKinds(holder.OrgID)[finzone.NoticeCodeLost]; !ok {
		t.Error("the holder was not told it lost the code")
	}
	if _, ok := e.noticeKinds(claimant.OrgID)[finzone.NoticeClaimUpheld]; !ok {
		t.Error("the claimant was not told")
	}
	// The code stays unique: nobody registers it, and deciding again changes nothing.
	wantError(t, e.do("POST", "/api/v1/auth/register", "", registerBody("enterprise", "341221", code, finzonetest.Email("third"))),
		http.StatusConflict, "conflict", fieldCode{"org.uscc", "taken"})
	wantError(t, e.do("POST", "/api/v1/credit-code-claims/"+claim.ID+"/decide", fuyang.Token, map[string]any{"decision": "reject", "note": "x"}),
		http.StatusConflict, "invalid_state")
	if o, err := e.db.OrgByUSCC(context.Background(), code); err != nil || o.ID != claimant.OrgID {
		t.Errorf("the code's holder is %+v (%v), want the claimant %s", o, err, claimant.OrgID)
	}
}

// A second claim filed against the same holder cannot be upheld once the
// code has moved: the holder it names has nothing left to give.
func TestSecondClaimOnAMovedCodeIsRefused(t *testing.T) {
	e := newEnv(t)
	fuyang := e.coordinator("341200")
	_, code, _, first := e.contested()
	var second struct {
		Claim claimOut `json:"claim"`
	}
	e.ok(http.StatusCreated, "POST", "/api/v1/credit-code-claims", "", claimBody(code, "341221"), &second)
	e.ok(http.StatusOK, "POST", "/api/v1/credit-code-claims/"+first.ID+"/decide", fuyang.Token, map[string]any{"decision": "uphold"}, nil)
	wantError(t, e.do("POST", "/api/v1/credit-code-claims/"+second.Claim.ID+"/decide", fuyang.Token, map[string]any{"decision": "uphold"}),
		http.StatusConflict, "invalid_state")
	var got claimOut
	e.ok(http.StatusOK, "GET", "/api/v1/credit-code-claims/"+second.Claim.ID, fuyang.Token, nil, &got)
	if got.Status != "pending" {
		t.Errorf("refused claim is %s, want still pending (to be rejected, or filed again against the new holder)", got.Status)
	}
	if o, err := e.db.OrgByUSCC(context.Background(), code); err != nil || o.ID != first.ClaimantOrgID {
		t.Errorf("the code is held by %+v (%v), want the first claimant", o, err)
	}
}

func TestClaimRejectedTellsTheClaimant(t *testing.T) {
	e := newEnv(t)
	fuyang := e.coordinator("341200")
	holder, code, claimant, claim := e.contested()
	wantError(t, e.do("POST", "/api/v1/credit-code-claims/"+claim.ID+"/decide", fuyang.Token, map[string]any{"decision": "reject"}),
		http.StatusBadRequest, "validation_failed", fieldCode{"note", "required"})
	var got claimOut
	e.ok(http.StatusOK, "POST", "/api/v1/credit-code-claims/"+claim.ID+"/decide", fuyang.Token,
		map[string]any{"decision": "reject", "note": "营业执照与信用代码不符"}, &got)
	if got.Status != "rejected" {
		t.Fatalf("rejected claim: %+v", got)
	}
	n, ok := e.noticeKinds(claimant.OrgID)[finzone.NoticeClaimRejected]
	if !ok || n.Params[finzone.NoticeNote] == "" {
		t.Errorf("the claimant was told %+v, want the rejection with its reason", n)
	}
	var h sessionOut
	e.ok(http.StatusOK, "GET", "/api/v1/me", holder.Token, nil, &h)
	if h.Org.USCC != code {
		t.Errorf("holder after a rejection: %+v, want it keeps %s", h.Org, code)
	}
	// A free code is registered, not claimed.
	wantError(t, e.do("POST", "/api/v1/credit-code-claims", "", claimBody(finzonetest.USCC(), "341221")), http.StatusConflict, "invalid_state")
}

// A verification that raced the hold, or whose release was lost, is made
// good by the reconciler.
func TestReconcilerReleasesANeedHeldPastItsVerification(t *testing.T) {
	e := newVerifyEnv(t, "341221")
	e.verifiedBank(e.coordinator("340000"), broadProduct("集群贷", 200_000_000, 0, false))
	ent := e.enterprise("341221")
	p := e.createProject(ent.Token, projectBody("年产5万吨粮油加工项目"))
	e.catalogueSeen()
	e.ok(http.StatusOK, "POST", "/api/v1/projects/"+p.ID+"/submit", ent.Token, nil, nil)
	deadline := time.Now().Add(20 * time.Second)
	for {
		got, err := e.db.Project(context.Background(), p.ID)
		if err != nil {
			t.Fatal(err)
		}
		if got.HeldForVerification() {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("project after 20s: %s %q, want held", got.Status, got.ScreenReason)
		}
		time.Sleep(100 * time.Millisecond)
	}
	// Verified behind the use case's back: nobody releases it but the reconciler.
	if _, err := e.db.VerifyOrg(context.Background(), ent.OrgID, "coordinator", time.Now()); err != nil {
		t.Fatal(err)
	}
	e.waitMatches(ent.Token, p.ID, 30*time.Second, func(l matchList) bool { return len(l.Items) == 1 })
}
