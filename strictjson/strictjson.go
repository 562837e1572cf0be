// Package strictjson decodes a JSON object into a struct strictly:
// malformed JSON and a body that is not one object are malformed_json;
// unknown fields, fields only the platform sets, and values of the wrong
// type are field errors naming the field. Every field is decoded on its own
// so one answer lists every problem. It stands apart from the API so its
// fuzz target builds without the API's test dependencies.
package strictjson

import (
	"bytes"
	"encoding/json"
	"reflect"
	"slices"
	"strings"

	"finzone"
)

// Object decodes body into dst (a pointer to a struct) and returns the field errors, each
// field named with prefix; a body that is not one JSON object is
// malformed_json.
func Object(body []byte, dst any, prefix string, readOnly []string) ([]finzone.FieldError, error) {
	var raw map[string]json.RawMessage
	dec := json.NewDecoder(bytes.NewReader(body))
	// More alone would let a stray "}" or "]" after the object through,
	// and bytes.TrimSpace a trailing \f or U+00A0, which JSON does not call space.
	if err := dec.Decode(&raw); err != nil || raw == nil || len(bytes.Trim(body[dec.InputOffset():], jsonSpace)) > 0 {
		return nil, finzone.Errorf(finzone.ECMalformedJSON, "body of %d bytes is not one JSON object", len(body))
	}
	fields := jsonFields(dst)
	var out []finzone.FieldError
	for key, val := range raw {
		switch f, ok := fields[key]; {
		case slices.Contains(readOnly, key):
			out = append(out, finzone.FieldError{Field: prefix + key, Code: finzone.FCReadOnly})
		case !ok:
			out = append(out, finzone.FieldError{Field: prefix + key, Code: finzone.FCUnknownField})
		default:
			if err := json.Unmarshal(val, f.Addr().Interface()); err != nil {
				out = append(out, finzone.FieldError{Field: prefix + key, Code: finzone.FCWrongType,
					Params: map[string]any{"want": jsonKind(f.Type())}})
			}
		}
	}
	return out, nil
}

// jsonSpace is what RFC 8259 calls whitespace.
const jsonSpace = " \t\r\n"

// jsonFields maps the JSON names of dst's struct fields to the fields.
func jsonFields(dst any) map[string]reflect.Value {
	v := reflect.ValueOf(dst).Elem()
	t := v.Type()
	out := make(map[string]reflect.Value, t.NumField())
	for i := 0; i < t.NumField(); i++ {
		name, _, _ := strings.Cut(t.Field(i).Tag.Get("json"), ",")
		if name != "" && name != "-" {
			out[name] = v.Field(i)
		}
	}
	return out
}

// jsonKind names the JSON type a field wants, for the wrong_type message.
func jsonKind(t reflect.Type) string {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	switch t.Kind() {
	case reflect.String:
		return "string"
	case reflect.Bool:
		return "boolean"
	case reflect.Int, reflect.Int64, reflect.Int32:
		return "integer"
	case reflect.Slice:
		return "array"
	case reflect.Struct, reflect.Map:
		if t.String() == "time.Time" {
			return "RFC 3339 time"
		}
		return "object"
	}
	return t.Kind().String()
}
