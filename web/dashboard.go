package web

import (
	"fmt"
	"html/template"
	"sort"

	"github.com/gofiber/fiber/v2"

	"finzone"
	"finzone/server"
	"finzone/usecase"
)

// The coordinators' dashboard: the totals of their scope and pictures of
// them, drawn here from the numbers usecase.Dashboard adds up.

// chartRows bounds the bars of the ranked charts.
const chartRows = 12

type dashboardData struct {
	usecase.Dashboard
	Region  string
	Regions []Option
	Charts  dashboardCharts
}

type dashboardCharts struct {
	Funnel, Weekly, ByCounty, ByCluster, Response template.HTML
}

// dashboardPage shows a coordinator the totals and pictures for their scope,
// filterable by region and by the northern-Anhui and Dabie flags.
func (p *pages) dashboardPage(c *fiber.Ctx, v *View) error {
	ctx, a := c.UserContext(), server.Actor(c)
	q := usecase.DashboardQuery{Region: c.Query("region"), Flag: c.Query("flag")}
	n, err := p.uc.Dashboard(ctx, a, q)
	if err != nil {
		return err
	}
	if err := p.withClusters(c, v); err != nil {
		return err
	}
	top := n.Response[:min(len(n.Response), chartRows)]
	names, err := namesOf(ctx, p.uc, top, func(r usecase.Response) string { return r.InstitutionID })
	if err != nil {
		return err
	}
	d := dashboardData{Dashboard: n, Region: q.Region, Regions: regionOptions(a), Charts: dashboardCharts{
		Funnel:   Funnel(v.T("dashboard.funnel"), funnelBars(v, n.Reached)),
		Weekly:   Columns(v.T("dashboard.weekly"), weeklyBars(v, n)),
		ByCounty: HBars(v.T("dashboard.by_county"), topBars(n.ByCounty, countyLabel(v))),
		ByCluster: HBars(v.T("dashboard.by_cluster"), topBars(n.ByCluster, func(id string) (string, bool) {
			return v.Cluster(id), false
		})),
		Response: HBars(v.T("dashboard.response"), responseBars(top, names)),
	}}
	v.Title, v.Data = "dashboard.title", d
	return p.render(c, fiber.StatusOK, "dashboard", v)
}

// funnelBars are how many matches reached each forward stage.
func funnelBars(v *View, reached []int64) []Bar {
	out := make([]Bar, len(reached))
	for i, n := range reached {
		out[i] = Bar{Label: v.Enum("stage", finzone.ForwardStages[i]), Value: n, Text: Grouped(n)}
	}
	return out
}

// weeklyBars are the submissions of each week, labelled by its Monday.
func weeklyBars(v *View, n usecase.Dashboard) []Bar {
	out := make([]Bar, len(n.Weekly))
	for i, count := range n.Weekly {
		day := n.WeekStart.AddDate(0, 0, 7*i)
		out[i] = Bar{Label: fmt.Sprintf("%d/%d", int(day.Month()), day.Day()), Value: count, Text: Grouped(count),
			Tip: v.T("dashboard.week_of", "date", v.Date(day), "n", count)}
	}
	return out
}

// countyLabel names a county and flags northern Anhui.
func countyLabel(v *View) func(string) (string, bool) {
	return func(code string) (string, bool) {
		r, _ := finzone.LookupRegion(code)
		return v.Region(code), r.Wanbei
	}
}

// responseBars are the institutions' answer rates, below half flagged.
func responseBars(rs []usecase.Response, names map[string]string) []Bar {
	out := make([]Bar, len(rs))
	for i, r := range rs {
		pct := r.Answered * 100 / r.Pushed
		out[i] = Bar{Label: orgName(names, r.InstitutionID), Value: pct,
			Text: fmt.Sprintf("%d%% (%d/%d)", pct, r.Answered, r.Pushed), Flag: pct < 50}
	}
	return out
}

// topBars are the largest sums, most first, in money.
func topBars(sums map[string]int64, label func(string) (string, bool)) []Bar {
	keys := make([]string, 0, len(sums))
	for k := range sums {
		keys = append(keys, k)
	}
	sort.Slice(keys, func(i, j int) bool {
		if sums[keys[i]] != sums[keys[j]] {
			return sums[keys[i]] > sums[keys[j]]
		}
		return keys[i] < keys[j]
	})
	keys = keys[:min(len(keys), chartRows)]
	out := make([]Bar, len(keys))
	for i, k := range keys {
		l, flag := label(k)
		out[i] = Bar{Label: l, Value: sums[k], Text: MoneyText(sums[k]), Flag: flag, Tip: l + ": ¥" + Grouped(sums[k])}
	}
	return out
}
