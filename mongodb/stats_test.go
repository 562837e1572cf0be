package mongodb_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"reflect"
	"slices"
	"sync"
	"testing"
	"time"

	"finzone"
	"finzone/mongodb"
)

// tallyRegions are where the random projects are: counties with and
// without the policy flags, a city itself and the province itself.
var tallyRegions = []string{"341221", "341522", "340102", "340800", "341200", finzone.ProvinceCode}

// tallyRun drives random writes of projects and matches through the
// store's methods, as the use cases and the pipeline make them.
type tallyRun struct {
	t        *testing.T
	db       *mongodb.DB
	rng      *rand.Rand
	projects []string
	matches  []string
	n        int
}

func (r *tallyRun) pick(list []string) string { return list[r.rng.IntN(len(list))] }

func (r *tallyRun) at() time.Time {
	return time.Now().Add(-time.Duration(r.rng.IntN(8*7*24)) * time.Hour).Truncate(time.Millisecond)
}

// step makes one random write (safe from a goroutine: failures are
// Errorf); refusals (a project in another status, a
// match moved) are part of the run, as in production.
func (r *tallyRun) step(ctx context.Context) {
	r.n++
	switch k := r.rng.IntN(12); {
	case k < 2 || len(r.projects) == 0:
		r.createProject(ctx)
	case k < 4:
		r.insertMatches(ctx)
	case k < 7 && len(r.matches) > 0:
		r.moveMatch(ctx)
	default:
		r.changeProject(ctx, k)
	}
}

func (r *tallyRun) createProject(ctx context.Context) {
	st := finzone.ProjectDraft
	if r.rng.IntN(2) == 0 {
		st = finzone.ProjectSubmitted
	}
	p := finzone.Project{OwnerOrgID: "ent", Title: fmt.Sprint("p", r.n), Type: finzone.TypeWorkingCapital,
		AmountYuan: int64(1+r.rng.IntN(50)) * 100_000, RegionCode: r.pick(tallyRegions), ClusterID: r.pick([]string{"", "c1", "c2"}),
		Status: st, NeedsAttention: r.rng.IntN(8) == 0, CreatedAt: r.at()}
	if st == finzone.ProjectSubmitted {
		p.SubmittedAt = p.CreatedAt.Add(time.Hour)
	}
	if err := r.db.CreateProject(ctx, &p); err != nil {
		r.t.Errorf("create project: %v", err)
		return
	}
	r.projects = append(r.projects, p.ID)
}

func (r *tallyRun) insertMatches(ctx context.Context) {
	p, err := r.db.Project(ctx, r.pick(r.projects))
	if err != nil {
		return // deleted
	}
	var ms []finzone.Match
	for range 1 + r.rng.IntN(3) {
		inst := r.pick([]string{"bank1", "bank2", "bank3", "guarantor"})
		role := finzone.RolePartner
		if inst == "guarantor" {
			role = finzone.RoleEnhancer
		}
		ms = append(ms, finzone.Match{ID: finzone.StableID("match", p.ID, inst), ProjectID: p.ID, InstitutionID: inst,
			RegionCode: p.RegionCode, Role: role, Stage: finzone.StagePushed, CreatedAt: r.at()})
	}
	if err := r.db.InsertMatches(ctx, ms); err != nil {
		r.t.Errorf("insert matches: %v", err)
		return
	}
	for _, m := range ms {
		if !slices.Contains(r.matches, m.ID) {
			r.matches = append(r.matches, m.ID)
		}
	}
}

// moveMatch moves a match a step forward, out to a side exit, or sets its
// role.
func (r *tallyRun) moveMatch(ctx context.Context) {
	m, err := r.db.Match(ctx, r.pick(r.matches))
	if err != nil {
		r.t.Errorf("match: %v", err)
		return
	}
	if r.rng.IntN(5) == 0 {
		role := r.pick([]string{string(finzone.RoleLead), string(finzone.RolePartner), string(finzone.RoleEnhancer)})
		if err := r.db.SetMatchRole(ctx, m.ID, finzone.MatchRole(role)); err != nil {
			r.t.Errorf("set role: %v", err)
		}
		return
	}
	at := m.CreatedAt.Add(time.Duration(1+r.rng.IntN(100000)) * time.Second)
	ch := finzone.MatchChange{To: finzone.Stage(r.pick([]string{"accepted", "contacted", "credit_review", "approved", "contracted",
		"disbursed", "declined", "expired", "need_met", "committed"}))}
	switch ch.To {
	case finzone.StageApproved:
		ch.Offer = &finzone.Offer{AmountYuan: int64(1+r.rng.IntN(9)) * 100_000, Status: finzone.OfferStatus(r.pick([]string{"pending", "accepted"}))}
	case finzone.StageDisbursed:
		ch.Tranche = &finzone.Tranche{AmountYuan: 50_000, Date: at}
	case finzone.StageCommitted:
		ch.Cover = &finzone.Cover{CoverYuan: 300_000}
	}
	if r.rng.IntN(4) == 0 {
		ch.Escalated = &at
	}
	ch.Event = finzone.Event{At: at, Actor: "u", Action: "step", From: m.Stage, To: ch.To}
	if _, err := r.db.MoveMatch(ctx, m.ID, m.Stage, ch); err != nil && !finzone.IsCode(err, finzone.ECInvalidState) {
		r.t.Errorf("move match: %v", err)
	}
}

// changeProject edits, moves, flags or deletes a project.
func (r *tallyRun) changeProject(ctx context.Context, k int) {
	p, err := r.db.Project(ctx, r.pick(r.projects))
	if err != nil {
		return // deleted
	}
	refused := func(err error) bool {
		return err == nil || finzone.IsCode(err, finzone.ECInvalidState) || finzone.IsCode(err, finzone.ECConflict)
	}
	var werr error
	switch k {
	case 7:
		p.Title, p.AmountYuan, p.RegionCode, p.ClusterID = p.Title+"!", p.AmountYuan+100_000, r.pick(tallyRegions), r.pick([]string{"", "c1", "c3"})
		_, werr = r.db.UpdateProject(ctx, p, finzone.ProjectDraft)
	case 8:
		to := finzone.ProjectStatus(r.pick([]string{"submitted", "matching", "withdrawn", "funded"}))
		_, werr = r.db.SetProjectStatus(ctx, p.ID, []finzone.ProjectStatus{p.Status}, to, r.at())
	case 9:
		_, werr = r.db.ChangeProject(ctx, p, finzone.ProjectChange{To: finzone.ProjectSubmitted}, time.Now())
		if r.rng.IntN(2) == 0 && werr == nil {
			// As a fill does: flags set after its read, then a move
			// judged from that read.
			p, _ = r.db.Project(ctx, p.ID)
			if werr = r.db.SetProjectAttention(ctx, p.ID, !p.NeedsAttention); werr == nil {
				_, werr = r.db.MoveProject(ctx, p, []finzone.ProjectStatus{finzone.ProjectSubmitted}, finzone.ProjectMatching, time.Now())
			}
		}
	case 10:
		werr = r.db.SetProjectExhausted(ctx, p.ID, r.rng.IntN(2) == 0, r.rng.IntN(2) == 0)
	default:
		werr = r.db.DeleteProject(ctx, p.ID, finzone.ProjectDraft)
	}
	if !refused(werr) {
		r.t.Errorf("change project (%d): %v", k, werr)
	}
}

// tallyScopes are every scope the run's regions count in.
func tallyScopes() []string {
	var out []string
	for _, code := range tallyRegions {
		for _, s := range finzone.TallyScopes(code) {
			if !slices.Contains(out, s) {
				out = append(out, s)
			}
		}
	}
	return out
}

type scopeTally struct {
	t   finzone.Tally
	ids []finzone.Project
}

func readTallies(t *testing.T, db *mongodb.DB) map[string]scopeTally {
	t.Helper()
	out := map[string]scopeTally{}
	for _, s := range tallyScopes() {
		tl, ids, err := db.Tally(context.Background(), []string{s}, 1000)
		if err != nil {
			t.Fatalf("tally %s: %v", s, err)
		}
		out[s] = scopeTally{tl, ids}
	}
	return out
}

func diffTallies(t *testing.T, what string, got, want map[string]scopeTally) {
	t.Helper()
	for s := range want {
		if !reflect.DeepEqual(got[s], want[s]) {
			t.Errorf("%s, scope %s:\n got %+v\nwant %+v", what, s, got[s], want[s])
		}
	}
}

// TestTalliesMatchARebuild runs random writes through the store and checks
// that the counters kept as they went equal those rebuilt from the
// documents; then that a rebuild while writes go on still ends right.
func TestTalliesMatchARebuild(t *testing.T) {
	seed := time.Now().UnixNano()
	t.Logf("seed %d", seed)
	ctx := context.Background()
	db := openDB(t)
	r := &tallyRun{t: t, db: db, rng: rand.New(rand.NewPCG(uint64(seed), 1))}
	for range 400 {
		r.step(ctx)
	}
	kept := readTallies(t, db)
	if kept[finzone.ScopeProvince].t.Matches == 0 || kept[finzone.ScopeProvince].t.Projects == 0 {
		t.Fatalf("the run wrote nothing to count: %+v", kept[finzone.ScopeProvince].t)
	}
	if err := db.RebuildTallies(ctx); err != nil {
		t.Fatalf("rebuild: %v", err)
	}
	diffTallies(t, "kept vs rebuilt", kept, readTallies(t, db))

	// Writes go on while a rebuild runs; after both, the counters are what
	// a rebuild on the quiet store makes.
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		for range 150 {
			r.step(ctx)
		}
	}()
	if err := db.RebuildTallies(ctx); err != nil {
		t.Fatalf("rebuild during writes: %v", err)
	}
	wg.Wait()
	during := readTallies(t, db)
	if err := db.RebuildTallies(ctx); err != nil {
		t.Fatalf("rebuild: %v", err)
	}
	diffTallies(t, "rebuilt during writes vs rebuilt after", during, readTallies(t, db))
}

// TestTalliesBuilt: a store starts without counters built; a rebuild
// builds them (empty store, empty counters).
func TestTalliesBuilt(t *testing.T) {
	ctx := context.Background()
	db := openDB(t)
	built, err := db.TalliesBuilt(ctx)
	if err != nil || built {
		t.Fatalf("new store: built %v, %v; want false", built, err)
	}
	if err := db.RebuildTallies(ctx); err != nil {
		t.Fatal(err)
	}
	if built, err = db.TalliesBuilt(ctx); err != nil || !built {
		t.Fatalf("after a rebuild: built %v, %v; want true", built, err)
	}
	tl, ids, err := db.Tally(ctx, []string{finzone.ScopeProvince}, 20)
	if err != nil || !tl.Zero() || len(ids) != 0 {
		t.Errorf("empty store's tally = %+v, %v, %v; want zero", tl, ids, err)
	}
}

// TestTallyReadsItsOwnCountsAtOnceAndOthersWithinASecond: a process reads
// its own counts as soon as it wrote them, even right after a read it
// keeps for tallyReadTTL, and another process's within a second or so of
// that process's flush.
func TestTallyReadsItsOwnCountsAtOnceAndOthersWithinASecond(t *testing.T) {
	ctx := context.Background()
	db := openDB(t)
	other, err := mongodb.Open(ctx, testURI, db.Name())
	if err != nil {
		t.Fatal(err)
	}
	defer other.Close(ctx)
	projects := func(d *mongodb.DB) int64 {
		t.Helper()
		tl, _, err := d.Tally(ctx, []string{finzone.ScopeProvince}, 0)
		if err != nil {
			t.Fatal(err)
		}
		return tl.Projects
	}
	submitted := func(d *mongodb.DB) { submitProject(t, d) }
	if n := projects(db); n != 0 {
		t.Fatalf("empty store: %d projects", n)
	}
	submitted(db)
	if n := projects(db); n != 1 {
		t.Fatalf("right after its own write the process reads %d projects, want 1", n)
	}
	submitted(other)
	if n := projects(other); n != 2 {
		t.Fatalf("the other process reads %d projects, want 2", n)
	}
	start := time.Now()
	for projects(db) != 2 {
		if time.Since(start) > 3*time.Second {
			t.Fatalf("another process's count not read %s after its flush", time.Since(start))
		}
		time.Sleep(50 * time.Millisecond)
	}
}

func submitProject(t *testing.T, d *mongodb.DB) {
	t.Helper()
	p := project("owner", 1_000_000)
	p.Status = finzone.ProjectSubmitted
	if err := d.CreateProject(context.Background(), &p); err != nil {
		t.Fatal(err)
	}
}

// TestCountsLostWithAProcessAreFound: a process that closes takes its
// counting mark away; one that dies with counts pending leaves it, and once
// the mark is older than LostAfter LostTallies reports it; a rebuild
// repairs the counts and takes the mark away.
func TestCountsLostWithAProcessAreFound(t *testing.T) {
	ctx := context.Background()
	db := openDB(t)
	if err := db.RebuildTallies(ctx); err != nil {
		t.Fatal(err)
	}
	open := func() *mongodb.DB {
		d, err := mongodb.Open(ctx, testURI, db.Name())
		if err != nil {
			t.Fatal(err)
		}
		return d
	}
	projects := func() int64 {
		tl, _, err := db.Tally(ctx, []string{finzone.ScopeProvince}, 0)
		if err != nil {
			t.Fatal(err)
		}
		return tl.Projects
	}
	lost := func(at time.Time) bool {
		mongodb.SetClock(db, func() time.Time { return at })
		defer mongodb.SetClock(db, time.Now)
		l, err := db.LostTallies(ctx)
		if err != nil {
			t.Fatal(err)
		}
		return l
	}
	later := time.Now().Add(2 * mongodb.LostAfter)

	clean := open()
	submitProject(t, clean)
	if _, _, err := clean.Tally(ctx, nil, 0); err != nil { // flushes: the mark, then the count
		t.Fatal(err)
	}
	if err := clean.Close(ctx); err != nil {
		t.Fatal(err)
	}
	if lost(later) {
		t.Fatal("a process that closed left its mark")
	}

	dead := open()
	submitProject(t, dead)
	if _, _, err := dead.Tally(ctx, nil, 0); err != nil {
		t.Fatal(err)
	}
	submitProject(t, dead) // counted in memory only: the process dies before its flush
	mongodb.Abandon(ctx, dead)
	if lost(time.Now()) {
		t.Fatal("a fresh mark taken for a dead process's")
	}
	if !lost(later) {
		t.Fatal("the dead process's mark not found")
	}
	if n := projects(); n != 2 {
		t.Fatalf("before the repair the counters hold %d projects, want 2 (the third died with its process)", n)
	}
	if err := db.RebuildTallies(ctx); err != nil {
		t.Fatal(err)
	}
	if n := projects(); n != 3 || lost(later) {
		t.Fatalf("after the rebuild: %d projects (want 3), mark left %v", n, lost(later))
	}
}
