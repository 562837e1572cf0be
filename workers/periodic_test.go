package workers_test

import (
	"context"
	"strconv"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"finzone/demo"
	"finzone/metrics"
	"finzone/workers"
)

// periodicRuns is how many runs of task m's process completed for their
// period.
func periodicRuns(t *testing.T, m *metrics.Metrics, task string) int {
	t.Helper()
	return periodicCount(t, m, "finzone_periodic_runs_total", task)
}

// periodicCount reads the counter metric of task in m's process.
func periodicCount(t *testing.T, m *metrics.Metrics, metric, task string) int {
	t.Helper()
	fams, err := m.Registry().Gather()
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range fams {
		if f.GetName() != metric {
			continue
		}
		for _, s := range f.GetMetric() {
			for _, l := range s.GetLabel() {
				if l.GetName() == "task" && l.GetValue() == task {
					return int(s.GetCounter().GetValue())
				}
			}
		}
	}
	return 0
}

// waitReconcile waits until the reconcile's counter metric in m's process
// reaches want.
func waitReconcile(t *testing.T, m *metrics.Metrics, metric string, want int) {
	t.Helper()
	eventually(t, 15*time.Second, metric, func() (bool, string) {
		got := periodicCount(t, m, metric, "reconcile")
		return got == want, metric + " " + strconv.Itoa(got)
	})
}

// untilMid sleeps until the middle of the period after the current one.
func untilMid(every time.Duration) time.Time {
	at := time.Now().Truncate(every).Add(every + every/2)
	time.Sleep(time.Until(at))
	return at
}

// TestPeriodicTasksRunOncePerPeriodAcrossProcesses: two worker processes
// (two Workers on one Redis queue and one store) each offer the reconcile
// at every period's start; the cluster runs it once per period, not once
// per process.
//
// Runs are read in the middle of a period, half a period after its start's
// run was queued (a run on this small store takes milliseconds), so the
// window from t0 to t1 holds exactly the runs of the n period starts in it.
// The tolerance of one covers a run delayed past half a period on a loaded
// machine, which moves one run across t0 or t1; a run per process would
// give 2n.
func TestPeriodicTasksRunOncePerPeriodAcrossProcesses(t *testing.T) {
	const every, n = 2 * time.Second, 5
	m1, m2 := metrics.New(metrics.Config{}), metrics.New(metrics.Config{})
	e := newEnv(t, demo.Scale{Clusters: 12, Enterprises: 4, Institutions: 3, Products: 3, Projects: 2},
		workers.Config{ReconcileEvery: every, Observer: m1})
	w2 := workers.New(workers.Config{Redis: redisOpt, Store: e.db, Queue: e.queue, ReconcileEvery: every, Observer: m2})
	must(t, w2.Start())
	defer w2.Shutdown()

	runs := func() int { return periodicRuns(t, m1, "reconcile") + periodicRuns(t, m2, "reconcile") }
	t0 := untilMid(every)
	before := runs()
	time.Sleep(time.Until(t0.Add(n * every)))
	got := runs() - before
	if got < n-1 || got > n+1 {
		t.Errorf("%d periods, two processes: %d reconciler runs (process 1: %d, process 2: %d), want %d ± 1",
			n, got, periodicRuns(t, m1, "reconcile"), periodicRuns(t, m2, "reconcile"), n)
	}
}

// TestLateOfferInSamePeriodRefused: an offer of a period's task after that
// period's run has completed (a process whose timer or clock is late) is
// refused silently, while the next period's offer runs.
func TestLateOfferInSamePeriodRefused(t *testing.T) {
	m := metrics.New(metrics.Config{})
	// An hour's period: no timer fires during the test; the test offers.
	e := newEnv(t, demo.Scale{Clusters: 12, Enterprises: 4, Institutions: 3, Products: 3, Projects: 2},
		workers.Config{ReconcileEvery: time.Hour, Observer: m})
	ctx := context.Background()
	start := time.Now().Truncate(time.Hour)
	waitRuns := func(want int) { waitReconcile(t, m, "finzone_periodic_runs_total", want) }
	// The start-up reconcile is this period's run, so this offer is late.
	must(t, workers.OfferPeriod(ctx, e.w, "reconcile", start))
	waitRuns(1)
	must(t, workers.OfferPeriod(ctx, e.w, "reconcile", start))
	// Ten times the interval at which an idle worker looks for tasks.
	time.Sleep(10 * workers.TaskCheckInterval)
	if got := periodicRuns(t, m, "reconcile"); got != 1 {
		t.Fatalf("a late offer of a period already run: %d runs, want 1", got)
	}
	must(t, workers.OfferPeriod(ctx, e.w, "reconcile", start.Add(time.Hour)))
	waitRuns(2)
}

// TestReconcilePassesDoNotOverlap: a period's reconcile that finds the
// lease of a pass still in progress (here taken as another process's pass
// takes it) is left to that pass and counted as skipped, not run; once the
// lease is free the next period runs, and its run leaves the lease free.
func TestReconcilePassesDoNotOverlap(t *testing.T) {
	m := metrics.New(metrics.Config{})
	e := newEnv(t, demo.Scale{Clusters: 12, Enterprises: 4, Institutions: 3, Products: 3, Projects: 2},
		workers.Config{ReconcileEvery: time.Hour, Observer: m})
	ctx := context.Background()
	start := time.Now().Truncate(time.Hour)
	count := func(metric string, want int) { waitReconcile(t, m, metric, want) }
	count("finzone_periodic_runs_total", 1) // the start-up reconcile: this period's
	rdb := redisOpt.MakeRedisClient().(redis.UniversalClient)
	defer rdb.Close()
	key := workers.LeaseKey(e.queue, "reconcile")
	if n := rdb.Exists(ctx, key).Val(); n != 0 {
		t.Fatalf("the lease is held after the start-up pass ended")
	}
	must(t, rdb.Set(ctx, key, "another process's pass", time.Minute).Err())
	must(t, workers.OfferPeriod(ctx, e.w, "reconcile", start.Add(time.Hour)))
	count("finzone_periodic_skipped_total", 1)
	if got := periodicRuns(t, m, "reconcile"); got != 1 {
		t.Fatalf("a period ran beside the pass holding the lease: %d runs, want 1", got)
	}
	if v := rdb.Get(ctx, key).Val(); v != "another process's pass" {
		t.Fatalf("the skipped period touched the holder's lease: %q", v)
	}
	must(t, rdb.Del(ctx, key).Err())
	must(t, workers.OfferPeriod(ctx, e.w, "reconcile", start.Add(2*time.Hour)))
	count("finzone_periodic_runs_total", 2)
	if n := rdb.Exists(ctx, key).Val(); n != 0 {
		t.Fatalf("the lease is held after the pass ended")
	}
}
