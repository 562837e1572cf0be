package readmodel

import (
	"context"
	"fmt"
	"os"
	"reflect"
	"slices"
	"testing"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"

	"finzone"
	"finzone/finzonetest"
)

func TestMain(m *testing.M) { os.Exit(finzonetest.Main(m)) }

// lists is the store's list contract: *mongodb.DB and *Store both keep it.
type lists interface {
	ListProjects(ctx context.Context, f finzone.ProjectFilter, pg finzone.Page) ([]finzone.Project, string, error)
	ListMatches(ctx context.Context, f finzone.MatchFilter, pg finzone.Page) ([]finzone.Match, string, error)
	ListNotifications(ctx context.Context, orgID string, unreadOnly bool, pg finzone.Page) ([]finzone.Notification, string, error)
	CountUnread(ctx context.Context, orgID string) (int64, error)
}

// start runs a read model over a fresh database and waits until it has
// loaded; it stops when the test ends.
func start(t *testing.T) *Store {
	t.Helper()
	s := New(finzonetest.NewStore(t), finzonetest.Logger(t))
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { defer close(done); s.Run(ctx) }()
	t.Cleanup(func() { cancel(); <-done })
	waitLoaded(t, s)
	return s
}

func waitLoaded(t *testing.T, s *Store) {
	t.Helper()
	select {
	case <-s.Loaded():
	case <-time.After(30 * time.Second):
		t.Fatal("the read model did not load within 30 s")
	}
}

var (
	owners       = []string{"aaaaaaaaaaaaaaaaaaaaaaa1", "aaaaaaaaaaaaaaaaaaaaaaa2", "aaaaaaaaaaaaaaaaaaaaaaa3"}
	institutions = []string{"bbbbbbbbbbbbbbbbbbbbbbb1", "bbbbbbbbbbbbbbbbbbbbbbb2", "bbbbbbbbbbbbbbbbbbbbbbb3"}
	regions      = []string{"341221", "341222", "340102"}
	base         = time.Date(2026, 3, 2, 8, 0, 0, 0, time.UTC)
)

// fill writes, through st, projects, matches and notifications with
// repeated sort values (so the _id tie-break counts), and moves some of
// them through every kind of write the model follows.
func fill(t *testing.T, st *Store) {
	t.Helper()
	ctx := context.Background()
	var ps []finzone.Project
	for i := 0; i < 30; i++ {
		p := finzone.Project{OwnerOrgID: owners[i%3], Title: fmt.Sprintf("项目 %d", i), Type: finzone.TypeManufacturingLong,
			AmountYuan: int64(1_000_000 + (i%4)*500_000), TermMonths: 12 + i%3*12, Purpose: "扩产", RateCeilingBps: 500,
			Collateral: []finzone.Collateral{finzone.CollateralMortgage}, RegionCode: regions[i%3], ClusterID: fmt.Sprint("c", i%2),
			IndustryCode: "C13", EnterpriseSize: finzone.SizeSmall, Status: finzone.ProjectDraft,
			CreatedAt: base.Add(time.Duration(i%5) * time.Hour)}
		if i%7 == 0 {
			p.Type = finzone.TypeWorkingCapital
		}
		if err := st.CreateProject(ctx, &p); err != nil {
			t.Fatalf("create project: %v", err)
		}
		ps = append(ps, p)
	}
	for i, p := range ps {
		switch i % 6 {
		case 0, 1:
			if _, err := st.SetProjectStatus(ctx, p.ID, []finzone.ProjectStatus{finzone.ProjectDraft}, finzone.ProjectSubmitted, base.Add(time.Hour)); err != nil {
				t.Fatalf("submit: %v", err)
			}
		case 2:
			p.Title += "（改）"
			p.AmountYuan += 1
			if _, err := st.UpdateProject(ctx, p, finzone.ProjectDraft); err != nil {
				t.Fatalf("update: %v", err)
			}
		case 3:
			if err := st.DeleteProject(ctx, p.ID, finzone.ProjectDraft); err != nil {
				t.Fatalf("delete: %v", err)
			}
		}
	}
	// The workers move projects they read with some fields only.
	partial, err := st.PipelineProjects(ctx, []finzone.ProjectStatus{finzone.ProjectSubmitted}, nil)
	if err != nil {
		t.Fatal(err)
	}
	for i, p := range partial {
		if i%2 == 0 {
			if _, err := st.MoveProject(ctx, p, []finzone.ProjectStatus{finzone.ProjectSubmitted}, finzone.ProjectMatching, base.Add(2*time.Hour)); err != nil {
				t.Fatalf("move: %v", err)
			}
			if err := st.SetProjectExhausted(ctx, p.ID, true, i%4 == 0); err != nil {
				t.Fatal(err)
			}
		}
	}
	seen, err := st.Project(ctx, ps[1].ID)
	if err != nil {
		t.Fatal(err)
	}
	note := "补充材料"
	if _, err := st.ChangeProject(ctx, seen, finzone.ProjectChange{ScreenReason: &note,
		Event: &finzone.ProjectEvent{At: base.Add(3 * time.Hour), Actor: "coordinator", Action: "note"}}, base.Add(3*time.Hour)); err != nil {
		t.Fatalf("change: %v", err)
	}
	fillMatches(t, st, ps)
	fillNotifications(t, st)
	fillProducts(t, st)
}

func fillMatches(t *testing.T, st *Store, ps []finzone.Project) {
	t.Helper()
	ctx := context.Background()
	var ms []finzone.Match
	for i, p := range ps {
		if i%6 == 3 {
			continue // deleted
		}
		for j, inst := range institutions {
			if (i+j)%3 == 2 {
				continue
			}
			m := finzone.Match{ID: finzone.MatchID(p.ID, inst), ProjectID: p.ID, InstitutionID: inst, ProjectTitle: p.Title,
				ProjectAmountYuan: p.AmountYuan, OwnerOrgID: p.OwnerOrgID, RegionCode: p.RegionCode, ClusterID: p.ClusterID,
				ProductID: "p1", ProductVersion: 1, Role: finzone.RoleLead, Rank: j + 1, Score: float64((i*7+j)%5) / 2,
				Components: []finzone.ScoreComponent{{Name: "rate", Value: 1.5}}, Stage: finzone.StagePushed,
				DueAt: base.Add(time.Duration((i+j)%4) * 24 * time.Hour), CreatedAt: base, UpdatedAt: base,
				Events: []finzone.Event{{At: base, Actor: "system", Action: "push", To: finzone.StagePushed}}}
			ms = append(ms, m)
		}
	}
	if err := st.InsertMatches(ctx, ms[:len(ms)/2]); err != nil {
		t.Fatal(err)
	}
	if err := st.InsertMatches(ctx, ms); err != nil { // half of them again: left alone
		t.Fatal(err)
	}
	for i, m := range ms {
		switch i % 5 {
		case 0:
			ch := finzone.MatchChange{To: finzone.StageAccepted, DueAt: base.Add(time.Duration(i%3) * 48 * time.Hour),
				Event: finzone.Event{At: base.Add(time.Hour), Actor: "bank", Action: "accept", From: finzone.StagePushed, To: finzone.StageAccepted}}
			if _, err := st.MoveMatch(ctx, m.ID, finzone.StagePushed, ch); err != nil {
				t.Fatalf("move match: %v", err)
			}
		case 1:
			ch := finzone.MatchChange{To: finzone.StageDeclined, DeclineReason: "rate",
				Event: finzone.Event{At: base.Add(time.Hour), Actor: "bank", Action: "decline", From: finzone.StagePushed, To: finzone.StageDeclined}}
			if _, err := st.MoveMatch(ctx, m.ID, finzone.StagePushed, ch); err != nil {
				t.Fatalf("move match: %v", err)
			}
		case 2:
			if err := st.SetMatchRead(ctx, m.ID, true); err != nil {
				t.Fatal(err)
			}
		case 3:
			if err := st.SetMatchRole(ctx, m.ID, finzone.RolePartner); err != nil {
				t.Fatal(err)
			}
			if err := st.SetMatchReminded(ctx, m.ID, base.Add(time.Hour)); err != nil {
				t.Fatal(err)
			}
		}
	}
}

func fillNotifications(t *testing.T, st *Store) {
	t.Helper()
	ctx := context.Background()
	var ns []finzone.Notification
	for i := 0; i < 24; i++ {
		ns = append(ns, finzone.Notification{ID: finzone.StableID("note", fmt.Sprint(i)), OrgID: institutions[i%2], Kind: "pushed",
			ProjectID: "p", MatchID: "m", Stage: finzone.StagePushed, Params: map[string]string{"title": "项目"},
			CreatedAt: base.Add(time.Duration(i%6) * time.Minute)})
	}
	if err := st.AddNotifications(ctx, ns); err != nil {
		t.Fatal(err)
	}
	if err := st.MarkNotificationsRead(ctx, institutions[0], []string{ns[0].ID, ns[2].ID}); err != nil {
		t.Fatal(err)
	}
	if err := st.MarkNotificationsRead(ctx, institutions[1], nil); err != nil {
		t.Fatal(err)
	}
	if err := st.AddNotifications(ctx, ns[20:]); err != nil { // again: left alone, read as they are
		t.Fatal(err)
	}
}

// projectQueries and matchQueries are the lists the platform asks for.
var (
	projectQueries = []finzone.ProjectFilter{
		{}, {OwnerOrgID: owners[0]}, {OwnerOrgID: owners[1], Regions: []string{regions[1]}},
		{Regions: []string{regions[0], regions[2]}}, {Regions: []string{}}, {Regions: regions, Status: finzone.ProjectSubmitted},
		{Type: finzone.TypeWorkingCapital}, {ClusterID: "c1"}, {NeedsAttention: true}, {Regions: regions, NeedsAttention: true},
	}
	matchQueries = []finzone.MatchFilter{
		{}, {InstitutionID: institutions[0]}, {OwnerOrgID: owners[2]}, {ProjectID: ""}, {Regions: []string{regions[0]}},
		{Regions: regions, Stages: []finzone.Stage{finzone.StagePushed, finzone.StageAccepted}}, {Stages: []finzone.Stage{}},
		{InstitutionID: institutions[1], OverdueAt: base.Add(50 * time.Hour)}, {OverdueAt: base.Add(30 * time.Hour)},
	}
	projectSorts = []string{"", "created_at", "-amount_yuan", "amount_yuan", "term_months", "-updated_at"}
	matchSorts   = []string{"", "-due_at", "created_at", "updated_at", "rank", "-score", "amount_yuan"}
)

// walk pages through one list with limit, returning every page's items and
// cursor.
func walk[T any](t *testing.T, limit int, list func(pg finzone.Page) ([]T, string, error), sort string) ([][]T, []string) {
	t.Helper()
	var pages [][]T
	var cursors []string
	pg := finzone.Page{Limit: limit, Sort: sort}
	for n := 0; ; n++ {
		items, next, err := list(pg)
		if err != nil {
			t.Fatalf("page %d: %v", n, err)
		}
		pages, cursors = append(pages, items), append(cursors, next)
		if next == "" || n > 200 {
			return pages, cursors
		}
		pg.Cursor = next
	}
}

// same pages through a list on the store and on the model and wants the
// same pages, items and cursors.
func same[T any](t *testing.T, what string, limit int, sort string, store, model func(pg finzone.Page) ([]T, string, error)) {
	t.Helper()
	wantPages, wantCursors := walk(t, limit, store, sort)
	gotPages, gotCursors := walk(t, limit, model, sort)
	if !reflect.DeepEqual(gotCursors, wantCursors) {
		t.Errorf("%s, sort %q, limit %d: cursors\n got %q\nwant %q", what, sort, limit, gotCursors, wantCursors)
		return
	}
	if !reflect.DeepEqual(gotPages, wantPages) {
		t.Errorf("%s, sort %q, limit %d: pages differ\n got %+v\nwant %+v", what, sort, limit, gotPages, wantPages)
	}
}

// The model answers every list as the store does, after writes of every
// kind through it: same items, order, page boundaries and cursors.
func TestListsAsTheStore(t *testing.T) {
	st := start(t)
	fill(t, st)
	if st.ready() == nil {
		t.Fatal("the model is not answering")
	}
	compareAll(t, st, 6)
}

// compareAll compares every list in pages of limit.
func compareAll(t *testing.T, st *Store, limit int) {
	t.Helper()
	ctx := context.Background()
	{
		for i, f := range projectQueries {
			for _, sort := range projectSorts {
				same(t, fmt.Sprintf("projects %d %+v", i, f), limit, sort,
					func(pg finzone.Page) ([]finzone.Project, string, error) { return st.DB.ListProjects(ctx, f, pg) },
					func(pg finzone.Page) ([]finzone.Project, string, error) { return st.ListProjects(ctx, f, pg) })
			}
		}
		for i, f := range matchQueries {
			for _, sort := range matchSorts {
				same(t, fmt.Sprintf("matches %d %+v", i, f), limit, sort,
					func(pg finzone.Page) ([]finzone.Match, string, error) { return st.DB.ListMatches(ctx, f, pg) },
					func(pg finzone.Page) ([]finzone.Match, string, error) { return st.ListMatches(ctx, f, pg) })
			}
		}
		for _, org := range append(institutions, "nobody") {
			for _, unread := range []bool{false, true} {
				same(t, fmt.Sprintf("notifications %s %v", org, unread), limit, "",
					func(pg finzone.Page) ([]finzone.Notification, string, error) {
						return st.DB.ListNotifications(ctx, org, unread, pg)
					},
					func(pg finzone.Page) ([]finzone.Notification, string, error) {
						return st.ListNotifications(ctx, org, unread, pg)
					})
			}
		}
	}
	compareProducts(t, st, limit)
	compareScans(t, st)
	for _, org := range institutions {
		want, err := st.DB.CountUnread(ctx, org)
		if err != nil {
			t.Fatal(err)
		}
		if got, err := st.CountUnread(ctx, org); err != nil || got != want {
			t.Errorf("unread of %s: got %d, %v; want %d", org, got, err, want)
		}
	}
}

// The contract both keep, asserted directly: scopes, order, pages that
// cover the list once, and the errors of a bad sort or cursor. A cursor
// either one made, the other continues from.
func TestListContract(t *testing.T) {
	st := start(t)
	fill(t, st)
	ctx := context.Background()
	for name, l := range map[string]lists{"store": st.DB, "model": st} {
		t.Run(name, func(t *testing.T) {
			seen := map[string]bool{}
			pages, _ := walk(t, 2, func(pg finzone.Page) ([]finzone.Project, string, error) {
				return l.ListProjects(ctx, finzone.ProjectFilter{OwnerOrgID: owners[0]}, pg)
			}, "")
			var last time.Time
			for _, page := range pages {
				for _, p := range page {
					if p.OwnerOrgID != owners[0] || seen[p.ID] {
						t.Errorf("project %s of %s listed for %s (again: %v)", p.ID, p.OwnerOrgID, owners[0], seen[p.ID])
					}
					if !last.IsZero() && p.CreatedAt.After(last) {
						t.Errorf("created %v after %v: want newest first", p.CreatedAt, last)
					}
					seen[p.ID], last = true, p.CreatedAt
				}
			}
			if len(seen) != 5 { // 10 of the owner's, 5 deleted
				t.Errorf("listed %d projects, want 5", len(seen))
			}
			inbox, _, err := l.ListMatches(ctx, finzone.MatchFilter{InstitutionID: institutions[0], Stages: []finzone.Stage{finzone.StageAccepted}}, finzone.Page{Limit: 100})
			if err != nil || len(inbox) == 0 {
				t.Fatalf("inbox: %d, %v", len(inbox), err)
			}
			for i, m := range inbox {
				if m.InstitutionID != institutions[0] || m.Stage != finzone.StageAccepted || i > 0 && m.DueAt.Before(inbox[i-1].DueAt) {
					t.Errorf("inbox item %d: %s %s due %v", i, m.InstitutionID, m.Stage, m.DueAt)
				}
			}
			if n, err := l.CountUnread(ctx, institutions[1]); err != nil || n != 0 {
				t.Errorf("unread after marking all read: %d, %v", n, err)
			}
			_, _, err = l.ListProjects(ctx, finzone.ProjectFilter{}, finzone.Page{Sort: "password"})
			if !finzone.IsCode(err, finzone.ECValidation) {
				t.Errorf("unknown sort: %v, want validation", err)
			}
			_, _, err = l.ListMatches(ctx, finzone.MatchFilter{}, finzone.Page{Cursor: "!!garbage"})
			if !finzone.IsCode(err, finzone.ECValidation) {
				t.Errorf("bad cursor: %v, want validation", err)
			}
		})
	}
	// A page the store began, the model continues, and the other way round.
	f := finzone.MatchFilter{Regions: regions}
	first, next, err := st.DB.ListMatches(ctx, f, finzone.Page{Limit: 3, Sort: "-score"})
	if err != nil || next == "" {
		t.Fatal(err)
	}
	second, _, err := st.ListMatches(ctx, f, finzone.Page{Limit: 3, Sort: "-score", Cursor: next})
	if err != nil {
		t.Fatal(err)
	}
	both, _, err := st.DB.ListMatches(ctx, f, finzone.Page{Limit: 6, Sort: "-score"})
	if err != nil || !reflect.DeepEqual(append(first, second...), both) {
		t.Errorf("store's page then model's: not the store's two pages (%v)", err)
	}
}

// A write through the model is in the next list, before anything else
// happens.
func TestWriteThenList(t *testing.T) {
	st := start(t)
	ctx := context.Background()
	p := finzone.Project{OwnerOrgID: owners[0], Title: "新项目", Type: finzone.TypeManufacturingLong, AmountYuan: 2_000_000,
		TermMonths: 12, RegionCode: regions[0], Status: finzone.ProjectDraft, EnterpriseSize: finzone.SizeSmall}
	if err := st.CreateProject(ctx, &p); err != nil {
		t.Fatal(err)
	}
	list := func() []finzone.Project {
		items, _, err := st.ListProjects(ctx, finzone.ProjectFilter{OwnerOrgID: owners[0]}, finzone.Page{})
		if err != nil {
			t.Fatal(err)
		}
		return items
	}
	if got := list(); len(got) != 1 || got[0].ID != p.ID || got[0].Status != finzone.ProjectDraft {
		t.Fatalf("after create: %+v", got)
	}
	if _, err := st.SetProjectStatus(ctx, p.ID, []finzone.ProjectStatus{finzone.ProjectDraft}, finzone.ProjectSubmitted, time.Now()); err != nil {
		t.Fatal(err)
	}
	if got := list(); len(got) != 1 || got[0].Status != finzone.ProjectSubmitted || got[0].SubmittedAt.IsZero() {
		t.Fatalf("after submit: %+v", got)
	}
	// A refused write changes nothing.
	if _, err := st.SetProjectStatus(ctx, p.ID, []finzone.ProjectStatus{finzone.ProjectDraft}, finzone.ProjectWithdrawn, time.Now()); !finzone.IsCode(err, finzone.ECInvalidState) {
		t.Fatalf("second move: %v, want invalid_state", err)
	}
	if err := st.SetProjectExhausted(ctx, p.ID, true, true); err != nil {
		t.Fatal(err)
	}
	items, _, err := st.ListProjects(ctx, finzone.ProjectFilter{NeedsAttention: true}, finzone.Page{})
	if err != nil || len(items) != 1 || items[0].Status != finzone.ProjectSubmitted {
		t.Fatalf("attention list: %+v, %v", items, err)
	}
	if st.ready() == nil {
		t.Fatal("these lists came from the store, not the model")
	}
}

// Another process's writes (here another connection, as finzone seed or
// admin would make them) are announced: the model reads the store while
// the lease runs and loads them when it has run out.
func TestAnnouncedWritesAreLoaded(t *testing.T) {
	st := start(t)
	ctx := context.Background()
	other := finzonetest.OpenStore(t, finzonetest.MongoURI(), st.Name(), false)
	stop := Announce(ctx, other, finzonetest.Logger(t))
	deadline := time.Now().Add(5 * PollEvery)
	for st.ready() != nil {
		if time.Now().After(deadline) {
			t.Fatal("the model still answers while another process holds the lease")
		}
		time.Sleep(50 * time.Millisecond)
	}
	p := finzone.Project{OwnerOrgID: owners[2], Title: "外部写入", Type: finzone.TypeManufacturingLong, AmountYuan: 3_000_000,
		TermMonths: 24, RegionCode: regions[2], Status: finzone.ProjectDraft, EnterpriseSize: finzone.SizeSmall}
	if err := other.CreateProject(ctx, &p); err != nil {
		t.Fatal(err)
	}
	items, _, err := st.ListProjects(ctx, finzone.ProjectFilter{OwnerOrgID: owners[2]}, finzone.Page{})
	if err != nil || len(items) != 1 {
		t.Fatalf("during the lease: %d items, %v; want the store's 1", len(items), err)
	}
	stop()
	deadline = time.Now().Add(LeaseFor + 10*PollEvery)
	for st.ready() == nil {
		if time.Now().After(deadline) {
			t.Fatal("the model did not load again after the lease ran out")
		}
		time.Sleep(50 * time.Millisecond)
	}
	m := st.ready()
	if m.projects.get(mustOID(t, p.ID)) == nil {
		t.Fatal("the model loaded again without the other process's project")
	}
}

// Writes made while the model loads are read again before it answers.
func TestWritesDuringLoad(t *testing.T) {
	st := start(t)
	fill(t, st)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	done := make(chan struct{})
	go func() {
		defer close(done)
		for i := 0; i < 5; i++ {
			m := newModel(0) // the lease's generation: Run leaves it be
			st.cur.Store(m)
			if err := st.load(ctx, m); err != nil && ctx.Err() == nil {
				t.Errorf("load: %v", err)
			}
		}
	}()
	ms, _, err := st.DB.ListMatches(ctx, finzone.MatchFilter{Stages: []finzone.Stage{finzone.StagePushed}}, finzone.Page{Limit: 100})
	if err != nil {
		t.Fatal(err)
	}
	products := familyIDs(t, st)
	for i, m := range ms {
		if i%4 == 0 { // a product's new version, published: every version changes
			head, err := st.Product(ctx, products[i/4%len(products)])
			if err != nil {
				t.Fatal(err)
			}
			head.Version, head.Status = head.Version+1, finzone.ReviewDraft
			if err := st.CreateProduct(ctx, &head); err != nil {
				t.Fatalf("new version %d: %v", i, err)
			}
			review(t, st, head, true)
		}
		if _, err := st.MoveMatch(ctx, m.ID, finzone.StagePushed, finzone.MatchChange{To: finzone.StageAccepted, DueAt: base.Add(time.Duration(i) * time.Hour),
			Event: finzone.Event{At: base, Actor: "bank", Action: "accept", From: finzone.StagePushed, To: finzone.StageAccepted}}); err != nil {
			t.Fatalf("move %d: %v", i, err)
		}
		if err := st.SetMatchRead(ctx, m.ID, true); err != nil {
			t.Fatalf("mark %d read: %v", i, err)
		}
	}
	<-done
	if st.ready() == nil {
		t.Fatal("the model is not answering after its loads")
	}
	compareAll(t, st, finzone.MaxPageLimit)
}

func mustOID(t *testing.T, id string) bson.ObjectID {
	t.Helper()
	o, err := bson.ObjectIDFromHex(id)
	if err != nil {
		t.Fatal(err)
	}
	return o
}

// compareScans wants the pipeline's scans to find the same documents in
// the model as in the store (the model's are whole, the store's only hold
// the fields the pipeline reads, so IDs are compared).
func compareScans(t *testing.T, st *Store) {
	t.Helper()
	ctx := context.Background()
	ids := func(what string, list any, err error) []string {
		if err != nil {
			t.Fatalf("%s: %v", what, err)
		}
		var out []string
		v := reflect.ValueOf(list)
		for i := 0; i < v.Len(); i++ {
			out = append(out, v.Index(i).FieldByName("ID").String())
		}
		slices.Sort(out)
		return out
	}
	check := func(what string, got, want []string) {
		t.Helper()
		if !reflect.DeepEqual(got, want) {
			t.Errorf("%s: model finds %q, store %q", what, got, want)
		}
	}
	statuses, stuck := []finzone.ProjectStatus{finzone.ProjectSubmitted}, []finzone.ProjectStatus{finzone.ProjectMatching}
	got, err := st.PipelineProjects(ctx, statuses, stuck)
	want, werr := st.DB.PipelineProjects(ctx, statuses, stuck)
	check("pipeline projects", ids("model", got, err), ids("store", want, werr))
	got, err = st.ProjectsInStatus(ctx, statuses)
	want, werr = st.DB.ProjectsInStatus(ctx, statuses)
	check("projects in status", ids("model", got, err), ids("store", want, werr))
	gm, err := st.FreedMatches(ctx)
	wm, werr := st.DB.FreedMatches(ctx)
	check("freed matches", ids("model", gm, err), ids("store", wm, werr))
	gm, err = st.DueMatches(ctx)
	wm, werr = st.DB.DueMatches(ctx)
	check("due matches", ids("model", gm, err), ids("store", wm, werr))
	if len(gm) == 0 {
		t.Error("no due matches to compare")
	}
}

// TestScansWaitForALoadInProgress: the reconciler's scans wait for a load
// in progress and then answer from the model; when the load fails they
// answer from the store, and a scan whose context ends stops waiting.
func TestScansWaitForALoadInProgress(t *testing.T) {
	st := start(t)
	fill(t, st)
	ctx := context.Background()
	statuses := []finzone.ProjectStatus{finzone.ProjectSubmitted, finzone.ProjectMatching}
	want, err := st.DB.ProjectsInStatus(ctx, statuses)
	if err != nil || len(want) == 0 {
		t.Fatalf("the store's scan: %d projects, %v", len(want), err)
	}
	scan := func() chan int {
		got := make(chan int, 1)
		go func() {
			ps, err := st.ProjectsInStatus(ctx, statuses)
			if err != nil {
				t.Errorf("scan: %v", err)
			}
			got <- len(ps)
		}()
		return got
	}
	m := newModel(0) // the lease's generation: Run leaves it be
	st.cur.Store(m)
	got := scan()
	select {
	case n := <-got:
		t.Fatalf("the scan answered (%d projects) while the model was loading", n)
	case <-time.After(300 * time.Millisecond):
	}
	if err := st.load(ctx, m); err != nil {
		t.Fatal(err)
	}
	if n := <-got; n != len(want) || st.ready() != m {
		t.Fatalf("after the load: %d projects (store %d), model answering %v", n, len(want), st.ready() == m)
	}

	failed := newModel(0)
	st.cur.Store(failed)
	got = scan()
	close(failed.done) // the load ended without loading
	if n := <-got; n != len(want) {
		t.Fatalf("after a failed load: %d projects, want the store's %d", n, len(want))
	}

	st.cur.Store(newModel(0))
	cctx, cancel := context.WithTimeout(ctx, 100*time.Millisecond)
	defer cancel()
	if _, err := st.ProjectsInStatus(cctx, statuses); err == nil {
		t.Fatal("a scan whose context ended while waiting answered")
	}
}
