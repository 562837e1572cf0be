package e2e

import (
	"context"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"finzone"
	"finzone/usecase"
)

// TestBrowserSyndicate is issue 12's story in the browser, once in zh-CN
// and once in English: the enterprise mandates the lead arranger the
// platform suggests for its ¥2亿 project; the lead sets the facility,
// invites a second bank and commits its own share, and sees the gap and
// the rules the book breaks; the second bank commits from the syndicate's
// page and sees its own fee; the lead sees the book covered and signs; the
// enterprise reads the syndicate on its project page, without any bank's
// fee terms. The push, the suggestion (the workers) and the acceptance of
// the push (the use cases) come first; each person has a browser profile
// of their own, given a session once.
func TestBrowserSyndicate(t *testing.T) {
	needChromium(t)
	started := time.Now()
	p := startPlatform(t)
	ownerEmail, second := p.syndicateParties(t)
	owner, bank := p.actor(t, ownerEmail), p.actor(t, "bank@e2e.test")
	stories := map[string]finzone.Project{}
	for _, lang := range []string{"zh", "en"} {
		stories[lang] = p.largeProject(t, owner, map[string]string{"zh": "临泉县农副产品冷链物流园", "en": "Linquan cold-chain logistics park"}[lang])
	}
	for _, pr := range stories {
		p.syndicateSuggested(t, owner, bank, pr.ID)
	}
	b := newBrowser(t, p.url)
	lead, member := b.profile(), b.profile()
	b.signedInAs(p, ownerEmail)
	lead.signedInAs(p, "bank@e2e.test")
	member.signedInAs(p, second.email)
	for _, lang := range []string{"zh", "en"} {
		began := time.Now()
		s := syndicateStory{lang: lang, p: p, pr: stories[lang], second: second, owner: b, lead: lead, member: member}
		s.ownerMandates()
		s.leadBuildsTheBook()
		s.memberCommits()
		s.leadSigns()
		s.ownerReadsTheSyndicate()
		t.Logf("%s: %s", lang, time.Since(began).Round(time.Millisecond))
	}
	for _, x := range []*browser{b, lead, member} {
		x.clean("end")
	}
	t.Logf("syndicate stories took %s", time.Since(started).Round(time.Millisecond))
}

// bank2 is the second bank of the story.
type bank2 struct{ id, name, email string }

// syndicateParties registers the enterprise, and a second bank that a
// coordinator verifies and whose syndicable product it publishes, all
// through the use cases; it returns the enterprise's email and the bank.
func (p *platform) syndicateParties(t *testing.T) (string, bank2) {
	t.Helper()
	ctx := context.Background()
	owner := "zhao@lengliang.test"
	if _, err := p.uc.Register(ctx, finzone.Actor{}, finzone.Signup{Org: finzone.Organization{Kind: finzone.KindEnterprise,
		Name: "临泉县冷链物流有限公司", USCC: uscc("91341221MA2W3E5R8"), RegionCode: "341221", IndustryCode: "G59", Size: finzone.SizeMedium},
		Email: owner, Name: "赵总", Password: password, PrivacyConsent: finzone.PrivacyVersion}); err != nil {
		t.Fatal(err)
	}
	b := bank2{name: "阜阳银行临泉支行", email: "bank2@e2e.test"}
	s, err := p.uc.Register(ctx, finzone.Actor{}, finzone.Signup{Org: finzone.Organization{Kind: finzone.KindBank, Name: b.name,
		USCC: uscc("91341200MA2X6C4T2"), RegionCode: "341200"}, Email: b.email, Name: "孙经理", Password: password,
		PrivacyConsent: finzone.PrivacyVersion})
	if err != nil {
		t.Fatal(err)
	}
	b.id = s.Org.ID
	coord, bank := p.actor(t, "coordinator@e2e.test"), p.actor(t, b.email)
	if _, err := p.uc.VerifyInstitution(ctx, coord, b.id); err != nil {
		t.Fatal(err)
	}
	name, desc, cat := "银团参贷", "参加县域产业集群项目的银团贷款", finzone.CategoryLoan
	minA, maxA, ticket, capacity := int64(10_000_000), int64(100_000_000), int64(100_000_000), int64(1_000_000_000)
	minT, maxT, floor, ceil := 12, 120, 300, 800
	now := time.Now()
	from, to := now.AddDate(0, 0, -1), now.AddDate(1, 0, 0)
	types, regions := finzone.ProjectTypes, []string{finzone.ProvinceCode}
	collateral, sizes := finzone.Collaterals, finzone.Sizes
	pr, err := p.uc.CreateProduct(ctx, bank, usecase.ProductInput{Name: &name, Category: &cat, Description: &desc,
		AmountMinYuan: &minA, AmountMaxYuan: &maxA, TermMinMonths: &minT, TermMaxMonths: &maxT, RateFloorBps: &floor,
		RateCeilingBps: &ceil, ProjectTypes: &types, Regions: &regions, Collateral: &collateral, Sizes: &sizes,
		MaxTicketYuan: &ticket, CapacityYuan: &capacity, ValidFrom: &from, ValidTo: &to})
	if err == nil {
		_, err = p.uc.SendProductForReview(ctx, bank, pr.ID)
	}
	if err == nil {
		_, err = p.uc.ReviewProduct(ctx, coord, pr.ID, usecase.ReviewInput{Decision: "approve"})
	}
	if err != nil {
		t.Fatal(err)
	}
	return owner, b
}

// largeProject posts and submits a project of ¥2亿, above the platform's
// threshold for one lender.
func (p *platform) largeProject(t *testing.T, owner finzone.Actor, title string) finzone.Project {
	t.Helper()
	typ, amount, term, purpose := finzone.TypeManufacturingLong, int64(200_000_000), 60, "建设冷库、分拣中心和冷链配送车队"
	collateral := []finzone.Collateral{finzone.CollateralMortgage}
	pr, err := p.uc.CreateProject(context.Background(), owner, usecase.ProjectInput{Title: &title, Type: &typ, AmountYuan: &amount,
		TermMonths: &term, Purpose: &purpose, Collateral: &collateral})
	if err == nil {
		pr, err = p.uc.SubmitProject(context.Background(), owner, pr.ID)
	}
	if err != nil {
		t.Fatal(err)
	}
	return pr
}

// syndicateSuggested waits for the pipeline to push the project to the
// seeded bank and suggest a syndicate, then has the bank accept the push,
// so the enterprise may mandate it.
func (p *platform) syndicateSuggested(t *testing.T, owner, bank finzone.Actor, projectID string) {
	t.Helper()
	mid := p.pushedTo(t, projectID, p.bankID)
	for deadline := time.Now().Add(30 * time.Second); ; time.Sleep(100 * time.Millisecond) {
		_, err := p.uc.Syndicate(context.Background(), owner, projectID)
		if err == nil {
			break
		}
		if !finzone.IsCode(err, finzone.ECNotFound) || time.Now().After(deadline) {
			t.Fatalf("waiting for the syndicate of %s: %v", projectID, err)
		}
	}
	if _, err := p.uc.ActOnMatch(context.Background(), bank, mid, finzone.ActionInput{Action: finzone.ActionAccept}); err != nil {
		t.Fatal(err)
	}
}

// syndicateStory is one run of the story in one language.
type syndicateStory struct {
	lang                string
	p                   *platform
	pr                  finzone.Project
	second              bank2
	owner, lead, member *browser
}

func (s syndicateStory) text(key string, args ...any) string { return text(s.lang, key, args...) }

// open opens a page in the story's language.
func (s syndicateStory) open(b *browser, path, waitFor string) {
	b.t.Helper()
	if s.lang == "en" && b.count("html[lang='en']") == 0 {
		b.open("/lang/en?next="+url.QueryEscape(path), "html[lang='en'] "+waitFor)
		return
	}
	b.open(path, waitFor)
}

func (s syndicateStory) ownerMandates() {
	b := s.owner
	b.t.Helper()
	s.open(b, "/projects/"+s.pr.ID, "#form-syn-mandate")
	if got, want := b.text("#syndicate-reason"), s.text("synreason.threshold"); !strings.Contains(got, want) {
		b.t.Errorf("%s: why a syndicate = %q, want %q", s.lang, got, want)
	}
	if got := b.value("#f-lead_id"); got != s.p.bankID {
		b.t.Errorf("%s: the mandate form preselects %q, want the platform's pick %s", s.lang, got, s.p.bankID)
	}
	b.submit("mandate the lead arranger", "#do-syn-mandate")
	s.want(b, "#syndicate-lead", s.p.bankName)
	s.want(b, "#syndicate-state", s.text("synstate.mandated"))
}

func (s syndicateStory) leadBuildsTheBook() {
	b := s.lead
	b.t.Helper()
	s.open(b, "/matches/"+finzone.MatchID(s.pr.ID, s.p.bankID), "#form-syn-facility")
	if got := b.value("#f-facility_wan"); got != "20000" {
		b.t.Errorf("%s: the facility form starts at %q 万元, want the 20000 asked for", s.lang, got)
	}
	b.do("fill the facility", 10*time.Second, chromedp.SetValue(chromedp.CSS("#f-arrangement_fee_bps"), "50"),
		chromedp.SetValue(chromedp.CSS("#f-agency_fee_bps"), "10"))
	b.submit("set the facility", "#do-syn-facility")
	s.want(b, "#syndicate-state", s.text("synstate.book_building"))
	s.want(b, "#syndicate-agent", s.p.bankName)
	b.do("choose the second bank", 10*time.Second, chromedp.Click(chromedp.CSS("#f-invite_ids-"+s.second.id)),
		chromedp.SetValue(chromedp.CSS("#f-invite_fee_bps"), "25"))
	b.submit("invite", "#do-syn-invite")
	b.do("commit the lead's share", 10*time.Second, chromedp.SetValue(chromedp.CSS("#f-commit_wan"), "12000"))
	b.submit("commit the lead's share", "#do-syn-commit")
	s.want(b, "#syndicate-gap", "8,000万元")
	if b.count(".rule-broken") == 0 || b.count("#sign-syndicate") != 0 {
		b.t.Errorf("%s: a book with a gap shows no broken rule, or offers the signature", s.lang)
	}
	s.want(b, "#member-"+s.second.id+" [data-fee]", "25 bp")
	s.shot(b, "41-syndicate-book-gap-")
}

func (s syndicateStory) memberCommits() {
	b := s.member
	b.t.Helper()
	row := "#member-" + s.second.id
	s.open(b, "/projects/"+s.pr.ID+"/syndicate", "#form-syn-commit")
	s.want(b, row+" [data-fee]", "25 bp")
	b.do("fill the commitment", 10*time.Second, chromedp.SetValue(chromedp.CSS("#f-commit_wan"), "8000"))
	b.submit("commit", "#do-syn-commit")
	s.want(b, row+" [data-commitment]", "8,000万元")
	s.want(b, row+" [data-share]", "8,000万元")
	if n := b.count("#member-" + s.p.bankID + " [data-fee]"); n != 1 || b.text("#member-"+s.p.bankID+" [data-fee]") != "—" {
		b.t.Errorf("%s: a member sees the lead's fee terms", s.lang)
	}
}

func (s syndicateStory) leadSigns() {
	b := s.lead
	b.t.Helper()
	b.open("/matches/"+finzone.MatchID(s.pr.ID, s.p.bankID), "#sign-syndicate")
	s.want(b, "#syndicate-coverage", "100%")
	s.want(b, "#member-"+s.second.id+" [data-commitment]", "8,000万元")
	if n := b.count(".rule-broken"); n != 0 {
		b.t.Errorf("%s: a covered book shows %d broken rules", s.lang, n)
	}
	s.shot(b, "43-syndicate-signable-")
	b.submit("sign", "#sign-syndicate")
	s.want(b, "#syndicate-state", s.text("synstate.signed"))
}

func (s syndicateStory) ownerReadsTheSyndicate() {
	b := s.owner
	b.t.Helper()
	b.open("/projects/"+s.pr.ID, "#syndicate")
	s.want(b, "#syndicate-state", s.text("synstate.signed"))
	s.want(b, "#syndicate-lead", s.p.bankName)
	s.want(b, "#syndicate-agent", s.p.bankName)
	s.want(b, "#member-"+s.second.id+" [data-share]", "8,000万元")
	s.want(b, "#member-"+s.p.bankID+" [data-share]", "1.2亿元")
	if n := b.count("#syndicate-table tbody tr"); n != 2 {
		b.t.Errorf("%s: the enterprise sees %d members, want 2", s.lang, n)
	}
	if n := b.count("[data-fee], [data-commitment], #rule-checks"); n != 0 {
		b.t.Errorf("%s: the enterprise sees %d fee, commitment or rule marks, want none", s.lang, n)
	}
	s.shot(b, "44-syndicate-enterprise-")
}

// shot saves a screenshot of the lead's book in the Chinese story and of
// the enterprise's view in the English one (each costs about a second).
func (s syndicateStory) shot(b *browser, name string) {
	if (s.lang == "zh") != strings.HasPrefix(name, "44-") {
		b.shot(name + s.lang)
	}
}

// want fails the story when the element's text does not hold want.
func (s syndicateStory) want(b *browser, sel, want string) {
	b.t.Helper()
	if got := b.text(sel); !strings.Contains(got, want) {
		b.t.Errorf("%s: %s reads %q, want %q", s.lang, sel, got, want)
	}
}
