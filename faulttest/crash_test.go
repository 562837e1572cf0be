package faulttest_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"sync"
	"syscall"
	"testing"
	"time"
)

// TestWorkerKilledMidRun runs 500 projects through two `finzone worker`
// processes while a chaos goroutine SIGKILLs a random one at random moments
// (at least three times, while work is in flight) and starts it again. At
// the end every project has exactly the engine's 1+10 live, no institution
// twice, and every deadline has its next task (reminder or expiry) waiting
// in Redis for its time. A killed worker's in-flight tasks come back when asynq's lease
// lapses (30 s, then the recoverer's minute) or sooner through the
// reconciler, which runs every 10 s here.
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
	stop := make(chan struct{})
	var wg sync.WaitGroup
	var kills, midRun int
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
			w.kill(syscall.SIGKILL)
			kills++
			if left > 0 {
				midRun++
			}
			t.Logf("%5.1fs: SIGKILL %s (%d projects not yet pushed)", time.Since(began).Seconds(), w.name, left)
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
}
