// Package i18n is the platform's one message catalogue. Every text a person
// reads — error and field messages, why-not reasons, score-component names,
// notices and page text — lives in zh.json and en.json beside this file and
// is looked up by one Key type here. Texts may hold {name} placeholders.
package i18n

import (
	"embed"
	"encoding/json"
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"

	"finzone"
)

// Key names one text. Keys are dotted: "code.<error code>" for an error's
// message, "field.<field code>" for the API's field messages, "err.<code>"
// for the forms', "reason.<code>" for why a product cannot serve a project,
// "score.<component>", "notice.<kind>", "stage.<stage>", and so on.
type Key string

// Languages the platform speaks, the default first.
var Languages = []finzone.Lang{finzone.LangZH, finzone.LangEN}

//go:embed zh.json en.json
var files embed.FS

var texts = load()

func load() map[finzone.Lang]map[Key]string {
	out := map[finzone.Lang]map[Key]string{}
	for _, lang := range Languages {
		b, err := files.ReadFile(string(lang) + ".json")
		if err != nil {
			panic("i18n: " + err.Error()) // embedded: a missing file is a build defect
		}
		m := map[Key]string{}
		if err := json.Unmarshal(b, &m); err != nil {
			panic(fmt.Sprintf("i18n: %s.json: %v", lang, err))
		}
		out[lang] = m
	}
	return out
}

// Has reports whether key has a text in lang.
func Has(lang finzone.Lang, key Key) bool {
	_, ok := texts[lang][key]
	return ok
}

// Keys lists the keys of one language, sorted.
func Keys(lang finzone.Lang) []Key {
	return slices.Sorted(maps.Keys(texts[lang]))
}

// T returns key's text in lang (Chinese when lang lacks it), filling {name}
// placeholders from name/value pairs. An unknown key comes back as itself,
// which the tests catch.
func T(lang finzone.Lang, key Key, args ...any) string {
	s, ok := texts[lang][key]
	if !ok {
		s, ok = texts[finzone.LangZH][key]
	}
	if !ok {
		return string(key)
	}
	for i := 0; i+1 < len(args); i += 2 {
		s = strings.ReplaceAll(s, "{"+fmt.Sprint(args[i])+"}", fmt.Sprint(args[i+1]))
	}
	return s
}

// Params turns a parameter map into T's name/value pairs, in a stable order.
func Params[V any](m map[string]V) []any {
	out := make([]any, 0, 2*len(m))
	for _, k := range slices.Sorted(maps.Keys(m)) {
		out = append(out, k, m[k])
	}
	return out
}

// Error is the message of an error code, for API clients and error pages.
func Error(lang finzone.Lang, code string) string {
	key := Key("code." + code)
	if !Has(finzone.LangZH, key) {
		key = Key("code." + finzone.ECInternal)
	}
	return T(lang, key)
}

// Field is the API's message of one field error.
func Field(lang finzone.Lang, fe finzone.FieldError) string {
	key := Key("field." + fe.Code)
	if !Has(finzone.LangZH, key) {
		key = Key("field." + finzone.FCInvalid)
	}
	if len(fe.Allowed) > 0 {
		return T(lang, "field.invalid_value_one_of", "allowed", strings.Join(fe.Allowed, ", "))
	}
	return T(lang, key, Params(fe.Params)...)
}

// Reason is why a product cannot serve a project (matching's why-not
// reasons); amounts are yuan and rates basis points.
func Reason(lang finzone.Lang, code string, params map[string]any) string {
	return T(lang, Key("reason."+code), Params(params)...)
}

// Notice is a notification's line in the reader's language. toOwner picks
// the enterprise's wording where a kind has one ("notice.<kind>_owner").
// A deadline and a note, when the notice carries them, follow the line
// ("notice.extra_due", "notice.extra_note"): the texts never hold a place
// for what a notice may lack. A notice stored before notices were rendered
// when read has only the Chinese text the workers wrote then, which it
// shows as it is.
func Notice(lang finzone.Lang, n finzone.Notification, toOwner bool) string {
	key := Key("notice." + n.Kind)
	if toOwner && Has(finzone.LangZH, key+"_owner") {
		key += "_owner"
	}
	if legacy, ok := n.Params[finzone.NoticeLegacyText]; ok {
		return legacy
	}
	if !Has(finzone.LangZH, key) {
		return n.Kind // a kind newer than the catalogue
	}
	args := []any{"title", n.Params[finzone.NoticeTitle], "stage", T(lang, Key("stage."+string(n.Stage)))}
	if role := n.Params[finzone.NoticeRole]; role != "" {
		args = append(args, "role", T(lang, Key("role."+role)))
	}
	args = append(args, "count", n.Params[finzone.NoticeCount])
	if share, err := strconv.ParseInt(n.Params[finzone.NoticeShareYuan], 10, 64); err == nil {
		args = append(args, "share", Grouped(share))
	}
	s := T(lang, key, args...)
	// In one pass, so braces typed into a note or a title stay as typed.
	if due := n.Params[finzone.NoticeDueAt]; due != "" {
		s = strings.NewReplacer("{text}", s, "{due}", due).Replace(T(lang, "notice.extra_due"))
	}
	if note := n.Params[finzone.NoticeNote]; note != "" {
		s = strings.NewReplacer("{text}", s, "{note}", note).Replace(T(lang, "notice.extra_note"))
	}
	return s
}

// Grouped writes an integer with thousands separators: 1,234,567.
func Grouped(n int64) string {
	s := strconv.FormatInt(n, 10)
	neg := strings.HasPrefix(s, "-")
	s = strings.TrimPrefix(s, "-")
	var b strings.Builder
	for i, r := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(r)
	}
	if neg {
		return "-" + b.String()
	}
	return b.String()
}
