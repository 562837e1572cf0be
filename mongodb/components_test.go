package mongodb

import (
	"reflect"
	"testing"

	"go.mongodb.org/mongo-driver/v2/bson"

	"finzone"
)

// Score components are stored as one subdocument in the engine's order;
// matches and ledgers written before that, with an array of {name, value}
// pairs, still read.
func TestComponentsFormats(t *testing.T) {
	want := []finzone.ScoreComponent{{Name: "rate", Value: 14.27}, {Name: "amount_fit", Value: 10.56}, {Name: "load", Value: 5}}
	type holder struct {
		C componentsDoc `bson:"components"`
	}
	b, err := bson.Marshal(holder{C: want})
	if err != nil {
		t.Fatal(err)
	}
	if typ := bson.Raw(b).Lookup("components").Type; typ != bson.TypeEmbeddedDocument {
		t.Errorf("stored as %v, want an embedded document", typ)
	}
	old, err := bson.Marshal(bson.D{{Key: "components", Value: bson.A{
		bson.D{{Key: "name", Value: "rate"}, {Key: "value", Value: 14.27}},
		bson.D{{Key: "name", Value: "amount_fit"}, {Key: "value", Value: 10.56}},
		bson.D{{Key: "name", Value: "load"}, {Key: "value", Value: int32(5)}},
	}}})
	if err != nil {
		t.Fatal(err)
	}
	for name, raw := range map[string][]byte{"document": b, "array of pairs": old} {
		var h holder
		if err := bson.Unmarshal(raw, &h); err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if !reflect.DeepEqual([]finzone.ScoreComponent(h.C), want) {
			t.Errorf("%s: read %+v, want %+v", name, h.C, want)
		}
	}
}
