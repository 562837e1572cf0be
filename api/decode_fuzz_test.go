package api

import (
	"bytes"
	"encoding/json"
	"slices"
	"testing"

	"finzone"
)

// FuzzDecodeObject: the strict decoder never panics; what it refuses it
// refuses as malformed_json or with field errors naming keys the body has;
// what it accepts survives a round trip (encoded again and decoded, it is
// accepted and encodes to the same bytes). Its seeds run with the tests;
// .ci/run fuzzes it for 30 s.
func FuzzDecodeObject(f *testing.F) {
	for _, s := range []string{
		`{}`, `[]`, `null`, `{"name":"集群贷","amount_min_yuan":1000000,"valid_from":"2026-01-02T03:04:05+08:00"}`,
		`{"regions":["340000","341200"],"can_lead_syndicate":true,"max_ticket_yuan":null}`,
		`{"id":"x","status":"published"}`, `{"name":1}`, `{"amount_min_yuan":1e3}`, `{"x":1}{"y":2}`,
		`{"name":"a","name":"b"}`, `{"valid_to":"tomorrow"}`, "{\"description\":\"\\ud800\xff\"}", `{"sizes":{}}`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		var dst productBody
		fields, err := decodeObject(body, &dst, "", productReadOnly)
		if err != nil {
			if finzone.ErrorCode(err) != finzone.ECMalformedJSON {
				t.Fatalf("refused with %v, want malformed_json or field errors", err)
			}
			return
		}
		if len(fields) > 0 {
			var keys map[string]json.RawMessage
			_ = json.Unmarshal(body, &keys)
			for _, fe := range fields {
				if _, ok := keys[fe.Field]; !ok || !slices.Contains([]string{finzone.FCReadOnly, finzone.FCUnknownField, finzone.FCWrongType}, fe.Code) {
					t.Fatalf("field error %+v for a body with keys %v", fe, keys)
				}
			}
			return
		}
		once, err := json.Marshal(dst)
		if err != nil {
			t.Fatalf("accepted %q, then cannot encode it: %v", body, err)
		}
		var again productBody
		fields, err = decodeObject(once, &again, "", productReadOnly)
		if err != nil || len(fields) > 0 {
			t.Fatalf("accepted %q, but not its own encoding %s: %v %v", body, once, err, fields)
		}
		if twice, _ := json.Marshal(again); !bytes.Equal(once, twice) {
			t.Fatalf("round trip of %q: %s then %s", body, once, twice)
		}
	})
}
