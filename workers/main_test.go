package workers_test

import (
	"context"
	"fmt"
	"os"
	"sync/atomic"
	"testing"
	"time"

	"github.com/hibiken/asynq"

	"finzone"
	"finzone/demo"
	"finzone/embedded"
	"finzone/matching"
	"finzone/mongodb"
	"finzone/workers"
)

var (
	mongoURI string
	redisOpt asynq.RedisConnOpt
	seq      atomic.Int64
)

// TestMain starts an embedded FerretDB (or uses FINZONE_TEST_MONGO_URI) and
// uses the real Redis at FINZONE_TEST_REDIS_URL (default DB 13 of the local
// server). Every test has its own database and asynq queue.
func TestMain(m *testing.M) {
	mongoURI = os.Getenv("FINZONE_TEST_MONGO_URI")
	var srv *embedded.Mongo
	dir, _ := os.MkdirTemp("", "finzone-workers-test-")
	if mongoURI == "" {
		var err error
		if srv, err = embedded.StartMongo(dir, "127.0.0.1:0"); err != nil {
			panic(err)
		}
		mongoURI = srv.URI
	}
	url := os.Getenv("FINZONE_TEST_REDIS_URL")
	if url == "" {
		url = "redis://127.0.0.1:6379/13"
	}
	opt, err := asynq.ParseRedisURI(url)
	if err != nil {
		panic(err)
	}
	redisOpt = opt
	code := m.Run()
	if srv != nil {
		srv.Close()
	}
	os.RemoveAll(dir)
	os.Exit(code)
}

type env struct {
	db     *mongodb.DB
	client *workers.Client
	w      *workers.Workers
	data   demo.Dataset
	queue  string
}

// newEnv loads a demo catalogue (published products, verified institutions)
// and the projects as drafts into a fresh database, and starts workers.
func newEnv(t *testing.T, scale demo.Scale, cfg workers.Config) *env {
	t.Helper()
	ctx := context.Background()
	n := seq.Add(1)
	db, err := mongodb.Open(ctx, mongoURI, fmt.Sprintf("finzone_workers_%d_%d", os.Getpid(), n))
	if err != nil {
		t.Fatal(err)
	}
	e := &env{db: db, data: demo.Generate(7, scale), queue: fmt.Sprintf("test-%d-%d", os.Getpid(), n)}
	// Workers run on the real clock (asynq schedules by it), so move the
	// demo catalogue's validity to today.
	e.data.Shift(demo.SinceEpoch(time.Now()))
	for _, c := range e.data.Clusters {
		must(t, db.UpsertCluster(ctx, c))
	}
	for _, list := range [][]finzone.Organization{e.data.Enterprises, e.data.Institutions} {
		for i := range list {
			must(t, db.CreateOrg(ctx, &list[i]))
		}
	}
	for i := range e.data.Products {
		must(t, db.CreateProduct(ctx, &e.data.Products[i]))
	}
	for i := range e.data.Projects {
		e.data.Projects[i].Status = finzone.ProjectDraft
		must(t, db.CreateProject(ctx, &e.data.Projects[i]))
	}
	cfg.Redis, cfg.Store, cfg.Queue = redisOpt, db, e.queue
	e.w = workers.New(cfg)
	must(t, e.w.Start())
	e.client = workers.NewClient(redisOpt, e.queue)
	t.Cleanup(func() {
		e.w.Shutdown()
		e.client.Close()
		// Rematch tasks are retained for an hour: take the queue away.
		insp := asynq.NewInspector(redisOpt)
		_ = insp.DeleteQueue(e.queue, true)
		_ = insp.Close()
		_ = db.DropAndClose(context.Background())
	})
	return e
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

// submit moves a draft to submitted and tells the pipeline, as the API does.
func (e *env) submit(t *testing.T, p finzone.Project) {
	t.Helper()
	ctx := context.Background()
	_, err := e.db.SetProjectStatus(ctx, p.ID, []finzone.ProjectStatus{finzone.ProjectDraft}, finzone.ProjectSubmitted, time.Now())
	must(t, err)
	must(t, e.client.ProjectSubmitted(ctx, p.ID))
}

// engine builds the same lenders' index the workers fill the 1+10 from,
// for expected selections.
func (e *env) engine(t *testing.T) *matching.Index {
	t.Helper()
	ctx := context.Background()
	orgs, err := e.db.VerifiedInstitutions(ctx)
	must(t, err)
	insts := map[string]matching.Institution{}
	for _, o := range orgs {
		insts[o.ID] = matching.InstitutionOf(o)
	}
	all, err := e.db.PublishedProducts(ctx)
	must(t, err)
	var products []finzone.Product
	for _, p := range all {
		if p.Category.Lends() {
			products = append(products, p)
		}
	}
	cfg := matching.DefaultConfig()
	cfg.Waitlist = -1
	idx := matching.NewIndex(cfg)
	idx.Load(products, func(id string) (matching.Institution, bool) { in, ok := insts[id]; return in, ok })
	return idx
}

// projectMatches returns a project's matches through its ledger.
func (e *env) projectMatches(t *testing.T, projectID string) (finzone.Ledger, []finzone.Match) {
	t.Helper()
	ctx := context.Background()
	led, err := e.db.Ledger(ctx, projectID)
	must(t, err)
	var ids []string
	for _, en := range led.Entries {
		ids = append(ids, finzone.MatchID(projectID, en.InstitutionID))
	}
	ms, err := e.db.MatchesByID(ctx, ids)
	must(t, err)
	return led, ms
}

// eventually polls cond until it holds or the deadline passes.
func eventually(t *testing.T, within time.Duration, what string, cond func() (bool, string)) {
	t.Helper()
	deadline := time.Now().Add(within)
	last := ""
	for time.Now().Before(deadline) {
		ok, msg := cond()
		if ok {
			return
		}
		last = msg
		time.Sleep(250 * time.Millisecond)
	}
	t.Fatalf("%s not reached within %s: %s", what, within, last)
}
