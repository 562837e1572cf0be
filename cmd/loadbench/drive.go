package main

import (
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"slices"
	"sync"
	"time"

	"github.com/gofiber/fiber/v2"

	"finzone/server"
)

// result is one case at one concurrency.
type result struct {
	name, path, as string
	clients        int
	requests, errs int
	elapsed        time.Duration
	p50, p99       time.Duration
	first          time.Duration // the first request's latency, at one client
	ratio          float64       // requests/s over bare Fiber's, same concurrency
	skipped        string
	firstErr       string
}

func (r result) perSecond() float64 {
	if r.elapsed <= 0 {
		return 0
	}
	return float64(r.requests) / r.elapsed.Seconds()
}

// bareServer is Fiber with one handler that sends a fixed JSON body.
type bareServer struct {
	app  *fiber.App
	base string
}

func startBare(body []byte) (*bareServer, error) {
	app := fiber.New(fiber.Config{DisableStartupMessage: true})
	app.Get("/list", func(c *fiber.Ctx) error {
		c.Set(fiber.HeaderContentType, fiber.MIMEApplicationJSON)
		return c.Send(body)
	})
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	go func() { _ = app.Listener(ln) }()
	return &bareServer{app: app, base: "http://" + ln.Addr().String()}, nil
}

func (b *bareServer) stop() { _ = b.app.ShutdownWithTimeout(5 * time.Second) }

// measure runs bare Fiber at each concurrency, then every case on the
// platform at base; a case whose first concurrency's p50 is over
// o.skipOver is not run with more clients (they would only queue up
// behind each other until they time out).
func measure(ctx context.Context, o options, client *http.Client, base string, bare *bareServer, cases []benchCase) []result {
	bareCase := benchCase{name: "bare Fiber, the same JSON", path: "/list", as: "-"}
	var out []result
	bareRate := map[int]float64{}
	for _, n := range o.clients {
		r := drive(ctx, client, bare.base, bareCase, n, o.duration)
		bareRate[n] = r.perSecond()
		out = append(out, r)
	}
	for _, c := range cases {
		p50 := time.Duration(0)
		for i, n := range o.clients {
			if i > 0 && n > 1 && p50 > o.skipOver {
				out = append(out, result{name: c.name, path: c.path, as: c.as, clients: n,
					skipped: fmt.Sprintf("not run: p50 at %d client over %s", o.clients[0], o.skipOver)})
				continue
			}
			fmt.Fprintf(o.log, "%s, %d clients\n", c.name, n)
			r := drive(ctx, client, base, c, n, o.duration)
			if i == 0 {
				p50 = r.p50
			}
			if b := bareRate[n]; b > 0 {
				r.ratio = r.perSecond() / b
			}
			out = append(out, r)
			if waited := quiet(ctx, client, base, c.token); waited > time.Second {
				fmt.Fprintf(o.log, "  the platform answered quickly again after %s\n", waited.Round(time.Second))
			}
		}
	}
	return out
}

// quiet waits until the platform reads a session quickly (GET /api/v1/me
// under 100 ms), at most 10 s: requests a run gave up on may still be
// running there (each store operation stops at 5 s), and the next run
// should not pay for them. A platform busy with its own scans may never
// answer that fast; the wait is bounded so the run still ends.
func quiet(ctx context.Context, client *http.Client, base, token string) time.Duration {
	start := time.Now()
	me := benchCase{path: "/api/v1/me", token: token}
	for time.Since(start) < 10*time.Second && ctx.Err() == nil {
		t := time.Now()
		if err, _ := once(ctx, client, base, me); err == nil && time.Since(t) < 100*time.Millisecond {
			break
		}
		time.Sleep(200 * time.Millisecond)
	}
	return time.Since(start)
}

// drive sends requests from n clients for d (each client waits for its
// answer before sending the next) and records every latency, errors
// included: a timed-out request counts its whole wait.
func drive(ctx context.Context, client *http.Client, base string, c benchCase, n int, d time.Duration) result {
	lat := make([][]time.Duration, n)
	errs := make([]int, n)
	var firstErr string
	var mu sync.Mutex
	start := time.Now()
	stopAt := start.Add(d)
	var wg sync.WaitGroup
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for time.Now().Before(stopAt) && ctx.Err() == nil {
				t := time.Now()
				err, more := once(ctx, client, base, c)
				if !more {
					return
				}
				lat[i] = append(lat[i], time.Since(t))
				if err != nil {
					errs[i]++
					mu.Lock()
					if firstErr == "" {
						firstErr = err.Error()
					}
					mu.Unlock()
				}
			}
		}()
	}
	wg.Wait()
	r := result{name: c.name, path: c.path, as: c.as, clients: n, elapsed: time.Since(start), firstErr: firstErr}
	if n == 1 && len(lat[0]) > 0 {
		r.first = lat[0][0]
	}
	all := slices.Concat(lat...)
	slices.Sort(all)
	r.requests = len(all)
	for _, e := range errs {
		r.errs += e
	}
	r.p50, r.p99 = percentile(all, 0.50), percentile(all, 0.99)
	return r
}

// once sends one request of the case; more is false when an action's pool
// has run dry.
func once(ctx context.Context, client *http.Client, base string, c benchCase) (err error, more bool) {
	var req *http.Request
	if c.pool != nil {
		var id string
		select {
		case id = <-c.pool:
		default:
			return nil, false
		}
		req, err = c.request(ctx, base, id)
	} else {
		req, err = http.NewRequestWithContext(ctx, http.MethodGet, base+c.path, nil)
	}
	if err != nil {
		return err, true
	}
	if c.token != "" {
		// The API reads the bearer token, the pages their cookie.
		req.Header.Set("Authorization", "Bearer "+c.token)
		req.AddCookie(&http.Cookie{Name: server.SessionCookie, Value: c.token})
	}
	resp, err := client.Do(req)
	if err != nil {
		return err, true
	}
	_, err = io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	if err == nil && resp.StatusCode/100 != 2 {
		err = fmt.Errorf("%s %s: %s", req.Method, req.URL.Path, resp.Status)
	}
	return err, true
}

// percentile is the nearest-rank percentile of sorted latencies.
func percentile(sorted []time.Duration, p float64) time.Duration {
	if len(sorted) == 0 {
		return 0
	}
	i := int(float64(len(sorted))*p+0.999999) - 1
	return sorted[min(max(i, 0), len(sorted)-1)]
}
