package web

import (
	"errors"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"

	"finzone"
	"finzone/server"
)

// Form is a form's submitted or loaded values and its field messages.
type Form struct {
	Values url.Values
	Errors map[string]string
	// Order lists fields with errors in the order they failed; Layout, when
	// set, is the form's field order, which the summary follows instead.
	Order  []string
	Layout []string
}

// NewForm is an empty form.
func NewForm() *Form { return &Form{Values: url.Values{}, Errors: map[string]string{}} }

// Get returns a field's first value.
func (f *Form) Get(name string) string { return f.Values.Get(name) }

// Fail records a field message; a field keeps its first one, so the form's
// own message about what it could not read stays.
func (f *Form) Fail(name, msg string) {
	if _, dup := f.Errors[name]; dup {
		return
	}
	f.Errors[name] = msg
	f.Order = append(f.Order, name)
}

// Invalid reports whether any field failed.
func (f *Form) Invalid() bool { return len(f.Errors) > 0 }

// formValues reads a submitted form, every value of every field.
func formValues(c *fiber.Ctx) url.Values {
	out := url.Values{}
	c.Request().PostArgs().VisitAll(func(k, v []byte) {
		out.Add(string(k), string(v))
	})
	return out
}

// postedForm puts the posted form on the view, with its field order for
// the error summary, and a reader of its numbers.
func postedForm(c *fiber.Ctx, v *View, layout []string, names map[string]string) (*Form, *numbers) {
	v.Form.Values = formValues(c)
	v.Form.Layout = layout
	return v.Form, &numbers{v: v, names: names}
}

// putProblems puts the field errors of an operation's error on the form,
// renaming the core's field names to the form's (names maps one to the
// other); false when err names no field, for the caller to show as a page.
func putProblems(v *View, err error, names map[string]string) bool {
	var de *finzone.Error
	if !errors.As(err, &de) || len(de.Fields) == 0 {
		return false
	}
	for _, f := range de.Fields {
		name := f.Field
		if r, ok := names[name]; ok {
			name = r
		}
		v.Form.Fail(name, v.FieldMessage(f))
	}
	return true
}

// formError is putProblems with the status to show the form again with.
func formError(v *View, err error, names map[string]string) (status int, ok bool) {
	if !putProblems(v, err, names) {
		return 0, false
	}
	return server.Status(server.Code(err)), true
}

// numbers reads a form's number and date fields. One it cannot read, or a
// required one left empty, gets the form's own message and is collected,
// under the core's name, in malformed: the operation then reports it with
// every other problem and writes nothing.
type numbers struct {
	v *View
	// names maps the core's field names to the form's.
	names     map[string]string
	malformed []string
}

// fail notes a field the form could not read.
func (n *numbers) fail(name, key string) {
	n.v.Form.Fail(name, n.v.T(key))
	core := name
	for c, f := range n.names {
		if f == name {
			core = c
		}
	}
	n.malformed = append(n.malformed, core)
}

// text is a field's trimmed value; an empty required one is noted.
func (n *numbers) text(name string, required bool) (string, bool) {
	s := strings.TrimSpace(n.v.Form.Get(name))
	if s == "" && required {
		n.fail(name, "err.required")
	}
	return s, s != ""
}

// wan reads an amount in 万元 as yuan; an empty optional field is 0.
func (n *numbers) wan(name string, required bool) *int64 {
	return read(n, name, required, "err.wan", ParseWan)
}

// int reads a whole number; an empty optional field is 0.
func (n *numbers) int(name string, required bool) *int {
	return read(n, name, required, "err.integer", func(s string) (int, bool) {
		i, err := strconv.ParseInt(s, 10, 32)
		return int(i), err == nil
	})
}

// pct reads a percent as basis points; an empty optional field is 0.
func (n *numbers) pct(name string, required bool) *int {
	return read(n, name, required, "err.percent", ParsePercent)
}

// date reads a day; an empty field is the zero time.
func (n *numbers) date(name string) *time.Time {
	return read(n, name, false, "err.date", ParseDateInput)
}

// read parses one field; nil when it does not parse.
func read[T any](n *numbers, name string, required bool, bad string, parse func(string) (T, bool)) *T {
	var zero T
	s, ok := n.text(name, required)
	if !ok {
		return &zero
	}
	v, ok := parse(s)
	if !ok {
		n.fail(name, bad)
		return nil
	}
	return &v
}

// ptr is a given value, for the operations' inputs.
func ptr[T any](v T) *T { return &v }

// typed converts a form's values to an enumeration.
func typed[T ~string](values []string) []T {
	var out []T
	for _, s := range values {
		out = append(out, T(s))
	}
	return out
}

// codeList splits "C13, C14 C15" into codes.
func codeList(s string) []string {
	fields := strings.FieldsFunc(s, func(r rune) bool { return r == ',' || r == '，' || r == ' ' || r == ';' })
	if len(fields) == 0 {
		return nil
	}
	return fields
}
