package main

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"time"

	"github.com/hibiken/asynq"

	"finzone/embedded"
	"finzone/workers"
)

// runInfo is what the table's header tells about the run.
type runInfo struct {
	scale               int
	seed, ready, settle time.Duration
	seeded              bool
	bareBytes           int
}

// platform is the all-in-one finzone process under test.
type platform struct {
	cmd       *exec.Cmd
	base      string // http://127.0.0.1:port
	redisAddr string
	dataDir   string
	logPath   string
	startAt   time.Time
	store     *rawStore // opened by settle
	exited    chan error
	client    *http.Client
}

// prepare builds finzone, seeds, starts the platform and waits until its
// pipeline has settled, timing each step into r.
func prepare(ctx context.Context, o options, work string, r *runInfo) (*platform, error) {
	bin := o.finzone
	if bin == "" {
		bin = filepath.Join(work, "finzone")
		fmt.Fprintln(o.log, "building finzone")
		if out, err := exec.CommandContext(ctx, "go", "build", "-o", bin, "finzone/cmd/finzone").CombinedOutput(); err != nil {
			return nil, fmt.Errorf("go build finzone/cmd/finzone: %w\n%s", err, out)
		}
	}
	data := o.dataDir
	if data == "" {
		data = filepath.Join(work, "data")
		fmt.Fprintf(o.log, "finzone seed -scale %d\n", o.scale)
		t := time.Now()
		seed := exec.CommandContext(ctx, bin, "seed", "-scale", fmt.Sprint(o.scale), "-data-dir", data,
			"-embedded-mongo-addr", "127.0.0.1:0", "-log-level", "warn")
		if out, err := seed.CombinedOutput(); err != nil {
			return nil, fmt.Errorf("finzone seed: %w\n%s", err, out)
		}
		r.seed, r.seeded = time.Since(t), true
	}
	p, err := startPlatform(ctx, bin, data, filepath.Join(work, "platform.log"), o.timeout)
	if err != nil {
		return nil, err
	}
	t := time.Now()
	if err := p.waitReady(ctx, 2*time.Minute); err != nil {
		p.stop()
		return nil, err
	}
	r.ready = time.Since(p.startAt)
	fmt.Fprintf(o.log, "ready %s after start; waiting for the pipeline to settle\n", r.ready.Round(time.Millisecond))
	if err := p.settle(ctx, o); err != nil {
		p.stop()
		return nil, err
	}
	r.settle = time.Since(t)
	return p, nil
}

// startPlatform runs `finzone` (all-in-one) on data, on free ports, with
// the live demo off so nothing but the benchmark acts on the data.
func startPlatform(ctx context.Context, bin, data, logPath string, timeout time.Duration) (*platform, error) {
	httpAddr, err := freeAddr()
	if err != nil {
		return nil, err
	}
	redisAddr, err := freeAddr()
	if err != nil {
		return nil, err
	}
	logf, err := os.Create(logPath)
	if err != nil {
		return nil, err
	}
	cmd := exec.Command(bin, "-data-dir", data, "-addr", httpAddr, "-embedded-mongo-addr", "127.0.0.1:0",
		"-embedded-redis-addr", redisAddr, "-live-demo=false", "-log-level", "warn")
	cmd.Stdout, cmd.Stderr = logf, logf
	startAt := time.Now()
	if err := cmd.Start(); err != nil {
		logf.Close()
		return nil, err
	}
	p := &platform{cmd: cmd, base: "http://" + httpAddr, redisAddr: redisAddr, dataDir: data, logPath: logPath,
		startAt: startAt, exited: make(chan error, 1), client: newClient(timeout)}
	go func() { p.exited <- cmd.Wait(); logf.Close() }()
	return p, nil
}

// waitReady polls /readyz until it answers 200.
func (p *platform) waitReady(ctx context.Context, limit time.Duration) error {
	deadline := time.Now().Add(limit)
	for time.Now().Before(deadline) {
		if err := p.alive(); err != nil {
			return err
		}
		resp, err := p.client.Get(p.base + "/readyz")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return nil
			}
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(50 * time.Millisecond):
		}
	}
	return fmt.Errorf("/readyz did not answer 200 within %s (log: %s)", limit, p.logPath)
}

// alive reports an error if the platform has exited.
func (p *platform) alive() error {
	select {
	case err := <-p.exited:
		p.exited <- err
		return fmt.Errorf("the platform exited (%v); log: %s", err, p.logPath)
	default:
		return nil
	}
}

// stop ends the platform with SIGTERM, then SIGKILL after 15 s.
func (p *platform) stop() {
	if p.store != nil {
		p.store.close()
	}
	if p.alive() != nil {
		return
	}
	_ = p.cmd.Process.Signal(os.Interrupt)
	select {
	case <-p.exited:
	case <-time.After(15 * time.Second):
		_ = p.cmd.Process.Kill()
		<-p.exited
	}
}

// settle waits, as scripts/pipelinecheck does, until the queue has nothing
// pending, retrying or running but the reconciler and no project is
// submitted, twice in a row. It counts submitted projects in the store
// (rawStore), only when the queue looks idle: through the API the same
// scan outlasts the five seconds a request's store operation gets.
func (p *platform) settle(ctx context.Context, o options) error {
	creds, err := embedded.ReadCredentials(filepath.Join(p.dataDir, embedded.CredentialsFile))
	if err != nil {
		return err
	}
	insp := asynq.NewInspector(asynq.RedisClientOpt{Addr: p.redisAddr, Password: creds.RedisPassword})
	defer insp.Close()
	if p.store, err = openRaw(p.dataDir); err != nil {
		return err
	}
	deadline := time.Now().Add(o.settleTimeout)
	for quiet := 0; quiet < 2; {
		if time.Now().After(deadline) {
			return fmt.Errorf("the pipeline did not settle within %s", o.settleTimeout)
		}
		busy, err := queueBusy(insp)
		if err != nil {
			return err
		}
		submitted := int64(-1)
		if busy == 0 {
			if submitted, err = p.store.submitted(ctx); err != nil {
				return err
			}
		}
		if quiet++; submitted != 0 {
			quiet = 0
		}
		fmt.Fprintf(o.log, "  %s queue: %d tasks pending, running or retrying; submitted projects: %s\n",
			time.Now().Format("15:04:05"), busy, map[bool]string{true: "not counted", false: fmt.Sprint(submitted)}[submitted < 0])
		if err := p.alive(); err != nil {
			return err
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(o.settlePoll):
		}
	}
	return nil
}

// queueBusy counts the pipeline's pending, retrying and running tasks,
// leaving out running reconciles (at scale one nearly always runs).
func queueBusy(insp *asynq.Inspector) (int, error) {
	q, err := insp.GetQueueInfo(workers.QueueDefault)
	if errors.Is(err, asynq.ErrQueueNotFound) {
		return 0, nil
	}
	if err != nil {
		return 0, err
	}
	active, err := insp.ListActiveTasks(workers.QueueDefault, asynq.PageSize(1000))
	if err != nil && !errors.Is(err, asynq.ErrQueueNotFound) {
		return 0, err
	}
	n := q.Pending + q.Retry
	for _, t := range active {
		if t.Type != workers.TypeReconcile {
			n++
		}
	}
	return n, nil
}

// freeAddr is a loopback address with a port free a moment ago.
func freeAddr() (string, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", err
	}
	defer ln.Close()
	return ln.Addr().String(), nil
}
