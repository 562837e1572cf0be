package main

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"os"
	"slices"
	"strings"
	"time"

	"finzone"
	"finzone/demo"
	"finzone/mongodb"
	"finzone/usecase"
)

// DemoPassword is every demo account's password; it is printed at start and
// documented in the README. Demo data is for trying the platform, not for
// production.
const DemoPassword = "finzone-demo"

// DemoSeed makes the demo data the same on every machine.
const DemoSeed = 20261127

func seedCmd(ctx context.Context, args []string) error {
	var cfg config
	var opts cmdOptions
	if _, err := parseFlags("seed", args, &cfg, &opts); err != nil {
		return err
	}
	log := newLogger(cfg.LogLevel)
	in, err := openInfra(ctx, cfg, log)
	if err != nil {
		return err
	}
	defer in.Close()
	if err := seed(ctx, in.store, opts.Scale, log, true); err != nil {
		return err
	}
	printDemoAccounts(ctx, in.store, os.Stdout)
	return nil
}

// seed loads the deterministic demo data and the demo accounts. Every object
// has a fixed ID, so running it twice adds nothing the second time.
func seed(ctx context.Context, store *mongodb.DB, scale int, log *slog.Logger, progress bool) error {
	start := time.Now()
	d := demo.Generate(DemoSeed, demo.DefaultScale().Times(scale))
	// The generator's clock is fixed; move the data to today so products are
	// valid and projects look recent.
	d.Shift(demo.SinceEpoch(time.Now()))
	total := len(d.Clusters) + len(d.Enterprises) + len(d.Institutions) + len(d.Products) + len(d.Projects)
	bar := newProgress(os.Stderr, isTerminal(os.Stderr), total, progress && total > 2000)
	created := 0
	ok := func(err error) error {
		bar.step()
		if err == nil {
			created++
			return nil
		}
		if finzone.IsCode(err, finzone.ECConflict) {
			return nil // already seeded
		}
		return err
	}
	for _, c := range d.Clusters {
		if err := ok(store.UpsertCluster(ctx, c)); err != nil {
			return err
		}
	}
	// Organizations and products go in batches: one insert per few hundred,
	// and one catalogue bump for all of them rather than one per write.
	batch := func(dup []bool, err error) error {
		if err != nil {
			return err
		}
		for _, taken := range dup {
			bar.step()
			if !taken {
				created++
			}
		}
		return nil
	}
	if err := batch(store.CreateOrgs(ctx, slices.Concat(d.Enterprises, d.Institutions))); err != nil {
		return err
	}
	if err := batch(store.CreateProducts(ctx, slices.Clone(d.Products))); err != nil {
		return err
	}
	for i := range d.Projects {
		p := d.Projects[i]
		if err := ok(store.CreateProject(ctx, &p)); err != nil {
			return err
		}
	}
	bar.done()
	if err := seedAccounts(ctx, store, d); err != nil {
		return err
	}
	// Whatever way the data went in, the dashboards' counters are counted
	// afresh from it.
	if err := store.RebuildTallies(ctx); err != nil {
		return err
	}
	log.Info("demo data loaded", "created", created, "of", total, "took", time.Since(start).Round(time.Millisecond))
	return nil
}

// demoAccounts are the sign-ins printed at start and listed in the README.
var demoAccounts = []struct{ email, role string }{
	{"admin@demo.finzone.cn", "platform admin / 平台管理员"},
	{"coordinator@demo.finzone.cn", "coordinator, Anhui province / 省级协调员"},
	{"fuyang@demo.finzone.cn", "coordinator, 阜阳市 / 市级协调员"},
	{"enterprise@demo.finzone.cn", "enterprise / 企业"},
	{"enterprise2@demo.finzone.cn", "another enterprise / 另一家企业"},
	{"bank@demo.finzone.cn", "bank / 银行"},
	{"insurer@demo.finzone.cn", "insurer / 保险"},
	{"leasing@demo.finzone.cn", "leasing / 融资租赁"},
	{"guarantee@demo.finzone.cn", "guarantee / 融资担保"},
}

// seedAccounts creates the demo users: the platform admin and coordinators
// through the use case that creates staff (with their finance offices), and
// the users of the first two enterprises and the first verified institution
// of each kind directly, as the data set's own.
func seedAccounts(ctx context.Context, store *mongodb.DB, d demo.Dataset) error {
	hash, err := usecase.HashPassword(DemoPassword)
	if err != nil {
		return err
	}
	uc := usecase.New(store, usecase.Config{})
	orgOf := map[string]string{}
	if len(d.Enterprises) > 1 {
		orgOf["enterprise"], orgOf["enterprise2"] = d.Enterprises[0].ID, d.Enterprises[1].ID
	}
	for _, o := range d.Institutions {
		if k := string(o.Kind); o.Verified && orgOf[k] == "" {
			orgOf[k] = o.ID
		}
	}
	regionOf := map[string]string{"coordinator": finzone.ProvinceCode, "fuyang": "341200"}
	for _, a := range demoAccounts {
		name, _, _ := strings.Cut(a.email, "@")
		var err error
		switch {
		case name == "admin" || regionOf[name] != "":
			in := usecase.StaffInput{Email: a.email, Name: name, Password: DemoPassword, PlatformAdmin: name == "admin"}
			if r := regionOf[name]; r != "" {
				in.Regions = []string{r}
			}
			_, err = uc.CreateStaff(ctx, usecase.Console, in)
		case orgOf[name] != "":
			u := finzone.User{Email: a.email, Name: name, PasswordHash: hash, Role: finzone.RoleAdmin, OrgID: orgOf[name]}
			err = store.CreateUser(ctx, &u)
		}
		if err != nil && !finzone.IsCode(err, finzone.ECConflict) { // a conflict: seeded before
			return err
		}
	}
	return nil
}

// printDemoAccounts lists the demo sign-ins when the demo data is loaded.
func printDemoAccounts(ctx context.Context, store interface {
	UserByEmail(ctx context.Context, email string) (finzone.User, error)
}, w io.Writer) {
	if _, err := store.UserByEmail(ctx, demoAccounts[0].email); err != nil {
		return
	}
	fmt.Fprintf(w, "\nDemo accounts, password %q / 演示账号，密码 %q:\n", DemoPassword, DemoPassword)
	for _, a := range demoAccounts {
		if _, err := store.UserByEmail(ctx, a.email); err == nil {
			fmt.Fprintf(w, "  %-30s %s\n", a.email, a.role)
		}
	}
	fmt.Fprintln(w)
}

// progress draws a bar on a terminal for large seeds; written anywhere
// else (a file, a pipe, a CI log) it prints a plain line every tenth.
type progress struct {
	w         io.Writer
	tty       bool
	total, n  int
	on        bool
	lastDrawn int
}

func newProgress(w io.Writer, tty bool, total int, on bool) *progress {
	return &progress{w: w, tty: tty, total: total, on: on}
}

func (p *progress) step() {
	p.n++
	if !p.on || p.total == 0 {
		return
	}
	pct := p.n * 100 / p.total
	if !p.tty {
		if pct/10 != p.lastDrawn/10 || p.n == p.total {
			fmt.Fprintf(p.w, "seeding %3d%% %d/%d\n", pct, p.n, p.total)
		}
		p.lastDrawn = pct
		return
	}
	if pct == p.lastDrawn && p.n != p.total {
		return
	}
	p.lastDrawn = pct
	const width = 40
	fill := pct * width / 100
	fmt.Fprintf(p.w, "\rseeding [%s%s] %3d%% %d/%d", strings.Repeat("#", fill), strings.Repeat(" ", width-fill), pct, p.n, p.total)
}

func (p *progress) done() {
	if p.on && p.tty {
		fmt.Fprintln(p.w)
	}
}

// isTerminal reports whether f is a terminal (a character device), where
// a bar redrawn with \r makes sense.
func isTerminal(f *os.File) bool {
	st, err := f.Stat()
	return err == nil && st.Mode()&os.ModeCharDevice != 0
}
