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
