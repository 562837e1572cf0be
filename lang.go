package finzone

import "strings"

// Lang is a user interface language. Chinese is the default.
type Lang string

const (
	LangZH Lang = "zh"
	LangEN Lang = "en"
)

// ParseLang picks a language from an Accept-Language header or a "lang"
// setting: English when English is asked for first, Chinese otherwise.
func ParseLang(s string) Lang {
	s = strings.ToLower(strings.TrimSpace(s))
	if strings.HasPrefix(s, "en") {
		return LangEN
	}
	return LangZH
}
