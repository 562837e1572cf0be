package workers_test

import (
	"context"
	"errors"
	"fmt"
	"os"
	"testing"
	"time"

	"github.com/hibiken/asynq"

	"finzone"
	"finzone/workers"
)

// inspectRedis is DB 11 of the local Redis, apart from the pipeline tests'.
var inspectRedis = asynq.RedisClientOpt{Addr: "127.0.0.1:6379", DB: 11}

// TestInspectorCountsQueueSizes puts tasks in every state on a queue of its
// own in the real Redis and wants the inspector to count each.
func TestInspectorCountsQueueSizes(t *testing.T) {
	ctx := context.Background()
	queue := fmt.Sprintf("inspect-%d-%d", os.Getpid(), time.Now().UnixNano())
	admin := asynq.NewInspector(inspectRedis)
	t.Cleanup(func() {
		_ = admin.DeleteQueue(queue, true)
		_ = admin.Close()
	})
	in := workers.NewInspector(inspectRedis, queue)
	t.Cleanup(func() { _ = in.Close() })

	got, err := in.Stats(ctx)
	if err != nil {
		t.Fatalf("stats of a queue never used: %v", err)
	}
	if want := (finzone.QueueStat{Queue: queue}); got != want {
		t.Fatalf("stats of a queue never used: got %+v, want %+v", got, want)
	}

	client := asynq.NewClient(inspectRedis)
	t.Cleanup(func() { _ = client.Close() })
	enqueue := func(typ string, opts ...asynq.Option) {
		t.Helper()
		if _, err := client.Enqueue(asynq.NewTask(typ, nil), append([]asynq.Option{asynq.Queue(queue)}, opts...)...); err != nil {
			t.Fatalf("enqueue %s: %v", typ, err)
		}
	}
	// A server works three tasks: one succeeds, one fails for good
	// (archived), one fails and waits an hour to retry.
	enqueue("inspect:ok")
	enqueue("inspect:fatal", asynq.MaxRetry(0))
	enqueue("inspect:flaky", asynq.MaxRetry(5))
	mux := asynq.NewServeMux()
	mux.HandleFunc("inspect:ok", func(context.Context, *asynq.Task) error { return nil })
	mux.HandleFunc("inspect:fatal", func(context.Context, *asynq.Task) error { return fmt.Errorf("bad payload: %w", asynq.SkipRetry) })
	mux.HandleFunc("inspect:flaky", func(context.Context, *asynq.Task) error { return errors.New("bank endpoint down") })
	srv := asynq.NewServer(inspectRedis, asynq.Config{Queues: map[string]int{queue: 1}, Concurrency: 1,
		LogLevel: asynq.FatalLevel, RetryDelayFunc: func(int, error, *asynq.Task) time.Duration { return time.Hour }})
	if err := srv.Start(mux); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(20 * time.Second)
	for {
		got, err = in.Stats(ctx)
		if err == nil && got.ProcessedToday == 3 && got.Active == 0 {
			break
		}
		if time.Now().After(deadline) {
			srv.Shutdown()
			t.Fatalf("after the server ran: got %+v (%v), want 3 processed and none active", got, err)
		}
		time.Sleep(100 * time.Millisecond)
	}
	srv.Shutdown()

	// With no server: two waiting, one for later.
	enqueue("inspect:ok")
	enqueue("inspect:ok")
	enqueue("inspect:ok", asynq.ProcessIn(time.Hour))
	got, err = in.Stats(ctx)
	if err != nil {
		t.Fatal(err)
	}
	want := finzone.QueueStat{Queue: queue, Pending: 2, Scheduled: 1, Retry: 1, Archived: 1, ProcessedToday: 3, FailedToday: 2}
	if got != want {
		t.Errorf("stats: got %+v, want %+v", got, want)
	}
}

// TestInspectorReportsRedisDown wants an error, within the caller's
// deadline, when nothing answers at the Redis address.
func TestInspectorReportsRedisDown(t *testing.T) {
	in := workers.NewInspector(asynq.RedisClientOpt{Addr: "127.0.0.1:1", DialTimeout: 200 * time.Millisecond}, "inspect-down")
	t.Cleanup(func() { _ = in.Close() })
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	start := time.Now()
	if _, err := in.Stats(ctx); err == nil {
		t.Fatal("stats with Redis down: got no error")
	}
	if d := time.Since(start); d > 3*time.Second {
		t.Errorf("stats with Redis down took %s, want at most the 2s deadline", d)
	}
}
