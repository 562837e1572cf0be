package web

import (
	"fmt"
	"html/template"
	"math"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"time"

	"finzone"
	"finzone/i18n"
)

// View is everything a page template reads. Templates call its methods for
// translations ({{.T "key"}}), money, dates and form fields.
type View struct {
	Lang finzone.Lang
	// Title is a translation key, or a literal when TitleText is set.
	Title     string
	TitleText string
	// BareTitle makes the document's title the title alone, without the
	// platform's name (a print view, whose title names the saved file).
	BareTitle bool
	// Page is the template being rendered (set by Render).
	Page string
	// Path and Query are the request's, for the language switch and nav.
	Path  string
	Query string
	CSRF  string
	User  *UserView
	// Flash is a translation key shown once at the top of the page.
	Flash string
	// Status is the HTTP status of an error page.
	Status    int
	RequestID string
	Now       time.Time
	// Refresh, when set, reloads the page after this many seconds (a
	// project waiting for its institutions).
	Refresh  int
	Form     *Form
	Clusters []finzone.Cluster
	// Data is the page's own model.
	Data any
}

// NewView starts a view in a language.
func NewView(lang finzone.Lang) *View { return &View{Lang: lang, Form: NewForm()} }

// UserView is the signed-in person as the header shows them.
type UserView struct {
	Name    string
	OrgName string
	// Role is enterprise, institution, coordinator or admin.
	Role string
	// Unread counts the organization's unread notifications, for the
	// navigation's badge.
	Unread int64
}

// T translates a key with optional name/value placeholder pairs.
func (v *View) T(key string, args ...any) string { return i18n.T(v.Lang, i18n.Key(key), args...) }

// Has reports whether a key is translated.
func (v *View) Has(key string) bool { return i18n.Has(v.Lang, i18n.Key(key)) }

// Money shows yuan as 万元/亿元 with the exact yuan on hover.
func (v *View) Money(yuan int64) template.HTML { return Money(yuan) }

// Percent shows basis points as a percent, or a dash for 0.
func (v *View) Percent(bps int) string {
	if bps == 0 {
		return "—"
	}
	return PercentPlain(int64(bps)) + "%"
}

// Date and DateTime format in the page's language.
func (v *View) Date(t time.Time) string     { return Date(v.Lang, t) }
func (v *View) DateTime(t time.Time) string { return DateTime(v.Lang, t) }

// Num groups an integer's thousands.
func (v *View) Num(n any) string { return Grouped(toInt64(n)) }

// Region names a division, "阜阳市 临泉县" style.
func (v *View) Region(code string) string {
	r, ok := finzone.LookupRegion(code)
	if !ok {
		return code
	}
	if r.Kind == finzone.RegionCity || r.Kind == finzone.RegionProvince {
		return r.Name
	}
	return r.CityName + " " + r.Name
}

// Wanbei and Dabie report a region's policy flags.
func (v *View) Wanbei(code string) bool { r, _ := finzone.LookupRegion(code); return r.Wanbei }
func (v *View) Dabie(code string) bool  { r, _ := finzone.LookupRegion(code); return r.Dabie }

// Industry names a GB/T 4754 code in the page's language.
func (v *View) Industry(code string) string {
	ind, ok := finzone.LookupIndustry(code)
	if !ok {
		return code
	}
	if v.Lang == "en" {
		return code + " " + ind.NameEN
	}
	return code + " " + ind.NameZH
}

// Cluster names a cluster from View.Clusters.
func (v *View) Cluster(id string) string {
	for _, c := range v.Clusters {
		if c.ID == id {
			if v.Lang == "en" && c.NameEN != "" {
				return c.NameEN
			}
			return c.Name
		}
	}
	if id == "" {
		return "—"
	}
	return id
}

// Enum translates one value of an enumeration, e.g. .Enum "status" "draft".
func (v *View) Enum(prefix string, value any) string {
	s := fmt.Sprint(value)
	if s == "" {
		return "—"
	}
	if !v.Has(prefix + "." + s) {
		return s // a value newer than the translations: show it as is
	}
	return v.T(prefix + "." + s)
}

// LangURL is the language switch's link back to this page.
func (v *View) LangURL(lang string) string {
	next := v.Path
	if v.Query != "" {
		next += "?" + v.Query
	}
	return "/lang/" + lang + "?next=" + url.QueryEscape(next)
}

// DocTitle is the <title> text.
func (v *View) DocTitle() string {
	t := v.TitleText
	if t == "" && v.Title != "" {
		t = v.T(v.Title)
	}
	if t == "" {
		return v.T("app.name")
	}
	if v.BareTitle {
		return t
	}
	return t + " · " + v.T("app.name")
}

// Heading is the page's h1 text.
func (v *View) Heading() string {
	if v.TitleText != "" {
		return v.TitleText
	}
	return v.T(v.Title)
}

// NavItem is one link in the header.
type NavItem struct {
	Href, Label string
	Current     bool
	// Badge is a count shown beside the label (unread notifications).
	Badge int64
}

// Nav lists the links for the signed-in role.
func (v *View) Nav() []NavItem {
	if v.User == nil {
		return []NavItem{{Href: "/", Label: v.T("nav.home")}, {Href: "/login", Label: v.T("nav.login")}, {Href: "/register", Label: v.T("nav.register")}}
	}
	var links [][2]string
	switch v.User.Role {
	case "enterprise":
		links = [][2]string{{"/projects", "nav.projects"}, {"/projects/new", "nav.new_project"}, {"/notifications", "nav.notifications"}}
	case "institution":
		links = [][2]string{{"/inbox", "nav.inbox"}, {"/syndicates", "nav.syndicates"}, {"/products", "nav.products"}, {"/notifications", "nav.notifications"}, {"/webhooks", "nav.webhooks"}}
	case "coordinator":
		links = [][2]string{{"/dashboard", "nav.dashboard"}, {"/pipeline", "nav.pipeline"}, {"/search", "nav.search"}, {"/syndicates", "nav.syndicates"}, {"/review/products", "nav.review_products"}, {"/review/institutions", "nav.review_institutions"}, {"/review/enterprises", "nav.review_enterprises"}}
	case "admin":
		links = [][2]string{{"/admin", "nav.admin"}, {"/dashboard", "nav.dashboard"}, {"/syndicates", "nav.syndicates"}, {"/review/products", "nav.review_products"}, {"/review/institutions", "nav.review_institutions"}, {"/review/enterprises", "nav.review_enterprises"}}
	}
	out := make([]NavItem, len(links))
	for i, l := range links {
		out[i] = NavItem{Href: l[0], Label: v.T(l[1]), Current: v.Path == l[0]}
		if l[0] == "/notifications" {
			out[i].Badge = v.User.Unread
		}
	}
	return out
}

// Option is one choice in a select or checkbox group.
type Option struct {
	Value, Label string
	Group        string
}

// Field is one form control as the field template draws it.
type Field struct {
	Name, ID, Type string
	Label, Hint    string
	Value          string
	Values         map[string]bool
	Error          string
	Options        []Option
	Grouped        bool
	Attrs          template.HTMLAttr
	Suffix         string
}

func (v *View) field(name, typ string) Field {
	f := Field{Name: name, ID: "f-" + name, Type: typ, Label: v.T("f." + name), Value: v.Form.Get(name),
		Error: v.Form.Errors[name]}
	if v.Has("h." + name) {
		f.Hint = v.T("h." + name)
	}
	if v.Has("u." + name) {
		f.Suffix = v.T("u." + name)
	}
	return f
}

// Input is a text-like input: text, email, password, number, date.
func (v *View) Input(name, typ string, attrs ...string) Field {
	f := v.field(name, typ)
	if len(attrs) > 0 {
		f.Attrs = template.HTMLAttr(attrs[0])
	}
	return f
}

// TextArea is a multi-line input.
func (v *View) TextArea(name string) Field { return v.field(name, "textarea") }

// Check is one yes/no checkbox.
func (v *View) Check(name string) Field {
	f := v.field(name, "check")
	f.Values = map[string]bool{"on": v.Form.Get(name) == "on" || v.Form.Get(name) == "true"}
	return f
}

// Choice is a select of an enumeration named by the field.
func (v *View) Choice(name string) Field {
	f := v.field(name, "select")
	f.Options = v.enumOptions(name)
	return f
}

// Checks is a checkbox group of an enumeration named by the field.
func (v *View) Checks(name string) Field {
	f := v.field(name, "checks")
	f.Options = v.enumOptions(name)
	f.Values = map[string]bool{}
	for _, s := range v.Form.Values[name] {
		f.Values[s] = true
	}
	return f
}

// CheckList is a checkbox group of options the page supplies.
func (v *View) CheckList(name string, opts []Option) Field {
	f := v.field(name, "checks")
	f.Options = opts
	f.Values = map[string]bool{}
	for _, s := range v.Form.Values[name] {
		f.Values[s] = true
	}
	return f
}

// RegionSelect is a select of Anhui's divisions grouped by city; with
// multiple set it picks several (products' served regions).
func (v *View) RegionSelect(name string, multiple bool) Field {
	f := v.field(name, "select")
	f.Grouped = true
	f.Values = map[string]bool{}
	for _, s := range v.Form.Values[name] {
		f.Values[s] = true
	}
	for _, r := range finzone.Regions() {
		label := r.Name
		group := r.CityName
		if r.Kind == finzone.RegionProvince {
			if !multiple {
				continue
			}
			label = r.Name + " " + v.T("region.whole_province")
		} else if r.Kind == finzone.RegionCity {
			if !multiple {
				continue
			}
			label = r.Name + " " + v.T("region.whole_city")
		}
		f.Options = append(f.Options, Option{Value: r.Code, Label: label, Group: group})
	}
	if multiple {
		f.Type = "multiselect"
	}
	return f
}

// IndustrySelect is a select of GB/T 4754 divisions grouped by section.
func (v *View) IndustrySelect(name string) Field {
	f := v.field(name, "select")
	f.Grouped = true
	section := ""
	for _, ind := range finzone.Industries() {
		label := ind.NameZH
		if v.Lang == "en" {
			label = ind.NameEN
		}
		if ind.Section == "" {
			section = ind.Code + " " + label
			continue
		}
		f.Options = append(f.Options, Option{Value: ind.Code, Label: ind.Code + " " + label, Group: section})
	}
	return f
}

// ClusterSelect is a select of View.Clusters, with "none" first.
func (v *View) ClusterSelect(name string) Field {
	f := v.field(name, "select")
	f.Options = []Option{{Value: "", Label: v.T("f.cluster_none")}}
	cl := append([]finzone.Cluster(nil), v.Clusters...)
	sort.Slice(cl, func(i, j int) bool { return cl[i].CountyCode < cl[j].CountyCode })
	for _, c := range cl {
		f.Options = append(f.Options, Option{Value: c.ID, Label: v.Cluster(c.ID)})
	}
	return f
}

// enums maps a field name to its values and their translation prefix.
var enums = map[string]struct {
	prefix string
	values func() []string
}{
	"project_type":       {"type", func() []string { return strs(finzone.ProjectTypes) }},
	"project_types":      {"type", func() []string { return strs(finzone.ProjectTypes) }},
	"collateral":         {"collateral", func() []string { return strs(finzone.Collaterals) }},
	"category":           {"category", func() []string { return strs(finzone.ProductCategories) }},
	"size":               {"size", func() []string { return strs(finzone.Sizes) }},
	"sizes":              {"size", func() []string { return strs(finzone.Sizes) }},
	"decline_reason":     {"decline", func() []string { return finzone.DeclineReasons }},
	"syn_decline_reason": {"decline", func() []string { return finzone.DeclineReasons }},
	"invite_role": {"synrole", func() []string {
		return []string{string(finzone.SyndicateParticipant), string(finzone.SyndicateCoLead)}
	}},
	"guarantee_mode":   {"collateral", func() []string { return strs(finzone.Collaterals) }},
	"repayment_method": {"repay", func() []string { return strs(finzone.RepaymentMethods) }},
	"lease_mode":       {"lease", func() []string { return strs(finzone.LeaseModes) }},
	"status":           {"status", func() []string { return strs(finzone.ProjectStatuses) }},
	"kind": {"kind", func() []string {
		return []string{string(finzone.KindEnterprise), string(finzone.KindBank), string(finzone.KindInsurer),
			string(finzone.KindLeasing), string(finzone.KindGuarantee)}
	}},
}

func (v *View) enumOptions(name string) []Option {
	e, ok := enums[name]
	if !ok {
		return nil
	}
	var out []Option
	for _, val := range e.values() {
		out = append(out, Option{Value: val, Label: v.T(e.prefix + "." + val)})
	}
	return out
}

func strs[T ~string](list []T) []string {
	out := make([]string, len(list))
	for i, s := range list {
		out[i] = string(s)
	}
	return out
}

// Summary lists the form's problems for the error summary at the top.
func (v *View) Summary() []Option {
	order := append([]string(nil), v.Form.Order...)
	pos := func(name string) int {
		for i, n := range v.Form.Layout {
			if n == name {
				return i
			}
		}
		return len(v.Form.Layout)
	}
	sort.SliceStable(order, func(i, j int) bool { return pos(order[i]) < pos(order[j]) })
	var out []Option
	for _, name := range order {
		out = append(out, Option{Value: "f-" + name, Label: v.T("f."+name) + ": " + v.Form.Errors[name]})
	}
	return out
}

// Flags shows a region's policy tags: northern Anhui (皖北, 20% subsidy
// uplift) and the Dabie Mountain old revolutionary area.
func (v *View) Flags(code string) template.HTML {
	r, _ := finzone.LookupRegion(code)
	var s string
	if r.Wanbei {
		s += `<span class="tag tag-wanbei" title="` + template.HTMLEscapeString(v.T("flag.wanbei_tip")) + `">` + template.HTMLEscapeString(v.T("flag.wanbei")) + `</span>`
	}
	if r.Dabie {
		s += `<span class="tag tag-dabie" title="` + template.HTMLEscapeString(v.T("flag.dabie_tip")) + `">` + template.HTMLEscapeString(v.T("flag.dabie")) + `</span>`
	}
	return template.HTML(s)
}

// MatchRow is one institution's match as lists show it.
type MatchRow struct {
	M               finzone.Match
	ProjectTitle    string
	ProjectRegion   string
	ProjectAmount   int64
	InstitutionName string
	ProductName     string
	Overdue         bool
	Last            finzone.Event
}

// Components returns a match's score parts as percentages of the whole, for
// the "why this institution" column.
func (r MatchRow) Components() []Option {
	var out []Option
	for _, c := range r.M.Components {
		out = append(out, Option{Value: c.Name, Label: fmt.Sprintf("%.2f", c.Value)})
	}
	return out
}

// Bps shows basis points as a percent.
func (v *View) Bps(n int64) string { return PercentPlain(n) + "%" }

// Notice is a notification's line in the page's language.
func (v *View) Notice(n finzone.Notification, toOwner bool) string {
	return i18n.Notice(v.Lang, n, toOwner)
}

// FieldMessage is a core field error as a form shows it. Money bounds
// (fields ending in _yuan) are shown in 万元 and rates (_bps) in percent, the
// units the forms use; so are the sums a tranche split is checked against.
func (v *View) FieldMessage(fe finzone.FieldError) string {
	key := "err." + fe.Code + "." + fe.Field // a message for one field, if any
	if !v.Has(key) {
		key = "err." + fe.Code
	}
	if !v.Has(key) {
		key = "err." + finzone.FCInvalid
	}
	var args []any
	for k, val := range fe.Params {
		switch n, ok := val.(int64); {
		case ok && (strings.HasSuffix(fe.Field, "_yuan") || fe.Code == finzone.FCSumMismatch):
			args = append(args, k, WanPlain(n))
		case strings.HasSuffix(fe.Field, "_bps"):
			args = append(args, k, PercentPlain(toInt64(val)))
		default:
			args = append(args, k, val)
		}
	}
	return v.T(key, args...)
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

// MoneyText is Money as plain text, for a translation's placeholder.
func (v *View) MoneyText(yuan int64) string { return MoneyText(yuan) }

// OfferRate shows an offer's rate: fixed, or the LPR it was priced on and
// the spread in basis points.
func (v *View) OfferRate(o finzone.Offer) string {
	if o.LPRBps == 0 {
		return v.T("offer.fixed_rate", "rate", v.Percent(o.RateBps))
	}
	return v.T("offer.lpr_rate", "rate", v.Percent(o.RateBps), "lpr", v.Percent(o.LPRBps),
		"spread", fmt.Sprintf("%+d", o.LPRSpreadBps))
}

// WorkingLeft shows the working time a paused clock had left, in working
// days (a working day counts 24 hours), or hours under a day.
func (v *View) WorkingLeft(d time.Duration) string {
	switch days := d.Hours() / 24; {
	case d <= 0:
		return v.T("match.left_none")
	case days >= 1:
		return v.T("match.left_days", "n", strconv.FormatFloat(math.Round(days*10)/10, 'f', -1, 64))
	default:
		return v.T("match.left_hours", "n", int(math.Ceil(d.Hours())))
	}
}

// Pair is the view with one more value, for a shared template that draws
// one thing (an offer, a cover, one form among several).
type Pair struct {
	*View
	X any
}

// With pairs the view with x.
func (v *View) With(x any) Pair { return Pair{View: v, X: x} }

// Select is a select of options the page supplies.
func (v *View) Select(name string, opts []Option) Field {
	f := v.field(name, "select")
	f.Options = opts
	return f
}

// For is a field of one form among several alike on a page (one per
// offer): its ID names the form's key, and it keeps the posted value and
// message only when the form posted was this one (field "for").
func (v *View) For(f Field, key string) Field {
	f.ID += "-" + key
	if v.Form.Get("for") != key {
		f.Value, f.Error = "", ""
	}
	return f
}

// ErrorFor is the message of a form among several that is about no field
// (a refused acceptance), when the form posted was the one of key.
func (v *View) ErrorFor(key string) string {
	if v.Form.Get("for") != key {
		return ""
	}
	return v.Form.Errors["form"]
}
