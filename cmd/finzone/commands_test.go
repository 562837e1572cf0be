package main

import (
	"bytes"
	"context"
	"errors"
	"flag"
	"os"
	"regexp"
	"strings"
	"testing"
)

// TestHelpShowsOnlyTheCommandsFlags: `finzone help <command>` and -h on
// each command show that command's usage and the flags it takes, and none
// it ignores.
func TestHelpShowsOnlyTheCommandsFlags(t *testing.T) {
	for _, tt := range []struct {
		name        string
		has, hasNot []string
	}{
		{"all", []string{"-addr", "-concurrency", "-live-demo", "-mongo-uri", "-day-length"}, nil},
		{"api", []string{"-addr", "-trusted-proxies", "-mongo-uri", "-secret-key"}, []string{"-concurrency", "-reconcile-every", "-live-demo", "-scale"}},
		{"worker", []string{"-concurrency", "-reconcile-every", "-redis-url", "-secret-key"}, []string{"-addr", "-trusted-proxies", "-live-demo"}},
		{"seed", []string{"-scale", "-mongo-uri", "-data-dir"}, []string{"-addr", "-concurrency", "-day-length"}},
		{"db", []string{"-data-dir", "-embedded-mongo-addr", "-db"}, []string{"-addr", "-mongo-uri", "-redis-url", "-concurrency", "-scale"}},
		{"admin create-admin", []string{"-email", "-password", "-name", "-mongo-uri"}, []string{"-regions", "-addr"}},
		{"admin create-coordinator", []string{"-email", "-password", "-name", "-regions"}, []string{"-addr", "-concurrency"}},
		{"admin reset-password", []string{"-email", "-password"}, []string{"-name", "-regions", "-addr"}},
		{"admin load-holidays", []string{"-mongo-uri", "<year>.csv"}, []string{"-email", "-addr"}},
	} {
		var out bytes.Buffer
		if err := help(&out, strings.Fields(tt.name)); err != nil {
			t.Fatalf("help %s: %v", tt.name, err)
		}
		got := out.String()
		if !strings.HasPrefix(got, "Usage: finzone "+tt.name+" ") || strings.Contains(got, "Usage of") {
			t.Errorf("help %s starts %q, want its own usage line", tt.name, firstLine(got))
		}
		for _, f := range tt.has {
			if !strings.Contains(got, "  "+f+" ") && !strings.Contains(got, " "+f) {
				t.Errorf("help %s lacks %s:\n%s", tt.name, f, got)
			}
		}
		for _, f := range tt.hasNot {
			if regexp.MustCompile(`(?m)^  ` + regexp.QuoteMeta(f) + `\b`).MatchString(got) {
				t.Errorf("help %s lists %s, which it does not take", tt.name, f)
			}
		}
		// -h parses to the same help, and asks for exit status 0.
		if _, err := parseFlags(tt.name, []string{"-h"}, &config{}, &cmdOptions{}); !errors.Is(err, flag.ErrHelp) {
			t.Errorf("%s -h: got %v, want flag.ErrHelp", tt.name, err)
		}
	}
	var all bytes.Buffer
	if err := help(&all, nil); err != nil {
		t.Fatal(err)
	}
	for _, c := range commands {
		if !strings.Contains(all.String(), "finzone "+c.name+" ") {
			t.Errorf("finzone help does not list %q:\n%s", c.name, all.String())
		}
	}
}

func firstLine(s string) string { l, _, _ := strings.Cut(s, "\n"); return l }

// TestCommandLineMistakes: `finzone admin -h` is help, not an unknown admin
// command; unknown commands, admin commands and flags are usage errors
// (exit status 2), and nothing runs.
func TestCommandLineMistakes(t *testing.T) {
	ctx := context.Background()
	for _, args := range [][]string{{"-h"}, {"help"}, {"--help"}, {"admin", "-h"}, {"admin", "help"}, {"seed", "-h"}, {"db", "--help"}} {
		if err := run(ctx, args); !errors.Is(err, flag.ErrHelp) && err != nil {
			t.Errorf("finzone %s: got %v, want help", strings.Join(args, " "), err)
		}
	}
	for _, args := range [][]string{{"frob"}, {"admin"}, {"admin", "frob"}, {"seed", "-bogus"}, {"help", "frob"}, {"db", "-scale", "3"}} {
		if err := run(ctx, args); !errors.Is(err, errBadUsage) {
			t.Errorf("finzone %s: got %v, want a usage error", strings.Join(args, " "), err)
		}
	}
}

// TestEveryFlagIsInTheREADME: the README's configuration table lists every
// flag of the all-in-one process with its environment variable.
func TestEveryFlagIsInTheREADME(t *testing.T) {
	readme, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	fs := flagSet("all", &config{}, &cmdOptions{})
	fs.VisitAll(func(f *flag.Flag) {
		env := regexp.MustCompile(`\((FINZONE_[A-Z_]+)\)`).FindStringSubmatch(f.Usage)
		if env == nil {
			t.Errorf("-%s names no environment variable in its usage", f.Name)
			return
		}
		row := regexp.MustCompile("(?m)^\\| `" + env[1] + "` \\| `-" + regexp.QuoteMeta(f.Name) + "` \\|")
		if !row.Match(readme) {
			t.Errorf("README's configuration table has no row for %s / -%s", env[1], f.Name)
		}
	})
}

// TestSeedProgressOnlyDrawsOnATerminal: redirected to a file, the seed's
// progress is plain lines, a tenth at a time, never a bar redrawn with \r.
func TestSeedProgressOnlyDrawsOnATerminal(t *testing.T) {
	var file, tty bytes.Buffer
	p, q := newProgress(&file, false, 5000, true), newProgress(&tty, true, 5000, true)
	for range 5000 {
		p.step()
		q.step()
	}
	p.done()
	q.done()
	if strings.Contains(file.String(), "\r") {
		t.Errorf("progress into a file holds \\r: %q", file.String()[:80])
	}
	if lines := strings.Count(file.String(), "\n"); lines != 10 {
		t.Errorf("progress into a file: %d lines, want 10 (one per tenth):\n%s", lines, file.String())
	}
	if !strings.HasSuffix(file.String(), "seeding 100% 5000/5000\n") {
		t.Errorf("progress into a file ends %q, want the 100%% line", file.String())
	}
	if !strings.Contains(tty.String(), "\r") {
		t.Error("progress on a terminal: no bar drawn")
	}
	if isTerminal(must(os.CreateTemp(t.TempDir(), "out"))) {
		t.Error("a regular file is taken for a terminal")
	}
}

func must[T any](v T, err error) T {
	if err != nil {
		panic(err)
	}
	return v
}
