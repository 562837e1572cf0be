package demo

import (
	"slices"
	"testing"
	"unicode/utf8"

	"finzone"
)

// No two institutions share a name, at the default scale and at 20× (600
// institutions, `finzone seed --scale 20`), for any seed.
func TestInstitutionNamesUnique(t *testing.T) {
	clusters := GenerateClusters(DefaultScale().Clusters)
	for _, tc := range []struct {
		seed  int64
		scale int
	}{{20261127, 1}, {1, 1}, {20261127, 4}, {20261127, 20}, {9, 20}, {3, 40}} {
		n := DefaultScale().Times(tc.scale).Institutions
		seen := map[string]string{}
		for _, o := range GenerateInstitutions(tc.seed, n, clusters) {
			if other, ok := seen[o.Name]; ok {
				t.Errorf("seed %d ×%d: %s and %s are both named %s", tc.seed, tc.scale, other, o.ID, o.Name)
			}
			seen[o.Name] = o.ID
			if utf8.RuneCountInString(o.Name) > 100 {
				t.Errorf("seed %d ×%d: name %s too long", tc.seed, tc.scale, o.Name)
			}
		}
		if len(seen) != n {
			t.Errorf("seed %d ×%d: got %d names, want %d", tc.seed, tc.scale, len(seen), n)
		}
	}
}

// officeNames never offers the same name twice for two regions or levels of
// one kind: uniqueness by construction, the fallback aside.
func TestOfficeNamesDistinct(t *testing.T) {
	for _, kind := range []finzone.OrgKind{finzone.KindBank, finzone.KindInsurer, finzone.KindLeasing, finzone.KindGuarantee} {
		where := map[string]string{}
		add := func(level int, region string) {
			for _, name := range officeNames(kind, level, region) {
				at := region + "/" + string(rune('0'+level))
				if prev, ok := where[name]; ok && prev != at {
					t.Errorf("%s: %s offered at %s and %s", kind, name, prev, at)
				}
				where[name] = at
			}
		}
		add(levelProvince, finzone.ProvinceCode)
		for _, c := range cities {
			add(levelCity, c)
		}
		for _, c := range counties {
			add(levelCounty, c)
		}
	}
}

// Guarantee and insurance products price their cover at 0.5–2 % a year;
// lenders price loans and leases well above that.
func TestProductRates(t *testing.T) {
	for _, seed := range []int64{20261127, 1, 2, 3} {
		d := Generate(seed, DefaultScale().Times(2))
		enhancers := 0
		for _, p := range d.Products {
			if p.Category.Lends() {
				if p.RateFloorBps < 250 || p.RateCeilingBps <= p.RateFloorBps {
					t.Errorf("seed %d: %s %s: rate %d–%d bps, want a loan's", seed, p.Category, p.Name, p.RateFloorBps, p.RateCeilingBps)
				}
				continue
			}
			enhancers++
			if p.RateFloorBps < feeFloorBps || p.RateCeilingBps > feeCeilingBps || p.RateFloorBps > p.RateCeilingBps {
				t.Errorf("seed %d: %s %s: fee %d–%d bps, want within %d–%d", seed, p.Category, p.Name, p.RateFloorBps, p.RateCeilingBps, feeFloorBps, feeCeilingBps)
			}
		}
		if enhancers == 0 {
			t.Errorf("seed %d: no guarantee or insurance product", seed)
		}
	}
}

// Park infrastructure belongs to platform companies, large or medium; they
// own nothing else, and no firm asks for more than its size borrows.
func TestProjectOwners(t *testing.T) {
	for _, seed := range []int64{20261127, 1, 2} {
		d := Generate(seed, DefaultScale())
		owners := map[string]finzone.Organization{}
		platforms, clustersWithPlatform := 0, map[string]bool{}
		for _, o := range d.Enterprises {
			owners[o.ID] = o
			if IsPlatform(o) {
				platforms++
				clustersWithPlatform[o.ClusterID] = true
				if o.Size != finzone.SizeLarge && o.Size != finzone.SizeMedium {
					t.Errorf("seed %d: platform %s is %s", seed, o.Name, o.Size)
				}
			}
		}
		if len(clustersWithPlatform) != len(d.Clusters) {
			t.Errorf("seed %d: platform companies in %d of %d clusters", seed, len(clustersWithPlatform), len(d.Clusters))
		}
		for _, i := range []int{0, 1} { // the demo accounts' enterprises make things
			if IsPlatform(d.Enterprises[i]) {
				t.Errorf("seed %d: enterprise %d is a platform company", seed, i)
			}
		}
		infra := 0
		for _, p := range d.Projects {
			o := owners[p.OwnerOrgID]
			if (p.Type == finzone.TypeIndustrialInfra) != IsPlatform(o) {
				t.Errorf("seed %d: %s project %s owned by %s (%s)", seed, p.Type, p.Title, o.Name, o.IndustryCode)
			}
			if p.Type == finzone.TypeIndustrialInfra {
				infra++
			}
			if p.AmountYuan > sizeCapWan[o.Size]*wan {
				t.Errorf("seed %d: %s firm %s asks ¥%d", seed, o.Size, o.Name, p.AmountYuan)
			}
			if p.EnterpriseSize != o.Size || p.RegionCode != o.RegionCode {
				t.Errorf("seed %d: project %s does not carry its owner's size and region", seed, p.ID)
			}
		}
		if infra == 0 {
			t.Errorf("seed %d: no park infrastructure project", seed)
		}
	}
}

// Some submitted projects bring credit enhancers in: a guarantee firm's
// guarantee as collateral, or insurance cover asked for; neither is the
// rule.
func TestProjectsWantEnhancers(t *testing.T) {
	d := Generate(20261127, DefaultScale())
	var submitted, guarantee, insurance int
	for _, p := range d.Projects {
		if p.Status != finzone.ProjectSubmitted {
			continue
		}
		submitted++
		if slices.Contains(p.Collateral, finzone.CollateralGuaranteeCompany) {
			guarantee++
		}
		if p.WantsInsurance {
			insurance++
		}
		if len(p.Collateral) == 0 || len(p.Collateral) > 2 || !slices.IsSortedFunc(p.Collateral, func(a, b finzone.Collateral) int {
			return slices.Index(finzone.Collaterals, a) - slices.Index(finzone.Collaterals, b)
		}) {
			t.Errorf("project %s: collateral %v, want one or two modes in order", p.ID, p.Collateral)
		}
	}
	for _, c := range []struct {
		what string
		n    int
	}{{"guarantee_company collateral", guarantee}, {"insurance wanted", insurance}} {
		if c.n < submitted/20 || c.n > submitted*2/5 {
			t.Errorf("%s: %d of %d submitted projects, want 5–40%%", c.what, c.n, submitted)
		}
	}
}
