package mongodb_test

import (
	"context"
	"sync"
	"testing"
	"time"
)

// TestSignInFailureCounters: failures count per key and window, a new
// window starts from zero while the previous one stays readable, two
// windows back counts nothing, concurrent failures are all counted, and
// clearing forgets both windows.
func TestSignInFailureCounters(t *testing.T) {
	ctx := context.Background()
	db := openDB(t)
	exp := time.Now().Add(time.Hour)
	count := func(key string, w int64) (int64, int64) {
		t.Helper()
		prev, cur, err := db.Failures(ctx, key, w)
		if err != nil {
			t.Fatal(err)
		}
		return prev, cur
	}
	var wg sync.WaitGroup
	for range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if err := db.AddFailure(ctx, "account:a@example.cn", 100, exp); err != nil {
				t.Error(err)
			}
		}()
	}
	wg.Wait()
	if err := db.AddFailure(ctx, "ip:203.0.113.9", 100, exp); err != nil {
		t.Fatal(err)
	}
	if p, c := count("account:a@example.cn", 100); p != 0 || c != 8 {
		t.Errorf("window 100: got %d, %d; want 0, 8 (eight concurrent failures)", p, c)
	}
	if err := db.AddFailure(ctx, "account:a@example.cn", 101, exp); err != nil {
		t.Fatal(err)
	}
	if p, c := count("account:a@example.cn", 101); p != 8 || c != 1 {
		t.Errorf("window 101: got %d, %d; want 8, 1", p, c)
	}
	// Window 102 shares window 100's document, which no longer counts.
	if p, c := count("account:a@example.cn", 102); p != 1 || c != 0 {
		t.Errorf("window 102: got %d, %d; want 1, 0", p, c)
	}
	if err := db.AddFailure(ctx, "account:a@example.cn", 102, exp); err != nil {
		t.Fatal(err)
	}
	if p, c := count("account:a@example.cn", 102); p != 1 || c != 1 {
		t.Errorf("window 102 after a failure: got %d, %d; want 1, 1 (window 100's eight gone)", p, c)
	}
	if p, c := count("ip:203.0.113.9", 100); p != 0 || c != 1 {
		t.Errorf("another key: got %d, %d; want 0, 1", p, c)
	}
	if err := db.ClearFailures(ctx, "account:a@example.cn", 102); err != nil {
		t.Fatal(err)
	}
	if p, c := count("account:a@example.cn", 102); p != 0 || c != 0 {
		t.Errorf("cleared: got %d, %d; want 0, 0", p, c)
	}
	if n, err := db.PurgeSessions(ctx, exp.Add(time.Second)); err != nil {
		t.Fatalf("purge: %d, %v", n, err)
	}
	if p, c := count("ip:203.0.113.9", 100); p != 0 || c != 0 {
		t.Errorf("after the purge: got %d, %d; want 0, 0", p, c)
	}
}
