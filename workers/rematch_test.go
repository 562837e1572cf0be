package workers_test

import (
	"context"
	"fmt"
	"log/slog"
	"sync"
	"testing"
	"time"

	"github.com/hibiken/asynq"

	"finzone"
	"finzone/finzonetest"
	"finzone/workers"
)

// idle waits until the queue has no task running, waiting or retrying
// (deadlines scheduled days ahead aside).
func (e *env) idle(t *testing.T) {
	t.Helper()
	insp := asynq.NewInspector(redisOpt)
	defer insp.Close()
	eventually(t, 15*time.Second, "an idle queue", func() (bool, string) {
		q, err := insp.GetQueueInfo(e.queue)
		must(t, err)
		return q.Active+q.Pending+q.Retry == 0, fmt.Sprintf("%d active, %d pending, %d retrying", q.Active, q.Pending, q.Retry)
	})
}

// answer moves a pushed match to declined or expired, as the API or the
// expiry task would, and tells the pipeline.
func (e *env) answer(t *testing.T, m finzone.Match, to finzone.Stage) {
	t.Helper()
	ctx := context.Background()
	ch := finzone.MatchChange{To: to, Event: finzone.Event{At: time.Now(), Actor: "system", Action: "expire", From: m.Stage, To: to}}
	if to == finzone.StageDeclined {
		ch.DeclineReason, ch.DeclineNote = "credit_risk", "test"
		ch.Event.Actor, ch.Event.Action = "u", "decline"
	}
	_, err := e.db.MoveMatch(ctx, m.ID, m.Stage, ch)
	must(t, err)
	must(t, e.client.MatchChanged(ctx, m.ID))
}

// rematchLog counts, across worker processes, the rematches that ran, by
// catalogue version.
type rematchLog struct {
	slog.Handler
	mu   *sync.Mutex
	runs map[int64]int
}

// Enabled lets every record reach Handle, which counts the rematches and
// passes on what the wrapped handler wants.
func (h rematchLog) Enabled(context.Context, slog.Level) bool { return true }

func (h rematchLog) Handle(ctx context.Context, r slog.Record) error {
	if r.Message == "rematched exhausted projects" {
		r.Attrs(func(a slog.Attr) bool {
			if a.Key == "catalogue_version" {
				h.mu.Lock()
				h.runs[a.Value.Int64()]++
				h.mu.Unlock()
			}
			return true
		})
	}
	if !h.Handler.Enabled(ctx, r.Level) {
		return nil
	}
	return h.Handler.Handle(ctx, r)
}

func (h rematchLog) count(after int64) (runs, versions int) {
	h.mu.Lock()
	defer h.mu.Unlock()
	for v, n := range h.runs {
		if v > after {
			runs, versions = runs+n, versions+1
		}
	}
	return runs, versions
}

// TestExhaustedProjectIsRematchedWhenAnotherProcessPublishes: a project
// whose only two lenders declined and let their push expire is exhausted.
// Another store client (seed, a second process) then writes a new lender
// and new products of the two old ones, telling no worker. Within 10 s the
// new lender is pushed, the two are not asked again, and of the two worker
// processes on the queue exactly one runs the rematch.
func TestExhaustedProjectIsRematchedWhenAnotherProcessPublishes(t *testing.T) {
	ctx := context.Background()
	logs := rematchLog{Handler: finzonetest.Logger(t).Handler(), mu: &sync.Mutex{}, runs: map[int64]int{}}
	cfg := workers.Config{Log: slog.New(logs)}
	e := newBareEnv(t, cfg)
	cfg.Redis, cfg.Store, cfg.Queue = redisOpt, e.db, e.queue
	second := workers.New(cfg)
	must(t, second.Start())
	t.Cleanup(second.Shutdown)

	p := e.project(t, finzone.ProjectDraft)
	a := institution(t, e.db, finzone.KindBank, p, finzone.CategoryLoan)
	b := institution(t, e.db, finzone.KindBank, p, finzone.CategoryLoan)
	e.caughtUp(t, second)
	e.submit(t, p)
	var ms []finzone.Match
	eventually(t, 15*time.Second, "the push to both banks", func() (bool, string) {
		_, ms = e.projectMatches(t, p.ID)
		return len(ms) == 2, fmt.Sprintf("%d matches", len(ms))
	})
	for _, m := range ms {
		to := finzone.StageDeclined
		if m.InstitutionID == b.ID {
			to = finzone.StageExpired
		}
		e.answer(t, m, to)
	}
	eventually(t, 15*time.Second, "the project exhausted", func() (bool, string) {
		got, err := e.db.Project(ctx, p.ID)
		must(t, err)
		led, _ := e.projectMatches(t, p.ID)
		return got.NeedsAttention && led.Exhausted, fmt.Sprintf("attention %v, ledger exhausted %v", got.NeedsAttention, led.Exhausted)
	})
	e.idle(t) // no fill left running or retrying: only a rematch can push again
	before, err := e.db.CatalogueVersion(ctx)
	must(t, err)

	other := finzonetest.OpenStore(t, mongoURI, e.db.Name(), false)
	c := institution(t, other, finzone.KindBank, p, finzone.CategoryLoan)
	for _, old := range []finzone.Organization{a, b} {
		pd := productFor(old.ID, finzone.CategoryLoan, p)
		must(t, other.CreateProduct(ctx, &pd))
	}
	published := time.Now()
	eventually(t, 10*time.Second, "the new lender pushed", func() (bool, string) {
		led, _ := e.projectMatches(t, p.ID)
		return len(led.Entries) == 3, fmt.Sprintf("%d ledger entries", len(led.Entries))
	})
	t.Logf("re-matched %s after the publish", time.Since(published).Round(time.Millisecond))

	led, ms := e.projectMatches(t, p.ID)
	seen := map[string]int{}
	for _, en := range led.Entries {
		seen[en.InstitutionID]++
	}
	if seen[a.ID] != 1 || seen[b.ID] != 1 || seen[c.ID] != 1 {
		t.Errorf("ledger entries per institution: %v; want one each of %s (declined), %s (expired), %s (new)", seen, a.ID, b.ID, c.ID)
	}
	for _, m := range ms {
		want := map[string]finzone.Stage{a.ID: finzone.StageDeclined, b.ID: finzone.StageExpired, c.ID: finzone.StagePushed}[m.InstitutionID]
		if m.Stage != want {
			t.Errorf("match of %s is %s, want %s", m.InstitutionID, m.Stage, want)
		}
		if m.InstitutionID == c.ID && m.Role != finzone.RoleLead {
			t.Errorf("the new lender is %s, want lead", m.Role)
		}
	}
	for _, old := range []string{a.ID, b.ID} {
		ns, _, err := e.db.ListNotifications(ctx, old, false, finzone.Page{Limit: 100})
		must(t, err)
		pushed := 0
		for _, n := range ns {
			if n.Kind == finzone.NoticeMatchPushed {
				pushed++
			}
		}
		if pushed != 1 {
			t.Errorf("institution %s was told of %d pushes, want 1", old, pushed)
		}
	}
	// Each process queued the rematch of every version it loaded; the task
	// ID let one of them run it, for the last version only.
	eventually(t, 5*time.Second, "the rematch logged", func() (bool, string) {
		runs, _ := logs.count(before)
		return runs > 0, "no rematch ran"
	})
	if runs, versions := logs.count(before); runs != 1 || versions != 1 {
		t.Errorf("%d rematches ran over %d catalogue versions after the publish, want 1 over 1", runs, versions)
	}
}

// TestReconcilerFillsAProjectLeftWithAnEmptyLedger: a project left in
// matching with an empty, exhausted ledger (as a worker with a stale
// catalogue left the seeded projects) and no fill task queued is filled by
// the reconciler once the catalogue has a lender for it, with no catalogue
// change to set off a rematch.
func TestReconcilerFillsAProjectLeftWithAnEmptyLedger(t *testing.T) {
	ctx := context.Background()
	e := newBareEnv(t, workers.Config{ReconcileEvery: 2 * time.Second})
	p := e.project(t, finzone.ProjectDraft) // only to shape the product
	bank := institution(t, e.db, finzone.KindBank, p, finzone.CategoryLoan)
	v := e.caughtUp(t)
	// Let the rematch of this catalogue version run first, so that only
	// the reconciler can find the project.
	insp := asynq.NewInspector(redisOpt)
	defer insp.Close()
	eventually(t, 10*time.Second, "the catalogue's rematch done", func() (bool, string) {
		info, err := insp.GetTaskInfo(e.queue, fmt.Sprintf("rematch:%d", v))
		if err != nil {
			return false, err.Error()
		}
		return info.State == asynq.TaskStateCompleted, info.State.String()
	})

	stuck := e.project(t, finzone.ProjectMatching)
	led := finzone.Ledger{ProjectID: stuck.ID, Exhausted: true}
	must(t, e.db.SaveLedger(ctx, &led, 0))
	eventually(t, 15*time.Second, "the stuck project filled", func() (bool, string) {
		led, ms := e.projectMatches(t, stuck.ID)
		return len(led.Entries) == 1 && len(ms) == 1, fmt.Sprintf("%d ledger entries, %d matches", len(led.Entries), len(ms))
	})
	_, ms := e.projectMatches(t, stuck.ID)
	if ms[0].InstitutionID != bank.ID || ms[0].Role != finzone.RoleLead || ms[0].Stage != finzone.StagePushed {
		t.Errorf("match %+v; want the bank %s pushed as lead", ms[0], bank.ID)
	}
}

// TestReconcilerRestoresTheScreeningClock: a need waiting in screening
// whose clock task Redis lost is escalated all the same.
func TestReconcilerRestoresTheScreeningClock(t *testing.T) {
	ctx := context.Background()
	e := newBareEnv(t, workers.Config{ReconcileEvery: time.Second})
	p := e.project(t, finzone.ProjectDraft)
	p.Status, p.ScreenReason, p.ScreenDueAt = finzone.ProjectScreening, finzone.ScreenRegion, time.Now().Add(-time.Minute)
	p.ID = ""
	must(t, e.db.CreateProject(ctx, &p)) // as if its task were lost: none was queued
	eventually(t, 15*time.Second, "the screening escalated", func() (bool, string) {
		got, err := e.db.Project(ctx, p.ID)
		must(t, err)
		return !got.ScreenEscalatedAt.IsZero() && got.Status == finzone.ProjectScreening, fmt.Sprintf("%s escalated %v", got.Status, got.ScreenEscalatedAt)
	})
}
