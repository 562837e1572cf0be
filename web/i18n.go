package web

import (
	"strings"

	"finzone"
	"finzone/i18n"
)

// Languages the pages speak, the default first.
var Languages = []string{"zh", "en"}

// Translator looks texts up in the platform's one catalogue (package i18n)
// for the pages, which name languages as strings.
type Translator struct{}

// LoadTranslator returns the pages' translator.
func LoadTranslator() (*Translator, error) { return &Translator{}, nil }

// Has reports whether key is translated.
func (t *Translator) Has(lang, key string) bool { return i18n.Has(finzone.Lang(lang), i18n.Key(key)) }

// Keys lists the keys of one language.
func (t *Translator) Keys(lang string) []string {
	keys := i18n.Keys(finzone.Lang(lang))
	out := make([]string, len(keys))
	for i, k := range keys {
		out[i] = string(k)
	}
	return out
}

// T translates key, filling {name} placeholders from name/value pairs.
func (t *Translator) T(lang, key string, args ...any) string {
	return i18n.T(finzone.Lang(lang), i18n.Key(key), args...)
}

// FieldMessage translates one field error for a form. Money bounds (fields
// ending in _yuan) are shown in 万元 and rates (_bps) in percent, the units
// the forms use.
func (t *Translator) FieldMessage(lang string, fe finzone.FieldError) string {
	key := "err." + fe.Code + "." + fe.Field // a message for one field, if any
	if !t.Has(lang, key) {
		key = "err." + fe.Code
	}
	if !t.Has(lang, key) {
		key = "err." + finzone.FCInvalid
	}
	var args []any
	for k, v := range fe.Params {
		switch n, ok := v.(int64); {
		case ok && strings.HasSuffix(fe.Field, "_yuan"):
			args = append(args, k, WanPlain(n))
		case strings.HasSuffix(fe.Field, "_bps"):
			args = append(args, k, PercentPlain(toInt64(v)))
		default:
			args = append(args, k, v)
		}
	}
	return t.T(lang, key, args...)
}

func toInt64(v any) int64 {
	switch n := v.(type) {
	case int:
		return int64(n)
	case int64:
		return n
	}
	return 0
}
