package demo

import (
	"testing"
	"time"
)

func TestShift(t *testing.T) {
	now := Epoch.AddDate(0, 7, 3).Add(5 * time.Hour)
	d := Generate(4, DefaultScale())
	orig := Generate(4, DefaultScale())
	by := SinceEpoch(now)
	d.Shift(by)
	if by <= 0 || by > now.Sub(Epoch) {
		t.Fatalf("SinceEpoch: got %v for %v after the epoch", by, now.Sub(Epoch))
	}
	day := Epoch.Add(by)
	for i, p := range d.Products {
		if p.ValidFrom.After(day) || !p.ValidTo.After(day) {
			t.Fatalf("product %s not valid on the shifted epoch %v: %v–%v", p.ID, day, p.ValidFrom, p.ValidTo)
		}
		if got := p.ValidTo.Sub(p.ValidFrom); got != orig.Products[i].ValidTo.Sub(orig.Products[i].ValidFrom) {
			t.Fatalf("product %s: validity changed length", p.ID)
		}
	}
	for i, p := range d.Projects {
		if p.SubmittedAt.IsZero() != orig.Projects[i].SubmittedAt.IsZero() {
			t.Fatalf("project %s: zero time shifted", p.ID)
		}
	}
	if got := SinceEpoch(Epoch.AddDate(0, -1, 0)); got != 0 {
		t.Fatalf("before the epoch: got %v, want 0", got)
	}
}
