package faulttest_test

import (
	"context"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"sort"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/hibiken/asynq"

	"finzone"
	"finzone/workers"
)

// recoveryBound is how soon after a SIGKILL the killed worker's projects
// must be pushed: asynq's 30 s lease, the workers' orphan check and the push.
const recoveryBound = 40 * time.Second

// TestWorkerKilledMidRun runs 500 projects through two `finzone worker`
// processes while a chaos goroutine SIGKILLs a random one at random moments
// (at least three times, while work is in flight) and starts it again. At
// the end every project has exactly the engine's 1+10 live, no institution
// twice, and every deadline has its next task (reminder or expiry) waiting
// in Redis for its time. Every project whose fill a kill orphaned is pushed
// within recoveryBound of that kill: the workers re-queue a task as soon as
// its lease lapses, rather than waiting for asynq's recoverer. Once asynq
// has recovered every orphan, nothing counts as failed or was archived.
func TestWorkerKilledMidRun(t *testing.T) {
	const projects = 500
	uri, _ := startDB(t)
	redisURL, _ := startRedis(t)
	queue := fmt.Sprintf("crash-%d", time.Now().UnixNano())
	r := newRun(t, uri, redisURL, queue)
	r.expect(data.Projects[:projects])
	ctx := context.Background()
	// Everything is submitted first (the API's part), so the kills land
	// among the workers' part of the run.
	for i, p := range r.projects {
		if err := r.submit(ctx, p); err != nil {
			t.Fatalf("submit %d: %v", i, err)
		}
	}
	env := workerEnv(uri, redisURL, queue, 10*time.Second)
	ws := []*proc{newProc(t, "worker-a", env, bin, "worker"), newProc(t, "worker-b", env, bin, "worker")}
	began := time.Now()
	fl := newFlight(r)
	stopWatch := make(chan struct{})
	var watched sync.WaitGroup
	watched.Add(1)
	go func() { defer watched.Done(); fl.watch(stopWatch) }()
	var once sync.Once
	stopWatching := func() { once.Do(func() { close(stopWatch); watched.Wait() }) }
	defer stopWatching()

	stop := make(chan struct{})
	var wg sync.WaitGroup
	var kills, midRun int
	var lastKill time.Time
	wg.Add(1)
	go func() {
		defer wg.Done()
		rng := rand.New(rand.NewPCG(uint64(time.Now().UnixNano()), 4))
		for kills < 8 {
			select {
			case <-stop:
				return
			case <-time.After(time.Duration(1500+rng.IntN(2500)) * time.Millisecond):
			}
			left, err := r.submitted(ctx)
			if err == nil && left == 0 && kills >= 3 {
				return
			}
			w := ws[rng.IntN(len(ws))]
			pid := w.pid()
			w.kill(syscall.SIGKILL)
			lastKill = time.Now()
			took := fl.killed(pid, lastKill)
			kills++
			if left > 0 {
				midRun++
			}
			t.Logf("%5.1fs: SIGKILL %s (%d projects not yet pushed; it held up to %d fills)", time.Since(began).Seconds(), w.name, left, took)
			time.Sleep(time.Duration(200+rng.IntN(1300)) * time.Millisecond)
			w.start()
		}
	}()

	wg.Wait()
	close(stop)
	if kills < 3 || midRun < 3 {
		t.Fatalf("%d kills, %d while projects were still waiting; want at least 3 kills during the run", kills, midRun)
	}
	took := r.awaitOutcome(3*time.Minute, "every project's 1+10 with its deadlines after the kills")
	t.Logf("%d kills (%d mid-run); %d projects, %d live matches, all deadlines scheduled %.1fs after the last kill (%.1fs in all)",
		kills, midRun, projects, r.wantLive, took.Seconds(), time.Since(began).Seconds())
	stopWatching()
	fl.checkRecovery(t)
	// asynq takes the orphans about a minute after the last kill. Wait for
	// that after the package's other tests rather than idle: a parallel
	// test resumes once the sequential ones are done, and this test's
	// processes only poll meanwhile.
	t.Parallel()
	r.awaitNoFailures(lastKill)
}

// flight follows the run's fill tasks: which kill took each down, which
// asynq showed orphaned (its lease lapsed: its worker was dead), and when
// the projects of the fills kills took down left submitted.
type flight struct {
	r        *run
	mu       sync.Mutex
	project  map[string]string    // fill task ID → its project
	seen     map[string]time.Time // fill task ID → the first kill it was active at, while it stays active
	killedAt map[string]time.Time // fill task ID → the last kill that held it
	orphaned map[string]bool      // fill task IDs asynq listed as orphaned
	pushed   map[string]time.Time // project → first seen out of submitted
	problems []string
}

func newFlight(r *run) *flight {
	return &flight{r: r, project: map[string]string{}, seen: map[string]time.Time{}, killedAt: map[string]time.Time{},
		orphaned: map[string]bool{}, pushed: map[string]time.Time{}}
}

// killed notes which fills the worker with pid held when it was killed at
// at, and returns how many. Its last heartbeat (at most 5 s old, and still
// in Redis for a few seconds) lists most of them. A fill no server lists,
// and not active at an earlier kill, started after the last heartbeats, so
// it is counted too: if it was the other worker's, it is never orphaned and
// never checked.
func (f *flight) killed(pid int, at time.Time) int {
	servers, err := f.r.insp.Servers()
	if err != nil {
		f.problem("servers after the kill: %v", err)
		return 0
	}
	active, err := f.r.fills(false)
	if err != nil {
		f.problem("active tasks after the kill: %v", err)
		return 0
	}
	holder := map[string]int{}
	for _, s := range servers {
		for _, w := range s.ActiveWorkers {
			if w.Queue == f.r.queue {
				holder[w.TaskID] = s.PID
			}
		}
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	n := 0
	for id, project := range active {
		f.project[id] = project
		h, listed := holder[id]
		_, seen := f.seen[id]
		if h == pid || (!listed && !seen) {
			f.killedAt[id] = at
			n++
		}
		if !seen {
			f.seen[id] = at
		}
	}
	return n
}

// watch polls, every half second until stop, the active fills for orphans
// and the projects of the fills kills took down for their status.
func (f *flight) watch(stop <-chan struct{}) {
	ctx := context.Background()
	t := time.NewTicker(500 * time.Millisecond)
	defer t.Stop()
	for {
		select {
		case <-stop:
			return
		case <-t.C:
		}
		began := time.Now()
		active, err := f.r.fills(false)
		if err != nil {
			f.problem("active tasks: %v", err)
			continue
		}
		orphans, err := f.r.fills(true)
		if err != nil {
			f.problem("orphaned tasks: %v", err)
			continue
		}
		f.mu.Lock()
		for id, project := range orphans {
			f.orphaned[id] = true
			f.project[id] = project
		}
		// A fill no longer active is done; a task under its ID later (the
		// reconciler's) is another.
		for id, at := range f.seen {
			if _, ok := active[id]; !ok && at.Before(began) {
				delete(f.seen, id)
			}
		}
		var waiting []string
		for id := range f.killedAt {
			if p := f.project[id]; f.pushed[p].IsZero() {
				waiting = append(waiting, p)
			}
		}
		f.mu.Unlock()
		// Read by _id: a scan of every project twice a second would slow
		// the run it measures.
		for _, id := range waiting {
			p, err := f.r.db.Project(ctx, id)
			if err != nil {
				f.problem("project %s: %v", id, err)
				continue
			}
			if p.Status != finzone.ProjectSubmitted {
				f.mu.Lock()
				if f.pushed[id].IsZero() {
					f.pushed[id] = time.Now()
				}
				f.mu.Unlock()
			}
		}
	}
}

func (f *flight) problem(format string, args ...any) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if len(f.problems) < 20 {
		f.problems = append(f.problems, fmt.Sprintf(format, args...))
	}
}

// checkRecovery fails unless every project a kill orphaned a fill of was
// pushed within recoveryBound of the last kill that did, and every orphaned
// fill was one a kill took down.
func (f *flight) checkRecovery(t *testing.T) {
	t.Helper()
	f.mu.Lock()
	defer f.mu.Unlock()
	for _, p := range f.problems {
		t.Error(p)
	}
	due := map[string]time.Time{} // project → its last orphaning kill
	for id := range f.orphaned {
		at, ok := f.killedAt[id]
		if !ok {
			t.Errorf("fill %s was orphaned but no kill held it: a live worker lost its lease", id)
			continue
		}
		if p := f.project[id]; at.After(due[p]) {
			due[p] = at
		}
	}
	if len(due) == 0 {
		t.Fatal("no kill orphaned a fill: the kills prove nothing about recovery")
	}
	var waits []time.Duration
	for p, at := range due {
		pushed, ok := f.pushed[p]
		if !ok {
			t.Errorf("project %s: orphaned at a kill and never seen pushed", p)
			continue
		}
		wait := pushed.Sub(at)
		waits = append(waits, wait)
		if wait > recoveryBound {
			t.Errorf("project %s: pushed %.1fs after the kill that orphaned its fill, want at most %s", p, wait.Seconds(), recoveryBound)
		}
	}
	sort.Slice(waits, func(i, j int) bool { return waits[i] < waits[j] })
	if len(waits) > 0 {
		t.Logf("%d projects orphaned by kills: pushed %.1fs (median) and %.1fs (max) after their kill, bound %s",
			len(waits), waits[len(waits)/2].Seconds(), waits[len(waits)-1].Seconds(), recoveryBound)
	}
}

// fills maps the ID of every active fill task (or only the orphaned ones:
// their lease lapsed) to its project.
func (r *run) fills(orphanedOnly bool) (map[string]string, error) {
	ts, err := r.active()
	if err != nil {
		return nil, err
	}
	out := map[string]string{}
	for _, ti := range ts {
		if ti.Type != workers.TypeFill || (orphanedOnly && !ti.IsOrphaned) {
			continue
		}
		var p struct {
			ProjectID string `json:"project_id"`
		}
		if err := json.Unmarshal(ti.Payload, &p); err != nil {
			return nil, fmt.Errorf("fill %s: %w", ti.ID, err)
		}
		out[ti.ID] = p.ProjectID
	}
	return out, nil
}

// active lists the queue's active tasks.
func (r *run) active() ([]*asynq.TaskInfo, error) {
	var out []*asynq.TaskInfo
	for page := 1; ; page++ {
		ts, err := r.insp.ListActiveTasks(r.queue, asynq.PageSize(500), asynq.Page(page))
		if err != nil {
			return nil, err
		}
		out = append(out, ts...)
		if len(ts) < 500 {
			return out, nil
		}
	}
}

// awaitNoFailures waits until asynq's recoverer has taken every orphan
// (30 s past its lease, on its once-a-minute pass: about a minute after
// the last kill) and the queue has nothing to retry, then fails if any
// task counted as failed or was archived: a killed worker's task is not a
// failure.
func (r *run) awaitNoFailures(lastKill time.Time) {
	r.t.Helper()
	deadline := lastKill.Add(150 * time.Second)
	for {
		ts, err := r.active()
		must(r.t, err)
		orphans := 0
		for _, ti := range ts {
			if ti.IsOrphaned {
				orphans++
			}
		}
		info, err := r.insp.GetQueueInfo(r.queue)
		must(r.t, err)
		if orphans == 0 && info.Retry == 0 && info.Pending == 0 {
			if info.FailedTotal > 0 || info.Archived > 0 {
				archived, _ := r.insp.ListArchivedTasks(r.queue, asynq.PageSize(20))
				var which []string
				for _, ti := range archived {
					which = append(which, fmt.Sprintf("%s %s: %s", ti.Type, ti.ID, ti.LastErr))
				}
				r.t.Errorf("%d task attempts counted as failed and %d archived; want none (a killed worker's task is not a failure); archived:\n%s",
					info.FailedTotal, info.Archived, joinLines(which))
			}
			r.t.Logf("asynq recovered every orphan %.1fs after the last kill: %d tasks processed, %d failed, %d archived",
				time.Since(lastKill).Seconds(), info.ProcessedTotal, info.FailedTotal, info.Archived)
			return
		}
		if time.Now().After(deadline) {
			r.t.Fatalf("%.0fs after the last kill: %d orphaned tasks still active, %d to retry, %d pending",
				time.Since(lastKill).Seconds(), orphans, info.Retry, info.Pending)
		}
		time.Sleep(time.Second)
	}
}
