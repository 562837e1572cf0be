package e2e

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/chromedp"

	"finzone"
	"finzone/usecase"
	"finzone/web"
)

// TestBrowserLendingWorkflow is issue 10's story in the browser: the bank
// pauses its credit review waiting on the enterprise, and the enterprise
// reads why on its project page; the bank makes an offer over the LPR, and
// the enterprise accepts it on its project page, which then books it
// against the amount asked for; a coordinator extends the contract
// deadline from the match page. The steps before each are taken through
// the use cases, after the workers' pipeline pushed the project.
func TestBrowserLendingWorkflow(t *testing.T) {
	needChromium(t)
	p := startPlatform(t)
	ctx := context.Background()
	ownerEmail := "li@zhongyao.test"
	if _, err := p.uc.Register(ctx, finzone.Actor{}, finzone.Signup{Org: finzone.Organization{Kind: finzone.KindEnterprise,
		Name: "太和县中药饮片有限公司", USCC: uscc("91341222MA2N5W8D1"), RegionCode: "341222", IndustryCode: "C27", Size: finzone.SizeMedium},
		Email: ownerEmail, Name: "李总", Password: password, PrivacyConsent: finzone.PrivacyVersion}); err != nil {
		t.Fatal(err)
	}
	owner, bank := p.actor(t, ownerEmail), p.actor(t, "bank@e2e.test")
	pr := p.submitted(t, owner, "中药饮片智能化生产线")
	mid := p.pushedTo(t, pr.ID, p.bankID)
	for _, a := range []finzone.Action{finzone.ActionAccept, finzone.ActionRecordContact, finzone.ActionSubmitCredit} {
		if _, err := p.uc.ActOnMatch(ctx, bank, mid, finzone.ActionInput{Action: a, Note: "已完成"}); err != nil {
			t.Fatalf("%s: %v", a, err)
		}
	}
	b := newBrowser(t, p.url)
	why := "等待企业补充近三年审计报告和设备购置合同"
	b.pauseCreditReview(mid, why)
	b.ownerSeesThePause(pr.ID, mid, why)

	// The bank resumes and offers ¥1,500万 at LPR + 35 bp.
	if _, err := p.uc.ActOnMatch(ctx, bank, mid, finzone.ActionInput{Action: finzone.ActionResume}); err != nil {
		t.Fatal(err)
	}
	if _, err := p.uc.ActOnMatch(ctx, bank, mid, finzone.ActionInput{Action: finzone.ActionApprove, AmountYuan: ptr(int64(15_000_000)),
		LPRSpreadBps: ptr(35), TermMonths: ptr(36), GuaranteeMode: finzone.CollateralMortgage,
		RepaymentMethod: finzone.RepayEqualInstallment}); err != nil {
		t.Fatal(err)
	}
	b.ownerAcceptsTheOffer(ownerEmail, pr.ID, mid)
	b.coordinatorExtends(p, pr.ID, mid)
	b.narrowLendingPages(pr.ID, mid)
	b.clean("end")
}

func ptr[T any](v T) *T { return &v }

// submitted posts and submits a project of ¥2,000万 for owner.
func (p *platform) submitted(t *testing.T, owner finzone.Actor, title string) finzone.Project {
	t.Helper()
	typ, amount, term, purpose := finzone.TypeManufacturingLong, int64(20_000_000), 36, "购置炮制、干燥和包装设备，建设中药饮片智能化生产线"
	collateral := []finzone.Collateral{finzone.CollateralMortgage}
	pr, err := p.uc.CreateProject(context.Background(), owner, usecase.ProjectInput{Title: &title, Type: &typ, AmountYuan: &amount,
		TermMonths: &term, Purpose: &purpose, Collateral: &collateral})
	if err != nil {
		t.Fatal(err)
	}
	if pr, err = p.uc.SubmitProject(context.Background(), owner, pr.ID); err != nil {
		t.Fatal(err)
	}
	return pr
}

// pushedTo waits for the workers' pipeline to push the project to the
// institution, and returns the match's ID.
func (p *platform) pushedTo(t *testing.T, projectID, institutionID string) string {
	t.Helper()
	id := finzone.MatchID(projectID, institutionID)
	for deadline := time.Now().Add(45 * time.Second); ; time.Sleep(200 * time.Millisecond) {
		_, err := p.db.Match(context.Background(), id)
		if err == nil {
			return id
		}
		if !finzone.IsCode(err, finzone.ECNotFound) || time.Now().After(deadline) {
			t.Fatalf("waiting for the push of %s: %v", projectID, err)
		}
	}
}

// pauseCreditReview: the bank stops the clock with a note for the enterprise.
func (b *browser) pauseCreditReview(mid, why string) {
	b.t.Helper()
	b.signIn("bank@e2e.test", "body.page-inbox")
	b.open("/matches/"+mid, "#form-pause")
	b.act("pause", map[string]string{"#f-note_pause": why}, "credit_review")
	if got := b.text("#paused"); !strings.Contains(got, why) || !strings.Contains(got, text("zh", "match.paused")) {
		b.t.Errorf("pause box = %q, want %q with its reason", got, text("zh", "match.paused"))
	}
	if got, want := b.text("#match-due"), text("zh", "match.clock_stopped"); got != want {
		b.t.Errorf("deadline while paused = %q, want %q", got, want)
	}
	if b.count("#form-pause") != 0 || b.count("#form-resume") != 1 {
		b.t.Errorf("a paused match offers to pause again, or not to resume")
	}
	b.shot("30-match-paused")
	b.signOut()
}

// ownerSeesThePause: the enterprise's project page says why its lender waits.
func (b *browser) ownerSeesThePause(projectID, mid, why string) {
	b.t.Helper()
	b.signIn("li@zhongyao.test", "body.page-projects")
	b.open("/projects/"+projectID, "#matches-table")
	got := b.text("[data-paused='" + mid + "']")
	if !strings.Contains(got, text("zh", "match.paused")) || !strings.Contains(got, why) {
		b.t.Errorf("enterprise's view of the pause = %q, want the reason %q", got, why)
	}
	if got, want := b.text("#row-"+mid+" td:nth-child(5)"), text("zh", "match.clock_stopped"); got != want {
		b.t.Errorf("deadline column while paused = %q, want %q", got, want)
	}
	b.shot("31-project-paused-owner")
	b.signOut()
}

// ownerAcceptsTheOffer: the enterprise reads the offer's terms, is told a
// decline needs a note, accepts, and sees the amount booked.
func (b *browser) ownerAcceptsTheOffer(email, projectID, mid string) {
	b.t.Helper()
	b.signIn(email, "body.page-projects")
	b.open("/projects/"+projectID, "#offer-form-"+mid)
	if got, want := b.text("#accepted-total"), text("zh", "project.accepted_total", "accepted", "0元", "amount", "2,000万元", "room", "2,000万元"); got != want {
		b.t.Errorf("accepted total before = %q, want %q", got, want)
	}
	card := b.text("#offer-" + mid)
	for _, want := range []string{"1,500万元", "年利率 3.35%（LPR 3% +35BP）", "36个月", "抵押", "等额本息", text("zh", "offer.pending")} {
		if !strings.Contains(card, want) {
			b.t.Errorf("offer card = %q, want %q in it", card, want)
		}
	}
	b.shot("32-offer-pending")
	b.do("decline without a note", 20*time.Second, chromedp.Click(chromedp.CSS("#decline-offer-"+mid)),
		chromedp.WaitVisible(chromedp.CSS("#f-offer_note-"+mid+"-err")))
	if got, want := b.text("#f-offer_note-"+mid+"-err"), text("zh", "err.required"); got != want {
		b.t.Errorf("decline without a note says %q, want %q", got, want)
	}
	b.do("accept the offer", 20*time.Second, chromedp.Click(chromedp.CSS("#accept-offer-"+mid)),
		chromedp.WaitVisible(chromedp.CSS("body.page-project .flash")))
	if got, want := b.text(".flash"), text("zh", "flash.offer_accepted"); got != want {
		b.t.Errorf("flash after accepting = %q, want %q", got, want)
	}
	if got, want := b.text("[data-offer-status='"+mid+"']"), text("zh", "offer.accepted"); got != want {
		b.t.Errorf("offer status after accepting = %q, want %q", got, want)
	}
	if got, want := b.text("#accepted-total"), text("zh", "project.accepted_total", "accepted", "1,500万元", "amount", "2,000万元", "room", "500万元"); got != want {
		b.t.Errorf("accepted total after = %q, want %q", got, want)
	}
	if n := b.count("#offer-form-" + mid); n != 0 {
		b.t.Errorf("the accepted offer still shows its answer form")
	}
	b.shot("33-offer-accepted")
	b.signOut()
}

// coordinatorExtends: the coordinator opens the lender's match from the
// project page and extends the contract deadline once.
func (b *browser) coordinatorExtends(p *platform, projectID, mid string) {
	b.t.Helper()
	b.signIn("coordinator@e2e.test", "body.page-dashboard")
	b.open("/projects/"+projectID, "#matches-table")
	b.do("open the match", 15*time.Second, chromedp.Click(chromedp.CSS("#matches-table a[href='/matches/"+mid+"']")),
		chromedp.WaitVisible(chromedp.CSS("#form-extend")))
	before := b.text("#match-due")
	note := "企业股东会决议本周出具，延期签约"
	b.do("extend", 20*time.Second,
		chromedp.SetValue(chromedp.CSS("#f-extend_days"), "5"),
		chromedp.SetValue(chromedp.CSS("#f-note_extend"), note),
		chromedp.Click(chromedp.CSS("#do-extend")),
		chromedp.WaitVisible(chromedp.CSS("body.page-match .flash")))
	m, err := p.db.Match(context.Background(), mid)
	if err != nil {
		b.t.Fatal(err)
	}
	due := b.text("#match-due")
	if !strings.Contains(due, web.DateTime(finzone.LangZH, m.DueAt)) || strings.Contains(due, before) {
		b.t.Errorf("deadline after extending = %q (was %q), want the new %s", due, before, web.DateTime(finzone.LangZH, m.DueAt))
	}
	if got, want := b.text("#extended"), text("zh", "match.extended_in", "stage", text("zh", "stage.approved")); got != want {
		b.t.Errorf("extension mark = %q, want %q", got, want)
	}
	if got, want := b.text("#no-extend"), text("zh", "match.extended_once"); got != want || b.count("#form-extend") != 0 {
		b.t.Errorf("after extending: %q and %d extend forms, want %q and none", got, b.count("#form-extend"), want)
	}
	if got := b.text("#timeline li"); !strings.Contains(got, text("zh", "event.extend")) || !strings.Contains(got, note) {
		b.t.Errorf("newest timeline step = %q, want the extension with its note", got)
	}
	b.shot("34-match-extended")
}

// narrowLendingPages: the match and project pages at 375 px wide.
func (b *browser) narrowLendingPages(projectID, mid string) {
	b.t.Helper()
	b.do("phone width", 10*time.Second, chromedp.Func(func(ctx context.Context, _ *chromedp.Target) error {
		_, err := chromedp.Call(ctx, emulation.SetDeviceMetricsOverride, emulation.SetDeviceMetricsOverrideParams{
			Width: 375, Height: 812, DeviceScaleFactor: 1, Mobile: true})
		return err
	}))
	for _, pg := range []struct{ path, wait, shot string }{
		{"/matches/" + mid, "#form-urge", "35-match-375px"},
		{"/projects/" + projectID, "#offers", "36-project-375px"},
		{"/pipeline", "#board", "37-pipeline-375px"},
	} {
		b.open(pg.path, pg.wait)
		overflow, err := chromedp.Run(b.ctx, chromedp.Evaluate[bool]("document.documentElement.scrollWidth > window.innerWidth + 1"))
		if err != nil || overflow {
			b.t.Errorf("%s at 375 px scrolls sideways (%v)", pg.path, err)
		}
		b.shot(pg.shot)
	}
}
