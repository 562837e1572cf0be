package mongodb_test

// The store contract suite. It runs against embedded FerretDB (SQLite) by
// default and against a real MongoDB when FINZONE_TEST_MONGO_URI is set, so
// the same behaviour is proved on both.

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"os"
	"sync/atomic"
	"testing"
	"time"

	"finzone"
	"finzone/embedded"
	"finzone/mongodb"
)

var (
	testURI string
	dbSeq   atomic.Int64
)

func TestMain(m *testing.M) {
	testURI = os.Getenv("FINZONE_TEST_MONGO_URI")
	var srv *embedded.Mongo
	if testURI == "" {
		dir, err := os.MkdirTemp("", "finzone-store-test-")
		if err != nil {
			panic(err)
		}
		srv, err = embedded.StartMongo(dir, "127.0.0.1:0")
		if err != nil {
			panic(err)
		}
		testURI = srv.URI
		defer os.RemoveAll(dir)
	}
	code := m.Run()
	if srv != nil {
		srv.Close()
	}
	os.Exit(code)
}

// openDB opens a fresh database for one test.
func openDB(t *testing.T) *mongodb.DB {
	t.Helper()
	ctx := context.Background()
	name := fmt.Sprintf("finzone_test_%d_%d", os.Getpid(), dbSeq.Add(1))
	db, err := mongodb.Open(ctx, testURI, name)
	if err != nil {
		t.Fatalf("open: %v", err)
	}
	t.Cleanup(func() {
		_ = db.DropAndClose(ctx)
	})
	return db
}

func wantCode(t *testing.T, err error, code string) {
	t.Helper()
	if got := finzone.ErrorCode(err); got != code {
		t.Fatalf("error code = %q (%v), want %q", got, err, code)
	}
}

func enterprise(uscc string) finzone.Organization {
	return finzone.Organization{Kind: finzone.KindEnterprise, Name: "安徽临泉测试食品有限公司", USCC: uscc,
		RegionCode: "341221", IndustryCode: "C13", Size: finzone.SizeSmall}
}

func TestOrgs(t *testing.T) {
	ctx := context.Background()
	db := openDB(t)
	o := enterprise("914403001922038216")
	if err := db.CreateOrg(ctx, &o); err != nil {
		t.Fatalf("create: %v", err)
	}
	if o.ID == "" {
		t.Fatal("create did not set ID")
	}
	dup := enterprise("914403001922038216")
	wantCode(t, db.CreateOrg(ctx, &dup), finzone.ECConflict)

	got, err := db.Org(ctx, o.ID)
	if err != nil {
		t.Fatalf("get: %v", err)
	}
	if got.Name != o.Name || got.USCC != o.USCC || got.IndustryCode != "C13" || got.Size != finzone.SizeSmall {
		t.Errorf("round trip: got %+v, want %+v", got, o)
	}
	_, err = db.Org(ctx, "000000000000000000000000")
	wantCode(t, err, finzone.ECNotFound)
	_, err = db.Org(ctx, "not-an-id")
	wantCode(t, err, finzone.ECNotFound)

	bank := finzone.Organization{Kind: finzone.KindBank, Name: "测试银行阜阳分行", USCC: "91440300708461136T", RegionCode: "341200"}
	if err := db.CreateOrg(ctx, &bank); err != nil {
		t.Fatalf("create bank: %v", err)
	}
	at := time.Date(2026, 11, 2, 3, 4, 5, 0, time.UTC)
	v, err := db.VerifyOrg(ctx, bank.ID, "coordinator-1", at)
	if err != nil || !v.Verified || v.VerifiedBy != "coordinator-1" || !v.VerifiedAt.Equal(at) {
		t.Fatalf("verify: got %+v, %v", v, err)
	}
	again, err := db.VerifyOrg(ctx, bank.ID, "coordinator-2", at.Add(time.Hour))
	if err != nil || again.VerifiedBy != "coordinator-1" {
		t.Errorf("verify twice: got %+v, %v; want the first verifier kept", again, err)
	}
	unverified := false
	list, _, err := db.ListOrgs(ctx, finzone.OrgFilter{Verified: &unverified}, finzone.Page{})
	if err != nil || len(list) != 1 || list[0].ID != o.ID {
		t.Errorf("list unverified: got %v, %v; want only the enterprise", list, err)
	}
}

func TestUsersAndSessions(t *testing.T) {
	ctx := context.Background()
	db := openDB(t)
	u := finzone.User{Email: "Zhang.Wei@Example.com", Name: "张伟", PasswordHash: "x", OrgID: "o1", Role: finzone.RoleAdmin}
	if err := db.CreateUser(ctx, &u); err != nil {
		t.Fatalf("create: %v", err)
	}
	dup := finzone.User{Email: "zhang.wei@example.com ", Name: "x", OrgID: "o2", Role: finzone.RoleMember}
	wantCode(t, db.CreateUser(ctx, &dup), finzone.ECConflict)
	got, err := db.UserByEmail(ctx, "ZHANG.wei@example.com")
	if err != nil || got.ID != u.ID || got.Email != "zhang.wei@example.com" {
		t.Fatalf("by email: got %+v, %v", got, err)
	}

	sum := sha256.Sum256([]byte("token-1"))
	hash := hex.EncodeToString(sum[:])
	now := time.Now().Truncate(time.Millisecond)
	first := finzone.Session{ID: "0a1b", TokenHash: hash, UserID: u.ID, CreatedAt: now, ExpiresAt: now.Add(time.Hour), LastSeenAt: now,
		UserAgent: "Firefox", IP: "203.0.113.9"}
	if err := db.CreateSession(ctx, first, nil); err != nil {
		t.Fatalf("create session: %v", err)
	}
	s, err := db.Session(ctx, hash, now)
	if err != nil || s.UserID != u.ID || s.ID != "0a1b" {
		t.Fatalf("session: got %+v, %v", s, err)
	}
	_, err = db.Session(ctx, hash, now.Add(2*time.Hour))
	wantCode(t, err, finzone.ECNotFound)
	got, err = db.User(ctx, u.ID)
	if err != nil || len(got.Sessions) != 1 || got.Sessions[0].ID != first.ID || got.Sessions[0].IP != first.IP ||
		got.Sessions[0].UserAgent != first.UserAgent || !got.Sessions[0].ExpiresAt.Equal(first.ExpiresAt) || got.Sessions[0].TokenHash != hash {
		t.Fatalf("the user lists %+v, %v; want %+v", got.Sessions, err, first)
	}
	// A second session replaces an expired one in the same write.
	sum2 := sha256.Sum256([]byte("token-2"))
	second := finzone.Session{ID: "0c2d", TokenHash: hex.EncodeToString(sum2[:]), UserID: u.ID, CreatedAt: now.Add(time.Minute),
		ExpiresAt: now.Add(time.Hour), LastSeenAt: now.Add(time.Minute)}
	if err := db.CreateSession(ctx, second, []finzone.Session{first}); err != nil {
		t.Fatal(err)
	}
	if _, err := db.Session(ctx, hash, now); !finzone.IsCode(err, finzone.ECNotFound) {
		t.Errorf("the dropped session's token: got %v, want not found", err)
	}
	wantCode(t, db.TouchSession(ctx, u.ID, "0c2d", now.Add(time.Hour/2)), "")
	wantCode(t, db.TouchSession(ctx, u.ID, "0a1b", now.Add(time.Hour/2)), "") // ended: stays ended
	got, _ = db.User(ctx, u.ID)
	if len(got.Sessions) != 1 || got.Sessions[0].ID != "0c2d" || !got.Sessions[0].LastSeenAt.Equal(now.Add(time.Hour/2)) {
		t.Fatalf("after touch: got %+v, want the second session seen at half past", got.Sessions)
	}
	if err := db.SetPassword(ctx, got, "y", nil); err != nil {
		t.Fatal(err)
	}
	got, _ = db.User(ctx, u.ID)
	if got.PasswordHash != "y" || len(got.Sessions) != 0 {
		t.Errorf("after a password set: got %q with %d sessions, want y and none", got.PasswordHash, len(got.Sessions))
	}
	if err := db.EndSessions(ctx, u.ID, []finzone.Session{second}); err != nil {
		t.Errorf("end twice: %v, want nil", err)
	}
}

func project(owner string, amount int64) finzone.Project {
	return finzone.Project{OwnerOrgID: owner, Title: "年产10万吨饲料项目", Type: finzone.TypeManufacturingLong,
		AmountYuan: amount, TermMonths: 36, Purpose: "购置设备", Collateral: []finzone.Collateral{finzone.CollateralMortgage},
		RegionCode: "341221", IndustryCode: "C13", EnterpriseSize: finzone.SizeSmall, Status: finzone.ProjectDraft}
}

func TestProjects(t *testing.T) {
	ctx := context.Background()
	db := openDB(t)
	p := project("owner-a", 5_000_000)
	p.Green = true
	if err := db.CreateProject(ctx, &p); err != nil {
		t.Fatalf("create: %v", err)
	}
	got, err := db.Project(ctx, p.ID)
	if err != nil || got.AmountYuan != 5_000_000 || !got.Green || len(got.Collateral) != 1 || got.Status != finzone.ProjectDraft {
		t.Fatalf("get: got %+v, %v", got, err)
	}
	got.Title = "改名"
	got.AmountYuan = 6_000_000
	upd, err := db.UpdateProject(ctx, got, finzone.ProjectDraft)
	if err != nil || upd.Title != "改名" || upd.AmountYuan != 6_000_000 {
		t.Fatalf("update: got %+v, %v", upd, err)
	}
	sub, err := db.SetProjectStatus(ctx, p.ID, []finzone.ProjectStatus{finzone.ProjectDraft}, finzone.ProjectSubmitted, time.Now())
	if err != nil || sub.Status != finzone.ProjectSubmitted || sub.SubmittedAt.IsZero() {
		t.Fatalf("submit: got %+v, %v", sub, err)
	}
	// A second submit races and loses: the project is no longer a draft.
	_, err = db.SetProjectStatus(ctx, p.ID, []finzone.ProjectStatus{finzone.ProjectDraft}, finzone.ProjectSubmitted, time.Now())
	wantCode(t, err, finzone.ECInvalidState)
	_, err = db.UpdateProject(ctx, got, finzone.ProjectDraft)
	wantCode(t, err, finzone.ECInvalidState)
	wantCode(t, db.DeleteProject(ctx, p.ID, finzone.ProjectDraft), finzone.ECInvalidState)

	d := project("owner-a", 1_000_000)
	if err := db.CreateProject(ctx, &d); err != nil {
		t.Fatal(err)
	}
	if err := db.DeleteProject(ctx, d.ID, finzone.ProjectDraft); err != nil {
		t.Fatalf("delete draft: %v", err)
	}
	_, err = db.Project(ctx, d.ID)
	wantCode(t, err, finzone.ECNotFound)
}

func TestProjectPagination(t *testing.T) {
	ctx := context.Background()
	db := openDB(t)
	base := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	want := map[string]bool{}
	for i := 0; i < 23; i++ {
		owner := "owner-a"
		if i%4 == 0 {
			owner = "owner-b"
		}
		p := project(owner, int64(1_000_000+(i%5)*10_000)) // repeated amounts exercise the _id tie-break
		p.CreatedAt = base.Add(time.Duration(i%7) * time.Hour)
		if err := db.CreateProject(ctx, &p); err != nil {
			t.Fatal(err)
		}
		if owner == "owner-a" {
			want[p.ID] = true
		}
	}
	for _, sort := range []string{"", "amount_yuan", "-amount_yuan", "created_at"} {
		seen := map[string]bool{}
		cursor, pages := "", 0
		var last int64 = -1
		for {
			items, next, err := db.ListProjects(ctx, finzone.ProjectFilter{OwnerOrgID: "owner-a"}, finzone.Page{Limit: 5, Cursor: cursor, Sort: sort})
			if err != nil {
				t.Fatalf("sort %q: %v", sort, err)
			}
			pages++
			for _, p := range items {
				if seen[p.ID] {
					t.Errorf("sort %q: %s listed twice", sort, p.ID)
				}
				seen[p.ID] = true
				if sort == "amount_yuan" && p.AmountYuan < last {
					t.Errorf("sort %q: %d after %d", sort, p.AmountYuan, last)
				}
				last = p.AmountYuan
			}
			if next == "" {
				break
			}
			cursor = next
		}
		if len(seen) != len(want) || pages != 4 {
			t.Errorf("sort %q: listed %d in %d pages, want %d in 4", sort, len(seen), pages, len(want))
		}
		for id := range want {
			if !seen[id] {
				t.Errorf("sort %q: %s missing", sort, id)
			}
		}
	}
	_, _, err := db.ListProjects(ctx, finzone.ProjectFilter{}, finzone.Page{Sort: "password"})
	wantCode(t, err, finzone.ECValidation)
	_, _, err = db.ListProjects(ctx, finzone.ProjectFilter{}, finzone.Page{Cursor: "!!garbage"})
	wantCode(t, err, finzone.ECValidation)
	items, _, err := db.ListProjects(ctx, finzone.ProjectFilter{Regions: []string{"341222"}}, finzone.Page{})
	if err != nil || len(items) != 0 {
		t.Errorf("region filter: got %d items, %v; want none", len(items), err)
	}
}

func product(owner string) finzone.Product {
	return finzone.Product{OwnerOrgID: owner, Name: "集群贷", Category: finzone.CategoryLoan,
		AmountMinYuan: 1_000_000, AmountMaxYuan: 50_000_000, TermMinMonths: 12, TermMaxMonths: 60,
		RateFloorBps: 310, RateCeilingBps: 500, ProjectTypes: []finzone.ProjectType{finzone.TypeManufacturingLong},
		IndustryInclude: []string{"C"}, Regions: []string{"341200"}, Collateral: []finzone.Collateral{finzone.CollateralMortgage},
		Sizes: []finzone.Size{finzone.SizeSmall}, CapacityYuan: 1_000_000_000,
		ValidFrom: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC), ValidTo: time.Date(2027, 1, 1, 0, 0, 0, 0, time.UTC),
		Status: finzone.ReviewDraft}
}

func TestProductVersionsAndReview(t *testing.T) {
	ctx := context.Background()
	db := openDB(t)
	p := product("bank-1")
	if err := db.CreateProduct(ctx, &p); err != nil {
		t.Fatalf("create: %v", err)
	}
	if p.Version != 1 || p.ID == "" {
		t.Fatalf("create: got id %q version %d", p.ID, p.Version)
	}
	pending := p
	pending.Status = finzone.ReviewPending
	if _, err := db.SetProductReview(ctx, pending, finzone.ReviewDraft); err != nil {
		t.Fatalf("publish: %v", err)
	}
	pub := pending
	pub.Status, pub.ReviewedBy, pub.ReviewNote, pub.ReviewedAt = finzone.ReviewPublished, "coord", "ok", time.Now()
	if _, err := db.SetProductReview(ctx, pub, finzone.ReviewPending); err != nil {
		t.Fatalf("approve: %v", err)
	}
	// Approving again loses the race: it is no longer pending.
	_, err := db.SetProductReview(ctx, pub, finzone.ReviewPending)
	wantCode(t, err, finzone.ECInvalidState)

	v2 := p
	v2.Version, v2.Name, v2.Status, v2.CreatedAt = 2, "集群贷（2026版）", finzone.ReviewDraft, time.Time{}
	if err := db.CreateProduct(ctx, &v2); err != nil {
		t.Fatalf("version 2: %v", err)
	}
	dup := v2
	wantCode(t, db.CreateProduct(ctx, &dup), finzone.ECConflict)

	head, err := db.Product(ctx, p.ID)
	if err != nil || head.Version != 2 || head.Name != "集群贷（2026版）" {
		t.Fatalf("head: got %+v, %v", head, err)
	}
	old, err := db.ProductVersion(ctx, p.ID, 1)
	if err != nil || old.Status != finzone.ReviewPublished || old.Name != "集群贷" {
		t.Fatalf("version 1 must stay readable and live: got %+v, %v", old, err)
	}
	live, err := db.PublishedProducts(ctx)
	if err != nil || len(live) != 1 || live[0].Version != 1 {
		t.Fatalf("published: got %v, %v", live, err)
	}
	heads, _, err := db.ListProducts(ctx, finzone.ProductFilter{OwnerOrgID: "bank-1", HeadOnly: true}, finzone.Page{})
	if err != nil || len(heads) != 1 || heads[0].Version != 2 {
		t.Fatalf("heads: got %v, %v", heads, err)
	}

	v2.Status = finzone.ReviewPending
	if _, err := db.SetProductReview(ctx, v2, finzone.ReviewDraft); err != nil {
		t.Fatal(err)
	}
	v2.Status, v2.ReviewedAt, v2.ReviewedBy = finzone.ReviewPublished, time.Now(), "coord"
	if _, err := db.SetProductReview(ctx, v2, finzone.ReviewPending); err != nil {
		t.Fatal(err)
	}
	old, _ = db.ProductVersion(ctx, p.ID, 1)
	if old.Status != finzone.ReviewSuperseded {
		t.Errorf("version 1 after approving 2: status %s, want superseded", old.Status)
	}
	versions, err := db.ProductVersions(ctx, p.ID)
	if err != nil || len(versions) != 2 {
		t.Errorf("versions: got %d, %v", len(versions), err)
	}

	// Filters on the same array field combine (scope and served region).
	other := product("bank-2")
	other.Regions = []string{"340000"}
	other.Status = finzone.ReviewPublished
	if err := db.CreateProduct(ctx, &other); err != nil {
		t.Fatal(err)
	}
	list, _, err := db.ListProducts(ctx, finzone.ProductFilter{ScopeRegions: []string{"341200", "340000"}, Region: "340000",
		Status: finzone.ReviewPublished}, finzone.Page{})
	if err != nil || len(list) != 1 || list[0].ID != other.ID {
		t.Errorf("combined region filters: got %v, %v; want only the province-wide product", list, err)
	}
}

func TestUpdateProductOnlyInAllowedStatus(t *testing.T) {
	ctx := context.Background()
	db := openDB(t)
	p := product("bank-1")
	if err := db.CreateProduct(ctx, &p); err != nil {
		t.Fatal(err)
	}
	p.Name = "新名"
	got, err := db.UpdateProduct(ctx, p, []finzone.ReviewStatus{finzone.ReviewDraft, finzone.ReviewRejected})
	if err != nil || got.Name != "新名" {
		t.Fatalf("update draft: %+v, %v", got, err)
	}
	_, err = db.UpdateProduct(ctx, p, []finzone.ReviewStatus{finzone.ReviewPublished})
	wantCode(t, err, finzone.ECInvalidState)
}

func TestUnreachableServerIsUnavailable(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	_, err := mongodb.Open(ctx, "mongodb://127.0.0.1:1/?serverSelectionTimeoutMS=500", "x")
	if err == nil {
		t.Fatal("open of a closed port succeeded")
	}
	wantCode(t, err, finzone.ECUnavailable)
}

// Start-up creates indexes every time; on an existing database it must only
// add what is missing (FerretDB drops the connection on duplicates).
func TestOpenTwiceKeepsIndexesAndData(t *testing.T) {
	ctx := context.Background()
	db := openDB(t)
	o := enterprise("914403001922038216")
	if err := db.CreateOrg(ctx, &o); err != nil {
		t.Fatal(err)
	}
	again, err := mongodb.Open(ctx, testURI, db.Name())
	if err != nil {
		t.Fatalf("second open: %v", err)
	}
	defer again.Close(ctx)
	dup := enterprise("914403001922038216")
	wantCode(t, again.CreateOrg(ctx, &dup), finzone.ECConflict)
	if _, err := again.Org(ctx, o.ID); err != nil {
		t.Errorf("data after second open: %v", err)
	}
}

// FerretDB evaluates an update's filter and then writes, so "only if still a
// draft" could let two racing submits both win; the claim makes exactly one.
func TestConcurrentTransitionsHaveOneWinner(t *testing.T) {
	ctx := context.Background()
	db := openDB(t)
	p := project("owner-a", 5_000_000)
	if err := db.CreateProject(ctx, &p); err != nil {
		t.Fatal(err)
	}
	m := finzone.Match{ID: finzone.MatchID(p.ID, "bank-1"), ProjectID: p.ID, InstitutionID: "bank-1", Role: finzone.RoleLead,
		Stage: finzone.StagePushed, Events: []finzone.Event{{At: time.Now(), Actor: "system", Action: "push", To: finzone.StagePushed}}}
	if err := db.InsertMatches(ctx, []finzone.Match{m, m}); err != nil {
		t.Fatalf("insert twice: %v", err)
	}
	const racers = 8
	type result struct{ project, match error }
	results := make(chan result, racers)
	for i := 0; i < racers; i++ {
		go func() {
			_, perr := db.SetProjectStatus(ctx, p.ID, []finzone.ProjectStatus{finzone.ProjectDraft}, finzone.ProjectSubmitted, time.Now())
			_, merr := db.MoveMatch(ctx, m.ID, finzone.StagePushed, finzone.MatchChange{To: finzone.StageAccepted, KeepDue: true,
				Event: finzone.Event{At: time.Now(), Actor: "u", Action: "accept", From: finzone.StagePushed, To: finzone.StageAccepted}})
			results <- result{perr, merr}
		}()
	}
	projectWins, matchWins := 0, 0
	for i := 0; i < racers; i++ {
		r := <-results
		for _, e := range []struct {
			err  error
			wins *int
		}{{r.project, &projectWins}, {r.match, &matchWins}} {
			switch {
			case e.err == nil:
				*e.wins++
			case !finzone.IsCode(e.err, finzone.ECInvalidState):
				t.Errorf("loser got %v, want invalid_state", e.err)
			}
		}
	}
	if projectWins != 1 || matchWins != 1 {
		t.Errorf("winners: %d submits, %d accepts; want exactly 1 each", projectWins, matchWins)
	}
	got, err := db.Match(ctx, m.ID)
	if err != nil || len(got.Events) != 2 {
		t.Errorf("match after the race: %d events, %v; want push and one accept", len(got.Events), err)
	}
}

func TestLedgerVersionsConflict(t *testing.T) {
	ctx := context.Background()
	db := openDB(t)
	p := project("owner-a", 5_000_000)
	if err := db.CreateProject(ctx, &p); err != nil {
		t.Fatal(err)
	}
	l, err := db.Ledger(ctx, p.ID)
	if err != nil || l.Version != 0 {
		t.Fatalf("empty ledger: %+v, %v", l, err)
	}
	a := l
	a.Entries = []finzone.LedgerEntry{{InstitutionID: "i1", Role: finzone.RoleLead, Rank: 1}}
	if err := db.SaveLedger(ctx, &a, 0); err != nil || a.Version != 1 {
		t.Fatalf("first save: version %d, %v", a.Version, err)
	}
	b := l
	wantCode(t, db.SaveLedger(ctx, &b, 0), finzone.ECConflict)
	c := a
	c.Entries = append(c.Entries, finzone.LedgerEntry{InstitutionID: "i2", Role: finzone.RolePartner, Rank: 2})
	if err := db.SaveLedger(ctx, &c, 1); err != nil {
		t.Fatalf("second save: %v", err)
	}
	stale := a
	wantCode(t, db.SaveLedger(ctx, &stale, 1), finzone.ECConflict)
	got, err := db.Ledger(ctx, p.ID)
	if err != nil || got.Version != 2 || len(got.Entries) != 2 {
		t.Errorf("ledger: %+v, %v; want version 2 with 2 entries", got, err)
	}
}

func TestTrackRecords(t *testing.T) {
	ctx := context.Background()
	db := openDB(t)
	var ms []finzone.Match
	for i, st := range []finzone.Stage{finzone.StagePushed, finzone.StageAccepted, finzone.StageDeclined, finzone.StageExpired, finzone.StageDisbursed} {
		ms = append(ms, finzone.Match{ID: finzone.MatchID(fmt.Sprint("p", i), "bank-1"), ProjectID: fmt.Sprint("p", i),
			InstitutionID: "bank-1", Stage: st})
	}
	ms = append(ms, finzone.Match{ID: finzone.MatchID("p0", "bank-2"), ProjectID: "p0", InstitutionID: "bank-2", Stage: finzone.StagePushed})
	if err := db.InsertMatches(ctx, ms); err != nil {
		t.Fatal(err)
	}
	got, err := db.TrackRecords(ctx)
	if err != nil {
		t.Fatal(err)
	}
	want := finzone.TrackRecord{InstitutionID: "bank-1", Pushed: 5, Answered: 3, Approved: 1, Open: 3}
	if got["bank-1"] != want {
		t.Errorf("bank-1: got %+v, want %+v", got["bank-1"], want)
	}
	if got["bank-2"].Pushed != 1 || got["bank-2"].Answered != 0 {
		t.Errorf("bank-2: got %+v", got["bank-2"])
	}
}

func TestWebhooksOfSeveralOrgs(t *testing.T) {
	ctx := context.Background()
	db := openDB(t)
	a, b, none := "65e2b00000f1000000000001", "65e2b00000f1000000000002", "65e2b00000f1000000000003"
	for _, id := range []string{a, b} {
		if err := db.SetWebhook(ctx, finzone.Webhook{OrgID: id, URL: "https://bank.example/" + id, SealedSecret: []byte("s-" + id), UpdatedAt: time.Now()}); err != nil {
			t.Fatal(err)
		}
	}
	got, err := db.Webhooks(ctx, []string{a, none, b})
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 2 || got[a].URL != "https://bank.example/"+a || string(got[b].SealedSecret) != "s-"+b {
		t.Errorf("webhooks = %+v, want a's and b's only", got)
	}
	if _, ok := got[none]; ok {
		t.Errorf("an organization without a webhook has one: %+v", got[none])
	}
}

// A flag the pipeline sets on a project must not undo a status change made
// at the same moment (FerretDB rewrites whole documents on update).
func TestAttentionFlagDoesNotUndoAStatusChange(t *testing.T) {
	ctx := context.Background()
	db := openDB(t)
	for i := range 20 {
		p := project("owner-a", 5_000_000)
		p.Status = finzone.ProjectMatching
		if err := db.CreateProject(ctx, &p); err != nil {
			t.Fatal(err)
		}
		done := make(chan error, 1)
		go func() { done <- db.SetProjectAttention(ctx, p.ID, true) }()
		if _, err := db.SetProjectStatus(ctx, p.ID, []finzone.ProjectStatus{finzone.ProjectMatching}, finzone.ProjectWithdrawn, time.Now()); err != nil {
			t.Fatal(err)
		}
		if err := <-done; err != nil {
			t.Fatal(err)
		}
		got, err := db.Project(ctx, p.ID)
		if err != nil {
			t.Fatal(err)
		}
		if got.Status != finzone.ProjectWithdrawn || !got.NeedsAttention {
			t.Fatalf("round %d: status %s, attention %v; want withdrawn and flagged (an update was lost)", i, got.Status, got.NeedsAttention)
		}
	}
}

// MoveProject moves the project as the caller read it; once it moved on,
// the fresh state decides.
func TestMoveProjectAsSeen(t *testing.T) {
	ctx := context.Background()
	db := openDB(t)
	p := project("owner-a", 5_000_000)
	p.Status = finzone.ProjectSubmitted
	if err := db.CreateProject(ctx, &p); err != nil {
		t.Fatal(err)
	}
	seen, err := db.Project(ctx, p.ID)
	if err != nil {
		t.Fatal(err)
	}
	moved, err := db.MoveProject(ctx, seen, []finzone.ProjectStatus{finzone.ProjectSubmitted}, finzone.ProjectMatching, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	stored, err := db.Project(ctx, p.ID)
	if err != nil {
		t.Fatal(err)
	}
	if stored.Status != finzone.ProjectMatching || !stored.UpdatedAt.Equal(moved.UpdatedAt) || moved.Status != stored.Status {
		t.Errorf("moved %s at %v, stored %s at %v", moved.Status, moved.UpdatedAt, stored.Status, stored.UpdatedAt)
	}
	// The old reading is stale now: the fresh status is not among from.
	_, err = db.MoveProject(ctx, seen, []finzone.ProjectStatus{finzone.ProjectSubmitted}, finzone.ProjectWithdrawn, time.Now())
	wantCode(t, err, finzone.ECInvalidState)
	// The fresh one moves on; then a move from matching finds it withdrawn.
	if _, err := db.MoveProject(ctx, stored, []finzone.ProjectStatus{finzone.ProjectMatching}, finzone.ProjectWithdrawn, time.Now()); err != nil {
		t.Fatal(err)
	}
	_, err = db.MoveProject(ctx, stored, []finzone.ProjectStatus{finzone.ProjectMatching}, finzone.ProjectInProgress, time.Now())
	wantCode(t, err, finzone.ECInvalidState)
	if got, _ := db.Project(ctx, p.ID); got.Status != finzone.ProjectWithdrawn {
		t.Errorf("status %s, want withdrawn", got.Status)
	}
}

// Inserts made at the same moment are written together on FerretDB; each
// caller must still learn exactly what became of its own documents.
func TestConcurrentInsertsEachGetTheirOwnResult(t *testing.T) {
	ctx := context.Background()
	db := openDB(t)
	var projects []finzone.Project
	for range 4 {
		p := project("owner-a", 5_000_000)
		if err := db.CreateProject(ctx, &p); err != nil {
			t.Fatal(err)
		}
		projects = append(projects, p)
	}
	// Six writers race for version 1 of each of four ledgers.
	type result struct {
		project string
		err     error
	}
	results := make(chan result, 24)
	for i := range 24 {
		p := projects[i%4]
		go func() {
			l := finzone.Ledger{ProjectID: p.ID, Entries: []finzone.LedgerEntry{{InstitutionID: fmt.Sprint("i", i), Role: finzone.RoleLead, Rank: 1}}}
			results <- result{p.ID, db.SaveLedger(ctx, &l, 0)}
		}()
	}
	won := map[string]int{}
	for range 24 {
		r := <-results
		switch {
		case r.err == nil:
			won[r.project]++
		case !finzone.IsCode(r.err, finzone.ECConflict):
			t.Errorf("project %s: %v, want success or conflict", r.project, r.err)
		}
	}
	for _, p := range projects {
		if won[p.ID] != 1 {
			t.Errorf("project %s: %d writers won version 1, want 1", p.ID, won[p.ID])
		}
		if l, err := db.Ledger(ctx, p.ID); err != nil || l.Version != 1 || len(l.Entries) != 1 {
			t.Errorf("project %s: ledger %+v, %v", p.ID, l, err)
		}
	}
}
