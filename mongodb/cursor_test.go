package mongodb_test

import (
	"context"
	"encoding/base64"
	"testing"

	"go.mongodb.org/mongo-driver/v2/bson"

	"finzone"
)

// TestCursorIsDecodedIntoTypedValues: a list cursor is the client's to
// send back, so it carries only a plain sort value and an ID. An operator
// document, an array or code spliced into it is a validation error on
// `cursor`, never a query the store runs (it was a 500).
func TestCursorIsDecodedIntoTypedValues(t *testing.T) {
	db := openDB(t)
	ctx := context.Background()
	id := bson.NewObjectID()
	crafted := func(v any) string {
		b, err := bson.Marshal(bson.D{{Key: "v", Value: v}, {Key: "id", Value: id}})
		if err != nil {
			t.Fatal(err)
		}
		return base64.RawURLEncoding.EncodeToString(b)
	}
	for name, v := range map[string]any{
		"$where":   bson.D{{Key: "$where", Value: "sleep(1000)"}},
		"$expr":    bson.D{{Key: "$expr", Value: bson.D{{Key: "$eq", Value: bson.A{1, 1}}}}},
		"array":    bson.A{1, 2},
		"regex":    bson.Regex{Pattern: ".*"},
		"code":     bson.JavaScript("while(1){}"),
		"minkey":   bson.MinKey{},
		"document": bson.D{{Key: "a", Value: 1}},
	} {
		_, _, err := db.ListProjects(ctx, finzone.ProjectFilter{}, finzone.Page{Cursor: crafted(v)})
		if finzone.ErrorCode(err) != finzone.ECValidation {
			t.Errorf("cursor with %s: got %v, want a validation error", name, err)
		}
	}
	// The cursors the store hands out still work.
	for _, v := range []any{"标题", int64(5), 3.5, true} {
		if _, _, err := db.ListProjects(ctx, finzone.ProjectFilter{}, finzone.Page{Cursor: crafted(v)}); err != nil {
			t.Errorf("cursor with %T: %v", v, err)
		}
	}
}
