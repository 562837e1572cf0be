// Package cursor is where a store list's page ended, as an opaque string:
// the last item's sort value and ID, BSON in base64url. It is decoded into
// typed values only, so nothing a client sends is spliced into a query; the
// use cases sign it before a client sees it. It stands alone so that its
// fuzz target builds without the store's test dependencies.
package cursor

import (
	"encoding/base64"

	"go.mongodb.org/mongo-driver/v2/bson"

	"finzone"
)

// Encode is the cursor after a page that ended on sort value v and ID id.
func Encode(v bson.RawValue, id bson.ObjectID) string {
	b, err := bson.Marshal(bson.D{{Key: "v", Value: v}, {Key: "id", Value: id}})
	if err != nil {
		return ""
	}
	return base64.RawURLEncoding.EncodeToString(b)
}

// Decode reads a cursor back; anything else than what Encode makes, or a
// sort value of a type no sorted field holds, is a field error on cursor.
func Decode(s string) (bson.RawValue, bson.ObjectID, error) {
	bad := func() (bson.RawValue, bson.ObjectID, error) {
		var p finzone.Problems
		p.Add("cursor", finzone.FCInvalid)
		return bson.RawValue{}, bson.ObjectID{}, p.Err()
	}
	b, err := base64.RawURLEncoding.DecodeString(s)
	if err != nil {
		return bad()
	}
	raw := bson.Raw(b)
	if raw.Validate() != nil {
		return bad()
	}
	v, err := raw.LookupErr("v")
	if err != nil || !plainSortValue(v.Type) {
		return bad()
	}
	idv, err := raw.LookupErr("id")
	if err != nil {
		return bad()
	}
	id, ok := idv.ObjectIDOK()
	if !ok {
		return bad()
	}
	return v, id, nil
}

// plainSortValue reports whether a cursor's sort value has a type the
// sorted fields hold. Anything else a client puts there (an operator
// document, an array, a regex, code) would be spliced into the query.
func plainSortValue(t bson.Type) bool {
	switch t {
	case bson.TypeString, bson.TypeInt32, bson.TypeInt64, bson.TypeDouble, bson.TypeBoolean, bson.TypeDateTime, bson.TypeNull:
		return true
	}
	return false
}
