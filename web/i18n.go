package web

import (
	"encoding/json"
	"fmt"
	"io/fs"
	"path"
	"strings"

	"finzone"
)

// Languages the pages speak, the default first.
var Languages = []string{"zh", "en"}

// Translator holds one flat key → text map per language, read from
// i18n/<lang>.json. Texts may hold {name} placeholders.
type Translator struct {
	texts map[string]map[string]string
}

// LoadTranslator reads the embedded translation files.
func LoadTranslator() (*Translator, error) {
	t := &Translator{texts: map[string]map[string]string{}}
	for _, lang := range Languages {
		b, err := fs.ReadFile(files, path.Join("i18n", lang+".json"))
		if err != nil {
			return nil, fmt.Errorf("web: translations: %w", err)
		}
		m := map[string]string{}
		if err := json.Unmarshal(b, &m); err != nil {
			return nil, fmt.Errorf("web: translations %s: %w", lang, err)
		}
		t.texts[lang] = m
	}
	return t, nil
}

// Has reports whether key is translated.
func (t *Translator) Has(lang, key string) bool {
	_, ok := t.texts[lang][key]
	return ok
}

// Keys lists the keys of one language.
func (t *Translator) Keys(lang string) []string {
	out := make([]string, 0, len(t.texts[lang]))
	for k := range t.texts[lang] {
		out = append(out, k)
	}
	return out
}

// T translates key, filling {name} placeholders from name/value pairs. An
// unknown key comes back as itself, which the tests catch.
func (t *Translator) T(lang, key string, args ...any) string {
	s, ok := t.texts[lang][key]
	if !ok {
		s, ok = t.texts["zh"][key]
	}
	if !ok {
		return key
	}
	for i := 0; i+1 < len(args); i += 2 {
		s = strings.ReplaceAll(s, "{"+fmt.Sprint(args[i])+"}", fmt.Sprint(args[i+1]))
	}
	return s
}

// FieldMessage translates one field error. Money bounds (fields ending in
// _yuan) are shown in 万元 and rates (_bps) in percent, the units the forms
// use.
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
