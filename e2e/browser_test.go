// Package e2e drives the whole platform through a real browser: headless
// Chromium (Debian's chromium) under chromedp, against the real Fiber app,
// the MongoDB store on embedded FerretDB and the 1+10 workers on an
// embedded Redis. It fails on any JavaScript console error or failed asset
// request, and saves screenshots of the main pages.
package e2e

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"
	"github.com/hibiken/asynq"

	"finzone"
	"finzone/api"
	"finzone/demo"
	"finzone/embedded"
	"finzone/i18n"
	"finzone/mongodb"
	"finzone/server"
	"finzone/usecase"
	"finzone/web"
	"finzone/workers"
)

const password = "e2e-password-1"

// platform is the app under test with its seeded accounts, and the use
// cases for setting up what a story takes for granted.
type platform struct {
	url      string
	db       *mongodb.DB
	uc       *usecase.Service
	bankName string
	bankID   string
}

// startPlatform wires the app as cmd/finzone does in all-in-one mode: one
// store, the workers, and the API with the workers' client as its pipeline.
func startPlatform(t *testing.T) *platform {
	t.Helper()
	ctx := context.Background()
	dir := t.TempDir()
	m, err := embedded.StartMongo(filepath.Join(dir, "db"), "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(m.Close)
	db, err := mongodb.Open(ctx, m.URI, "finzone_e2e")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = db.Close(context.Background()) })
	r, err := embedded.StartRedis("127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(r.Close)
	redisOpt, err := asynq.ParseRedisURI(r.URL())
	if err != nil {
		t.Fatal(err)
	}
	p := &platform{db: db, bankName: "皖北农村商业银行临泉支行"}
	p.bankID = seedAccounts(t, db, p.bankName)

	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	if testing.Verbose() {
		log = slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))
	}
	deadlines := finzone.DefaultDeadlines()
	w := workers.New(workers.Config{Redis: redisOpt, Store: db, Log: log, Concurrency: 4, Queue: "e2e",
		Deadlines: deadlines, CatalogueEvery: 200 * time.Millisecond})
	if err := w.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(w.Shutdown)
	client := workers.NewClient(redisOpt, "e2e")
	t.Cleanup(func() { _ = client.Close() })
	queues := workers.NewInspector(redisOpt, "e2e")
	t.Cleanup(func() { _ = queues.Close() })
	uc := usecase.New(db, usecase.Config{Pipeline: client, Deadlines: deadlines, Log: log,
		Queues: queues.Queues})
	p.uc = uc
	app := server.New(log)
	api.Mount(app, uc)
	if err := web.Mount(app, uc); err != nil {
		t.Fatal(err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go func() { _ = app.Listener(ln) }()
	t.Cleanup(func() { _ = app.ShutdownWithTimeout(5 * time.Second) })
	p.url = "http://" + ln.Addr().String()
	return p
}

// seedAccounts makes a province coordinator and one verified bank with a
// published product that fits the project the enterprise will post, and
// returns the bank's ID.
func seedAccounts(t *testing.T, db *mongodb.DB, bankName string) string {
	t.Helper()
	ctx := context.Background()
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	for _, c := range demo.GenerateClusters(4) {
		must(db.UpsertCluster(ctx, c))
	}
	hash, err := usecase.HashPassword(password)
	must(err)
	now := time.Now()
	office := finzone.Organization{Kind: finzone.KindCoordinator, Name: "安徽省地方金融管理局", USCC: uscc("11340000MB0000000"),
		RegionCode: finzone.ProvinceCode, Verified: true}
	must(db.CreateOrg(ctx, &office))
	must(db.CreateUser(ctx, &finzone.User{Email: "coordinator@e2e.test", Name: "省协调员", PasswordHash: hash, OrgID: office.ID,
		Role: finzone.RoleAdmin, Regions: []string{finzone.ProvinceCode}}))
	bank := finzone.Organization{Kind: finzone.KindBank, Name: bankName, USCC: uscc("91341221MA2T4Y6P0"),
		RegionCode: "341221", Verified: true, VerifiedAt: now}
	must(db.CreateOrg(ctx, &bank))
	must(db.CreateUser(ctx, &finzone.User{Email: "bank@e2e.test", Name: "客户经理", PasswordHash: hash, OrgID: bank.ID, Role: finzone.RoleAdmin}))
	must(db.CreateProduct(ctx, &finzone.Product{OwnerOrgID: bank.ID, Version: 1, Name: "集群设备贷", Category: finzone.CategoryLoan,
		Description: "面向县域特色产业集群的中长期设备贷款", AmountMinYuan: 1_000_000, AmountMaxYuan: 500_000_000,
		TermMinMonths: 6, TermMaxMonths: 120, RateFloorBps: 300, RateCeilingBps: 800, ProjectTypes: finzone.ProjectTypes,
		Regions: []string{finzone.ProvinceCode}, Collateral: finzone.Collaterals, Sizes: finzone.Sizes, CanLeadSyndicate: true,
		CapacityYuan: 2_000_000_000, ValidFrom: now.AddDate(0, 0, -1), ValidTo: now.AddDate(1, 0, 0), Status: finzone.ReviewPublished,
		ReviewedAt: now}))
	// Work for the review queues, and a platform admin.
	must(db.CreateProduct(ctx, &finzone.Product{OwnerOrgID: bank.ID, Version: 1, Name: "茶产业收购贷", Category: finzone.CategoryLoan,
		Description: "茶叶收购季流动资金", AmountMinYuan: 500_000, AmountMaxYuan: 20_000_000, TermMinMonths: 3, TermMaxMonths: 12,
		RateFloorBps: 350, RateCeilingBps: 600, ProjectTypes: []finzone.ProjectType{finzone.TypeWorkingCapital},
		Regions: []string{"341524"}, Collateral: []finzone.Collateral{finzone.CollateralCredit}, Sizes: finzone.Sizes,
		CapacityYuan: 300_000_000, ValidFrom: now, ValidTo: now.AddDate(1, 0, 0), Status: finzone.ReviewPending}))
	lease := finzone.Organization{Kind: finzone.KindLeasing, Name: "大别山融资租赁有限公司", USCC: uscc("91341500MA2P7Q1R3"), RegionCode: "341500"}
	must(db.CreateOrg(ctx, &lease))
	must(db.CreateUser(ctx, &finzone.User{Email: "admin@e2e.test", Name: "平台管理员", PasswordHash: hash, Role: finzone.RoleAdmin,
		PlatformAdmin: true}))
	return bank.ID
}

// acceptOnlyOffer is the owner accepting the bank's offer on the one
// project in the store; it returns the match.
func (p *platform) acceptOnlyOffer(t *testing.T, ownerEmail string) string {
	t.Helper()
	mine, _, err := p.db.ListProjects(context.Background(), finzone.ProjectFilter{}, finzone.Page{Limit: 10})
	if err != nil || len(mine) != 1 {
		t.Fatalf("projects in the store: got %d (%v), want the one posted", len(mine), err)
	}
	m, err := p.uc.DecideOffer(context.Background(), p.actor(t, ownerEmail), finzone.MatchID(mine[0].ID, p.bankID),
		usecase.OfferInput{Decision: finzone.DecisionAccept})
	if err != nil {
		t.Fatal(err)
	}
	return m.ID
}

// actor signs a seeded or registered user in through the use cases, for
// the steps a story takes for granted.
func (p *platform) actor(t *testing.T, email string) finzone.Actor {
	t.Helper()
	s, err := p.uc.SignIn(context.Background(), finzone.Actor{}, usecase.SignInInput{Email: email, Password: password})
	if err != nil {
		t.Fatalf("sign in %s: %v", email, err)
	}
	a, err := p.uc.Authenticate(context.Background(), s.Token)
	if err != nil {
		t.Fatalf("authenticate %s: %v", email, err)
	}
	return a
}

func uscc(first17 string) string {
	c, ok := finzone.USCCCheck(first17)
	if !ok {
		panic("bad credit code body " + first17)
	}
	return first17 + string(c)
}

// browser is one headless Chromium tab with its problem log.
type browser struct {
	t     *testing.T
	ctx   context.Context
	base  string
	shots string
	mu    sync.Mutex
	bad   []string
}

// needChromium skips a browser test on a machine without Chromium, saying
// what to install; under CI (CI set), or scripts/test, which installs it,
// its absence fails the test instead: CI must not pass on skips.
func needChromium(t *testing.T) {
	t.Helper()
	if chromiumPath() != "" {
		return
	}
	if os.Getenv("CI") != "" || os.Getenv("FINZONE_NEED_CHROMIUM") != "" {
		t.Fatal("chromium not installed: apt-get install chromium (scripts/test installs it)")
	}
	t.Skip("chromium not installed: apt-get install chromium, or run the suite with scripts/test")
}

func chromiumPath() string {
	for _, name := range []string{"chromium", "chromium-browser", "/usr/bin/chromium"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	return ""
}

func newBrowser(t *testing.T, base string) *browser {
	t.Helper()
	needChromium(t)
	exe := chromiumPath()
	shots := os.Getenv("FINZONE_SCREENSHOTS")
	if shots == "" {
		var err error
		if shots, err = os.MkdirTemp("", "finzone-screenshots-"); err != nil {
			t.Fatal(err)
		}
	} else if err := os.MkdirAll(shots, 0o755); err != nil {
		t.Fatal(err)
	}
	t.Logf("screenshots of the main pages are saved in %s", shots)
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(exe),
		chromedp.Flag("headless", true),
		chromedp.Flag("no-sandbox", true),
		chromedp.Flag("disable-gpu", true),
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("no-first-run", true),
		chromedp.Flag("lang", "zh-CN"),
		chromedp.Flag("accept-lang", "zh-CN"),
		chromedp.UserDataDir(t.TempDir()),
		chromedp.WindowSize(1280, 900),
	)
	actx, cancelA := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancel := chromedp.NewContext(actx)
	t.Cleanup(func() { cancel(); cancelA() })
	b := &browser{t: t, ctx: ctx, base: base, shots: shots}
	// A fresh browser asks for Chinese first, as most users' browsers do.
	if _, err := chromedp.Run(ctx, chromedp.Func(func(ctx context.Context, tg *chromedp.Target) error {
		_, err := chromedp.Call(ctx, network.SetExtraHTTPHeaders, network.SetExtraHTTPHeadersParams{
			Headers: network.Headers{"Accept-Language": "zh-CN,zh;q=0.9"}})
		return err
	})); err != nil {
		t.Fatalf("start chromium: %v", err)
	}
	if err := chromedp.Listen(ctx, b.watch); err != nil {
		t.Fatal(err)
	}
	go func() {
		for m, err := range chromedp.Console(ctx) {
			if err != nil {
				return
			}
			// The browser also logs every 4xx answer as a "network" console
			// error; watch judges those precisely (forms answer 400 with
			// their field messages on purpose; assets must never fail).
			if m.Source == "network" {
				continue
			}
			if m.Type == chromedp.ConsoleError || m.IsException() {
				b.problem("console %s: %s (%s:%d)", m.Type, m.Text, m.URL, m.Line)
			}
		}
	}()
	return b
}

// watch records failed requests and error answers to asset requests.
func (b *browser) watch(ev any) {
	switch e := ev.(type) {
	case *network.EventLoadingFailed:
		if !e.Canceled {
			b.problem("request failed: %s %s", e.Type, e.ErrorText)
		}
	case *network.EventResponseReceived:
		// Pages answer 4xx on purpose (a form with field messages); assets never should.
		if e.Type != network.ResourceTypeDocument && e.Response != nil && e.Response.Status >= 400 {
			b.problem("asset %s answered %d", e.Response.URL, e.Response.Status)
		}
		if e.Response != nil && !strings.HasPrefix(e.Response.URL, b.base) && !strings.HasPrefix(e.Response.URL, "data:") {
			b.problem("request left the site: %s", e.Response.URL)
		}
	}
}

func (b *browser) problem(format string, args ...any) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.bad = append(b.bad, fmt.Sprintf(format, args...))
}

// clean fails the test on any problem seen so far.
func (b *browser) clean(step string) {
	b.t.Helper()
	b.mu.Lock()
	defer b.mu.Unlock()
	for _, p := range b.bad {
		b.t.Errorf("%s: %s", step, p)
	}
	if len(b.bad) > 0 {
		b.t.FailNow()
	}
}

// do runs steps with a bound on how long they may take.
func (b *browser) do(step string, within time.Duration, actions ...chromedp.Action[chromedp.Void]) {
	b.t.Helper()
	ctx, cancel := context.WithTimeout(b.ctx, within)
	defer cancel()
	if err := chromedp.Do(ctx, actions...); err != nil {
		loc, _ := chromedp.Run(b.ctx, chromedp.Location())
		b.shot("failed-" + strings.ReplaceAll(step, " ", "-"))
		b.t.Fatalf("%s (at %s): %v", step, loc, err)
	}
	b.clean(step)
}

func (b *browser) text(sel string) string {
	b.t.Helper()
	ctx, cancel := context.WithTimeout(b.ctx, 10*time.Second)
	defer cancel()
	s, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS(sel)))
	if err != nil {
		b.t.Fatalf("text of %s: %v", sel, err)
	}
	return strings.TrimSpace(s)
}

func (b *browser) count(sel string) int {
	b.t.Helper()
	n, err := chromedp.Run(b.ctx, chromedp.Evaluate[int](fmt.Sprintf("document.querySelectorAll(%q).length", sel)))
	if err != nil {
		b.t.Fatalf("count %s: %v", sel, err)
	}
	return n
}

func (b *browser) shot(name string) {
	b.t.Helper()
	png, err := chromedp.Run(b.ctx, chromedp.FullScreenshot(100))
	if err != nil {
		b.t.Errorf("screenshot %s: %v", name, err)
		return
	}
	if err := os.WriteFile(filepath.Join(b.shots, name+".png"), png, 0o644); err != nil {
		b.t.Errorf("screenshot %s: %v", name, err)
	}
}

func (b *browser) open(path, waitFor string) {
	b.t.Helper()
	b.do("open "+path, 20*time.Second, chromedp.Navigate(b.base+path), chromedp.WaitVisible(chromedp.CSS(waitFor)))
}

func (b *browser) signIn(email string, landing string) {
	b.t.Helper()
	b.open("/login", "body.page-login")
	b.do("sign in as "+email, 20*time.Second,
		chromedp.SetValue(chromedp.CSS("#f-email"), email),
		chromedp.SetValue(chromedp.CSS("#f-password"), password),
		chromedp.Click(chromedp.CSS("#login-submit")),
		chromedp.WaitVisible(chromedp.CSS(landing)))
}

func (b *browser) signOut() {
	b.t.Helper()
	b.do("sign out", 15*time.Second,
		chromedp.Click(chromedp.CSS("form[action='/logout'] button")),
		chromedp.WaitVisible(chromedp.CSS("body.page-home")))
}

// act submits one action form on the match page and waits for the stage.
func (b *browser) act(action string, fields map[string]string, stage string) {
	b.t.Helper()
	var steps []chromedp.Action[chromedp.Void]
	for sel, val := range fields {
		steps = append(steps, chromedp.SetValue(chromedp.CSS(sel), val))
	}
	// The last action's message is still shown: remove it, so the wait
	// below sees the next page's.
	steps = append(steps, eval("document.querySelectorAll('.flash').forEach(e => e.remove()), true"),
		chromedp.Click(chromedp.CSS("#do-"+action)),
		chromedp.WaitVisible(chromedp.CSS(".flash")))
	b.do(action, 20*time.Second, steps...)
	if got, want := b.text("#match-stage"), text("zh", "stage."+stage); got != want {
		b.t.Fatalf("after %s the stage reads %q, want %q", action, got, want)
	}
}

// eval runs a JavaScript expression that returns true.
func eval(expr string) chromedp.Action[chromedp.Void] {
	return chromedp.Func(func(ctx context.Context, t *chromedp.Target) error {
		_, err := chromedp.Evaluate[bool](expr)(ctx, t)
		return err
	})
}

// text is a page text from the catalogue, as the pages show it.
func text(lang, key string, args ...any) string {
	return i18n.T(finzone.Lang(lang), i18n.Key(key), args...)
}

// TestBrowserFullFlow is the story: an enterprise registers, posts
// and submits a project; the lead institution finds it in its inbox,
// accepts, records approval and a disbursement; the enterprise sees the
// stages; the coordinator's dashboard shows the totals and its charts; the
// language switch turns the page English; a wrong value shows its message.
func TestBrowserFullFlow(t *testing.T) {
	needChromium(t)
	started := time.Now()
	p := startPlatform(t)
	b := newBrowser(t, p.url)

	// Landing page, in Chinese by default.
	b.open("/", "body.page-home")
	if got, want := b.text("h1"), text("zh", "home.h1"); got != want {
		t.Fatalf("landing h1 = %q, want the Chinese %q", got, want)
	}
	b.shot("01-landing-zh")

	// Register an enterprise; a wrong credit code first shows its message.
	b.do("open register", 15*time.Second, chromedp.Click(chromedp.CSS("#start-register")), chromedp.WaitVisible(chromedp.CSS("body.page-register")))
	good := uscc("91341221MA2U8K3L7")
	b.do("register with a wrong credit code", 20*time.Second,
		chromedp.SetValue(chromedp.CSS("#f-kind"), "enterprise"),
		chromedp.SetValue(chromedp.CSS("#f-org_name"), "临泉县绿源食品有限公司"),
		chromedp.SetValue(chromedp.CSS("#f-uscc"), "91341221MA2U8K3L70"),
		chromedp.SetValue(chromedp.CSS("#f-region_code"), "341221"),
		chromedp.SetValue(chromedp.CSS("#f-industry_code"), "C13"),
		chromedp.SetValue(chromedp.CSS("#f-size"), "small"),
		chromedp.SetValue(chromedp.CSS("#f-name"), "王经理"),
		chromedp.SetValue(chromedp.CSS("#f-email"), "wang@lvyuan.test"),
		chromedp.SetValue(chromedp.CSS("#f-password"), password),
		chromedp.Click(chromedp.CSS("#f-privacy_consent")),
		chromedp.Click(chromedp.CSS("#register-submit")),
		chromedp.WaitVisible(chromedp.CSS("#f-uscc-err")))
	if good[17] == '0' {
		t.Fatal("test data: the wrong code must differ from the right one")
	}
	if got, want := b.text("#f-uscc-err"), text("zh", "err.invalid_uscc"); got != want {
		t.Errorf("credit code message = %q, want %q", got, want)
	}
	if n := b.count("#error-summary a[href='#f-uscc']"); n != 1 {
		t.Errorf("error summary links to the credit code field %d times, want 1", n)
	}
	name, err := chromedp.Run(b.ctx, chromedp.Value(chromedp.CSS("#f-org_name")))
	if err != nil || name != "临泉县绿源食品有限公司" {
		t.Errorf("organisation name after the failed submit = %q (%v), want it kept", name, err)
	}
	b.shot("02-register-field-message")
	b.do("register", 20*time.Second,
		chromedp.SetValue(chromedp.CSS("#f-uscc"), good),
		chromedp.SetValue(chromedp.CSS("#f-password"), password),
		chromedp.Click(chromedp.CSS("#register-submit")),
		chromedp.WaitVisible(chromedp.CSS("body.page-projects .flash")))

	// Post a project and submit it.
	title := "年产5万吨果蔬深加工生产线"
	b.do("new project", 15*time.Second, chromedp.Click(chromedp.CSS("#new-project")), chromedp.WaitVisible(chromedp.CSS("#project-form")))
	b.do("fill project", 20*time.Second,
		chromedp.SetValue(chromedp.CSS("#f-title"), title),
		chromedp.SetValue(chromedp.CSS("#f-project_type"), string(finzone.TypeManufacturingLong)),
		chromedp.SetValue(chromedp.CSS("#f-amount_wan"), "3000"),
		chromedp.SetValue(chromedp.CSS("#f-term_months"), "60"),
		chromedp.SetValue(chromedp.CSS("#f-purpose"), "购置果蔬清洗、冻干和包装设备，扩建冷库；以销售回款还款。"),
		chromedp.Click(chromedp.CSS("#f-collateral-mortgage")),
		chromedp.SetValue(chromedp.CSS("#f-rate_ceiling_pct"), "4.5"),
		chromedp.SetValue(chromedp.CSS("#f-total_investment_wan"), "5200"),
		chromedp.SetValue(chromedp.CSS("#f-cluster_id"), demo.GenerateClusters(1)[0].ID),
		chromedp.Click(chromedp.CSS("#f-green")),
	)
	b.shot("03-project-form")
	b.do("save draft", 20*time.Second, chromedp.Click(chromedp.CSS("#save-project")), chromedp.WaitVisible(chromedp.CSS("#submit-project")))
	if got, want := b.text("#project-status"), text("zh", "status.draft"); got != want {
		t.Errorf("new project status = %q, want %q", got, want)
	}
	b.do("submit project", 20*time.Second, chromedp.Click(chromedp.CSS("#submit-project")), chromedp.WaitVisible(chromedp.CSS("#withdraw-project")))
	// The page reloads itself while the pipeline chooses; the lead appears.
	b.do("institutions pushed", 45*time.Second, chromedp.WaitVisible(chromedp.CSS("#matches-table")))
	if got := b.text("#matches-table tbody"); !strings.Contains(got, p.bankName) || !strings.Contains(got, text("zh", "role.lead")) {
		t.Fatalf("institutions table = %q, want %s as lead", got, p.bankName)
	}
	b.shot("04-project-submitted")

	// The language switch turns the page English, and back.
	b.do("switch to English", 15*time.Second, chromedp.Click(chromedp.CSS("#lang-switch")), chromedp.WaitVisible(chromedp.CSS("html[lang='en'] #matches-table")))
	if got := b.text("#project-status"); got != text("en", "status.submitted") && got != text("en", "status.matching") &&
		got != text("en", "status.in_progress") {
		t.Errorf("English status = %q, want the English for submitted, matching or in progress", got)
	}
	if got, want := b.text("nav a[href='/projects']"), text("en", "nav.projects"); got != want {
		t.Errorf("English nav = %q, want %q", got, want)
	}
	b.shot("05-project-english")
	b.do("switch back to Chinese", 15*time.Second, chromedp.Click(chromedp.CSS("#lang-switch")), chromedp.WaitVisible(chromedp.CSS("html[lang='zh-CN'] #matches-table")))
	b.signOut()

	// The lead institution works the match through to a disbursement.
	b.signIn("bank@e2e.test", "body.page-inbox")
	if got := b.text("#inbox-table tbody tr.unread"); !strings.Contains(got, title) {
		t.Fatalf("inbox unread row = %q, want the project %q", got, title)
	}
	b.shot("06-inbox")
	b.do("open match", 15*time.Second, chromedp.Click(chromedp.CSS("#inbox-table tbody tr.unread a")), chromedp.WaitVisible(chromedp.CSS("#form-accept")))
	b.shot("07-match-pushed")
	b.act("accept", nil, "accepted")
	b.act("record_contact", map[string]string{"#f-note_record_contact": "已赴企业现场调查，企业提供了设备清单。"}, "contacted")
	b.act("submit_credit", nil, "credit_review")
	b.act("approve", map[string]string{"#f-approved_amount_wan": "3000", "#f-approved_rate_pct": "3.85", "#f-approved_term_months": "60",
		"#f-guarantee_mode": "mortgage", "#f-repayment_method": "equal_principal"}, "approved")
	// The owner accepts (its page for that is TestBrowserLendingWorkflow's); then the bank may contract.
	b.open("/matches/"+p.acceptOnlyOffer(t, "wang@lvyuan.test"), "#form-contract")
	b.act("contract", map[string]string{"#f-note_contract": "HT-2026-0127"}, "contracted")
	b.act("disburse", map[string]string{"#f-tranche_wan": "1200"}, "disbursed")
	if got := b.text("#disbursed"); !strings.Contains(got, "1,200万元") {
		t.Errorf("disbursed = %q, want 1,200万元", got)
	}
	b.shot("08-match-disbursed")
	b.signOut()

	// The enterprise sees the stage and the timeline; with nobody left to
	// ask (the only other bank), the coordinators' flag shows as a notice.
	flagged, _, err := p.db.ListProjects(context.Background(), finzone.ProjectFilter{}, finzone.Page{Limit: 10})
	if err != nil || len(flagged) != 1 {
		t.Fatalf("projects in the store: got %d (%v), want the one posted", len(flagged), err)
	}
	if err := p.db.SetProjectAttention(context.Background(), flagged[0].ID, true); err != nil {
		t.Fatal(err)
	}
	b.signIn("wang@lvyuan.test", "body.page-projects")
	b.do("open project", 15*time.Second, chromedp.Click(chromedp.CSS("#projects-table tbody a")), chromedp.WaitVisible(chromedp.CSS("#matches-table")))
	if got, want := b.text("#attention-notice"), text("zh", "project.attention_owner"); got != want {
		t.Errorf("waitlist notice = %q, want %q", got, want)
	}
	if got, want := b.text("#matches-table tbody"), text("zh", "stage.disbursed"); !strings.Contains(got, want) {
		t.Errorf("enterprise sees %q, want the stage %q", got, want)
	}
	if n := b.count("#timeline li"); n < 7 {
		t.Errorf("timeline has %d steps, want at least 7 (push and six actions)", n)
	}
	b.shot("09-project-enterprise-view")

	// Notifications: the badge counts the unread; the list reads in English
	// after the switch; marking all read clears the badge.
	if got := b.text("#unread-badge"); got == "" || got == "0" {
		t.Errorf("unread badge = %q, want a count after the push and the stage changes", got)
	}
	b.do("open notifications", 15*time.Second, chromedp.Click(chromedp.CSS("nav a[href='/notifications']")),
		chromedp.WaitVisible(chromedp.CSS("#notifications")))
	if got, want := b.text("#notifications li"), text("zh", "notice.match_changed"); !strings.Contains(got, title) ||
		!strings.Contains(got, strings.Split(want, "{")[0]) {
		t.Errorf("newest notification = %q, want the progress notice on %q", got, title)
	}
	b.do("notifications in English", 15*time.Second, chromedp.Click(chromedp.CSS("#lang-switch")),
		chromedp.WaitVisible(chromedp.CSS("html[lang='en'] #notifications")))
	if got := b.text("#notifications"); !strings.Contains(got, "Your project was sent to financial institutions (1): "+title) {
		t.Errorf("English notifications = %q, want the push notice in English", got)
	}
	b.shot("09b-notifications-english")
	b.do("mark all read", 15*time.Second, chromedp.Click(chromedp.CSS("#mark-all-read")),
		chromedp.WaitVisible(chromedp.CSS("body.page-notifications .flash")))
	if n := b.count("#unread-badge") + b.count("#notifications li.unread"); n != 0 {
		t.Errorf("after mark all read: %d unread marks, want none", n)
	}
	b.do("back to Chinese", 15*time.Second, chromedp.Click(chromedp.CSS("#lang-switch")),
		chromedp.WaitVisible(chromedp.CSS("html[lang='zh-CN'] #notifications")))
	b.signOut()

	// The coordinator's dashboard shows the new totals and draws its charts.
	b.signIn("coordinator@e2e.test", "body.page-dashboard")
	for sel, want := range map[string]string{"#total-projects": "1", "#total-requested": "3,000万元",
		"#total-approved": "3,000万元", "#total-disbursed": "1,200万元", "#total-attention": "1"} {
		if got := b.text(sel); got != want {
			t.Errorf("dashboard %s = %q, want %q", sel, got, want)
		}
	}
	for _, chart := range []string{"#chart-funnel", "#chart-weekly", "#chart-county", "#chart-cluster", "#chart-response"} {
		if n := b.count(chart + " svg.chart rect"); n == 0 {
			t.Errorf("chart %s drew no bars", chart)
		}
	}
	if got := b.text("#attention-table tbody"); !strings.Contains(got, title) {
		t.Errorf("projects needing help = %q, want %q", got, title)
	}
	b.shot("10-dashboard")
	b.open("/pipeline", "#board")
	if got := b.text("#col-disbursed"); !strings.Contains(got, "1") {
		t.Errorf("pipeline board disbursed column = %q, want 1 match", got)
	}
	b.shot("11-pipeline")

	// Narrow screens: the dashboard at 375 px wide.
	b.do("phone width", 10*time.Second, chromedp.Func(func(ctx context.Context, _ *chromedp.Target) error {
		_, err := chromedp.Call(ctx, emulation.SetDeviceMetricsOverride, emulation.SetDeviceMetricsOverrideParams{
			Width: 375, Height: 812, DeviceScaleFactor: 1, Mobile: true})
		return err
	}))
	for _, pg := range []struct{ path, wait, shot string }{
		{"/pipeline", "#board", "13-pipeline-375px"},
		{"/search", "#search-table", "14-search-375px"},
		{"/dashboard", "#totals", "12-dashboard-375px"},
	} {
		b.open(pg.path, pg.wait)
		// Wide tables scroll inside their own box; the page itself must not.
		overflow, err := chromedp.Run(b.ctx, chromedp.Evaluate[bool]("document.documentElement.scrollWidth > window.innerWidth + 1"))
		if err != nil || overflow {
			t.Errorf("%s at 375 px scrolls sideways (%v)", pg.path, err)
		}
		b.shot(pg.shot)
	}
	b.clean("end")
	t.Logf("browser flow took %s", time.Since(started).Round(time.Millisecond))
}

// TestBrowserRolePages visits the pages of every role the full flow does not
// reach (product forms, review queues, search, webhooks, administration),
// checks a field message and a review decision, and saves screenshots.
func TestBrowserRolePages(t *testing.T) {
	needChromium(t)
	p := startPlatform(t)
	b := newBrowser(t, p.url)

	b.signIn("bank@e2e.test", "body.page-inbox")
	b.shot("20-inbox-empty")
	b.open("/products", "#products-table")
	b.shot("21-products")
	b.do("new product with missing fields", 20*time.Second,
		chromedp.Click(chromedp.CSS("#new-product")), chromedp.WaitVisible(chromedp.CSS("#product-form")),
		chromedp.SetValue(chromedp.CSS("#f-amount_min_wan"), "500"),
		chromedp.SetValue(chromedp.CSS("#f-amount_max_wan"), "100"),
		chromedp.Click(chromedp.CSS("#save-product")),
		chromedp.WaitVisible(chromedp.CSS("#error-summary")))
	if got, want := b.text("#f-product_name-err"), text("zh", "err.required"); got != want {
		t.Errorf("product name message = %q, want %q", got, want)
	}
	if n := b.count("#w-amount_min_wan .error-message, #w-amount_max_wan .error-message"); n == 0 {
		t.Errorf("a minimum above the maximum shows no message")
	}
	b.shot("22-product-form-errors")
	b.open("/webhooks", "#webhook-form")
	b.do("webhook over plain http", 15*time.Second,
		chromedp.SetValue(chromedp.CSS("#f-webhook_url"), "http://bank.example/hook"),
		chromedp.Click(chromedp.CSS("#save-webhook")),
		chromedp.WaitVisible(chromedp.CSS("#f-webhook_url-err")))
	b.do("webhook over https", 15*time.Second,
		chromedp.SetValue(chromedp.CSS("#f-webhook_url"), "https://203.0.113.7/hook"),
		chromedp.Click(chromedp.CSS("#save-webhook")),
		chromedp.WaitVisible(chromedp.CSS("body.page-webhooks .flash")))
	b.shot("23-webhooks")
	b.signOut()

	b.signIn("coordinator@e2e.test", "body.page-dashboard")
	b.open("/review/products", "#review-products-table")
	b.shot("24-review-products")
	b.do("open product in review", 15*time.Second, chromedp.Click(chromedp.CSS("#review-products-table tbody a")),
		chromedp.WaitVisible(chromedp.CSS("#review-form")))
	b.do("approve product", 15*time.Second, chromedp.Click(chromedp.CSS("#approve-product")),
		chromedp.WaitVisible(chromedp.CSS("body.page-review_products .flash")))
	if n := b.count("#review-products-table tbody tr"); n != 0 {
		t.Errorf("review queue after approving has %d rows, want 0", n)
	}
	b.open("/review/institutions", "#review-institutions-table")
	b.shot("25-review-institutions")
	b.do("verify institution", 15*time.Second, chromedp.Click(chromedp.CSS("#review-institutions-table button")),
		chromedp.WaitVisible(chromedp.CSS("body.page-review_institutions .flash")))
	b.open("/search", "#search-filter")
	b.shot("26-search")
	b.signOut()

	b.signIn("admin@e2e.test", "body.page-admin")
	if got := b.text("#health"); !strings.Contains(got, "mongodb") || !strings.Contains(got, text("zh", "health.ok")) {
		t.Errorf("admin health = %q, want mongodb ok", got)
	}
	// The queue table reads the workers' queue (the embedded Redis): the
	// scheduler's start-up reconcile has been through it.
	if got := b.text("#queues-table tbody"); !strings.Contains(got, "e2e") {
		t.Errorf("admin queues = %q, want the e2e queue", got)
	}
	if n := b.count("#queues-down"); n != 0 {
		t.Errorf("admin page says the queues cannot be read")
	}
	b.shot("27-admin")
	b.do("admin in English", 15*time.Second, chromedp.Click(chromedp.CSS("#lang-switch")),
		chromedp.WaitVisible(chromedp.CSS("html[lang='en'] #institutions-table")))
	if got, want := b.text("h1"), text("en", "admin.title"); got != want {
		t.Errorf("English admin h1 = %q, want %q", got, want)
	}
	b.shot("28-admin-english")
	b.clean("end")
}
