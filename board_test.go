package finzone

import (
	"fmt"
	"reflect"
	"slices"
	"testing"
	"time"

	"pgregory.net/rapid"
)

func TestBoardOrder(t *testing.T) {
	at := time.Date(2026, 3, 2, 8, 0, 0, 0, time.UTC)
	due := func(id string, d time.Duration) Match { return Match{ID: id, DueAt: at.Add(d)} }
	none := func(id string) Match { return Match{ID: id} }
	cases := []struct {
		name string
		a, b Match
		want int
	}{
		{"sooner deadline first", due("b", time.Hour), due("a", 2*time.Hour), -1},
		{"later deadline after", due("a", 2*time.Hour), due("b", time.Hour), 1},
		{"a deadline before none", due("b", 1000*time.Hour), none("a"), -1},
		{"none after a deadline", none("a"), due("b", 0), 1},
		{"same deadline: by ID", due("a", time.Hour), due("b", time.Hour), -1},
		{"no deadlines: by ID", none("b"), none("a"), 1},
		{"itself", due("a", time.Hour), due("a", time.Hour), 0},
	}
	for _, c := range cases {
		if got := BoardOrder(c.a, c.b); got != c.want {
			t.Errorf("%s: BoardOrder = %d, want %d", c.name, got, c.want)
		}
	}
}

func TestFirsts(t *testing.T) {
	cases := []struct {
		n    int
		in   []int
		want []int
	}{
		{3, nil, nil},
		{0, []int{1, 2}, nil},
		{-1, []int{1}, nil},
		{3, []int{5, 1}, []int{1, 5}},
		{3, []int{9, 8, 7, 6, 5, 4, 3, 2, 1}, []int{1, 2, 3}},
		{3, []int{1, 2, 3, 4, 5, 6, 7, 8, 9}, []int{1, 2, 3}},
		{2, []int{4, 1, 4, 1, 4, 1}, []int{1, 1}},
		{1, []int{3, 7, 2, 8, 2}, []int{2}},
	}
	for _, c := range cases {
		f := NewFirsts(c.n, func(a, b int) int { return a - b })
		for _, v := range c.in {
			f.Offer(v)
		}
		if got := f.Items(); !slices.Equal(got, c.want) {
			t.Errorf("first %d of %v: got %v, want %v", c.n, c.in, got, c.want)
		}
	}
}

// BoardOf is the board's definition applied to the whole list: keep the
// filter's matches, order them, and take the first of each column and list.
func TestBoardOfIsTheSortedScopesFirsts(t *testing.T) {
	at := time.Date(2026, 3, 2, 8, 0, 0, 0, time.UTC)
	regions := []string{"341221", "341222", "340102"}
	rapid.Check(t, func(rt *rapid.T) {
		var ms []Match
		for i := range rapid.IntRange(0, 80).Draw(rt, "n") {
			m := Match{ID: fmt.Sprintf("%024x", rapid.IntRange(0, 1<<20).Draw(rt, "id")*100+i),
				RegionCode: rapid.SampledFrom(regions).Draw(rt, "region"), Stage: rapid.SampledFrom(Stages).Draw(rt, "stage")}
			if rapid.Bool().Draw(rt, "due") {
				m.DueAt = at.Add(time.Duration(rapid.IntRange(-5, 5).Draw(rt, "hours")) * time.Hour)
			}
			if rapid.IntRange(0, 4).Draw(rt, "escalated") == 0 {
				m.EscalatedAt = at
			}
			ms = append(ms, m)
		}
		f := BoardFilter{Columns: rapid.SliceOfDistinct(rapid.SampledFrom(Stages), func(s Stage) Stage { return s }).Draw(rt, "columns"),
			ColumnRows: rapid.IntRange(0, 4).Draw(rt, "rows"), ListRows: rapid.IntRange(0, 6).Draw(rt, "list"), Now: at}
		if rapid.Bool().Draw(rt, "scoped") {
			f.Regions = regions[:rapid.IntRange(0, 2).Draw(rt, "regions")]
		}
		if rapid.Bool().Draw(rt, "one stage") {
			f.Stage = rapid.SampledFrom(Stages).Draw(rt, "only")
		}
		if got, want := BoardOf(ms, f), naiveBoard(ms, f); !reflect.DeepEqual(got, want) {
			rt.Fatalf("board of %d matches, %+v:\n got %s\nwant %s", len(ms), f, boardIDs(got), boardIDs(want))
		}
	})
}

func naiveBoard(ms []Match, f BoardFilter) MatchBoard {
	var kept []Match
	for _, m := range ms {
		if (f.Regions == nil || slices.Contains(f.Regions, m.RegionCode)) && (f.Stage == "" || m.Stage == f.Stage) {
			kept = append(kept, m)
		}
	}
	slices.SortFunc(kept, BoardOrder)
	first := func(n int, keep func(Match) bool) (out []Match, count int) {
		for _, m := range kept {
			if keep(m) {
				if count < n {
					out = append(out, m)
				}
				count++
			}
		}
		return out, count
	}
	b := MatchBoard{Total: len(kept)}
	b.Overdue, _ = first(f.ListRows, func(m Match) bool { return m.Overdue(f.Now) })
	b.Escalated, _ = first(f.ListRows, Match.OpenEscalation)
	for _, s := range f.Columns {
		if f.Stage != "" && s != f.Stage {
			continue
		}
		c := BoardColumn{Stage: s}
		c.Matches, c.Count = first(f.ColumnRows, func(m Match) bool { return m.Stage == s })
		b.Columns = append(b.Columns, c)
	}
	return b
}

// boardIDs is a board as its matches' IDs, for messages.
func boardIDs(b MatchBoard) string {
	ids := func(ms []Match) []string {
		out := []string{}
		for _, m := range ms {
			out = append(out, m.ID[18:])
		}
		return out
	}
	s := fmt.Sprintf("total %d overdue %v escalated %v", b.Total, ids(b.Overdue), ids(b.Escalated))
	for _, c := range b.Columns {
		s += fmt.Sprintf(" %s(%d) %v", c.Stage, c.Count, ids(c.Matches))
	}
	return s
}
