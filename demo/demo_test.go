package demo

import (
	"reflect"
	"testing"
	"time"

	"finzone"
)

func TestGenerateValid(t *testing.T) {
	d := Generate(1, DefaultScale())
	s := DefaultScale()
	if len(d.Clusters) != s.Clusters || len(d.Enterprises) != s.Enterprises || len(d.Institutions) != s.Institutions ||
		len(d.Products) != s.Products || len(d.Projects) != s.Projects {
		t.Fatalf("counts: got %d %d %d %d %d, want %+v", len(d.Clusters), len(d.Enterprises), len(d.Institutions), len(d.Products), len(d.Projects), s)
	}
	ids := map[string]bool{}
	usccs := map[string]bool{}
	unique := func(id string) {
		t.Helper()
		if len(id) != 24 || ids[id] {
			t.Errorf("id %q: not 24 hex characters or repeated", id)
		}
		ids[id] = true
	}
	for _, c := range d.Clusters {
		unique(c.ID)
		if r, ok := finzone.LookupRegion(c.CountyCode); !ok || r.Kind != finzone.RegionCounty {
			t.Errorf("cluster %s: county %s is not a county-level division", c.Name, c.CountyCode)
		}
		if !finzone.ValidIndustryDivision(c.LeadingIndustry) {
			t.Errorf("cluster %s: industry %s", c.Name, c.LeadingIndustry)
		}
	}
	kinds := map[finzone.OrgKind]int{}
	for _, list := range [][]finzone.Organization{d.Enterprises, d.Institutions} {
		for _, o := range list {
			unique(o.ID)
			if err := o.Validate(""); err != nil {
				t.Errorf("org %s %s: %v", o.ID, o.Name, err)
			}
			if usccs[o.USCC] {
				t.Errorf("org %s: uscc %s repeated", o.Name, o.USCC)
			}
			usccs[o.USCC] = true
			if o.USCC[2:8] != o.RegionCode {
				t.Errorf("org %s: uscc %s does not carry region %s", o.Name, o.USCC, o.RegionCode)
			}
			kinds[o.Kind]++
		}
	}
	for _, k := range []finzone.OrgKind{finzone.KindBank, finzone.KindInsurer, finzone.KindLeasing, finzone.KindGuarantee} {
		if kinds[k] == 0 {
			t.Errorf("no institution of kind %s", k)
		}
	}
	if kinds[finzone.KindBank] <= s.Institutions/2 {
		t.Errorf("banks: got %d of %d, want most", kinds[finzone.KindBank], s.Institutions)
	}
	owners := map[string]bool{}
	for _, o := range d.Institutions {
		owners[o.ID] = true
	}
	for _, p := range d.Products {
		unique(p.ID)
		if err := p.Validate(); err != nil {
			t.Errorf("product %s %s: %v", p.ID, p.Name, err)
		}
		if !owners[p.OwnerOrgID] || p.Status != finzone.ReviewPublished || p.Version != 1 {
			t.Errorf("product %s: owner %s status %s version %d", p.ID, p.OwnerOrgID, p.Status, p.Version)
		}
		if p.ValidFrom.After(Epoch) || !p.ValidTo.After(Epoch) {
			t.Errorf("product %s: not valid at the epoch: %v–%v", p.ID, p.ValidFrom, p.ValidTo)
		}
	}
	submitted := 0
	for _, p := range d.Projects {
		unique(p.ID)
		if err := p.Validate(); err != nil {
			t.Errorf("project %s %s: %v", p.ID, p.Title, err)
		}
		if p.AmountYuan%10_000 != 0 || p.AmountYuan < 500_000 || p.AmountYuan > 2_000_000_000 {
			t.Errorf("project %s: amount %d", p.ID, p.AmountYuan)
		}
		if p.TermMonths < 6 || p.TermMonths > 120 {
			t.Errorf("project %s: term %d", p.ID, p.TermMonths)
		}
		if p.Status == finzone.ProjectSubmitted {
			submitted++
		}
		for _, at := range []time.Time{p.CreatedAt, p.SubmittedAt, p.UpdatedAt} {
			if at.After(Epoch) {
				t.Errorf("project %s: %v is after the epoch, so in the future once shifted to today", p.ID, at)
			}
		}
	}
	if submitted < s.Projects/2 || submitted > s.Projects*7/10 {
		t.Errorf("submitted: got %d of %d, want about 60%%", submitted, s.Projects)
	}
}

func TestGenerateDeterministic(t *testing.T) {
	a, b := Generate(7, DefaultScale()), Generate(7, DefaultScale())
	if !reflect.DeepEqual(a, b) {
		t.Fatal("same seed gave different data")
	}
	c := Generate(8, DefaultScale())
	if reflect.DeepEqual(a.Projects, c.Projects) {
		t.Fatal("different seeds gave the same projects")
	}
}

func TestGenerateScaled(t *testing.T) {
	d := Generate(3, DefaultScale().Times(10))
	if len(d.Clusters) != 12 || len(d.Products) != 1500 {
		t.Fatalf("got %d clusters, %d products", len(d.Clusters), len(d.Products))
	}
	seen := map[string]bool{}
	for _, o := range append(d.Enterprises, d.Institutions...) {
		if seen[o.USCC] {
			t.Fatalf("uscc %s repeated", o.USCC)
		}
		seen[o.USCC] = true
		if err := o.Validate(""); err != nil {
			t.Fatalf("org %s: %v", o.Name, err)
		}
	}
	for _, p := range d.Products {
		if err := p.Validate(); err != nil {
			t.Fatalf("product %s: %v", p.Name, err)
		}
	}
}
