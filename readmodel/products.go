package readmodel

import (
	"bytes"
	"cmp"
	"context"
	"slices"
	"unique"

	"go.mongodb.org/mongo-driver/v2/bson"

	"finzone"
	"finzone/mongodb"
)

// productFields are what product lists filter and sort on, and what finds
// a product's versions (product: the product's ID, shared by its versions).
type productFields struct {
	product, owner, status, category unique.Handle[string]
	regions, types                   []unique.Handle[string]
	head                             bool
	name                             text
	version, created, updated        float64
	amount, rate                     float64
}

var productSchema = schema[productFields]{
	coll: mongodb.ModelProducts,
	fields: func(raw bson.Raw) productFields {
		name, _ := textValue(raw.Lookup("name"))
		return productFields{product: str(raw, "product_id"), owner: str(raw, "owner_org_id"), status: str(raw, "status"),
			category: str(raw, "category"), regions: strList(raw, "regions"), types: strList(raw, "project_types"),
			head: boolean(raw, "head"), name: name, version: num(raw, "version"), created: num(raw, "created_at"),
			updated: num(raw, "updated_at"), amount: num(raw, "amount_max_yuan"), rate: num(raw, "rate_floor_bps")}
	},
	sortKey: func(field string) func(*productFields) float64 {
		switch field {
		case "updated_at":
			return func(f *productFields) float64 { return f.updated }
		case "amount_max_yuan":
			return func(f *productFields) float64 { return f.amount }
		case "rate_floor_bps":
			return func(f *productFields) float64 { return f.rate }
		}
		return func(f *productFields) float64 { return f.created }
	},
	sortText: func(field string) func(*productFields) text {
		if field == "name" {
			return func(f *productFields) text { return f.name }
		}
		return nil
	},
}

// ListProducts answers from memory once the model is loaded.
func (s *Store) ListProducts(ctx context.Context, f finzone.ProductFilter, pg finzone.Page) ([]finzone.Product, string, error) {
	m := s.ready()
	if m == nil {
		return s.DB.ListProducts(ctx, f, pg)
	}
	owner, status, category := opt(f.OwnerOrgID), opt(string(f.Status)), opt(string(f.Category))
	region, typ, scope := opt(f.Region), opt(string(f.Type)), set(f.ScopeRegions)
	inScope := func(r unique.Handle[string]) bool { return scope[r] }
	raws, next, err := m.products.page(pg, func(p *productFields) bool {
		return (owner == nil || p.owner == *owner) && (!f.HeadOnly || p.head) &&
			(scope == nil || slices.ContainsFunc(p.regions, inScope)) &&
			(status == nil || p.status == *status) && (category == nil || p.category == *category) &&
			(region == nil || slices.Contains(p.regions, *region)) && (typ == nil || slices.Contains(p.types, *typ))
	})
	if err != nil {
		return nil, "", err
	}
	return decodeAll(raws, mongodb.DecodeProduct, next)
}

// Product answers from memory once the model is loaded.
func (s *Store) Product(ctx context.Context, id string) (finzone.Product, error) {
	m := s.ready()
	if m == nil {
		return s.DB.Product(ctx, id)
	}
	vs := m.versions(id)
	if len(vs) == 0 {
		return finzone.Product{}, mongodb.NotFound()
	}
	return mongodb.DecodeProduct(vs[len(vs)-1].raw)
}

// ProductVersion answers from memory once the model is loaded.
func (s *Store) ProductVersion(ctx context.Context, id string, version int) (finzone.Product, error) {
	m := s.ready()
	if m == nil {
		return s.DB.ProductVersion(ctx, id, version)
	}
	for _, v := range m.versions(id) {
		if v.f.version == float64(version) {
			return mongodb.DecodeProduct(v.raw)
		}
	}
	return finzone.Product{}, mongodb.NotFound()
}

// ProductVersions answers from memory once the model is loaded.
func (s *Store) ProductVersions(ctx context.Context, id string) ([]finzone.Product, error) {
	m := s.ready()
	if m == nil {
		return s.DB.ProductVersions(ctx, id)
	}
	out, _, err := decodeAll(raws(m.versions(id)), mongodb.DecodeProduct, "")
	return out, err
}

// PublishedProducts answers the catalogue's load from memory once the
// model is loaded, in the store's order (_id).
func (s *Store) PublishedProducts(ctx context.Context) ([]finzone.Product, error) {
	m := s.ready()
	if m == nil {
		return s.DB.PublishedProducts(ctx)
	}
	published := unique.Make(string(finzone.ReviewPublished))
	rows := m.products.rowsOf(func(p *productFields) bool { return p.status == published })
	slices.SortFunc(rows, func(a, b row[productFields]) int { return bytes.Compare(a.id[:], b.id[:]) })
	out, _, err := decodeAll(raws(rows), mongodb.DecodeProduct, "")
	return out, err
}

// versions are product id's versions, oldest first.
func (m *model) versions(id string) []row[productFields] {
	pid := unique.Make(id)
	rows := m.products.rowsOf(func(p *productFields) bool { return p.product == pid })
	slices.SortFunc(rows, func(a, b row[productFields]) int { return cmp.Compare(a.f.version, b.f.version) })
	return rows
}

// family is the _ids of product id's versions the model holds, and also
// (unless zero) of version added.
func (m *model) family(id string, added bson.ObjectID) []bson.ObjectID {
	pid := unique.Make(id)
	var out []bson.ObjectID
	m.products.each(func(p *productFields) bool { return p.product == pid }, func(r *row[productFields]) {
		out = append(out, r.id)
	})
	if !added.IsZero() && !slices.Contains(out, added) {
		out = append(out, added)
	}
	return out
}

func raws[F any](rows []row[F]) []bson.Raw {
	out := make([]bson.Raw, len(rows))
	for i, r := range rows {
		out[i] = r.raw
	}
	return out
}

// CreateProduct inserts a version as the store does (see
// InsertProductVersion).
func (s *Store) CreateProduct(ctx context.Context, p *finzone.Product) error {
	_, err := s.InsertProductVersion(ctx, p)
	return err
}

// InsertProductVersion reads the product's versions again after the
// insert: a new version unsets the older ones' head.
func (s *Store) InsertProductVersion(ctx context.Context, p *finzone.Product) (bson.ObjectID, error) {
	fresh := p.ID == ""
	if !fresh {
		unlock := s.lockFamily(p.ID)
		defer unlock()
	}
	id, err := s.DB.InsertProductVersion(ctx, p)
	if id.IsZero() { // refused before it chose one
		return id, err
	}
	if fresh { // nobody else knows the product yet
		unlock := s.lockFamily(p.ID)
		defer unlock()
	}
	s.wroteFamily(ctx, p.ID, id, err)
	return id, err
}

// CreateProducts reads the products it created again (version 1 of each,
// with fixed IDs nobody else writes meanwhile).
func (s *Store) CreateProducts(ctx context.Context, ps []finzone.Product) ([]bool, error) {
	dup, err := s.DB.CreateProducts(ctx, ps)
	for _, p := range ps {
		id, perr := bson.ObjectIDFromHex(p.ID)
		if perr != nil { // the store refused the whole batch
			return dup, err
		}
		unlock := s.lockFamily(p.ID)
		s.wroteFamily(ctx, p.ID, id, err)
		unlock()
	}
	return dup, err
}

// UpdateProduct reads the product's versions again after the update.
func (s *Store) UpdateProduct(ctx context.Context, p finzone.Product, from []finzone.ReviewStatus) (finzone.Product, error) {
	return s.changeProduct(ctx, p.ID, func() (finzone.Product, error) { return s.DB.UpdateProduct(ctx, p, from) })
}

// SetProductReview reads the product's versions again after the move: an
// approval supersedes the older published version.
func (s *Store) SetProductReview(ctx context.Context, p finzone.Product, from finzone.ReviewStatus) (finzone.Product, error) {
	return s.changeProduct(ctx, p.ID, func() (finzone.Product, error) { return s.DB.SetProductReview(ctx, p, from) })
}

func (s *Store) changeProduct(ctx context.Context, id string, write func() (finzone.Product, error)) (finzone.Product, error) {
	unlock := s.lockFamily(id)
	defer unlock()
	p, err := write()
	s.wroteFamily(ctx, id, bson.ObjectID{}, err)
	return p, err
}

// lockFamily is lock for every version of product id: a write of one
// version may change the others.
func (s *Store) lockFamily(id string) (unlock func()) { return s.lockKey([]byte("product/" + id)) }

// wroteFamily brings the model up to a write of product id's versions
// that the caller holds the family lock of; added, unless zero, is a
// version the write inserted. err is the write's outcome, as for wrote.
// Every version the model holds, and added, is read again by _id; while
// the model loads, they are once its scan is done.
func (s *Store) wroteFamily(ctx context.Context, id string, added bson.ObjectID, err error) {
	if err != nil && refused(err) {
		return
	}
	m := s.cur.Load() // after the write: see load
	if m == nil {
		return
	}
	m.mu.Lock()
	if !m.ready.Load() {
		m.families[id] = struct{}{}
		if !added.IsZero() {
			m.touched[doc{mongodb.ModelProducts, added}] = struct{}{}
		}
		m.mu.Unlock()
		return
	}
	m.mu.Unlock()
	ctx = context.WithoutCancel(ctx)
	for _, o := range m.family(id, added) {
		raw, err := s.current(ctx, mongodb.ModelProducts, o)
		if err != nil {
			s.log.Warn("read model: a product write's outcome is unknown; loading again", "product", id, "id", o.Hex(), "err", err)
			m.broken.Store(true)
			return
		}
		m.products.put(o, raw)
	}
}

// strList interns a field holding an array of strings (or one string,
// which a query on the field matches as MongoDB's do).
func strList(raw bson.Raw, field string) []unique.Handle[string] {
	v := raw.Lookup(field)
	if s, ok := v.StringValueOK(); ok {
		return []unique.Handle[string]{unique.Make(s)}
	}
	arr, ok := v.ArrayOK()
	if !ok {
		return nil
	}
	vals, _ := arr.Values()
	out := make([]unique.Handle[string], 0, len(vals))
	for _, e := range vals {
		if s, ok := e.StringValueOK(); ok {
			out = append(out, unique.Make(s))
		}
	}
	return out
}
