package cursor

import (
	"bytes"
	"encoding/base64"
	"testing"

	"go.mongodb.org/mongo-driver/v2/bson"
)

// FuzzDecodeCursor: the store's cursor decoder (behind the use cases'
// signature, but parsing BSON all the same) never panics; what it accepts
// is a plain sort value and an ID that encode back to a cursor decoding to
// the same. Its seeds run with the tests; .ci/run fuzzes it for 30 s.
func FuzzDecodeCursor(f *testing.F) {
	id := bson.NewObjectID()
	for _, v := range []any{"标题", int64(5), int32(-1), 3.5, true, nil, bson.DateTime(1700000000000),
		bson.D{{Key: "$where", Value: "1"}}, bson.A{1}, bson.Regex{Pattern: "."}} {
		b, err := bson.Marshal(bson.D{{Key: "v", Value: v}, {Key: "id", Value: id}})
		if err != nil {
			f.Fatal(err)
		}
		f.Add(base64.RawURLEncoding.EncodeToString(b))
	}
	for _, s := range []string{"", "AAAA", "garbage", "eyJ2IjoxfQ", "BQAAAAA"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		v, id, err := Decode(s)
		if err != nil {
			return
		}
		if !plainSortValue(v.Type) {
			t.Fatalf("accepted %q with a %v sort value", s, v.Type)
		}
		v2, id2, err := Decode(Encode(v, id))
		if err != nil || v2.Type != v.Type || !bytes.Equal(v2.Value, v.Value) || id2 != id {
			t.Fatalf("accepted %q (%v %v), but its re-encoding decodes to %v %v, %v", s, v, id, v2, id2, err)
		}
	})
}
