package mongodb_test

import (
	"context"
	"testing"
	"time"

	"finzone"
)

// A claim moves a credit code from its holder to the claimant: at no moment
// may a stranger register it, nor two organizations hold it.
func TestCodeMovesWithoutEverBeingFree(t *testing.T) {
	ctx := context.Background()
	db := openDB(t)
	code := "914403001922038216"
	holder := enterprise(code)
	if err := db.CreateOrg(ctx, &holder); err != nil {
		t.Fatal(err)
	}
	if _, err := db.VerifyOrg(ctx, holder.ID, "coordinator-1", time.Now()); err != nil {
		t.Fatal(err)
	}
	claimant := enterprise(finzone.DetachedUSCC(code, "6b0000000000000000000001"))
	claimant.ID = "6b0000000000000000000001"
	if err := db.CreateOrg(ctx, &claimant); err != nil {
		t.Fatalf("a claimant holding the detached code: %v", err)
	}
	c := finzone.CodeClaim{USCC: code, ClaimantOrgID: claimant.ID, HolderOrgID: holder.ID, HolderRegion: "341221",
		Name: "n", Contact: "c", EvidenceNote: "e", Status: finzone.ClaimPending}
	if err := db.CreateCodeClaim(ctx, &c); err != nil {
		t.Fatal(err)
	}
	if err := db.ReserveCodeTransfer(ctx, code, c.ID); err != nil {
		t.Fatal(err)
	}
	if err := db.ReserveCodeTransfer(ctx, code, c.ID); err != nil {
		t.Errorf("reserving again for the same claim: %v", err)
	}
	wantCode(t, db.ReserveCodeTransfer(ctx, code, "another-claim"), finzone.ECConflict)

	// The claimant cannot take the code while the holder has it.
	_, err := db.AttachCode(ctx, claimant.ID, code, "coordinator-2", time.Now())
	wantCode(t, err, finzone.ECConflict)
	h, err := db.DetachCode(ctx, holder.ID, code)
	if err != nil || h.USCC != finzone.DetachedUSCC(code, holder.ID) || h.Verified || h.VerifiedBy != "" {
		t.Fatalf("detached holder: %+v, %v", h, err)
	}
	// The code is free in the index now, but reserved: a stranger is refused
	// and leaves nothing behind.
	stranger := enterprise(code)
	wantCode(t, db.CreateOrg(ctx, &stranger), finzone.ECConflict)
	if o, err := db.OrgByUSCC(ctx, code); !finzone.IsCode(err, finzone.ECNotFound) {
		t.Fatalf("after the stranger was refused the code is held by %+v (%v)", o, err)
	}
	got, err := db.AttachCode(ctx, claimant.ID, code, "coordinator-2", time.Now())
	if err != nil || got.USCC != code || !got.Verified || got.VerifiedBy != "coordinator-2" {
		t.Fatalf("attached claimant: %+v, %v", got, err)
	}
	if err := db.ReleaseCodeTransfer(ctx, code, c.ID); err != nil {
		t.Fatal(err)
	}
	wantCode(t, db.CreateOrg(ctx, &stranger), finzone.ECConflict) // now the unique index refuses it
}
