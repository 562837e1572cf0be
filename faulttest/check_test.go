package faulttest_test

import (
	"context"
	"fmt"
	"sort"
	"testing"
	"time"

	"github.com/hibiken/asynq"
	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"finzone"
	"finzone/matching"
	"finzone/mongodb"
	"finzone/workers"
)

// run is one test's system: the store, its own Redis and queue, the projects
// it submitted and what the engine says each should get.
type run struct {
	t        *testing.T
	mongoURI string
	redisURL string
	queue    string
	db       *mongodb.DB
	raw      *mongo.Client // bulk reads of the matches, one query instead of thousands
	client   *workers.Client
	insp     *asynq.Inspector
	projects []finzone.Project
	want     map[string]map[string]finzone.MatchRole // project → institution → role
	wantLive int
}

func newRun(t *testing.T, mongoURI, redisURL, queue string) *run {
	t.Helper()
	opt, err := asynq.ParseRedisURI(redisURL)
	must(t, err)
	r := &run{t: t, mongoURI: mongoURI, redisURL: redisURL, queue: queue, db: openStore(t, mongoURI)}
	r.raw, err = mongo.Connect(options.Client().ApplyURI(mongoURI).SetServerSelectionTimeout(5 * time.Second))
	must(t, err)
	r.client = workers.NewClient(opt, queue)
	r.insp = asynq.NewInspector(opt)
	t.Cleanup(func() {
		r.insp.Close()
		r.client.Close()
		_ = r.raw.Disconnect(context.Background())
	})
	return r
}

// expect fixes the projects to submit and the engine's selection for each:
// the same index the workers build, from the same store.
func (r *run) expect(projects []finzone.Project) {
	r.t.Helper()
	ctx := context.Background()
	orgs, err := r.db.VerifiedInstitutions(ctx)
	must(r.t, err)
	insts := map[string]matching.Institution{}
	for _, o := range orgs {
		insts[o.ID] = matching.InstitutionOf(o)
	}
	all, err := r.db.PublishedProducts(ctx)
	must(r.t, err)
	var products []finzone.Product // only lenders fill the 1+10
	for _, p := range all {
		if p.Category.Lends() {
			products = append(products, p)
		}
	}
	cfg := matching.DefaultConfig()
	cfg.Waitlist = -1
	idx := matching.NewIndex(cfg)
	idx.Load(products, func(id string) (matching.Institution, bool) { in, ok := insts[id]; return in, ok })
	now := time.Now()
	r.projects, r.want, r.wantLive = projects, map[string]map[string]finzone.MatchRole{}, 0
	for _, p := range projects {
		sel := idx.Select(p, now)
		w := map[string]finzone.MatchRole{}
		for _, pk := range sel.Leads {
			w[pk.InstitutionID] = finzone.RoleLead
		}
		for _, pk := range sel.Partners {
			w[pk.InstitutionID] = finzone.RolePartner
		}
		r.want[p.ID] = w
		r.wantLive += len(w)
	}
	if r.wantLive < 3*len(projects) {
		r.t.Fatalf("the engine picks only %d institutions for %d projects: too little to prove anything", r.wantLive, len(projects))
	}
}

// submit moves a draft to submitted and tells the pipeline, as the API does.
func (r *run) submit(ctx context.Context, p finzone.Project) error {
	if _, err := r.db.SetProjectStatus(ctx, p.ID, []finzone.ProjectStatus{finzone.ProjectDraft}, finzone.ProjectSubmitted, time.Now()); err != nil {
		return err
	}
	return r.client.ProjectSubmitted(ctx, p.ID)
}

// submitted counts the run's projects still waiting for their first push.
func (r *run) submitted(ctx context.Context) (int, error) {
	ps, err := r.db.ProjectsInStatus(ctx, []finzone.ProjectStatus{finzone.ProjectSubmitted})
	return len(ps), err
}

type rawMatch struct {
	ID            bson.ObjectID `bson:"_id"`
	ProjectID     string        `bson:"project_id"`
	InstitutionID string        `bson:"institution_id"`
	Role          string        `bson:"role"`
	Stage         string        `bson:"stage"`
	DueAt         time.Time     `bson:"due_at"`
	HasDue        bool          `bson:"has_due"`
	RemindedAt    time.Time     `bson:"reminded_at,omitempty"`
}

// problems lists every way the store and the queue differ from the
// outcome the issue demands; empty means done:
//   - no project still submitted;
//   - each project's live matches are exactly the engine's lead and
//     partners, with the engine's roles, each in stage pushed with a due time,
//     and there is no other match (nothing declined, expired or stray);
//   - no (project, institution) pair twice, in the matches or a ledger;
//   - every pushed institution has its notice of the push;
//   - every match's deadline is guaranteed: its next task (the reminder
//     until it is sent, which then queues the expiry; else the expiry),
//     under the ID the workers give it, waits in Redis for exactly its time.
//
// With ledgers set it also reads every project's ledger (slower).
func (r *run) problems(ctx context.Context, ledgers bool) []string {
	var out []string
	add := func(format string, args ...any) { out = append(out, fmt.Sprintf(format, args...)) }
	if n, err := r.submitted(ctx); err != nil {
		return []string{"projects: " + err.Error()}
	} else if n > 0 {
		add("%d projects still submitted", n)
	}
	cur, err := r.raw.Database(dbName).Collection("matches").Find(ctx, bson.D{},
		options.Find().SetProjection(bson.D{{Key: "project_id", Value: 1}, {Key: "institution_id", Value: 1},
			{Key: "role", Value: 1}, {Key: "stage", Value: 1}, {Key: "due_at", Value: 1}, {Key: "has_due", Value: 1}}))
	if err != nil {
		return append(out, "matches: "+err.Error())
	}
	var ms []rawMatch
	if err := cur.All(ctx, &ms); err != nil {
		return append(out, "matches: "+err.Error())
	}
	notices, err := r.noticeIDs(ctx)
	if err != nil {
		add("notifications: %v", err)
	}
	tasks, err := r.waitingTasks()
	if err != nil {
		add("tasks: %v", err)
	}
	byProject := map[string][]rawMatch{}
	pairs := map[string]int{}
	lenders := 0
	for _, m := range ms {
		pairs[m.ProjectID+"/"+m.InstitutionID]++
		if m.Role == string(finzone.RoleEnhancer) {
			continue // credit enhancers sit beside the 1+10 the engine picks
		}
		byProject[m.ProjectID] = append(byProject[m.ProjectID], m)
		lenders++
	}
	for pair, n := range pairs {
		if n > 1 {
			add("%s matched %d times", pair, n)
		}
	}
	if lenders != r.wantLive {
		add("%d lender matches in the store, want %d (the engine's 1+10 of every project)", lenders, r.wantLive)
	}
	for _, p := range r.projects {
		want := r.want[p.ID]
		got := byProject[p.ID]
		if len(got) != len(want) {
			add("project %s: %d matches, want %d", p.ID, len(got), len(want))
		}
		for _, m := range got {
			id := m.ID.Hex()
			role, ok := want[m.InstitutionID]
			switch {
			case !ok:
				add("project %s: matched to %s, which the engine did not pick", p.ID, m.InstitutionID)
			case string(role) != m.Role:
				add("project %s: %s has role %s, the engine says %s", p.ID, m.InstitutionID, m.Role, role)
			}
			// The institution's notice of the push, under the ID the workers
			// give it (who, what, which match, stage, one event).
			if notices != nil && !notices[finzone.StableID("notice", m.InstitutionID, "match_pushed", id, string(finzone.StagePushed), "1")] {
				add("match %s: the institution was never notified of the push", id)
			}
			if m.Stage != string(finzone.StagePushed) || !m.HasDue || m.DueAt.IsZero() {
				add("match %s: stage %s, due %v (has_due %v); want pushed with a deadline", id, m.Stage, m.DueAt, m.HasDue)
				continue
			}
			if tasks == nil {
				continue
			}
			// The workers' task IDs: expire|remind:<project>:<stage>:<due
			// unix>, one per deadline the project's matches share. The
			// reminder waits until it is sent (it queues the expiry when
			// it runs); then the expiry.
			suffix := fmt.Sprintf("%s:%s:%d", m.ProjectID, m.Stage, m.DueAt.Unix())
			kind, runAt := "remind", finzone.DefaultDeadlines().RemindAt(m.DueAt)
			if !m.RemindedAt.IsZero() {
				kind, runAt = "expire", m.DueAt
			}
			at, ok := tasks[kind+":"+suffix]
			switch {
			case !ok:
				add("match %s: no %s task for its deadline %s (lost deadline)", id, kind, m.DueAt.Format(time.RFC3339))
			case at.Unix() != runAt.Unix():
				add("match %s: %s task runs at %s, want %s", id, kind, at.Format(time.RFC3339), runAt.Format(time.RFC3339))
			}
		}
	}
	if ledgers {
		for _, p := range r.projects {
			led, err := r.db.Ledger(ctx, p.ID)
			if err != nil {
				add("ledger %s: %v", p.ID, err)
				continue
			}
			seen, lenders := map[string]bool{}, 0
			for _, e := range led.Entries {
				if seen[e.InstitutionID] {
					add("ledger %s: %s twice", p.ID, e.InstitutionID)
				}
				seen[e.InstitutionID] = true
				if e.Role.Lends() {
					lenders++
				}
			}
			if lenders != len(r.want[p.ID]) {
				add("ledger %s: %d lender entries, want %d", p.ID, lenders, len(r.want[p.ID]))
			}
		}
	}
	return out
}

// noticeIDs is the set of every stored notification's ID.
func (r *run) noticeIDs(ctx context.Context) (map[string]bool, error) {
	cur, err := r.raw.Database(dbName).Collection("notifications").Find(ctx, bson.D{},
		options.Find().SetProjection(bson.D{{Key: "_id", Value: 1}}))
	if err != nil {
		return nil, err
	}
	var docs []struct {
		ID bson.ObjectID `bson:"_id"`
	}
	if err := cur.All(ctx, &docs); err != nil {
		return nil, err
	}
	out := make(map[string]bool, len(docs))
	for _, d := range docs {
		out[d.ID.Hex()] = true
	}
	return out, nil
}

// waitingTasks maps the ID of every task waiting in the run's queue to when
// it will run.
func (r *run) waitingTasks() (map[string]time.Time, error) {
	out := map[string]time.Time{}
	lists := []func(string, ...asynq.ListOption) ([]*asynq.TaskInfo, error){
		r.insp.ListScheduledTasks, r.insp.ListPendingTasks, r.insp.ListRetryTasks, r.insp.ListActiveTasks,
	}
	for _, list := range lists {
		for page := 1; ; page++ {
			ts, err := list(r.queue, asynq.PageSize(2000), asynq.Page(page))
			if err != nil {
				return nil, err
			}
			for _, ti := range ts {
				at := ti.NextProcessAt
				if at.IsZero() {
					at = time.Now()
				}
				out[ti.ID] = at
			}
			if len(ts) < 2000 {
				break
			}
		}
	}
	return out, nil
}

// awaitOutcome polls until problems is empty, failing with the last list
// when within passes; it returns how long it took.
func (r *run) awaitOutcome(within time.Duration, what string) time.Duration {
	r.t.Helper()
	began := time.Now()
	deadline := began.Add(within)
	var last []string
	for {
		ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
		// The full check scans every match: only once nothing waits.
		if n, err := r.submitted(ctx); err != nil || n > 0 {
			last = []string{fmt.Sprintf("%d projects still submitted (%v)", n, err)}
		} else if last = r.problems(ctx, false); len(last) == 0 {
			last = r.problems(ctx, true)
		}
		cancel()
		if len(last) == 0 {
			return time.Since(began)
		}
		if time.Now().After(deadline) {
			break
		}
		time.Sleep(3 * time.Second)
	}
	sort.Strings(last)
	n := len(last)
	if n > 25 {
		last = append(last[:25], fmt.Sprintf("... and %d more", n-25))
	}
	r.t.Fatalf("%s: not reached within %s; %d problems:\n%s", what, within, n, joinLines(last))
	return 0
}

func joinLines(ss []string) string {
	out := ""
	for _, s := range ss {
		out += "  " + s + "\n"
	}
	return out
}
