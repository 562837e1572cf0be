package api

import (
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
