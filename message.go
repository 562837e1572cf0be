package finzone

import (
	"fmt"
	"strings"
)

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

type bilingual struct{ zh, en string }

// messages translate error and field codes. Placeholders such as {min} are
// filled from FieldError.Params.
var messages = map[string]bilingual{
	ECValidation:      {"提交的内容有误，请检查标出的字段", "Some fields are invalid; see the fields listed"},
	ECInvalidUSCC:     {"统一社会信用代码无效", "The unified social credit code is invalid"},
	ECUnknownRegion:   {"行政区划代码不在安徽省范围内", "The region code is not an Anhui division"},
	ECNotFound:        {"未找到该对象", "Not found"},
	ECConflict:        {"与现有数据冲突", "This conflicts with existing data"},
	ECInvalidState:    {"当前状态下不能执行此操作", "This action is not allowed in the current state"},
	ECUnauthenticated: {"请先登录", "Please sign in"},
	ECForbidden:       {"没有执行此操作的权限", "You are not allowed to do this"},
	ECPayloadTooLarge: {"请求内容过大", "The request body is too large"},
	ECMalformedJSON:   {"请求内容不是有效的 JSON", "The request body is not valid JSON"},
	ECUnavailable:     {"服务暂时不可用，请稍后重试", "The service is temporarily unavailable; please retry"},
	ECRateLimited:     {"请求过于频繁，请稍后再试", "Too many requests; please slow down"},
	ECInternal:        {"服务器内部错误", "Internal server error"},

	"field." + FCRequired:     {"必填", "is required"},
	"field." + FCOutOfRange:   {"应在 {min} 到 {max} 之间", "must be between {min} and {max}"},
	"field." + FCTooLong:      {"不能超过 {max} 个字符", "must be at most {max} characters"},
	"field." + FCTooShort:     {"至少需要 {min} 个字符", "must be at least {min} characters"},
	"field." + FCInvalid:      {"取值无效", "has an invalid value"},
	"field." + FCInvalidEmail: {"邮箱格式无效", "is not a valid email address"},
	"field." + FCInvalidUSCC:  {"统一社会信用代码无效（格式或校验位错误）", "is not a valid unified social credit code (format or check character)"},
	"field." + FCUnknown:      {"不是安徽省的行政区划代码", "is not an Anhui division code"},
	"field." + FCUnknownField: {"不是可识别的字段", "is not a known field"},
	"field." + FCReadOnly:     {"由系统维护，不能由客户端设置", "is set by the platform and cannot be set by clients"},
	"field." + FCWrongType:    {"类型错误，应为 {want}", "has the wrong type; want {want}"},
	"field." + FCTaken:        {"已被使用", "is already in use"},
	"field." + FCOrder:        {"最小值不能大于最大值", "minimum must not exceed maximum"},
}

// Message returns the translated message for an error code.
func Message(lang Lang, code string) string {
	m, ok := messages[code]
	if !ok {
		m = messages[ECInternal]
	}
	if lang == LangEN {
		return m.en
	}
	return m.zh
}

// FieldMessage returns the translated message of one field error.
func FieldMessage(lang Lang, fe FieldError) string {
	m, ok := messages["field."+fe.Code]
	if !ok {
		m = messages["field."+FCInvalid]
	}
	s := m.zh
	if lang == LangEN {
		s = m.en
	}
	for k, v := range fe.Params {
		s = strings.ReplaceAll(s, "{"+k+"}", fmt.Sprint(v))
	}
	return s
}
