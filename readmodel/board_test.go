package readmodel

import (
	"context"
	"reflect"
	"testing"
	"time"

	"finzone"
)

// The model's board is the store's, after writes of every kind through the
// model and escalations: same matches, order and counts.
func TestBoardAsTheStore(t *testing.T) {
	st := start(t)
	fill(t, st)
	ctx := context.Background()
	accepted, _, err := st.ListMatches(ctx, finzone.MatchFilter{Stages: []finzone.Stage{finzone.StageAccepted}}, finzone.Page{Limit: 4})
	if err != nil || len(accepted) < 4 {
		t.Fatalf("accepted matches: %d, %v", len(accepted), err)
	}
	at := base.Add(time.Hour)
	for i, m := range accepted[:3] {
		if _, err := st.MoveMatch(ctx, m.ID, finzone.StageAccepted, finzone.MatchChange{To: finzone.StageAccepted, KeepDue: true, Escalated: &at, Urged: i == 0,
			Event: finzone.Event{At: at, Actor: "system", Action: "escalate", From: finzone.StageAccepted, To: finzone.StageAccepted}}); err != nil {
			t.Fatal(err)
		}
	}
	pause := finzone.Pause{At: at, Left: 36 * time.Hour, Note: "等待补充材料"}
	if _, err := st.MoveMatch(ctx, accepted[3].ID, finzone.StageAccepted, finzone.MatchChange{To: finzone.StageAccepted, Pause: &pause,
		Event: finzone.Event{At: at, Actor: "bank", Action: "pause", From: finzone.StageAccepted, To: finzone.StageAccepted}}); err != nil {
		t.Fatal(err)
	}
	// A match accepted without a deadline comes after those with one.
	pushed, _, err := st.ListMatches(ctx, finzone.MatchFilter{Stages: []finzone.Stage{finzone.StagePushed}}, finzone.Page{Limit: 1})
	if err != nil || len(pushed) != 1 {
		t.Fatalf("pushed matches: %d, %v", len(pushed), err)
	}
	if _, err := st.MoveMatch(ctx, pushed[0].ID, finzone.StagePushed, finzone.MatchChange{To: finzone.StageAccepted,
		Event: finzone.Event{At: at, Actor: "bank", Action: "accept", From: finzone.StagePushed, To: finzone.StageAccepted}}); err != nil {
		t.Fatal(err)
	}
	columns := []finzone.Stage{finzone.StagePushed, finzone.StageAccepted, finzone.StageDeclined, finzone.StageExpired}
	filters := []finzone.BoardFilter{
		{Columns: columns, ColumnRows: 3, ListRows: 4, Now: base.Add(30 * time.Hour)},
		{Columns: columns, ColumnRows: 25, ListRows: 500, Now: base.Add(50 * time.Hour)},
		{Regions: regions[:1], Columns: columns, ColumnRows: 2, ListRows: 3, Now: base},
		{Regions: []string{}, Columns: columns, ColumnRows: 2, ListRows: 3, Now: base},
		{Regions: regions[1:], Stage: finzone.StageAccepted, Columns: columns, ColumnRows: 1, ListRows: 2, Now: base.Add(30 * time.Hour)},
		{Stage: finzone.StageClosed, Columns: columns, ColumnRows: 3, ListRows: 3, Now: base},
	}
	var overdue, escalated, more, paused int
	for i, f := range filters {
		want, err := st.DB.PipelineBoard(ctx, f)
		if err != nil {
			t.Fatalf("filter %d: store: %v", i, err)
		}
		if st.ready() == nil {
			t.Fatal("the model is not answering")
		}
		got, err := st.PipelineBoard(ctx, f)
		if err != nil {
			t.Fatalf("filter %d: model: %v", i, err)
		}
		if !reflect.DeepEqual(got, want) {
			t.Errorf("filter %d %+v: model\n got %+v\nwant the store's %+v", i, f, got, want)
		}
		overdue, escalated = overdue+len(want.Overdue), escalated+len(want.Escalated)
		for _, c := range want.Columns {
			more += c.Count - len(c.Matches)
			for _, m := range c.Matches {
				if !m.Pause.At.IsZero() {
					paused++
				}
			}
		}
	}
	if overdue == 0 || escalated == 0 || more == 0 || paused == 0 {
		t.Errorf("compared %d overdue, %d escalated, %d paused and %d matches past a column's rows; want some of each",
			overdue, escalated, paused, more)
	}
}
