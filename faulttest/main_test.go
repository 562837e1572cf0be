// Package faulttest_test proves the 1+10 pipeline survives the faults issue 4
// names: worker processes killed with SIGKILL, Redis wiped, the store down
// for 20 s. Everything runs as real OS processes on loopback: the finzone
// binary built once by TestMain (`finzone db` for FerretDB, `finzone worker`
// for the workers) and a redis-server of the suite's own on a free port, so
// nothing here touches the machine's shared Redis. The tests are heavy and
// run one after another.
package faulttest_test

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"finzone"
	"finzone/demo"
	"finzone/embedded"
	"finzone/mongodb"
)

var (
	// bin is the finzone binary under test.
	bin string
	// template is a FerretDB data directory holding the seeded demo
	// catalogue and its projects as drafts; each test copies it, which is
	// far quicker than inserting thousands of documents one by one.
	template string
	// data is what template holds.
	data demo.Dataset
)

// dbName is the database the seeded template holds and the workers use.
const dbName = "finzone"

// seedProjects is how many draft projects the template holds.
const seedProjects = 500

func TestMain(m *testing.M) { os.Exit(testMain(m)) }

func testMain(m *testing.M) int {
	if _, err := exec.LookPath("redis-server"); err != nil {
		fmt.Fprintln(os.Stderr, "faulttest: redis-server is not installed (apt-get install -y redis-server, or bash .ci/run)")
		return 1
	}
	tmp, err := os.MkdirTemp("", "finzone-faulttest-")
	if err != nil {
		fmt.Fprintln(os.Stderr, "faulttest:", err)
		return 1
	}
	defer os.RemoveAll(tmp)
	bin = filepath.Join(tmp, "finzone")
	build := exec.Command("go", "build", "-o", bin, "./cmd/finzone")
	build.Dir = ".." // the module root
	build.Stdout, build.Stderr = os.Stderr, os.Stderr
	if err := build.Run(); err != nil {
		fmt.Fprintln(os.Stderr, "faulttest: build finzone:", err)
		return 1
	}
	template = filepath.Join(tmp, "template")
	began := time.Now()
	if err := seedTemplate(template); err != nil {
		fmt.Fprintln(os.Stderr, "faulttest: seed:", err)
		return 1
	}
	fmt.Fprintf(os.Stderr, "faulttest: built finzone and seeded %d orgs, %d products, %d projects in %s\n",
		len(data.Enterprises)+len(data.Institutions), len(data.Products), len(data.Projects), time.Since(began).Round(time.Millisecond))
	return m.Run()
}

// seedTemplate loads the demo catalogue (broad enough for full 1+10s) and the
// projects as drafts through the store, then stops the server so its files
// are complete on disk.
func seedTemplate(dir string) error {
	sc := demo.DefaultScale().Times(4)
	sc.Projects = seedProjects
	data = demo.Generate(7, sc)
	// Workers run on the real clock (asynq schedules by it), so move the
	// catalogue's validity to today.
	data.Shift(demo.SinceEpoch(time.Now()))
	srv, err := embedded.StartMongo(dir, "127.0.0.1:0")
	if err != nil {
		return err
	}
	defer srv.Close()
	ctx := context.Background()
	db, err := mongodb.Open(ctx, srv.URI, dbName)
	if err != nil {
		return err
	}
	defer db.Close(ctx)
	for _, c := range data.Clusters {
		if err := db.UpsertCluster(ctx, c); err != nil {
			return err
		}
	}
	for _, list := range [][]finzone.Organization{data.Enterprises, data.Institutions} {
		for i := range list {
			if err := db.CreateOrg(ctx, &list[i]); err != nil {
				return err
			}
		}
	}
	for i := range data.Products {
		if err := db.CreateProduct(ctx, &data.Products[i]); err != nil {
			return err
		}
	}
	for i := range data.Projects {
		data.Projects[i].Status = finzone.ProjectDraft
		if err := db.CreateProject(ctx, &data.Projects[i]); err != nil {
			return err
		}
	}
	return nil
}

// copyTemplate gives a test its own copy of the seeded data directory.
func copyTemplate(t testing.TB, dst string) {
	t.Helper()
	if err := os.MkdirAll(dst, 0o700); err != nil {
		t.Fatal(err)
	}
	ents, err := os.ReadDir(template)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range ents {
		if e.IsDir() {
			continue
		}
		in, err := os.Open(filepath.Join(template, e.Name()))
		if err != nil {
			t.Fatal(err)
		}
		out, err := os.Create(filepath.Join(dst, e.Name()))
		if err != nil {
			t.Fatal(err)
		}
		_, err = io.Copy(out, in)
		in.Close()
		if cerr := out.Close(); err == nil {
			err = cerr
		}
		if err != nil {
			t.Fatal(err)
		}
	}
}

// freePort asks the kernel for a free loopback port.
func freePort(t testing.TB) int {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}

// proc is a child OS process in a process group of its own, so a kill
// reaches everything it started. It can be killed and started again.
type proc struct {
	t    testing.TB
	name string
	path string
	args []string
	env  []string
	log  string

	mu   sync.Mutex
	cmd  *exec.Cmd
	done chan struct{}
}

// newProc starts a process and makes sure it is dead when the test ends.
func newProc(t testing.TB, name string, env []string, path string, args ...string) *proc {
	t.Helper()
	p := &proc{t: t, name: name, path: path, args: args, env: env, log: filepath.Join(t.TempDir(), name+".log")}
	p.start()
	t.Cleanup(func() {
		p.kill(syscall.SIGKILL)
		if t.Failed() {
			tailLog(t, p)
		}
	})
	return p
}

func (p *proc) start() {
	p.t.Helper()
	p.mu.Lock()
	defer p.mu.Unlock()
	f, err := os.OpenFile(p.log, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o600)
	if err != nil {
		p.t.Fatal(err)
	}
	fmt.Fprintf(f, "==== %s start %s\n", p.name, time.Now().Format(time.RFC3339Nano))
	cmd := exec.Command(p.path, p.args...)
	cmd.Env = append(os.Environ(), p.env...)
	cmd.Stdout, cmd.Stderr = f, f
	// Its own process group, and dead if this test process dies.
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGKILL}
	if err := cmd.Start(); err != nil {
		f.Close()
		p.t.Fatalf("start %s: %v", p.name, err)
	}
	done := make(chan struct{})
	go func() {
		_ = cmd.Wait()
		f.Close()
		close(done)
	}()
	p.cmd, p.done = cmd, done
}

// pid is the running process's ID, 0 when it is not running.
func (p *proc) pid() int {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.cmd == nil {
		return 0
	}
	return p.cmd.Process.Pid
}

// kill signals the process group and waits for the process to exit.
func (p *proc) kill(sig syscall.Signal) {
	p.mu.Lock()
	cmd, done := p.cmd, p.done
	p.cmd = nil
	p.mu.Unlock()
	if cmd == nil {
		return
	}
	_ = syscall.Kill(-cmd.Process.Pid, sig)
	select {
	case <-done:
	case <-time.After(15 * time.Second):
		_ = syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
		<-done
	}
}

func tailLog(t testing.TB, p *proc) {
	b, err := os.ReadFile(p.log)
	if err != nil {
		return
	}
	if len(b) > 6000 {
		b = b[len(b)-6000:]
	}
	t.Logf("last of %s's log:\n%s", p.name, b)
}

// waitTCP waits until something accepts connections on addr.
func waitTCP(t testing.TB, addr string, within time.Duration) {
	t.Helper()
	deadline := time.Now().Add(within)
	for {
		c, err := net.DialTimeout("tcp", addr, 200*time.Millisecond)
		if err == nil {
			c.Close()
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("nothing listens on %s after %s: %v", addr, within, err)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// startRedis runs a redis-server of the test's own: no persistence, on a
// free loopback port. Only this server is ever wiped.
func startRedis(t testing.TB) (url string, client *redis.Client) {
	t.Helper()
	port := freePort(t)
	newProc(t, "redis", nil, "redis-server", "--port", strconv.Itoa(port), "--bind", "127.0.0.1",
		"--save", "", "--appendonly", "no", "--maxmemory-policy", "noeviction")
	addr := fmt.Sprintf("127.0.0.1:%d", port)
	waitTCP(t, addr, 10*time.Second)
	client = redis.NewClient(&redis.Options{Addr: addr})
	t.Cleanup(func() { client.Close() })
	return "redis://" + addr + "/0", client
}

// startDB runs `finzone db` on a copy of the seeded template. The URI
// carries the credentials `finzone db` made in the data directory, which is
// how api and worker processes on another data directory reach it.
func startDB(t testing.TB) (uri string, p *proc) {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "data")
	copyTemplate(t, filepath.Join(dir, "db"))
	addr := fmt.Sprintf("127.0.0.1:%d", freePort(t))
	p = newProc(t, "db", nil, bin, "db", "-data-dir", dir, "-embedded-mongo-addr", addr, "-log-level", "warn")
	waitTCP(t, addr, 20*time.Second)
	creds, err := embedded.ReadCredentials(filepath.Join(dir, embedded.CredentialsFile))
	if err != nil {
		t.Fatal(err)
	}
	return creds.MongoURI(addr, ""), p
}

// workerEnv is the environment of a `finzone worker` process.
func workerEnv(mongoURI, redisURL, queue string, reconcile time.Duration) []string {
	return []string{
		"FINZONE_MONGO_URI=" + mongoURI,
		"FINZONE_REDIS_URL=" + redisURL,
		"FINZONE_DB=" + dbName,
		"FINZONE_QUEUE=" + queue,
		"FINZONE_RECONCILE_EVERY=" + reconcile.String(),
		"FINZONE_DAY_LENGTH=0",
		"FINZONE_LOG_LEVEL=warn",
		"FINZONE_DEMO=false",
	}
}

func openStore(t testing.TB, uri string) *mongodb.DB {
	t.Helper()
	ctx := context.Background()
	db, err := mongodb.Open(ctx, uri, dbName)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = db.Close(context.Background()) })
	return db
}

func quietLog() *slog.Logger {
	return slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelError}))
}

func must(t testing.TB, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

// hostOf is the host:port of a mongodb:// URI.
func hostOf(t testing.TB, uri string) string {
	t.Helper()
	u, err := url.Parse(uri)
	if err != nil {
		t.Fatal("bad store URI")
	}
	return u.Host
}
