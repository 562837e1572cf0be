package mongodb_test

import (
	"context"
	"fmt"
	"reflect"
	"testing"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"

	"finzone"
	"finzone/mongodb"
)

// The board's queries (MongoDB) and its scan (FerretDB) show the same
// matches and counts, on data where deadlines tie, some are missing, some
// have passed and some matches were escalated.
func TestBoardQueriesAsTheScan(t *testing.T) {
	ctx := context.Background()
	db := openDB(t)
	at := time.Date(2026, 3, 2, 8, 0, 0, 0, time.UTC)
	regions := []string{"341221", "341222", "340102"}
	var ms []finzone.Match
	for i := range 90 {
		m := finzone.Match{ID: finzone.StableID("board", fmt.Sprint(i)), ProjectID: fmt.Sprint("p", i), InstitutionID: fmt.Sprint("i", i%4),
			ProjectTitle: fmt.Sprint("项目 ", i), ProjectAmountYuan: int64(i) * 100_000, OwnerOrgID: fmt.Sprint("o", i%5), RegionCode: regions[i%3],
			Role: finzone.RoleLead, Stage: finzone.Stages[i%len(finzone.Stages)], Urges: i % 3, CreatedAt: at, UpdatedAt: at,
			Components: []finzone.ScoreComponent{{Name: "rate", Value: 1.5}}, Events: []finzone.Event{{At: at, Actor: "system", Action: "push"}}}
		if i%5 != 0 {
			m.DueAt = at.Add(time.Duration(i%7-3) * time.Hour)
		}
		if i%6 == 1 {
			m.EscalatedAt = at.Add(-time.Hour)
		}
		if i%4 == 2 {
			m.Pause = finzone.Pause{At: at, Left: 90 * time.Minute, Note: "等待补充材料"}
		}
		ms = append(ms, m)
	}
	if err := db.InsertMatches(ctx, ms); err != nil {
		t.Fatal(err)
	}
	// The board's decoding reads what the store's does of the fields a
	// board shows.
	for _, m := range ms {
		id, _ := bson.ObjectIDFromHex(m.ID) // StableID: always one
		raw, err := db.RawDoc(ctx, mongodb.ModelMatches, id)
		if err != nil {
			t.Fatal(err)
		}
		full, err := mongodb.DecodeMatch(raw)
		if err != nil {
			t.Fatal(err)
		}
		if got, err := mongodb.DecodeBoardMatch(raw); err != nil || !reflect.DeepEqual(got, boardPart(full)) {
			t.Fatalf("board's decoding of %s: got %+v, %v\nwant %+v", m.ID, got, err, boardPart(full))
		}
	}
	columns := finzone.Stages[:12]
	filters := []finzone.BoardFilter{
		{Columns: columns, ColumnRows: 2, ListRows: 4, Now: at},
		{Columns: columns, ColumnRows: 25, ListRows: 500, Now: at.Add(-2 * time.Hour)},
		{Regions: regions[:2], Columns: columns, ColumnRows: 3, ListRows: 5, Now: at},
		{Regions: []string{}, Columns: columns, ColumnRows: 3, ListRows: 5, Now: at},
		{Regions: regions[1:2], Stage: finzone.StagePushed, Columns: columns, ColumnRows: 1, ListRows: 2, Now: at},
		{Stage: finzone.StageWithdrawn, Columns: columns, ColumnRows: 3, ListRows: 3, Now: at}, // no column
		{Columns: columns, Now: at},
	}
	shown := 0
	for i, f := range filters {
		want, err := db.BoardScan(ctx, f)
		if err != nil {
			t.Fatalf("filter %d: scan: %v", i, err)
		}
		got, err := db.BoardQueries(ctx, f)
		if err != nil {
			t.Fatalf("filter %d: queries: %v", i, err)
		}
		if !reflect.DeepEqual(got, want) {
			t.Errorf("filter %d %+v: queries\n got %+v\nwant the scan's %+v", i, f, got, want)
		}
		shown += len(want.Overdue) + len(want.Escalated)
	}
	if shown == 0 {
		t.Error("no overdue or escalated match to compare")
	}
}

// boardPart is what a board shows of a match.
func boardPart(m finzone.Match) finzone.Match {
	return finzone.Match{ID: m.ID, ProjectID: m.ProjectID, InstitutionID: m.InstitutionID, ProjectTitle: m.ProjectTitle,
		ProjectAmountYuan: m.ProjectAmountYuan, OwnerOrgID: m.OwnerOrgID, RegionCode: m.RegionCode, Role: m.Role, Stage: m.Stage,
		DueAt: m.DueAt, Pause: m.Pause, EscalatedAt: m.EscalatedAt, Urges: m.Urges}
}
