package readmodel

import (
	"bytes"
	"cmp"
	"math"
	"slices"
	"strings"
	"sync"

	"go.mongodb.org/mongo-driver/v2/bson"

	"finzone"
	"finzone/mongodb"
	"finzone/mongodb/cursor"
)

// row is one document as the model keeps it: the BSON the store holds,
// never changed once kept (a write replaces the row), and the fields its
// lists filter and sort on.
type row[F any] struct {
	id  bson.ObjectID
	raw bson.Raw
	f   F
}

// schema says what a collection's rows hold.
type schema[F any] struct {
	coll string
	// fields reads the filtered and sorted fields of a stored document.
	fields func(raw bson.Raw) F
	// sortKey is the accessor of a sorted number or time field, as a
	// number; sortText, if set, that of a sorted string field (nil for any
	// other field).
	sortKey  func(field string) func(*F) float64
	sortText func(field string) func(*F) text
}

// table is one collection in memory. Its rows lie side by side, so a list
// that reads every row's fields reads memory in order.
type table[F any] struct {
	schema[F]
	mu   sync.RWMutex
	rows []row[F]
	at   map[bson.ObjectID]int // rows' positions
}

func newTable[F any](s schema[F]) *table[F] {
	return &table[F]{schema: s, at: map[bson.ObjectID]int{}}
}

// put keeps raw as the document's current state; nil forgets it (deleted).
// raw must not change afterwards.
func (t *table[F]) put(id bson.ObjectID, raw bson.Raw) {
	var f F
	if raw != nil {
		f = t.fields(raw)
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	i, ok := t.at[id]
	switch {
	case raw == nil && ok: // the last row takes the deleted one's place
		last := len(t.rows) - 1
		t.rows[i] = t.rows[last]
		t.at[t.rows[i].id] = i
		t.rows[last] = row[F]{}
		t.rows = t.rows[:last]
		delete(t.at, id)
	case raw == nil:
	case ok:
		t.rows[i] = row[F]{id: id, raw: raw, f: f}
	default:
		t.at[id] = len(t.rows)
		t.rows = append(t.rows, row[F]{id: id, raw: raw, f: f})
	}
}

// add keeps raw unless the table has the document already (a newer state
// than an insert that found it there).
func (t *table[F]) add(id bson.ObjectID, raw bson.Raw) {
	f := t.fields(raw)
	t.mu.Lock()
	defer t.mu.Unlock()
	if _, ok := t.at[id]; !ok {
		t.at[id] = len(t.rows)
		t.rows = append(t.rows, row[F]{id: id, raw: raw, f: f})
	}
}

// load keeps a copy of a document a scan read.
func (t *table[F]) load(raw bson.Raw) {
	id, ok := raw.Lookup("_id").ObjectIDOK()
	if !ok {
		return // not one of the store's documents: the store's lists skip nothing, but cannot decode it either
	}
	t.put(id, bytes.Clone(raw))
}

// get is a copy of the document's row, or nil.
func (t *table[F]) get(id bson.ObjectID) *row[F] {
	t.mu.RLock()
	defer t.mu.RUnlock()
	i, ok := t.at[id]
	if !ok {
		return nil
	}
	r := t.rows[i]
	return &r
}

func (t *table[F]) len() int {
	t.mu.RLock()
	defer t.mu.RUnlock()
	return len(t.rows)
}

// size is how many bytes of BSON the table keeps.
func (t *table[F]) size() int {
	t.mu.RLock()
	defer t.mu.RUnlock()
	n := 0
	for i := range t.rows {
		n += len(t.rows[i].raw)
	}
	return n
}

// each calls fn, under the read lock, with every row keep holds for, in no
// particular order; fn must not keep r.
func (t *table[F]) each(keep func(*F) bool, fn func(r *row[F])) {
	t.mu.RLock()
	defer t.mu.RUnlock()
	for i := range t.rows {
		if keep(&t.rows[i].f) {
			fn(&t.rows[i])
		}
	}
}

// all is every row keep holds for, in no particular order.
func (t *table[F]) all(keep func(*F) bool) []bson.Raw {
	var out []bson.Raw
	t.each(keep, func(r *row[F]) { out = append(out, r.raw) })
	return out
}

// rowsOf is a copy of every row keep holds for, in no particular order.
func (t *table[F]) rowsOf(keep func(*F) bool) []row[F] {
	var out []row[F]
	t.each(keep, func(r *row[F]) { out = append(out, *r) })
	return out
}

// count is how many rows keep holds for.
func (t *table[F]) count(keep func(*F) bool) int64 {
	var n int64
	t.each(keep, func(*row[F]) { n++ })
	return n
}

// page answers a list as the store's findPage does: the rows keep holds
// for, ordered by the sort's field and then _id (both descending for a
// "-" sort), after the cursor's position, limit at most, and the cursor
// after the last one when more follow. The cursor is the store's, so a
// page the store began the model continues, and the other way round.
func (t *table[F]) page(pg finzone.Page, keep func(*F) bool) ([]bson.Raw, string, error) {
	field, desc, err := mongodb.ListSort(t.coll, pg.Sort)
	if err != nil {
		return nil, "", err
	}
	if t.sortText != nil {
		if key := t.sortText(field); key != nil {
			return pageBy(t, pg, field, desc, keep, order[F, text]{key, textValue, text.cmp})
		}
	}
	return pageBy(t, pg, field, desc, keep, order[F, float64]{t.sortKey(field), number, cmp.Compare[float64]})
}

// order is a sort on keys of type K: the key of a row, that of a cursor's
// sort value (false: a type the field never holds), and how two compare
// (numbers as cmp.Compare orders them: NaN below the others, as in MongoDB).
type order[F, K any] struct {
	key   func(*F) K
	value func(bson.RawValue) (K, bool)
	cmp   func(a, b K) int
}

// pageBy is page with the sort's keys.
func pageBy[F, K any](t *table[F], pg finzone.Page, field string, desc bool, keep func(*F) bool, o order[F, K]) ([]bson.Raw, string, error) {
	limit := mongodb.PageLimit(pg)
	var after func(k K, id bson.ObjectID) bool
	if pg.Cursor != "" {
		v, cid, err := cursor.Decode(pg.Cursor)
		if err != nil {
			return nil, "", err
		}
		ck, ok := o.value(v)
		if !ok {
			var p finzone.Problems
			p.Add("cursor", finzone.FCInvalid)
			return nil, "", p.Err()
		}
		after = func(k K, id bson.ObjectID) bool { return before(o.cmp, ck, cid, k, id, desc) }
	}
	top := top(t, limit+1, o, desc, keep, after)
	next := ""
	if len(top) > limit {
		top = top[:limit]
		last := top[limit-1]
		next = cursor.Encode(last.raw.Lookup(field), last.id)
	}
	out := make([]bson.Raw, len(top))
	for i, r := range top {
		out[i] = r.raw
	}
	return out, next, nil
}

// top is the first n rows of t in the sort's order that keep holds for
// and that come after the cursor's position (after nil: from the start).
func top[F, K any](t *table[F], n int, o order[F, K], desc bool, keep func(*F) bool,
	after func(K, bson.ObjectID) bool) []row[F] {
	type item struct {
		k K
		r *row[F]
	}
	less := func(a, b item) bool { return before(o.cmp, a.k, a.r.id, b.k, b.r.id, desc) }
	top := make([]item, 0, n)
	t.mu.RLock()
	defer t.mu.RUnlock()
	for i := range t.rows {
		r := &t.rows[i]
		if !keep(&r.f) {
			continue
		}
		it := item{o.key(&r.f), r}
		if after != nil && !after(it.k, r.id) {
			continue
		}
		if len(top) == n && !less(it, top[n-1]) {
			continue
		}
		i, _ := slices.BinarySearchFunc(top, it, func(a, b item) int {
			if less(a, b) {
				return -1
			}
			return 1
		})
		if len(top) == n {
			top = top[:n-1]
		}
		top = slices.Insert(top, i, it)
	}
	out := make([]row[F], len(top)) // copies, taken under the lock: a write may replace a row in place
	for i, it := range top {
		out[i] = *it.r
	}
	return out
}

// before reports whether (ka, ia) comes before (kb, ib) in the order of a
// sort on a field then _id, descending if desc.
func before[K any](compare func(a, b K) int, ka K, ia bson.ObjectID, kb K, ib bson.ObjectID, desc bool) bool {
	c := compare(ka, kb)
	if c == 0 {
		c = bytes.Compare(ia[:], ib[:])
	}
	if desc {
		return c > 0
	}
	return c < 0
}

// number is a sorted field's value as a number that orders as the store
// orders it: numbers as themselves, times as Unix milliseconds, a missing
// field or null first.
func number(v bson.RawValue) (float64, bool) {
	switch v.Type {
	case bson.TypeInt32:
		return float64(v.Int32()), true
	case bson.TypeInt64:
		return float64(v.Int64()), true
	case bson.TypeDouble:
		return v.Double(), true
	case bson.TypeDateTime:
		return float64(v.DateTime()), true
	case bson.TypeNull, 0:
		return math.Inf(-1), true
	}
	return 0, false
}

// num reads a sorted field of a stored document.
func num(raw bson.Raw, field string) float64 {
	n, _ := number(raw.Lookup(field))
	return n
}

// text is a sorted string field's value. Strings order byte by byte, as
// MongoDB's do without a collation and FerretDB's (Go's strings) do; a
// missing field or null comes first. (The store writes these fields as
// strings always: a value of another type would count as null.)
type text struct {
	s  string
	ok bool
}

func (a text) cmp(b text) int {
	if a.ok != b.ok {
		if a.ok {
			return 1
		}
		return -1
	}
	return strings.Compare(a.s, b.s)
}

// textValue is a sorted string field's value as a text.
func textValue(v bson.RawValue) (text, bool) {
	switch v.Type {
	case bson.TypeString:
		return text{v.StringValue(), true}, true
	case bson.TypeNull, 0:
		return text{}, true
	}
	return text{}, false
}
