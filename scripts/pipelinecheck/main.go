// Command pipelinecheck waits for a running platform's pipeline to settle
// and then checks, through the store, that no project is left in matching
// (or submitted) with an empty ledger while the catalogue has a lender for
// it. It prints what it counted and exits 1 when the check fails.
// scripts/seed-then-start.sh runs it against the platform it starts.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"time"

	"github.com/hibiken/asynq"

	"finzone"
	"finzone/embedded"
	"finzone/matching"
	"finzone/mongodb"
	"finzone/workers"
)

func main() {
	mongoURI := flag.String("mongo-uri", "", "the platform's MongoDB URI")
	db := flag.String("db", "finzone", "database name")
	redisAddr := flag.String("redis-addr", "", "the platform's Redis address (host:port)")
	dataDir := flag.String("data-dir", "", "the embedded platform's data directory: its servers' passwords are read there")
	queue := flag.String("queue", workers.QueueDefault, "the platform's asynq queue")
	timeout := flag.Duration("settle-timeout", 15*time.Minute, "how long to wait for the pipeline to settle")
	flag.Parse()
	ctx := context.Background()
	redisPassword, err := embeddedCredentials(*dataDir, mongoURI, *db)
	if err != nil {
		fail(err)
	}
	store, err := mongodb.Open(ctx, *mongoURI, *db)
	if err != nil {
		fail(err)
	}
	defer store.Close(ctx)
	insp := asynq.NewInspector(asynq.RedisClientOpt{Addr: *redisAddr, Password: redisPassword})
	defer insp.Close()

	start := time.Now()
	if err := settle(ctx, store, insp, *queue, *timeout); err != nil {
		fail(err)
	}
	fmt.Printf("pipeline settled after %s\n", time.Since(start).Round(time.Second))
	ok, err := check(ctx, store)
	if err != nil {
		fail(err)
	}
	if !ok {
		os.Exit(1)
	}
}

// embeddedCredentials puts the embedded MongoDB-wire server's password in
// the URI's host, which it names without credentials, and returns the
// embedded Redis's password: the embedded servers refuse anyone without
// them. With no data directory it changes nothing.
func embeddedCredentials(dataDir string, mongoURI *string, db string) (redisPassword string, err error) {
	if dataDir == "" {
		return "", nil
	}
	creds, err := embedded.ReadCredentials(filepath.Join(dataDir, embedded.CredentialsFile))
	if err != nil {
		return "", err
	}
	u, err := url.Parse(*mongoURI)
	if err != nil {
		return "", fmt.Errorf("-mongo-uri: %w", err)
	}
	*mongoURI = creds.MongoURI(u.Host, db)
	return creds.RedisPassword, nil
}

func fail(err error) {
	fmt.Fprintln(os.Stderr, "pipelinecheck:", err)
	os.Exit(2)
}

// settle waits until the queue has nothing waiting, retrying or running
// but the reconciler (at this scale a pass of it takes longer than its
// period, so one is nearly always running) and no project is submitted,
// twice in a row five seconds apart. It counts submitted projects, a scan,
// only when the queue looks idle.
func settle(ctx context.Context, store *mongodb.DB, insp *asynq.Inspector, queue string, timeout time.Duration) error {
	deadline := time.Now().Add(timeout)
	quiet := 0
	for time.Now().Before(deadline) {
		q, err := insp.GetQueueInfo(queue)
		if err != nil && !errors.Is(err, asynq.ErrQueueNotFound) {
			return err
		}
		if q == nil {
			q = &asynq.QueueInfo{}
		}
		active, err := insp.ListActiveTasks(queue, asynq.PageSize(1000))
		if err != nil && !errors.Is(err, asynq.ErrQueueNotFound) {
			return err
		}
		working := 0
		for _, t := range active {
			if t.Type != workers.TypeReconcile {
				working++
			}
		}
		submitted := -1
		if q.Pending+q.Retry+working == 0 {
			sub, err := store.ProjectsInStatus(ctx, []finzone.ProjectStatus{finzone.ProjectSubmitted})
			if err != nil {
				return err
			}
			submitted = len(sub)
		}
		fmt.Printf("  %s tasks pending %d, running %d (+%d reconciles), retrying %d, scheduled %d; submitted projects %s\n",
			time.Now().Format("15:04:05"), q.Pending, working, len(active)-working, q.Retry, q.Scheduled, count(submitted))
		if submitted == 0 {
			quiet++
		} else {
			quiet = 0
		}
		if quiet == 2 {
			return nil
		}
		time.Sleep(5 * time.Second)
	}
	return fmt.Errorf("the pipeline did not settle within %s", timeout)
}

func count(n int) string {
	if n < 0 {
		return "not counted"
	}
	return fmt.Sprint(n)
}

// tally is what check counts.
type tally struct {
	byStatus                map[finzone.ProjectStatus]int
	attention, entries      int
	empty, emptyWithLender  int
	exhausted, staleExhaust int
}

// check counts the projects by status and, for those in matching or
// submitted, reads their ledgers. It fails when a project's ledger is
// empty, or marked exhausted, while the catalogue's lenders offer it an
// institution the ledger never tried.
func check(ctx context.Context, store *mongodb.DB) (bool, error) {
	all, err := store.ProjectsInStatus(ctx, finzone.ProjectStatuses)
	if err != nil {
		return false, err
	}
	lenders, err := lendersIndex(ctx, store)
	if err != nil {
		return false, err
	}
	n := tally{byStatus: map[finzone.ProjectStatus]int{}}
	now := time.Now()
	for _, p := range all {
		n.byStatus[p.Status]++
		if p.NeedsAttention {
			n.attention++
		}
		if p.Status != finzone.ProjectMatching && p.Status != finzone.ProjectSubmitted {
			continue
		}
		led, err := store.Ledger(ctx, p.ID)
		if err != nil {
			return false, err
		}
		n.entries += len(led.Entries)
		untried := untried(led, lenders.Select(p, now))
		if len(led.Entries) == 0 {
			n.empty++
			if untried > 0 {
				n.emptyWithLender++
				fmt.Printf("  FAIL project %s (%s): empty ledger, %d eligible lenders\n", p.ID, p.Status, untried)
			}
		}
		if led.Exhausted {
			n.exhausted++
			if untried > 0 {
				n.staleExhaust++
				fmt.Printf("  FAIL project %s (%s): exhausted, %d eligible lenders never asked\n", p.ID, p.Status, untried)
			}
		}
	}
	return report(len(all), n), nil
}

// untried counts the selection's institutions missing from the ledger.
func untried(led finzone.Ledger, sel matching.Selection) int {
	tried := map[string]bool{}
	for _, e := range led.Entries {
		tried[e.InstitutionID] = true
	}
	n := 0
	for _, pk := range sel.All() {
		if !tried[pk.InstitutionID] {
			n++
		}
	}
	return n
}

func report(total int, n tally) bool {
	fmt.Printf("projects: %d\n", total)
	for _, s := range finzone.ProjectStatuses {
		if n.byStatus[s] > 0 {
			fmt.Printf("  %-18s %d\n", s, n.byStatus[s])
		}
	}
	fmt.Printf("needs attention: %d\n", n.attention)
	fmt.Printf("ledger entries of matching/submitted projects: %d\n", n.entries)
	fmt.Printf("empty ledgers: %d (no eligible lender: %d; with one: %d)\n", n.empty, n.empty-n.emptyWithLender, n.emptyWithLender)
	fmt.Printf("exhausted ledgers: %d (with eligible lenders never asked: %d)\n", n.exhausted, n.staleExhaust)
	// No project at all means the store this reads never saw the seed's.
	ok := total > 0 && n.emptyWithLender == 0 && n.staleExhaust == 0 && n.byStatus[finzone.ProjectSubmitted] == 0
	if ok {
		fmt.Println("OK: every project the catalogue can serve was pushed, none left exhausted with lenders to ask")
	} else {
		fmt.Println("FAIL")
	}
	return ok
}

// lendersIndex is the index the workers fill the 1+10 from.
func lendersIndex(ctx context.Context, store *mongodb.DB) (*matching.Index, error) {
	orgs, err := store.VerifiedInstitutions(ctx)
	if err != nil {
		return nil, err
	}
	products, err := store.PublishedProducts(ctx)
	if err != nil {
		return nil, err
	}
	insts := map[string]matching.Institution{}
	for _, o := range orgs {
		insts[o.ID] = matching.InstitutionOf(o)
	}
	var lend []finzone.Product
	for _, p := range products {
		if p.Category.Lends() {
			lend = append(lend, p)
		}
	}
	cfg := matching.DefaultConfig()
	cfg.Waitlist = -1
	idx := matching.NewIndex(cfg)
	idx.Load(lend, func(id string) (matching.Institution, bool) { in, ok := insts[id]; return in, ok })
	return idx, nil
}
