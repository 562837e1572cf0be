package api

import (
	"bytes"
	"encoding/json"
	"reflect"
	"strings"

	"github.com/gofiber/fiber/v2"

	"finzone"
)

// decode reads a JSON object into dst strictly: malformed JSON, a body that
// is not an object, unknown fields, fields only the platform sets, and values
// of the wrong type are all errors that name the field. Every field is
// decoded on its own so one response lists every problem.
func decode(c *fiber.Ctx, dst any, readOnly ...string) error {
	return decodeObject(c.Body(), dst, "", readOnly)
}

func decodeObject(body []byte, dst any, prefix string, readOnly []string) error {
	var raw map[string]json.RawMessage
	dec := json.NewDecoder(bytes.NewReader(body))
	if err := dec.Decode(&raw); err != nil || raw == nil || dec.More() {
		return finzone.Errorf(finzone.ECMalformedJSON, "body of %d bytes is not one JSON object", len(body))
	}
	fields := jsonFields(dst)
	var p finzone.Problems
	for key, val := range raw {
		switch f, ok := fields[key]; {
		case contains(readOnly, key):
			p.Add(prefix+key, finzone.FCReadOnly)
		case !ok:
			p.Add(prefix+key, finzone.FCUnknownField)
		default:
			if err := json.Unmarshal(val, f.Addr().Interface()); err != nil {
				p.Add(prefix+key, finzone.FCWrongType, "want", jsonKind(f.Type()))
			}
		}
	}
	sortProblems(p)
	return p.Err()
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

func sortProblems(p finzone.Problems) {
	for i := 1; i < len(p); i++ {
		for j := i; j > 0 && p[j].Field < p[j-1].Field; j-- {
			p[j], p[j-1] = p[j-1], p[j]
		}
	}
}

func contains(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}
