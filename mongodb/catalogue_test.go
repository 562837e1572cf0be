package mongodb_test

import (
	"context"
	"os"
	"testing"
	"time"

	"finzone"
	"finzone/embedded"
	"finzone/mongodb"
)

// TestCatalogueVersionMovesOnEveryCatalogueWrite: the store bumps the
// version after each write that changes what matching reads, and only
// those, so any process's or command's writes reach the workers.
func TestCatalogueVersionMovesOnEveryCatalogueWrite(t *testing.T) {
	ctx := context.Background()
	db := openDB(t)
	last := int64(0)
	step := func(what string, moves bool, err error) {
		t.Helper()
		if err != nil {
			t.Fatalf("%s: %v", what, err)
		}
		v, err := db.CatalogueVersion(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if moved := v > last; moved != moves {
			t.Errorf("%s: version %d after %d; want moved %v", what, v, last, moves)
		}
		last = v
	}
	ent := enterprise("914403001922038216")
	step("an enterprise created", false, db.CreateOrg(ctx, &ent))
	bank := finzone.Organization{Kind: finzone.KindBank, Name: "测试银行", USCC: "91440300708461136T", RegionCode: "341200"}
	step("an unverified bank created", false, db.CreateOrg(ctx, &bank))
	_, err := db.VerifyOrg(ctx, bank.ID, "coordinator", time.Now())
	step("the bank verified", true, err)
	seeded := finzone.Organization{Kind: finzone.KindLeasing, Name: "测试租赁", USCC: "91340000MA2N0YBX5A", RegionCode: "340000", Verified: true}
	step("a verified lessor created (seed)", true, db.CreateOrg(ctx, &seeded))

	draft := product(bank.ID)
	step("a draft product", false, db.CreateProduct(ctx, &draft))
	draft.Name = "改名"
	_, err = db.UpdateProduct(ctx, draft, []finzone.ReviewStatus{finzone.ReviewDraft})
	step("a draft edited", false, err)
	draft.Status = finzone.ReviewPending
	_, err = db.SetProductReview(ctx, draft, finzone.ReviewDraft)
	step("sent for review", false, err)
	draft.Status, draft.ReviewedAt, draft.ReviewedBy = finzone.ReviewPublished, time.Now(), "coordinator"
	_, err = db.SetProductReview(ctx, draft, finzone.ReviewPending)
	step("approved", true, err)
	_, err = db.SetProductReview(ctx, draft, finzone.ReviewPending)
	if finzone.ErrorCode(err) != finzone.ECInvalidState {
		t.Fatalf("approving twice: %v", err)
	}
	step("a refused approval", false, nil)

	pub := product(seeded.ID)
	pub.Status = finzone.ReviewPublished
	step("a published product created (seed)", true, db.CreateProduct(ctx, &pub))
}

// TestAnotherServerOnTheSameFilesSeesTheVersion: two embedded servers on one
// data directory, as "finzone seed" beside a running platform. FerretDB
// lists a database's collections once per process, so the version must
// live in a collection every process's store created at Open, not in one a
// first bump creates in one process, unseen by the others.
func TestAnotherServerOnTheSameFilesSeesTheVersion(t *testing.T) {
	if os.Getenv("FINZONE_TEST_MONGO_URI") != "" {
		t.Skip("a property of the embedded server")
	}
	ctx := context.Background()
	dir := t.TempDir()
	open := func() *mongodb.DB {
		srv, err := embedded.StartMongo(dir, "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(srv.Close)
		db, err := mongodb.Open(ctx, srv.URI, "finzone")
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { _ = db.Close(ctx) })
		return db
	}
	platform := open()
	v0, err := platform.CatalogueVersion(ctx)
	if err != nil {
		t.Fatal(err)
	}
	seed := open()
	p := product("bank-1")
	p.Status = finzone.ReviewPublished
	if err := seed.CreateProduct(ctx, &p); err != nil {
		t.Fatal(err)
	}
	v1, err := platform.CatalogueVersion(ctx)
	if err != nil || v1 <= v0 {
		t.Errorf("the platform's server reads version %d (%v) after the seed's publish, had %d", v1, err, v0)
	}
	if err := platform.BumpCatalogue(ctx); err != nil {
		t.Errorf("the platform's own bump: %v", err)
	}
	v2, err := seed.CatalogueVersion(ctx)
	if err != nil || v2 <= v1 {
		t.Errorf("the seed's server reads version %d (%v) after the platform's bump, had %d", v2, err, v1)
	}
}

// TestSeedBatchesBumpOnce: seed's batch creates report what existed and
// bump the version once for the whole batch, and not at all when nothing
// in it was new.
func TestSeedBatchesBumpOnce(t *testing.T) {
	ctx := context.Background()
	db := openDB(t)
	version := func() int64 {
		t.Helper()
		v, err := db.CatalogueVersion(ctx)
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
	orgs := []finzone.Organization{
		{ID: "65e2b00000a1000000000001", Kind: finzone.KindBank, Name: "甲银行", USCC: "91440300708461136T", RegionCode: "340000", Verified: true},
		{ID: "65e2b00000a1000000000002", Kind: finzone.KindEnterprise, Name: "乙公司", USCC: "914403001922038216", RegionCode: "341221"},
	}
	dup, err := db.CreateOrgs(ctx, orgs)
	if err != nil || len(dup) != 2 || dup[0] || dup[1] || version() != 1 {
		t.Fatalf("first batch of orgs: dup %v, %v, version %d; want none taken, version 1", dup, err, version())
	}
	again := append([]finzone.Organization(nil), orgs...)
	again = append(again, finzone.Organization{Kind: finzone.KindEnterprise, Name: "丙公司", USCC: "91340000MA2N0YBX5A", RegionCode: "341221"})
	dup, err = db.CreateOrgs(ctx, again)
	if err != nil || len(dup) != 3 || !dup[0] || !dup[1] || dup[2] || version() != 1 {
		t.Fatalf("second batch: dup %v, %v, version %d; want the first two taken, no bump for an enterprise", dup, err, version())
	}
	var ps []finzone.Product
	for _, id := range []string{"65e2b00000c1000000000001", "65e2b00000c1000000000002", "65e2b00000c1000000000003"} {
		p := product(orgs[0].ID)
		p.ID, p.Status = id, finzone.ReviewPublished
		ps = append(ps, p)
	}
	dup, err = db.CreateProducts(ctx, ps)
	if err != nil || len(dup) != 3 || dup[0] || version() != 2 {
		t.Fatalf("products: dup %v, %v, version %d; want all new and one bump", dup, err, version())
	}
	if live, err := db.PublishedProducts(ctx); err != nil || len(live) != 3 {
		t.Fatalf("published: %d, %v", len(live), err)
	}
	dup, err = db.CreateProducts(ctx, ps)
	if err != nil || !dup[0] || !dup[2] || version() != 2 {
		t.Fatalf("products again: dup %v, %v, version %d; want all taken, no bump", dup, err, version())
	}
}
