package readmodel

import (
	"bytes"
	"context"
	"fmt"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"

	"finzone"
	"finzone/mongodb"
)

// productNames repeat, and mix cases, scripts and the empty name, so a name
// sort shows whether the model orders strings as the store does.
var productNames = []string{"贷款乙", "Loan a", "loan A", "", "贷款甲", "Zeta 租赁", "ärger", "Loan a", "éclair", "担保 1"}

// fillProducts writes products through st, with repeated sort values, and
// moves some through every kind of product write: a new version (which
// unsets the older ones' head), an edit, a review that rejects, one that
// publishes (and supersedes the older published version), refused writes.
func fillProducts(t *testing.T, st *Store) []finzone.Product {
	t.Helper()
	ctx := context.Background()
	categories := []finzone.ProductCategory{finzone.CategoryLoan, finzone.CategoryLeasing, finzone.CategoryGuarantee}
	types := []finzone.ProjectType{finzone.TypeManufacturingLong, finzone.TypeWorkingCapital, finzone.TypeGreenLowCarbon}
	var ps []finzone.Product
	for i := 0; i < 24; i++ {
		p := finzone.Product{OwnerOrgID: institutions[i%3], Name: productNames[i%len(productNames)], Category: categories[i%3],
			AmountMinYuan: 100_000, AmountMaxYuan: int64(1_000_000 * (1 + i%4)), TermMinMonths: 6, TermMaxMonths: 60,
			RateFloorBps: 300 + 25*(i%3), RateCeilingBps: 800, ProjectTypes: types[:1+i%3], Regions: regions[i%3 : min(3, 1+i%3+i%2)],
			Status: finzone.ReviewDraft, CreatedAt: base.Add(time.Duration(i%5) * time.Hour)}
		switch {
		case i%4 == 0:
			p.Status = finzone.ReviewPublished
		case i%11 == 5:
			p.Regions = nil
		}
		if err := st.CreateProduct(ctx, &p); err != nil {
			t.Fatalf("create product: %v", err)
		}
		ps = append(ps, p)
	}
	batch := []finzone.Product{{ID: finzone.StableID("product", "b1"), OwnerOrgID: institutions[0], Name: "Batch", Category: finzone.CategoryLoan,
		Regions: regions, ProjectTypes: types, Status: finzone.ReviewPublished, CreatedAt: base}}
	if _, err := st.CreateProducts(ctx, batch); err != nil {
		t.Fatal(err)
	}
	for i, p := range ps {
		reviseProduct(t, st, p, i)
	}
	return append(ps, batch...)
}

// reviseProduct moves product p by a write picked by i.
func reviseProduct(t *testing.T, st *Store, p finzone.Product, i int) {
	t.Helper()
	ctx := context.Background()
	switch i % 6 {
	case 0: // published: a new version, sent for review and approved
		next := p
		next.Version, next.Status, next.Name, next.RateFloorBps = 2, finzone.ReviewDraft, p.Name+" v2", p.RateFloorBps+50
		if err := st.CreateProduct(ctx, &next); err != nil {
			t.Fatalf("new version: %v", err)
		}
		review(t, st, next, i%12 == 0)
		again := next
		again.Status = finzone.ReviewDraft
		if err := st.CreateProduct(ctx, &again); !finzone.IsCode(err, finzone.ECConflict) {
			t.Fatalf("version 2 again: %v, want conflict", err)
		}
	case 1, 3: // a draft edited, then reviewed
		p.Name += "（改）"
		p.AmountMaxYuan += 1
		p.Regions = append(slices.Clone(p.Regions), "340000")
		var err error
		if p, err = st.UpdateProduct(ctx, p, []finzone.ReviewStatus{finzone.ReviewDraft}); err != nil {
			t.Fatalf("update product: %v", err)
		}
		review(t, st, p, i%4 == 1)
	case 2: // refused: not in review
		p.Status = finzone.ReviewPublished
		if _, err := st.SetProductReview(ctx, p, finzone.ReviewPending); !finzone.IsCode(err, finzone.ECInvalidState) {
			t.Fatalf("review of a draft: %v, want invalid_state", err)
		}
	}
}

// review sends p for review, then publishes or rejects it.
func review(t *testing.T, st *Store, p finzone.Product, publish bool) {
	t.Helper()
	ctx := context.Background()
	from := p.Status
	p.Status = finzone.ReviewPending
	p, err := st.SetProductReview(ctx, p, from)
	if err != nil {
		t.Fatalf("send for review: %v", err)
	}
	p.Status, p.ReviewedBy, p.ReviewNote, p.ReviewedAt = finzone.ReviewRejected, "coordinator", "利率过高", base.Add(time.Hour)
	if publish {
		p.Status = finzone.ReviewPublished
	}
	if _, err := st.SetProductReview(ctx, p, finzone.ReviewPending); err != nil {
		t.Fatalf("review: %v", err)
	}
}

var (
	productQueries = []finzone.ProductFilter{
		{}, {OwnerOrgID: institutions[0], HeadOnly: true}, {OwnerOrgID: institutions[1]}, {HeadOnly: true},
		{ScopeRegions: []string{regions[1]}}, {ScopeRegions: []string{regions[0], "340000"}, Status: finzone.ReviewPending},
		{ScopeRegions: []string{}}, {Status: finzone.ReviewPublished}, {Status: finzone.ReviewSuperseded},
		{Category: finzone.CategoryLeasing}, {Region: regions[2]}, {Region: "340000", HeadOnly: true},
		{Type: finzone.TypeGreenLowCarbon}, {Type: finzone.TypeWorkingCapital, Category: finzone.CategoryLoan, Status: finzone.ReviewDraft},
	}
	productSorts = []string{"", "created_at", "-updated_at", "name", "-name", "amount_max_yuan", "-rate_floor_bps"}
)

// compareProducts compares every product list, and every product's
// versions as read one by one, and wants the model to hold the store's
// documents byte for byte.
func compareProducts(t *testing.T, st *Store, limit int) {
	t.Helper()
	ctx := context.Background()
	for i, f := range productQueries {
		for _, sort := range productSorts {
			same(t, fmt.Sprintf("products %d %+v", i, f), limit, sort,
				func(pg finzone.Page) ([]finzone.Product, string, error) { return st.DB.ListProducts(ctx, f, pg) },
				func(pg finzone.Page) ([]finzone.Product, string, error) { return st.ListProducts(ctx, f, pg) })
		}
	}
	check := func(what string, got, want any, gerr, werr error) {
		t.Helper()
		if finzone.ErrorCode(gerr) != finzone.ErrorCode(werr) || !reflect.DeepEqual(got, want) {
			t.Errorf("%s: model %+v, %v; store %+v, %v", what, got, gerr, want, werr)
		}
	}
	got, gerr := st.PublishedProducts(ctx)
	want, werr := st.DB.PublishedProducts(ctx)
	check("published", got, want, gerr, werr)
	for _, id := range append(familyIDs(t, st), bson.NewObjectID().Hex(), "not-an-id") {
		g, gerr := st.Product(ctx, id)
		w, werr := st.DB.Product(ctx, id)
		check("product "+id, g, w, gerr, werr)
		gv, gerr := st.ProductVersions(ctx, id)
		wv, werr := st.DB.ProductVersions(ctx, id)
		check("versions of "+id, gv, wv, gerr, werr)
		for v := 0; v <= 3; v++ {
			g, gerr := st.ProductVersion(ctx, id, v)
			w, werr := st.DB.ProductVersion(ctx, id, v)
			check(fmt.Sprintf("version %d of %s", v, id), g, w, gerr, werr)
		}
	}
	sameDocs(t, st)
}

// familyIDs are the IDs of the products the store holds.
func familyIDs(t *testing.T, st *Store) []string {
	t.Helper()
	seen := map[string]bool{}
	var out []string
	err := st.EachDoc(context.Background(), mongodb.ModelProducts, func(raw bson.Raw) error {
		if id := raw.Lookup("product_id").StringValue(); !seen[id] {
			seen[id] = true
			out = append(out, id)
		}
		return nil
	})
	if err != nil || len(out) == 0 {
		t.Fatalf("products in the store: %d, %v", len(out), err)
	}
	return out
}

// sameDocs wants the model's product documents to be the store's.
func sameDocs(t *testing.T, st *Store) {
	t.Helper()
	m := st.ready()
	if m == nil {
		t.Fatal("the model is not answering")
	}
	n := 0
	err := st.EachDoc(context.Background(), mongodb.ModelProducts, func(raw bson.Raw) error {
		n++
		id := raw.Lookup("_id").ObjectID()
		var got bson.Raw
		if r := m.products.get(id); r != nil {
			got = r.raw
		}
		if !bytes.Equal(got, raw) {
			t.Errorf("product document %s: model holds %v, store %v", id.Hex(), got, raw)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if m.products.len() != n {
		t.Errorf("the model holds %d product documents, the store %d", m.products.len(), n)
	}
}

// A product write through the model is in the next read: a new version
// takes over as head, an approval supersedes the published version.
func TestProductWriteThenRead(t *testing.T) {
	st := start(t)
	ctx := context.Background()
	p := finzone.Product{OwnerOrgID: institutions[0], Name: "流贷", Category: finzone.CategoryLoan, Regions: regions[:1],
		ProjectTypes: []finzone.ProjectType{finzone.TypeWorkingCapital}, Status: finzone.ReviewPublished}
	if err := st.CreateProduct(ctx, &p); err != nil {
		t.Fatal(err)
	}
	heads := func() []finzone.Product {
		t.Helper()
		items, _, err := st.ListProducts(ctx, finzone.ProductFilter{OwnerOrgID: institutions[0], HeadOnly: true}, finzone.Page{})
		if err != nil {
			t.Fatal(err)
		}
		return items
	}
	if got := heads(); len(got) != 1 || got[0].ID != p.ID || got[0].Version != 1 {
		t.Fatalf("after create: %+v", got)
	}
	next := p
	next.Version, next.Status, next.Name = 2, finzone.ReviewDraft, "流贷（新）"
	if err := st.CreateProduct(ctx, &next); err != nil {
		t.Fatal(err)
	}
	if got := heads(); len(got) != 1 || got[0].Version != 2 || got[0].Name != next.Name {
		t.Fatalf("after a new version: heads %+v", got)
	}
	if head, err := st.Product(ctx, p.ID); err != nil || head.Version != 2 {
		t.Fatalf("newest version: %+v, %v", head, err)
	}
	sameDocs(t, st)
	review(t, st, next, true)
	pub, err := st.PublishedProducts(ctx)
	if err != nil || len(pub) != 1 || pub[0].Version != 2 {
		t.Fatalf("published after approval: %+v, %v", pub, err)
	}
	old, err := st.ProductVersion(ctx, p.ID, 1)
	if err != nil || old.Status != finzone.ReviewSuperseded {
		t.Fatalf("version 1 after approving 2: %+v, %v", old, err)
	}
	if _, err := st.Product(ctx, bson.NewObjectID().Hex()); !finzone.IsCode(err, finzone.ECNotFound) {
		t.Errorf("unknown product: %v, want not_found", err)
	}
	sameDocs(t, st)
}

// A name sort orders strings byte by byte in both, and a page the store
// began on it the model continues.
func TestProductNameOrder(t *testing.T) {
	st := start(t)
	fillProducts(t, st)
	ctx := context.Background()
	for name, l := range map[string]interface {
		ListProducts(ctx context.Context, f finzone.ProductFilter, pg finzone.Page) ([]finzone.Product, string, error)
	}{"store": st.DB, "model": st} {
		pages, _ := walk(t, 4, func(pg finzone.Page) ([]finzone.Product, string, error) {
			return l.ListProducts(ctx, finzone.ProductFilter{}, pg)
		}, "-name")
		var last *finzone.Product
		n := 0
		for _, page := range pages {
			for _, p := range page {
				if last != nil && strings.Compare(last.Name, p.Name) < 0 {
					t.Errorf("%s: %q before %q in a -name sort", name, last.Name, p.Name)
				}
				last, n = &p, n+1
			}
		}
		if n != 29 { // 25 products, 4 with a second version
			t.Errorf("%s listed %d versions, want 29", name, n)
		}
	}
	first, next, err := st.DB.ListProducts(ctx, finzone.ProductFilter{}, finzone.Page{Limit: 5, Sort: "name"})
	if err != nil || next == "" {
		t.Fatal(err)
	}
	second, _, err := st.ListProducts(ctx, finzone.ProductFilter{}, finzone.Page{Limit: 5, Sort: "name", Cursor: next})
	if err != nil {
		t.Fatal(err)
	}
	both, _, err := st.DB.ListProducts(ctx, finzone.ProductFilter{}, finzone.Page{Limit: 10, Sort: "name"})
	if err != nil || !reflect.DeepEqual(append(first, second...), both) {
		t.Errorf("store's page then model's: not the store's two pages (%v)", err)
	}
}

// Product writes that land after the load's scan has passed the versions
// they change are read again before the model answers: the scan's copies
// of the older versions are stale.
func TestProductWritesAfterTheScan(t *testing.T) {
	st := start(t)
	ps := fillProducts(t, st)
	ctx := context.Background()
	m := newModel(0) // the lease's generation: Run leaves it be
	st.cur.Store(m)
	if err := st.EachDoc(ctx, mongodb.ModelProducts, func(raw bson.Raw) error { m.products.load(raw); return nil }); err != nil {
		t.Fatal(err)
	}
	for _, p := range ps[:4] {
		head, err := st.Product(ctx, p.ID)
		if err != nil {
			t.Fatal(err)
		}
		head.Version, head.Status = head.Version+1, finzone.ReviewDraft
		if err := st.CreateProduct(ctx, &head); err != nil {
			t.Fatal(err)
		}
		review(t, st, head, true)
	}
	if len(m.families) != 4 {
		t.Fatalf("%d products noted as written while loading, want 4", len(m.families))
	}
	if err := st.settle(ctx, m); err != nil {
		t.Fatal(err)
	}
	compareProducts(t, st, 4)
}
