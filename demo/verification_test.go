package demo

import "testing"

// Institutions see verified and unverified enterprises in the demo, and the
// two demo enterprise accounts are one of each.
func TestDemoEnterprisesAreVerifiedAndNot(t *testing.T) {
	d := Generate(1, DefaultScale())
	verified := 0
	for _, o := range d.Enterprises {
		if o.Verified {
			verified++
			if o.VerifiedAt.Before(o.CreatedAt) {
				t.Errorf("%s verified at %s, before it registered at %s", o.ID, o.VerifiedAt, o.CreatedAt)
			}
		}
	}
	if n := len(d.Enterprises); verified == 0 || verified == n {
		t.Errorf("%d of %d demo enterprises verified, want some of each", verified, n)
	}
	if !d.Enterprises[0].Verified || d.Enterprises[1].Verified {
		t.Errorf("demo accounts: enterprise verified %v, enterprise2 verified %v; want true and false",
			d.Enterprises[0].Verified, d.Enterprises[1].Verified)
	}
}
