package faulttest_test

import (
	"context"
	"fmt"
	"testing"
	"time"
)

// TestRedisWipedMidRun submits projects to a `finzone worker`, then wipes
// its Redis (FLUSHALL on the test's own redis-server) while the work is in
// flight: queued fills, scheduled deadlines and the scheduler's locks all
// vanish. MongoDB still says what is due, so the reconciler (every 3 s here)
// must restore it all within 2 minutes: every project's 1+10, and every
// deadline's next task (reminder or expiry) back in Redis for its time.
func TestRedisWipedMidRun(t *testing.T) {
	const projects = 200
	uri, _ := startDB(t)
	redisURL, rdb := startRedis(t)
	queue := fmt.Sprintf("wipe-%d", time.Now().UnixNano())
	r := newRun(t, uri, redisURL, queue)
	r.expect(data.Projects[:projects])
	ctx := context.Background()
	for i, p := range r.projects {
		if err := r.submit(ctx, p); err != nil {
			t.Fatalf("submit %d: %v", i, err)
		}
	}
	newProc(t, "worker", workerEnv(uri, redisURL, queue, 3*time.Second), bin, "worker")
	// Wipe once some projects are pushed (their deadlines are in Redis)
	// and some still wait (their fills are in Redis).
	var left int
	deadline := time.Now().Add(2 * time.Minute)
	for {
		n, err := r.submitted(ctx)
		must(t, err)
		if n <= projects*3/4 {
			left = n
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("%d of %d projects still submitted after 2 minutes, before any fault", n, projects)
		}
		time.Sleep(200 * time.Millisecond)
	}
	keys, err := rdb.DBSize(ctx).Result()
	must(t, err)
	must(t, rdb.FlushAll(ctx).Err())
	t.Logf("FLUSHALL of %d keys with %d of %d projects not yet pushed", keys, left, projects)
	// asynq clients register a queue in asynq:queues once per process, so
	// after a wipe the Inspector (and asynqmon) no longer list the queue
	// although its tasks flow again. Register it for the check; this adds
	// no work.
	must(t, rdb.SAdd(ctx, "asynq:queues", queue).Err())
	if left == 0 {
		t.Fatal("the wipe came after the run: it proves nothing")
	}
	took := r.awaitOutcome(2*time.Minute, "recovery from the Redis wipe")
	t.Logf("the reconciler restored everything %.1fs after the wipe: %d projects, %d live matches with their deadlines",
		took.Seconds(), projects, r.wantLive)
}
