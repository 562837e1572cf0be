package faulttest_test

import (
	"context"
	"fmt"
	"path/filepath"
	"runtime/debug"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/hibiken/asynq"

	"finzone"
	"finzone/embedded"
	"finzone/workers"
)

// asynqTrivialRate is the last BenchmarkAsynqTrivial result, tasks/s, for
// the ratio BenchmarkPipeline reports when both run in one invocation
// (AsynqTrivial is declared first, so it runs first).
var asynqTrivialRate atomic.Uint64

// BenchmarkAsynqTrivial measures raw asynq throughput on the same kind of
// redis-server: b.N no-op tasks enqueued from four goroutines, then
// processed by one server with concurrency 10. tasks/s is b.N over both
// phases; they run one after the other so that the server never idles
// waiting for its next poll, which would measure the poll interval rather
// than asynq.
func BenchmarkAsynqTrivial(b *testing.B) {
	redisURL, _ := startRedis(b)
	opt, err := asynq.ParseRedisURI(redisURL)
	must(b, err)
	queue := fmt.Sprintf("trivial-%d", time.Now().UnixNano())
	var done atomic.Int64
	all := make(chan struct{})
	n := int64(b.N)
	srv := asynq.NewServer(opt, asynq.Config{Concurrency: 10, Queues: map[string]int{queue: 1}, LogLevel: asynq.ErrorLevel,
		TaskCheckInterval: workers.TaskCheckInterval})
	mux := asynq.NewServeMux()
	mux.HandleFunc("noop", func(context.Context, *asynq.Task) error {
		if done.Add(1) == n {
			close(all)
		}
		return nil
	})
	client := asynq.NewClient(opt)
	b.Cleanup(func() { client.Close() })

	b.ResetTimer()
	began := time.Now()
	var wg sync.WaitGroup
	per := (b.N + 3) / 4
	for g := range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := g * per; i < min((g+1)*per, b.N); i++ {
				if _, err := client.Enqueue(asynq.NewTask("noop", nil), asynq.Queue(queue)); err != nil {
					b.Error(err)
					return
				}
			}
		}()
	}
	wg.Wait()
	enqueued := time.Since(began)
	b.StopTimer()
	must(b, srv.Start(mux))
	b.Cleanup(srv.Shutdown)
	b.StartTimer()
	processing := time.Now()
	<-all
	processed := time.Since(processing)
	b.StopTimer()
	rate := float64(b.N) / (enqueued + processed).Seconds()
	asynqTrivialRate.Store(uint64(rate))
	b.ReportMetric(rate, "tasks/s")
	b.ReportMetric(float64(b.N)/enqueued.Seconds(), "enqueued/s")
	b.ReportMetric(float64(b.N)/processed.Seconds(), "processed/s")
	b.ReportMetric(0, "ns/op")
}

// BenchmarkPipeline measures projects per second from submit (what the API
// does: the status change in the store and the enqueue) to the 1+10
// persisted (ledger, matches, notifications, deadlines scheduled, status
// matching), with a real redis-server, the embedded FerretDB and one worker
// set (concurrency 10) in this process. One op is one project; run it with
// -benchtime Nx, N ≤ the template's projects.
func BenchmarkPipeline(b *testing.B) {
	if b.N > len(data.Projects) {
		b.Fatalf("b.N %d > %d seeded projects: use -benchtime %dx or less", b.N, len(data.Projects), len(data.Projects))
	}
	dir := filepath.Join(b.TempDir(), "db")
	copyTemplate(b, dir)
	// This process embeds FerretDB as `finzone` does by default, with the
	// same garbage collector setting.
	prev := debug.SetGCPercent(100)
	debug.SetGCPercent(prev)
	b.Cleanup(func() { debug.SetGCPercent(prev) })
	embedded.TuneGC()
	srv, err := embedded.StartMongo(dir, "127.0.0.1:0")
	must(b, err)
	b.Cleanup(srv.Close)
	db := openStore(b, srv.URI)
	redisURL, _ := startRedis(b)
	opt, err := asynq.ParseRedisURI(redisURL)
	must(b, err)
	queue := fmt.Sprintf("bench-%d", time.Now().UnixNano())
	w := workers.New(workers.Config{Redis: opt, Store: db, Queue: queue, Log: quietLog(), Concurrency: 10})
	must(b, w.Start())
	b.Cleanup(w.Shutdown)
	client := workers.NewClient(opt, queue)
	b.Cleanup(func() { client.Close() })
	insp := asynq.NewInspector(opt)
	b.Cleanup(func() { insp.Close() })
	ctx := context.Background()
	// Let the workers load their catalogue and run the start-up reconcile
	// before the clock starts.
	time.Sleep(3 * time.Second)
	projects := data.Projects[:b.N]

	b.ResetTimer()
	cpuBefore := processCPU(b)
	began := time.Now()
	jobs := make(chan finzone.Project)
	var wg sync.WaitGroup
	for range 4 { // a few API requests at a time
		wg.Add(1)
		go func() {
			defer wg.Done()
			for p := range jobs {
				if _, err := db.SetProjectStatus(ctx, p.ID, []finzone.ProjectStatus{finzone.ProjectDraft}, finzone.ProjectSubmitted, time.Now()); err != nil {
					b.Error(err)
					continue
				}
				if err := client.ProjectSubmitted(ctx, p.ID); err != nil {
					b.Error(err)
				}
			}
		}()
	}
	for _, p := range projects {
		jobs <- p
	}
	close(jobs)
	wg.Wait()
	// Done when no fill is waiting, running or retrying; the deadlines'
	// tasks sit in the scheduled set and do not count.
	for {
		qi, err := insp.GetQueueInfo(queue)
		if err == nil && qi.Pending == 0 && qi.Active == 0 && qi.Retry == 0 {
			break
		}
		time.Sleep(10 * time.Millisecond)
	}
	elapsed := time.Since(began)
	b.StopTimer()
	cpu := processCPU(b) - cpuBefore
	left, err := db.ProjectsInStatus(ctx, []finzone.ProjectStatus{finzone.ProjectSubmitted})
	must(b, err)
	if len(left) > 0 {
		b.Fatalf("%d projects still submitted when the queue drained", len(left))
	}
	rate := float64(b.N) / elapsed.Seconds()
	b.ReportMetric(rate, "projects/s")
	// CPU of this process (store, workers, submitters; not redis-server)
	// per project, and as cores busy: whether the machine or waiting is
	// the limit.
	b.ReportMetric(float64(cpu.Microseconds())/1000/float64(b.N), "cpu-ms/project")
	b.ReportMetric(cpu.Seconds()/elapsed.Seconds(), "cores")
	b.ReportMetric(0, "ns/op")
	if t := asynqTrivialRate.Load(); t > 0 {
		b.ReportMetric(float64(t)/rate, "trivial-tasks/project")
	}
}

// processCPU is the user and system CPU this process has used so far.
func processCPU(b *testing.B) time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		b.Fatal(err)
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
