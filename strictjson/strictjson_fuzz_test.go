package strictjson

import (
	"bytes"
	"encoding/json"
	"slices"
	"testing"
	"time"

	"finzone"
)

// body is shaped like a product's body: pointers, numbers, booleans,
// times and lists, as the API's bodies are.
type body struct {
	Name      *string    `json:"name"`
	Category  *string    `json:"category"`
	AmountMin *int64     `json:"amount_min_yuan"`
	TermMax   *int       `json:"term_max_months"`
	Regions   *[]string  `json:"regions"`
	Sizes     *[]string  `json:"sizes"`
	CanLead   *bool      `json:"can_lead_syndicate"`
	MaxTicket *int64     `json:"max_ticket_yuan"`
	ValidFrom *time.Time `json:"valid_from"`
	ValidTo   *time.Time `json:"valid_to"`
	Desc      *string    `json:"description"`
	Malformed []string   `json:"-"`
}

var readOnly = []string{"id", "version", "owner_org_id", "status"}

// FuzzObject: the strict decoder never panics; what it refuses it
// refuses as malformed_json or with field errors naming keys the body has;
// what it accepts survives a round trip (encoded again and decoded, it is
// accepted and encodes to the same bytes). Its seeds run with the tests;
// .ci/run fuzzes it for 30 s.
func FuzzObject(f *testing.F) {
	for _, s := range []string{
		`{}`, `[]`, `null`, `{"name":"集群贷","amount_min_yuan":1000000,"valid_from":"2026-01-02T03:04:05+08:00"}`,
		`{"regions":["340000","341200"],"can_lead_syndicate":true,"max_ticket_yuan":null}`,
		`{"id":"x","status":"published"}`, `{"name":1}`, `{"amount_min_yuan":1e3}`, `{"x":1}{"y":2}`,
		`{"name":"a","name":"b"}`, `{"valid_to":"tomorrow"}`, "{\"description\":\"\\ud800\xff\"}", `{"sizes":{}}`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		var dst body
		fields, err := Object(data, &dst, "", readOnly)
		if err != nil {
			if finzone.ErrorCode(err) != finzone.ECMalformedJSON {
				t.Fatalf("refused with %v, want malformed_json or field errors", err)
			}
			return
		}
		if len(fields) > 0 {
			var keys map[string]json.RawMessage
			_ = json.Unmarshal(data, &keys)
			for _, fe := range fields {
				if _, ok := keys[fe.Field]; !ok || !slices.Contains([]string{finzone.FCReadOnly, finzone.FCUnknownField, finzone.FCWrongType}, fe.Code) {
					t.Fatalf("field error %+v for a body with keys %v", fe, keys)
				}
			}
			return
		}
		once, err := json.Marshal(dst)
		if err != nil {
			t.Fatalf("accepted %q, then cannot encode it: %v", data, err)
		}
		var again body
		fields, err = Object(once, &again, "", readOnly)
		if err != nil || len(fields) > 0 {
			t.Fatalf("accepted %q, but not its own encoding %s: %v %v", data, once, err, fields)
		}
		if twice, _ := json.Marshal(again); !bytes.Equal(once, twice) {
			t.Fatalf("round trip of %q: %s then %s", data, once, twice)
		}
	})
}
