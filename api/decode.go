package api

import (
	"bytes"
	"encoding/json"
	"reflect"
	"slices"
	"strings"

	"github.com/gofiber/fiber/v2"

	"finzone"
)

// decode reads a JSON object into dst strictly: malformed JSON, a body that
// is not an object, unknown fields, fields only the platform sets, and values
// of the wrong type are all errors that name the field. Every field is
// decoded on its own so one response lists every problem.
func decode(c *fiber.Ctx, dst any, readOnly ...string) error {
	fields, err := decodeObject(c.Body(), dst, "", readOnly)
	if err != nil {
		return err
	}
	return invalid(fields)
}

// decodeObject decodes body into dst and returns the field errors, each
// field named with prefix; a body that is not one JSON object is
// malformed_json.
func decodeObject(body []byte, dst any, prefix string, readOnly []string) ([]finzone.FieldError, error) {
	var raw map[string]json.RawMessage
	dec := json.NewDecoder(bytes.NewReader(body))
	// More alone would let a stray "}" or "]" after the object through.
	if err := dec.Decode(&raw); err != nil || raw == nil || len(bytes.TrimSpace(body[dec.InputOffset():])) > 0 {
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

// invalid is the validation error of the field errors, in field order, or
// nil when there are none.
func invalid(fields []finzone.FieldError) error {
	if len(fields) == 0 {
		return nil
	}
	slices.SortStableFunc(fields, func(a, b finzone.FieldError) int { return strings.Compare(a.Field, b.Field) })
	return &finzone.Error{Code: finzone.ECValidation, Fields: fields}
}

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
