package api

import (
	"encoding/json"
	"slices"
	"strings"

	"github.com/gofiber/fiber/v2"

	"finzone"
	"finzone/strictjson"
)

// decode reads a JSON object into dst strictly: malformed JSON, a body that
// is not an object, unknown fields, fields only the platform sets, and values
// of the wrong type are all errors that name the field. Every field is
// decoded on its own so one response lists every problem.
func decode(c *fiber.Ctx, dst any, readOnly ...string) error {
	fields, err := strictjson.Object(c.Body(), dst, "", readOnly)
	if err != nil {
		return err
	}
	return invalid(fields)
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

// part is one nested object of a body, such as a registration's "org" or
// "user", read strictly into dst.
type part struct {
	name     string
	raw      json.RawMessage
	dst      any
	readOnly []string
}

// decodeParts reads each part, naming its fields "<part>.<field>": a
// missing part is required, one that is not an object wrong_type. Every
// part's problems are reported at once.
func decodeParts(parts ...part) error {
	var fields []finzone.FieldError
	for _, p := range parts {
		if len(p.raw) == 0 || string(p.raw) == "null" {
			fields = append(fields, finzone.FieldError{Field: p.name, Code: finzone.FCRequired})
			continue
		}
		got, err := strictjson.Object(p.raw, p.dst, p.name+".", p.readOnly)
		if err != nil {
			got = []finzone.FieldError{{Field: p.name, Code: finzone.FCWrongType, Params: map[string]any{"want": "object"}}}
		}
		fields = append(fields, got...)
	}
	return invalid(fields)
}
