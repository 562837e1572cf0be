package finzone

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Error codes are stable: clients, translations and tests depend on them.
const (
	ECValidation    = "validation_failed"
	ECInvalidUSCC   = "invalid_uscc"
	ECUnknownRegion = "unknown_region"
	// ECInvalidCursor: a list cursor the platform did not sign for this
	// list and sort (altered, made elsewhere, or under an older key).
	ECInvalidCursor = "invalid_cursor"
	ECNotFound      = "not_found"
	ECConflict      = "conflict"
	ECInvalidState  = "invalid_state"
	// ECExceedsNeed: accepting an offer would take the accepted total past
	// the amount asked for; Params["room_yuan"] is what is left.
	ECExceedsNeed = "exceeds_need"
	// ECSyndicateRule: a syndicate change (signing, a transfer) that would
	// break a rule of the syndicated-loan measures or leave a gap;
	// Params["rule"] names it.
	ECSyndicateRule = "syndicate_rule"
	// ECDeadlinePassed: the answer came after its deadline (a syndicate's
	// commitment deadline); Params["deadline"] says when it was.
	ECDeadlinePassed  = "deadline_passed"
	ECUnauthenticated = "unauthenticated"
	// ECInvalidCredentials: a sign-in whose email or password is wrong
	// (401), told apart from a request that is not signed in at all.
	ECInvalidCredentials = "invalid_credentials"
	ECForbidden          = "forbidden"
	ECPayloadTooLarge    = "payload_too_large"
	// ECHeaderTooLarge: the request line or headers exceed what the server
	// reads (431).
	ECHeaderTooLarge = "header_too_large"
	// ECRequestTimeout: the request did not arrive whole within the
	// server's read timeout (408).
	ECRequestTimeout = "request_timeout"
	// ECUnsupportedMedia: a JSON API write whose body is not
	// application/json (415).
	ECUnsupportedMedia = "unsupported_media_type"
	ECMalformedJSON    = "malformed_json"
	ECUnavailable      = "unavailable"
	ECRateLimited      = "rate_limited"
	// ECTooManyAttempts: too many wrong passwords for an account or from an
	// address lately (429); Params["retry_after"] is the seconds to wait.
	ECTooManyAttempts = "too_many_attempts"
	ECInternal        = "internal"
)

// Field-level codes, used in FieldError.Code.
const (
	FCRequired   = "required"
	FCOutOfRange = "out_of_range"
	FCTooLong    = "too_long"
	// FCInvalidChars: control characters (NUL and the like), zero-width
	// or bidi-override characters, which hide or reorder what others read.
	FCInvalidChars = "invalid_characters"
	// FCCommonPassword: a password on the list of the most used ones.
	FCCommonPassword = "common_password"
	// FCNotPublic: a URL whose host is, or resolves to, an address the
	// platform never calls (loopback, private, link-local, metadata...).
	FCNotPublic    = "not_public"
	FCTooShort     = "too_short"
	FCInvalid      = "invalid_value"
	FCInvalidEmail = "invalid_email"
	FCInvalidUSCC  = "invalid_uscc"
	// FCInvalidCursor: see ECInvalidCursor.
	FCInvalidCursor = "invalid_cursor"
	FCUnknown       = "unknown_region"
	FCUnknownField  = "unknown_field"
	FCReadOnly      = "read_only"
	FCWrongType     = "wrong_type"
	FCTaken         = "taken"
	// FCIncorrect: a current password that is not the account's.
	FCIncorrect = "incorrect"
	FCOrder     = "min_above_max"
	// Syndicate fields: an institution that is not a bank, or not among
	// those that may be chosen; an amount that is not whole ¥1万 units;
	// tranche groups that do not add up to the facility.
	FCNotBank      = "not_a_bank"
	FCNotEligible  = "not_eligible"
	FCNotWholeUnit = "not_whole_unit"
	FCSumMismatch  = "sum_mismatch"
	FCNotFound     = "not_found"
)

// FieldError names one bad field. Params fill the placeholders of the
// translated message (for example {min} and {max}).
type FieldError struct {
	Field  string
	Code   string
	Params map[string]any
	// Allowed lists the values the field takes, when it takes one of a
	// few (an invalid_value on an enum).
	Allowed []string
}

// Error is the one error type that crosses package boundaries. The store
// translates driver errors into it, the domain's validators return it, and the
// API maps its Code to an HTTP status in exactly one place.
type Error struct {
	Code   string
	Fields []FieldError
	// Allowed lists what may be done instead, for invalid_state errors (for
	// example the actions a match's stage allows).
	Allowed []string
	// Params fill the placeholders of the code's translated message.
	Params map[string]any
	// Detail is for logs; clients get a translated message instead.
	Detail string
	Err    error
}

func (e *Error) Error() string {
	msg := e.Code
	if e.Detail != "" {
		msg += ": " + e.Detail
	}
	if len(e.Fields) > 0 {
		msg += fmt.Sprintf(" (%d field errors, first %s %s)", len(e.Fields), e.Fields[0].Field, e.Fields[0].Code)
	}
	if e.Err != nil {
		msg += ": " + e.Err.Error()
	}
	return msg
}

func (e *Error) Unwrap() error { return e.Err }

// Errorf returns an *Error with the code and a log detail.
func Errorf(code, format string, args ...any) *Error {
	return &Error{Code: code, Detail: fmt.Sprintf(format, args...)}
}

// Wrap returns an *Error with the code that keeps err for errors.Is and logs.
func Wrap(code string, err error) *Error {
	return &Error{Code: code, Err: err}
}

// ErrorCode returns the code of the first *Error in err's chain, or
// ECInternal for any other non-nil error.
func ErrorCode(err error) string {
	if err == nil {
		return ""
	}
	var e *Error
	if errors.As(err, &e) {
		return e.Code
	}
	return ECInternal
}

// IsCode reports whether err carries the code.
func IsCode(err error, code string) bool { return ErrorCode(err) == code }

// FieldErrors returns the field errors err carries, if any, so a caller can
// add its own checks to a validator's before answering once.
func FieldErrors(err error) Problems {
	var e *Error
	if errors.As(err, &e) {
		return append(Problems(nil), e.Fields...)
	}
	return nil
}

// Problems collects field errors during validation.
type Problems []FieldError

// Add records a field error.
func (p *Problems) Add(field, code string, params ...any) {
	fe := FieldError{Field: field, Code: code}
	if len(params) > 0 {
		fe.Params = map[string]any{}
		for i := 0; i+1 < len(params); i += 2 {
			fe.Params[fmt.Sprint(params[i])] = params[i+1]
		}
	}
	*p = append(*p, fe)
}

// OneOf records that field holds none of the values it takes, and lists
// them, so that a client (and its user) learns the choices from the error.
func (p *Problems) OneOf(field string, allowed []string) {
	*p = append(*p, FieldError{Field: field, Code: FCInvalid, Allowed: slices.Clone(allowed)})
}

// Names are an enum's values as strings, for OneOf.
func Names[T ~string](values []T) []string {
	out := make([]string, len(values))
	for i, v := range values {
		out[i] = string(v)
	}
	return out
}

// Range checks lo <= v <= hi.
func (p *Problems) Range(field string, v, lo, hi int64) {
	if v < lo || v > hi {
		p.Add(field, FCOutOfRange, "min", lo, "max", hi)
	}
}

// Text checks a required string's length in characters.
func (p *Problems) Text(field, v string, required bool, max int) {
	n := len([]rune(v))
	switch {
	case n == 0 && required:
		p.Add(field, FCRequired)
	case n > max:
		p.Add(field, FCTooLong, "max", max)
	case strings.IndexFunc(v, hiddenChar) >= 0:
		p.Add(field, FCInvalidChars)
	}
}

// hiddenChar reports a character a text field refuses: a control character
// other than tab and line breaks, or a format character (zero-width
// spaces and joiners, bidi overrides and isolates, the byte-order mark).
func hiddenChar(r rune) bool {
	switch r {
	case '\t', '\n', '\r':
		return false
	}
	return unicode.IsControl(r) || unicode.Is(unicode.Cf, r) || r == utf8.RuneError
}

// checkList checks a list a client sets: required when it must not be
// empty, and code on the field (once) when an element fails ok.
func checkList[T any](p *Problems, field string, list []T, required bool, code string, ok func(T) bool) {
	if required && len(list) == 0 {
		p.Add(field, FCRequired)
	}
	for _, v := range list {
		if !ok(v) {
			p.Add(field, code)
			return
		}
	}
}

// checkEnumList checks a list of enum values: required when it must not
// be empty, and invalid_value listing valid on the field (once) when an
// element is not one of them.
func checkEnumList[T ~string](p *Problems, field string, list []T, required bool, valid []T) {
	if required && len(list) == 0 {
		p.Add(field, FCRequired)
	}
	for _, v := range list {
		if !slices.Contains(valid, v) {
			p.OneOf(field, Names(valid))
			return
		}
	}
}

// Err returns nil when nothing was added, else a validation error with the
// problems in field order. When the one problem is a credit-code, region
// or cursor problem the top code says so, which lets clients show a
// precise message (or, for a cursor, start again from the first page).
func (p Problems) Err() error {
	if len(p) == 0 {
		return nil
	}
	p = slices.Clone(p)
	slices.SortStableFunc(p, func(a, b FieldError) int { return strings.Compare(a.Field, b.Field) })
	code := ECValidation
	if len(p) == 1 {
		switch p[0].Code {
		case FCInvalidUSCC:
			code = ECInvalidUSCC
		case FCUnknown:
			code = ECUnknownRegion
		case FCInvalidCursor:
			code = ECInvalidCursor
		}
	}
	return &Error{Code: code, Fields: p}
}
