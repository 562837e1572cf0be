package finzone

import (
	"slices"
	"strings"
	"time"
)

// The coordinator's pipeline board as the store reads it: a few matches of
// each stage and the lists to chase, never the whole scope.

// BoardFilter asks for a board (the store's PipelineBoard).
type BoardFilter struct {
	// Regions are the scope's county codes; nil is the whole province.
	Regions []string
	// Stage keeps the matches of one stage; "" keeps all.
	Stage Stage
	// Columns are the stages the board lists, ColumnRows matches of each
	// at most; ListRows bounds the overdue and the escalated lists.
	Columns              []Stage
	ColumnRows, ListRows int
	// Now is when the overdue are overdue (Match.Overdue).
	Now time.Time
}

// MatchBoard is a board in BoardOrder: each column's first matches and
// how many its stage holds, the first overdue and escalated matches
// (Match.Overdue, Match.OpenEscalation), and how many matches the filter
// keeps in all, in any stage. A store's board holds only what a board
// shows of its matches: ID, project (ID, title, amount, owner),
// institution, region, role, stage, deadline, pause, escalation and urges.
type MatchBoard struct {
	// Columns follow BoardFilter.Columns, those the stage filter keeps.
	Columns            []BoardColumn
	Overdue, Escalated []Match
	Total              int
}

// BoardColumn is one stage of a board: its first matches and how many it
// holds.
type BoardColumn struct {
	Stage   Stage
	Matches []Match
	Count   int
}

// BoardOrder orders a board: matches with a deadline first, soonest on
// top, then by ID so that every store shows the same ones.
func BoardOrder(a, b Match) int {
	if a.DueAt.IsZero() != b.DueAt.IsZero() {
		if a.DueAt.IsZero() {
			return 1
		}
		return -1
	}
	if c := a.DueAt.Compare(b.DueAt); c != 0 {
		return c
	}
	return strings.Compare(a.ID, b.ID)
}

// OpenEscalation reports whether the match's missed deadline was escalated
// to coordinators and it is still open: waiting for a push from them.
func (m Match) OpenEscalation() bool { return !m.EscalatedAt.IsZero() && m.Stage.Open() }

// BoardColumns are the columns the filter's stage keeps, in order.
func (f BoardFilter) BoardColumns() []Stage {
	if f.Stage == "" {
		return f.Columns
	}
	if slices.Contains(f.Columns, f.Stage) {
		return []Stage{f.Stage}
	}
	return nil
}

// BoardBuilder makes a board of the matches added to it in any order,
// keeping only the ones it shows.
type BoardBuilder struct {
	f                  BoardFilter
	in                 map[string]bool
	col                map[Stage]int
	cols               []*Firsts[Match]
	counts             []int
	overdue, escalated *Firsts[Match]
	total              int
}

// NewBoard starts a board.
func NewBoard(f BoardFilter) *BoardBuilder {
	b := &BoardBuilder{f: f, col: map[Stage]int{}, overdue: NewFirsts(f.ListRows, BoardOrder),
		escalated: NewFirsts(f.ListRows, BoardOrder)}
	if f.Regions != nil {
		b.in = make(map[string]bool, len(f.Regions))
		for _, r := range f.Regions {
			b.in[r] = true
		}
	}
	for i, s := range f.BoardColumns() {
		b.col[s] = i
		b.cols = append(b.cols, NewFirsts(f.ColumnRows, BoardOrder))
	}
	b.counts = make([]int, len(b.cols))
	return b
}

// Add counts m and keeps it if the board shows it.
func (b *BoardBuilder) Add(m Match) {
	if b.in != nil && !b.in[m.RegionCode] || b.f.Stage != "" && m.Stage != b.f.Stage {
		return
	}
	b.total++
	if i, ok := b.col[m.Stage]; ok {
		b.counts[i]++
		b.cols[i].Offer(m)
	}
	if m.Overdue(b.f.Now) {
		b.overdue.Offer(m)
	}
	if m.OpenEscalation() {
		b.escalated.Offer(m)
	}
}

// Board is the board of the matches added so far.
func (b *BoardBuilder) Board() MatchBoard {
	mb := MatchBoard{Overdue: b.overdue.Items(), Escalated: b.escalated.Items(), Total: b.total}
	for i, s := range b.f.BoardColumns() {
		mb.Columns = append(mb.Columns, BoardColumn{Stage: s, Matches: b.cols[i].Items(), Count: b.counts[i]})
	}
	return mb
}

// BoardOf is the board of ms.
func BoardOf(ms []Match, f BoardFilter) MatchBoard {
	b := NewBoard(f)
	for _, m := range ms {
		b.Add(m)
	}
	return b.Board()
}

// Firsts keeps the first n of the items offered to it in an order, without
// keeping or sorting them all: it gathers candidates up to 2n, then keeps
// the first n of them, and from then on turns away at once what comes
// after the nth.
type Firsts[T any] struct {
	n     int
	cmp   func(a, b T) int
	items []T
	full  bool // items[n-1] is the last one that may still be kept
	last  T
}

// NewFirsts keeps the first n items in cmp's order.
func NewFirsts[T any](n int, cmp func(a, b T) int) *Firsts[T] {
	return &Firsts[T]{n: max(n, 0), cmp: cmp}
}

// Offer keeps v if it is among the first n so far.
func (f *Firsts[T]) Offer(v T) {
	if f.n == 0 || f.full && f.cmp(v, f.last) >= 0 {
		return
	}
	f.items = append(f.items, v)
	if len(f.items) >= 2*f.n {
		f.trim()
	}
}

func (f *Firsts[T]) trim() {
	slices.SortFunc(f.items, f.cmp)
	if f.n > 0 && len(f.items) >= f.n {
		clear(f.items[f.n:])
		f.items, f.full, f.last = f.items[:f.n], true, f.items[f.n-1]
	}
}

// Items are the first n items offered, in order.
func (f *Firsts[T]) Items() []T {
	f.trim()
	return f.items
}
