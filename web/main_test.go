package web_test

// The pages' HTTP suite. Every test drives the pages mounted on the shared
// app (server.New, web.Mount) through real HTTP requests (Fiber's app.Test),
// over the use cases on a fresh database of the shared store server
// (finzonetest). Fixtures are made through the use cases, as a user would
// make them, or written to the store where the background workers would
// have written them (ledgers, matches, syndicates, notifications).

import (
	"context"
	"net/http"
	"os"
	"testing"

	"github.com/gofiber/fiber/v2"
	"github.com/redis/go-redis/v9"

	"finzone"
	"finzone/finzonetest"
	"finzone/server"
	"finzone/usecase"
	"finzone/web"
)

func TestMain(m *testing.M) { os.Exit(finzonetest.Main(m)) }

// store is the store the tests share with the use cases, and what they
// write in the workers' place.
type store interface {
	usecase.Store
	SaveLedger(ctx context.Context, l *finzone.Ledger, prev int) error
	InsertMatches(ctx context.Context, ms []finzone.Match) error
	AddNotifications(ctx context.Context, ns []finzone.Notification) error
	SetProjectAttention(ctx context.Context, id string, on bool) error
}

// env is one test's app and what it runs on.
type env struct {
	t   *testing.T
	db  store
	uc  *usecase.Service
	app *fiber.App
}

// newEnv builds the app on a fresh database.
func newEnv(t *testing.T) *env {
	t.Helper()
	return newEnvOn(t, finzonetest.NewStore(t), usecase.Config{})
}

// newEnvOn builds the app on db with the use cases configured by cfg; its
// readiness checks ping the machine's Redis, as cmd/finzone's do.
func newEnvOn(t *testing.T, db store, cfg usecase.Config) *env {
	t.Helper()
	opt, err := redis.ParseURL(finzonetest.RedisURL(15))
	if err != nil {
		t.Fatal(err)
	}
	rc := redis.NewClient(opt)
	t.Cleanup(func() { _ = rc.Close() })
	cfg.Checks = map[string]func(context.Context) error{"redis": func(ctx context.Context) error { return rc.Ping(ctx).Err() }}
	cfg.Log = finzonetest.Logger(t)
	uc := usecase.New(db, cfg)
	app := server.New(cfg.Log)
	if err := web.Mount(app, uc); err != nil {
		t.Fatalf("mount the pages: %v", err)
	}
	return &env{t: t, db: db, uc: uc, app: app}
}

// resp is one HTTP answer, read in full.
type resp = finzonetest.Response

func (e *env) send(hr *http.Request) resp {
	e.t.Helper()
	return finzonetest.Send(e.t, e.app, hr)
}

// Accounts.

type account struct {
	Token  string
	UserID string
	OrgID  string
	Email  string
	// Actor is who the account acts as, for calling the use cases.
	Actor finzone.Actor
}

var ctx = context.Background()

// register signs up an organization of kind in region and its admin.
func (e *env) register(kind finzone.OrgKind, region string) account {
	e.t.Helper()
	org := finzone.Organization{Kind: kind, Name: "测试" + string(kind) + region, USCC: finzonetest.USCC(), RegionCode: region}
	if kind == finzone.KindEnterprise {
		org.IndustryCode, org.Size = "C13", finzone.SizeSmall
	}
	email := finzonetest.Email(string(kind))
	s, err := e.uc.Register(ctx, finzone.Actor{}, finzone.Signup{Org: org, Email: email, Name: "张三", Password: finzonetest.Password,
		PrivacyConsent: finzone.PrivacyVersion})
	if err != nil {
		e.t.Fatalf("register %s: %v", kind, err)
	}
	return e.signedIn(s.Token, email)
}

func (e *env) enterprise(region string) account  { return e.register(finzone.KindEnterprise, region) }
func (e *env) institution(region string) account { return e.register(finzone.KindBank, region) }

// coordinator makes a coordinator of regions (no page creates them) and
// signs them in.
func (e *env) coordinator(regions ...string) account {
	e.t.Helper()
	email := finzonetest.Coordinator(e.t, e.uc, regions...)
	s, err := e.uc.SignIn(ctx, finzone.Actor{}, usecase.SignInInput{Email: email, Password: finzonetest.Password})
	if err != nil {
		e.t.Fatalf("coordinator sign-in: %v", err)
	}
	return e.signedIn(s.Token, email)
}

func (e *env) signedIn(token, email string) account {
	e.t.Helper()
	a, err := e.uc.Authenticate(ctx, token)
	if err != nil {
		e.t.Fatalf("authenticate %s: %v", email, err)
	}
	return account{Token: token, UserID: a.User.ID, OrgID: a.Org.ID, Email: email, Actor: a}
}

// Projects.

// projectInput is a complete project in the enterprise's own region.
func projectInput(title string) usecase.ProjectInput {
	typ, amount, term, rate := finzone.ProjectType("manufacturing_medium_long"), int64(5_000_000), 36, 450
	purpose, collateral := "购置自动化生产线", []finzone.Collateral{"mortgage"}
	return usecase.ProjectInput{Title: &title, Type: &typ, AmountYuan: &amount, TermMonths: &term, Purpose: &purpose,
		Collateral: &collateral, RateCeilingBps: &rate}
}

func (e *env) createProject(owner account, title string) finzone.Project {
	e.t.Helper()
	p, err := e.uc.CreateProject(ctx, owner.Actor, projectInput(title))
	if err != nil {
		e.t.Fatalf("create project: %v", err)
	}
	return p
}

func (e *env) submitProject(owner account, p finzone.Project) finzone.Project {
	e.t.Helper()
	p, err := e.uc.SubmitProject(ctx, owner.Actor, p.ID)
	if err != nil {
		e.t.Fatalf("submit project: %v", err)
	}
	return p
}
