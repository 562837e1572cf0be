// Command loadbench is the platform's load benchmark. It builds finzone,
// seeds a fresh data directory with `finzone seed --scale N`, starts the
// all-in-one platform on it (embedded FerretDB and Redis, live demo off),
// waits until the pipeline has pushed every submitted project, then drives
// each list, page and match action of the demo accounts with 1 and with 32
// concurrent clients over HTTP, beside a bare Fiber app in this process that
// serves the enterprise's project list as a fixed JSON body of the same
// bytes. It prints a Markdown table: requests per second, p50, p99 and the
// ratio of requests per second to bare Fiber's at the same concurrency.
//
//	go run ./cmd/loadbench                       # scale 20, 8 s per run: 10–17 min on 2 busy cores
//	go run ./cmd/loadbench -scale 1 -duration 1s # a quick look
//
// docs/benchmarks.md records a run and how to read it.
package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// options are the command's flags.
type options struct {
	scale         int
	duration      time.Duration // how long new requests are sent, per case and concurrency
	timeout       time.Duration // one request's limit
	clients       []int
	skipOver      time.Duration // a case whose one-client p50 is over this is not run with more clients
	finzone       string        // a built finzone binary; empty: build it
	dataDir       string        // a data directory seeded already; empty: seed a fresh one
	keep          bool
	settleTimeout time.Duration
	settlePoll    time.Duration
	search        string
	actions       int       // how many pushed matches the accept case may use
	log           io.Writer // progress lines
	out           io.Writer // the table
}

func main() {
	o, err := parseOptions(os.Args[1:])
	if err != nil {
		os.Exit(2)
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	err = run(ctx, o)
	stop()
	if err != nil {
		fmt.Fprintln(os.Stderr, "loadbench:", err)
		os.Exit(1)
	}
}

func parseOptions(args []string) (options, error) {
	o := options{log: os.Stderr, out: os.Stdout}
	fs := flag.NewFlagSet("loadbench", flag.ContinueOnError)
	fs.IntVar(&o.scale, "scale", 20, "finzone seed -scale (20: 10,000 projects)")
	fs.DurationVar(&o.duration, "duration", 8*time.Second, "how long each case runs at each concurrency")
	fs.DurationVar(&o.timeout, "timeout", 60*time.Second, "one request's time limit (a request over it counts as an error)")
	clients := fs.String("clients", "1,32", "concurrent clients, comma-separated")
	fs.DurationVar(&o.skipOver, "skip-over", 2*time.Second, "run a case with more than one client only if its one-client p50 is at most this")
	fs.StringVar(&o.finzone, "finzone", "", "a finzone binary to run (default: build ./cmd/finzone)")
	fs.StringVar(&o.dataDir, "data-dir", "", "a data directory seeded already, reused as it is (default: a fresh one, seeded)")
	fs.BoolVar(&o.keep, "keep", false, "keep the work directory (data, platform log)")
	fs.DurationVar(&o.settleTimeout, "settle-timeout", 15*time.Minute, "how long to wait for the pipeline to settle")
	fs.DurationVar(&o.settlePoll, "settle-poll", 5*time.Second, "how often to look at the queue while waiting")
	fs.StringVar(&o.search, "search", "", "the project search's words (default: the end of the enterprise's first project title)")
	fs.IntVar(&o.actions, "actions", 500, "how many of the bank's pushed matches the accept case may accept, in all")
	if err := fs.Parse(args); err != nil {
		return o, err
	}
	for _, s := range strings.Split(*clients, ",") {
		n, err := strconv.Atoi(strings.TrimSpace(s))
		if err != nil || n < 1 {
			fmt.Fprintf(os.Stderr, "loadbench: -clients: %q is not a positive number\n", s)
			return o, flag.ErrHelp
		}
		o.clients = append(o.clients, n)
	}
	return o, nil
}

// run seeds, starts, settles, measures and prints.
func run(ctx context.Context, o options) error {
	work, err := os.MkdirTemp("", "loadbench-")
	if err != nil {
		return err
	}
	defer func() {
		if o.keep {
			fmt.Fprintln(o.log, "work directory kept:", work)
			return
		}
		_ = os.RemoveAll(work)
	}()
	var r runInfo
	r.scale = o.scale
	p, err := prepare(ctx, o, work, &r)
	if err != nil {
		return err
	}
	defer p.stop()
	cases, bareBody, err := discover(ctx, p, o)
	if err != nil {
		return fmt.Errorf("%w (platform log: %s)", err, p.logPath)
	}
	bare, err := startBare(bareBody)
	if err != nil {
		return err
	}
	defer bare.stop()
	r.bareBytes = len(bareBody)
	results := measure(ctx, o, p.client, p.base, bare, cases)
	if err := p.alive(); err != nil {
		return err
	}
	report(o.out, r, results)
	return nil
}
