package usecase

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"finzone"
	"finzone/i18n"
)

// The monthly report a county or city finance office files: the month's
// projects, pushes, offers and money paid in the coordinator's scope, by
// county, by cluster and by institution, with the 皖北 and 大别山 subtotals
// and the scope's total. It reads what the dashboard reads (the scope's
// matches, cached, and its projects, both bounded) and adds them up in
// memory (monthly_tally.go).

// Report formats and languages a client may ask for.
var (
	ReportFormats = []string{"xlsx", "csv"}
	ReportLangs   = []string{string(finzone.LangZH), string(finzone.LangEN)}
)

// reportFirstMonth is the earliest month a report may be asked for.
const reportFirstMonth = "2000-01"

// MonthlyInput is a report as a client asks for it: the month (YYYY-MM,
// empty for the previous month), the format (empty for xlsx) and the
// language of its headers (zh or en; the edge fills in the request's
// language when none is asked for).
type MonthlyInput struct{ Month, Format, Lang string }

// Report tables.
const (
	TableCounty      = "county"
	TableCluster     = "cluster"
	TableInstitution = "institution"
)

// ReportTables are the report's tables in order: a sheet each in xlsx.
var ReportTables = []string{TableCounty, TableCluster, TableInstitution}

// Summary rows' keys.
const (
	SummaryWanbei = "wanbei"
	SummaryDabie  = "dabie"
	SummaryTotal  = "total"
)

// MonthlyReport is a month's figures in a staff member's scope.
type MonthlyReport struct {
	Month  time.Time // the month's first instant, China time
	Format string
	Lang   finzone.Lang
	// Scope are the regions the total covers: the coordinator's, or the
	// province for the platform.
	Scope []string
	// Rows are each table's rows by ReportTables name.
	Rows map[string][]ReportRow
	// Summary are the 皖北 and 大别山 subtotals (each only when the scope
	// holds such divisions; 霍邱 is in both) and the total, by Key.
	Summary []ReportRow
	// clusters and names label the cluster and institution rows.
	clusters map[string]finzone.Cluster
	names    map[string]string
	AsOf     time.Time
	// Capped is set when the scope has more matches than a report reads;
	// Scanned when the project reading stopped at dashboardLimit.
	Capped  bool
	Scanned int
}

// MonthlyReport reads the month's report for a coordinator's scope (the
// whole province for the platform admin).
func (s *Service) MonthlyReport(ctx context.Context, a finzone.Actor, in MonthlyInput) (MonthlyReport, error) {
	if !a.IsStaff() {
		return MonthlyReport{}, forbidden("coordinators and platform admins only")
	}
	r, err := s.monthlyInput(in)
	if err != nil {
		return MonthlyReport{}, err
	}
	r.Scope = a.User.Regions
	if a.IsPlatformAdmin() {
		r.Scope = []string{finzone.ProvinceCode}
	}
	scope := a.Scope("")
	var projects []finzone.Project
	r.Scanned, err = s.eachProject(ctx, scope, func(p finzone.Project) { projects = append(projects, p) })
	if err != nil {
		return MonthlyReport{}, err
	}
	matches, at, err := s.scopeMatches(ctx, scope)
	if err != nil {
		return MonthlyReport{}, err
	}
	r.AsOf, r.Capped = at, len(matches) >= reportMatchLimit
	if err := s.fillMonthly(ctx, &r, scope, tallyMonth(spanOf(r.Month), projects, matches)); err != nil {
		return MonthlyReport{}, err
	}
	return r, nil
}

// monthlyInput checks a report request's fields.
func (s *Service) monthlyInput(in MonthlyInput) (MonthlyReport, error) {
	var probs finzone.Problems
	now := s.now().In(chinaTime)
	this := time.Date(now.Year(), now.Month(), 1, 0, 0, 0, 0, chinaTime)
	r := MonthlyReport{Month: this.AddDate(0, -1, 0), Format: enum("format", in.Format, ReportFormats, &probs),
		Lang: finzone.Lang(enum("lang", in.Lang, ReportLangs, &probs))}
	if r.Format == "" {
		r.Format = ReportFormats[0]
	}
	if in.Month != "" {
		m, err := time.ParseInLocation("2006-01", in.Month, chinaTime)
		first, _ := time.ParseInLocation("2006-01", reportFirstMonth, chinaTime)
		switch {
		case err != nil || len(in.Month) != len("2006-01"):
			probs.Add("month", finzone.FCInvalid)
		case m.Before(first) || m.After(this):
			probs.Add("month", finzone.FCOutOfRange, "min", reportFirstMonth, "max", this.Format("2006-01"))
		default:
			r.Month = m
		}
	}
	return r, probs.Err()
}

// fillMonthly lays the tally out as rows: every county and cluster of the
// scope (so a month with nothing still lists them), the institutions that
// did anything, the subtotals and the total.
func (s *Service) fillMonthly(ctx context.Context, r *MonthlyReport, scope []string, t monthTally) error {
	in := regionSet(scope)
	var counties []string
	for _, reg := range finzone.Regions() {
		if reg.Kind != finzone.RegionProvince && reg.Kind != finzone.RegionCity && (in == nil || in[reg.Code]) {
			counties = append(counties, reg.Code)
		}
	}
	cls, err := s.clusters.Clusters(ctx)
	if err != nil {
		return err
	}
	r.clusters = map[string]finzone.Cluster{}
	var clusterIDs []string
	for _, c := range cls {
		r.clusters[c.ID] = c
		if in == nil || in[c.CountyCode] {
			clusterIDs = append(clusterIDs, c.ID)
		}
	}
	byCounty := func(a, b string) int {
		if a == "" || b == "" {
			return lastEmpty(a, b)
		}
		return cmp.Or(strings.Compare(r.clusters[a].CountyCode, r.clusters[b].CountyCode), strings.Compare(a, b))
	}
	r.Rows = map[string][]ReportRow{
		TableCounty:      rowsOf(t.counties, counties, strings.Compare),
		TableCluster:     rowsOf(t.clusters, clusterIDs, byCounty),
		TableInstitution: rowsOf(t.institutions, nil, strings.Compare),
	}
	ids := make([]string, 0, len(t.institutions))
	for id := range t.institutions {
		ids = append(ids, id)
	}
	if r.names, err = s.OrgNames(ctx, ids); err != nil {
		return err
	}
	slices.SortStableFunc(r.Rows[TableInstitution], func(a, b ReportRow) int { return strings.Compare(r.names[a.Key], r.names[b.Key]) })
	r.Summary = summaries(r.Rows[TableCounty], scope)
	return nil
}

// summaries are the 皖北 and 大别山 subtotals of the county rows (when the
// scope has such divisions) and their total.
func summaries(counties []ReportRow, scope []string) []ReportRow {
	var out []ReportRow
	for _, flag := range []string{SummaryWanbei, SummaryDabie} {
		kept := regionSet(flagged(scope, flag))
		if len(kept) > 0 {
			out = append(out, sumRows(flag, counties, func(row ReportRow) bool { return kept[row.Key] }))
		}
	}
	return append(out, sumRows(SummaryTotal, counties, func(ReportRow) bool { return true }))
}

// Title is the report's title, e.g. "2026年11月 集群融资月报 · 安徽省".
func (r MonthlyReport) Title() string {
	return i18n.T(r.Lang, "monthly.title", "year", r.Month.Year(), "month", int(r.Month.Month()),
		"month_name", r.Month.Month().String(), "scope", r.ScopeName())
}

// ScopeName names the regions the total covers.
func (r MonthlyReport) ScopeName() string {
	names := make([]string, len(r.Scope))
	for i, code := range r.Scope {
		reg, _ := finzone.LookupRegion(code)
		names[i] = reg.Name
	}
	return strings.Join(names, "、")
}

// FileName is the download's name, without extension: ASCII, so every
// browser keeps it.
func (r MonthlyReport) FileName() string {
	return fmt.Sprintf("finzone-monthly-%s-%s", r.Month.Format("2006-01"), strings.Join(r.Scope, "-"))
}

// RowName names a table's row: the division (city and county), the
// cluster, the institution, or a summary.
func (r MonthlyReport) RowName(table string, row ReportRow) string {
	switch table {
	case TableCounty:
		reg, ok := finzone.LookupRegion(row.Key)
		if !ok {
			return row.Key
		}
		if reg.Kind == finzone.RegionCity {
			return reg.Name
		}
		return reg.CityName + " " + reg.Name
	case TableCluster:
		if row.Key == "" {
			return i18n.T(r.Lang, "monthly.no_cluster")
		}
		c, ok := r.clusters[row.Key]
		switch {
		case !ok:
			return row.Key
		case r.Lang == finzone.LangEN && c.NameEN != "":
			return c.NameEN
		}
		return c.Name
	case TableInstitution:
		return orID(r.names[row.Key], row.Key)
	}
	return i18n.T(r.Lang, i18n.Key("monthly.summary."+row.Key), "scope", r.ScopeName())
}

func orID(name, id string) string {
	if name == "" {
		return id
	}
	return name
}

// RowRegion is the division code a row lies in: the county's own, or the
// cluster's county; "" for institutions and summaries.
func (r MonthlyReport) RowRegion(table string, row ReportRow) string {
	switch table {
	case TableCounty:
		return row.Key
	case TableCluster:
		return r.clusters[row.Key].CountyCode
	}
	return ""
}
