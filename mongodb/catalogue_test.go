package mongodb_test

import (
	"context"
	"testing"
	"time"

	"finzone"
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
