package main

import (
	"fmt"
	"io"
	"os"
	"runtime"
	"strings"
	"time"
)

// report prints the run's header and the table in Markdown.
func report(w io.Writer, r runInfo, results []result) {
	fmt.Fprintf(w, "loadbench -scale %d, %s, %d CPUs, load average %s\n\n", r.scale, time.Now().UTC().Format("2006-01-02 15:04 UTC"),
		runtime.NumCPU(), loadAverage())
	if r.seeded {
		fmt.Fprintf(w, "- finzone seed -scale %d: %s\n", r.scale, r.seed.Round(100*time.Millisecond))
	}
	fmt.Fprintf(w, "- start to ready (GET /readyz 200): %s\n", r.ready.Round(10*time.Millisecond))
	fmt.Fprintf(w, "- ready to the pipeline settled: %s\n", r.settle.Round(time.Second))
	fmt.Fprintf(w, "- bare Fiber serves the enterprise's project list: %d bytes\n\n", r.bareBytes)
	fmt.Fprintln(w, "| what | request | as | clients | requests | errors | req/s | p50 | p99 | first | req/s ÷ bare Fiber |")
	fmt.Fprintln(w, "|---|---|---|---|---|---|---|---|---|---|---|")
	for _, x := range results {
		if x.skipped != "" {
			fmt.Fprintf(w, "| %s | `%s` | %s | %d | %s | | | | | | |\n", x.name, x.path, short(x.as), x.clients, x.skipped)
			continue
		}
		first, ratio := "", ""
		if x.clients == 1 {
			first = ms(x.first)
		}
		if x.ratio > 0 {
			ratio = pct(x.ratio)
		}
		fmt.Fprintf(w, "| %s | `%s` | %s | %d | %d | %d | %s | %s | %s | %s | %s |\n", x.name, x.path, short(x.as),
			x.clients, x.requests, x.errs, rate(x.perSecond()), ms(x.p50), ms(x.p99), first, ratio)
	}
	for _, x := range results {
		if x.firstErr != "" {
			fmt.Fprintf(w, "\n%s, %d clients, first error: %.200s", x.name, x.clients, x.firstErr)
		}
	}
	fmt.Fprintln(w)
}

// short is a demo account's name without the domain.
func short(email string) string {
	name, _, _ := strings.Cut(email, "@")
	return name
}

func ms(d time.Duration) string {
	switch {
	case d <= 0:
		return ""
	case d < time.Millisecond:
		return fmt.Sprintf("%d µs", d.Microseconds())
	case d < time.Second:
		return fmt.Sprintf("%.1f ms", float64(d)/float64(time.Millisecond))
	default:
		return fmt.Sprintf("%.2f s", d.Seconds())
	}
}

func rate(f float64) string {
	if f >= 100 {
		return fmt.Sprintf("%.0f", f)
	}
	return fmt.Sprintf("%.3g", f)
}

func pct(f float64) string {
	if f >= 0.01 {
		return fmt.Sprintf("%.1f %%", f*100)
	}
	return fmt.Sprintf("%.3f %%", f*100)
}

// loadAverage is the machine's one-minute load average, if it can be read.
func loadAverage() string {
	b, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return "unknown"
	}
	f := strings.Fields(string(b))
	if len(f) < 3 {
		return "unknown"
	}
	return strings.Join(f[:3], " ")
}
