package readmodel

import (
	"bytes"
	"context"
	"math"
	"slices"
	"unique"

	"go.mongodb.org/mongo-driver/v2/bson"

	"finzone"
	"finzone/mongodb"
)

// PipelineBoard answers the coordinator's board from memory once the model
// is loaded: one pass over the matches under the read lock counts them and
// picks the few the board shows, and only those are decoded.
func (s *Store) PipelineBoard(ctx context.Context, f finzone.BoardFilter) (finzone.MatchBoard, error) {
	m := s.ready()
	if m == nil {
		return s.DB.PipelineBoard(ctx, f)
	}
	p := newBoardPass(f)
	p.run(m.matches)
	b := finzone.MatchBoard{Total: p.total}
	var err error
	decode := func(raws []bson.Raw) []finzone.Match {
		if len(raws) == 0 || err != nil {
			return nil
		}
		out := make([]finzone.Match, len(raws))
		for i, raw := range raws {
			if out[i], err = mongodb.DecodeBoardMatch(raw); err != nil {
				return nil
			}
		}
		return out
	}
	for i, st := range f.BoardColumns() {
		b.Columns = append(b.Columns, finzone.BoardColumn{Stage: st, Matches: decode(p.picked[i]), Count: p.counts[i]})
	}
	b.Overdue, b.Escalated = decode(p.picked[len(p.cols)]), decode(p.picked[len(p.cols)+1])
	if err != nil {
		return finzone.MatchBoard{}, err
	}
	return b, nil
}

// boardKey is a row in finzone.BoardOrder: due is +Inf without a
// deadline, after every deadline; at is the row's place in the table.
type boardKey struct {
	due float64
	id  bson.ObjectID
	at  int32
}

func byBoardKey(a, b boardKey) int {
	switch {
	case a.due < b.due:
		return -1
	case a.due > b.due:
		return 1
	}
	return bytes.Compare(a.id[:], b.id[:])
}

// stageRole is what a stage is to the board: its column (-1: none), and
// whether a match in it is open and can be late (finzone.Match.Overdue).
type stageRole struct {
	col        int
	open, late bool
}

// boardPass is one pass's filter and what it has picked.
type boardPass struct {
	regions            map[unique.Handle[string]]bool
	only               *unique.Handle[string]
	stages             map[unique.Handle[string]]stageRole
	now                float64
	cols               []*finzone.Firsts[boardKey]
	counts             []int
	overdue, escalated *finzone.Firsts[boardKey]
	total              int
	// picked is the BSON of each column's picks, then the overdue's and
	// the escalated's.
	picked [][]bson.Raw
}

func newBoardPass(f finzone.BoardFilter) *boardPass {
	p := &boardPass{regions: set(f.Regions), only: opt(string(f.Stage)), stages: map[unique.Handle[string]]stageRole{},
		now: float64(f.Now.UnixMilli()), overdue: finzone.NewFirsts(f.ListRows, byBoardKey),
		escalated: finzone.NewFirsts(f.ListRows, byBoardKey)}
	for _, st := range finzone.Stages {
		p.stages[unique.Make(string(st))] = stageRole{col: -1, open: st.Open(), late: slices.Contains(finzone.DueStages, st)}
	}
	for i, st := range f.BoardColumns() {
		h := unique.Make(string(st))
		r := p.stages[h]
		r.col = i
		p.stages[h] = r
		p.cols = append(p.cols, finzone.NewFirsts(f.ColumnRows, byBoardKey))
	}
	p.counts = make([]int, len(p.cols))
	return p
}

// run reads every match's fields once, and the BSON of the picks. A
// row's BSON never changes (a write replaces the row), so the picks stay
// valid after the lock.
func (p *boardPass) run(t *table[matchFields]) {
	t.mu.RLock()
	defer t.mu.RUnlock()
	for i := range t.rows {
		r := &t.rows[i]
		x := &r.f
		if p.regions != nil && !p.regions[x.region] || p.only != nil && x.stage != *p.only {
			continue
		}
		p.total++
		role, ok := p.stages[x.stage]
		if !ok {
			continue
		}
		k := boardKey{due: math.Inf(1), id: r.id, at: int32(i)}
		if x.hasDue {
			k.due = x.due
		}
		if role.col >= 0 {
			p.counts[role.col]++
			p.cols[role.col].Offer(k)
		}
		escalated := role.open && x.escalated
		if escalated {
			p.escalated.Offer(k)
		}
		if escalated || role.late && x.hasDue && x.due < p.now {
			p.overdue.Offer(k)
		}
	}
	for _, picks := range append(slices.Clip(p.cols), p.overdue, p.escalated) {
		keys := picks.Items()
		raws := make([]bson.Raw, len(keys))
		for i, k := range keys {
			raws[i] = t.rows[k.at].raw
		}
		p.picked = append(p.picked, raws)
	}
}
