package workers_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"finzone"
	"finzone/demo"
	"finzone/finzonetest"
	"finzone/mongodb"
	"finzone/workers"
)

// newBareEnv is newEnv with a few enterprises and no catalogue: each test
// writes the institutions and products it needs.
func newBareEnv(t *testing.T, cfg workers.Config) *env {
	t.Helper()
	return newEnv(t, demo.Scale{Clusters: 12, Enterprises: 4}, cfg)
}

// project creates a draft of the first demo enterprise's that every product
// of productFor takes.
func (e *env) project(t *testing.T, status finzone.ProjectStatus) finzone.Project {
	t.Helper()
	owner := e.data.Enterprises[0]
	p := finzone.Project{OwnerOrgID: owner.ID, Title: "扩产项目", Type: finzone.TypeManufacturingLong,
		AmountYuan: 5_000_000, TermMonths: 36, Purpose: "新建生产线", Collateral: []finzone.Collateral{finzone.CollateralMortgage},
		RegionCode: owner.RegionCode, ClusterID: owner.ClusterID, IndustryCode: owner.IndustryCode,
		EnterpriseSize: owner.Size, Status: status, NeedsAttention: status == finzone.ProjectMatching}
	must(t, e.db.CreateProject(context.Background(), &p))
	return p
}

// institution writes a verified institution and one published product of
// each category given, all taking project p, through db: the way seed or
// another process writes them, telling no worker.
func institution(t *testing.T, db *mongodb.DB, kind finzone.OrgKind, p finzone.Project, cats ...finzone.ProductCategory) finzone.Organization {
	t.Helper()
	ctx := context.Background()
	o := finzone.Organization{Kind: kind, Name: fmt.Sprintf("%s %d", kind, finzonetest.Seq()), USCC: finzonetest.USCC(),
		RegionCode: finzone.ProvinceCode, Verified: true, VerifiedAt: time.Now()}
	must(t, db.CreateOrg(ctx, &o))
	for _, c := range cats {
		pd := productFor(o.ID, c, p)
		must(t, db.CreateProduct(ctx, &pd))
	}
	return o
}

func productFor(owner string, c finzone.ProductCategory, p finzone.Project) finzone.Product {
	now := time.Now()
	return finzone.Product{OwnerOrgID: owner, Name: string(c), Category: c, AmountMinYuan: 100_000, AmountMaxYuan: 50_000_000,
		TermMinMonths: 6, TermMaxMonths: 120, RateFloorBps: 300, RateCeilingBps: 900,
		ProjectTypes: []finzone.ProjectType{p.Type}, Regions: []string{finzone.ProvinceCode},
		Collateral: finzone.Collaterals, Sizes: finzone.Sizes, CapacityYuan: 10_000_000_000,
		ValidFrom: now.AddDate(0, -1, 0), ValidTo: now.AddDate(1, 0, 0), Status: finzone.ReviewPublished}
}

// caughtUp waits until the workers have loaded the stored catalogue.
func (e *env) caughtUp(t *testing.T, ws ...*workers.Workers) int64 {
	t.Helper()
	want, err := e.db.CatalogueVersion(context.Background())
	must(t, err)
	for _, w := range append(ws, e.w) {
		eventually(t, 10*time.Second, "the catalogue loaded", func() (bool, string) {
			return w.CatalogueVersion() == want, fmt.Sprintf("version %d loaded, %d stored", w.CatalogueVersion(), want)
		})
	}
	return want
}

// TestEnhancersNeverTakeALenderSlot: a project whose only eligible products
// are a guarantee, an insurance and a loan gets the loan's bank as lead and
// nobody else in its 1+10; the enhancers' products are in the catalogue,
// as enhancers.
func TestEnhancersNeverTakeALenderSlot(t *testing.T) {
	e := newBareEnv(t, workers.Config{})
	p := e.project(t, finzone.ProjectDraft)
	g := institution(t, e.db, finzone.KindGuarantee, p, finzone.CategoryGuarantee)
	i := institution(t, e.db, finzone.KindInsurer, p, finzone.CategoryInsurance)
	bank := institution(t, e.db, finzone.KindBank, p, finzone.CategoryLoan)
	// A guarantee firm that also leases: its leasing product lends.
	lessor := institution(t, e.db, finzone.KindGuarantee, p, finzone.CategoryGuarantee, finzone.CategoryLeasing)
	e.caughtUp(t)
	if l, en := workers.CatalogueSizes(e.w); l != 2 || en != 3 {
		t.Errorf("catalogue: %d lender and %d enhancer products, want 2 and 3", l, en)
	}
	e.submit(t, p)
	eventually(t, 15*time.Second, "the push", func() (bool, string) {
		got, err := e.db.Project(context.Background(), p.ID)
		must(t, err)
		return got.Status == finzone.ProjectMatching, string(got.Status)
	})
	led, ms := e.projectMatches(t, p.ID)
	roles := map[string]finzone.MatchRole{}
	for _, en := range led.Entries {
		roles[en.InstitutionID] = en.Role
	}
	want := map[string]finzone.MatchRole{bank.ID: finzone.RoleLead, lessor.ID: finzone.RolePartner}
	if fmt.Sprint(roles) != fmt.Sprint(want) || len(ms) != 2 {
		t.Errorf("ledger roles %v with %d matches; want %v (guarantee %s and insurer %s never in the 1+10)", roles, len(ms), want, g.ID, i.ID)
	}
	for _, m := range ms {
		if m.InstitutionID == lessor.ID {
			pd, err := e.db.Product(context.Background(), m.ProductID)
			must(t, err)
			if !pd.Category.Lends() {
				t.Errorf("the lessor was matched through its %s product", pd.Category)
			}
		}
	}
}
