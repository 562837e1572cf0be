package api

import (
	"fmt"
	"html/template"
	"sort"
	"time"

	"github.com/gofiber/fiber/v2"

	"finzone"
	"finzone/web"
)

// dashboardLimit bounds how many projects and matches one dashboard reads;
// the page says when it stopped short.
const dashboardLimit = 5000

type dashboardData struct {
	Region, Flag string
	Regions      []web.Option
	Projects     int
	Requested    int64
	HasMatches   bool
	Pushed       int
	Accepted     int
	Approved     int64
	Disbursed    int64
	Funnel       template.HTML
	Weekly       template.HTML
	ByCounty     template.HTML
	ByCluster    template.HTML
	Response     template.HTML
	Scanned      int // set when the limit cut the reading short
	AsOf         time.Time
	// Attention lists the projects in scope whose waitlist ran dry, newest
	// first, at most attentionShown of AttentionCount.
	Attention      []finzone.Project
	AttentionCount int
	AttentionMore  bool
}

// attentionShown bounds the dashboard's list of projects needing help;
// attentionCounted bounds how many it counts.
const (
	attentionShown   = 20
	attentionCounted = 1000
)

// needsAttention reads the projects in regions (nil: all) flagged because
// nobody is left to ask.
func (ps *pageServer) needsAttention(c *fiber.Ctx, regions []string, d *dashboardData) error {
	pg := finzone.Page{Limit: finzone.MaxPageLimit}
	for {
		items, next, err := ps.store.ListProjects(c.UserContext(), finzone.ProjectFilter{Regions: regions, NeedsAttention: true}, pg)
		if err != nil {
			return err
		}
		d.AttentionCount += len(items)
		for _, p := range items {
			if len(d.Attention) < attentionShown {
				d.Attention = append(d.Attention, p)
			}
		}
		if next == "" {
			return nil
		}
		if d.AttentionCount >= attentionCounted {
			d.AttentionMore = true
			return nil
		}
		pg.Cursor = next
	}
}

// regionSet is a filter's regions as a set; nil means no filter.
func regionSet(regions []string) map[string]bool {
	if regions == nil {
		return nil
	}
	in := make(map[string]bool, len(regions))
	for _, r := range regions {
		in[r] = true
	}
	return in
}

// dashboardPage shows a coordinator the totals and pictures for their scope,
// filterable by region and by the northern-Anhui and Dabie flags.
func (ps *pageServer) dashboardPage(c *fiber.Ctx, v *web.View) error {
	a := actor(c)
	if err := requireStaff(a); err != nil {
		return err
	}
	ctx := c.UserContext()
	d := dashboardData{Region: c.Query("region"), Flag: c.Query("flag"), Regions: regionOptions(a)}
	if d.Flag != "wanbei" && d.Flag != "dabie" {
		d.Flag = ""
	}
	regions := scopeRegions(a, d.Region)
	if d.Flag != "" {
		if regions == nil {
			regions = finzone.ExpandRegions([]string{finzone.ProvinceCode})
		}
		var kept []string
		for _, code := range regions {
			r, _ := finzone.LookupRegion(code)
			if d.Flag == "wanbei" && r.Wanbei || d.Flag == "dabie" && r.Dabie {
				kept = append(kept, code)
			}
		}
		regions = append([]string{}, kept...)
	}
	clusters, err := ps.store.Clusters(ctx)
	if err != nil {
		return err
	}
	v.Clusters = clusters

	byCounty := map[string]int64{}
	byCluster := map[string]int64{}
	now := ps.now()
	const weeks = 12
	weekStart := startOfWeek(now).AddDate(0, 0, -7*(weeks-1))
	weekly := make([]int64, weeks)
	pg := finzone.Page{Limit: finzone.MaxPageLimit}
	read := 0
	for {
		items, next, err := ps.store.ListProjects(ctx, finzone.ProjectFilter{Regions: regions}, pg)
		if err != nil {
			return err
		}
		read += len(items)
		for _, p := range items {
			if p.Status == finzone.ProjectDraft {
				continue
			}
			d.Projects++
			d.Requested += p.AmountYuan
			byCounty[p.RegionCode] += p.AmountYuan
			if p.ClusterID != "" {
				byCluster[p.ClusterID] += p.AmountYuan
			}
			at := p.SubmittedAt
			if at.IsZero() {
				at = p.CreatedAt
			}
			if w := int(at.Sub(weekStart).Hours() / (24 * 7)); !at.Before(weekStart) && w < weeks {
				weekly[w]++
			}
		}
		if next == "" {
			break
		}
		if read >= dashboardLimit {
			d.Scanned = read
			break
		}
		pg.Cursor = next
	}

	if err := ps.needsAttention(c, regions, &d); err != nil {
		return err
	}

	// Matches: the funnel, the response rates and the pipeline totals.
	reached := map[finzone.Stage]int64{}
	type resp struct{ pushed, answered int64 }
	byInst := map[string]*resp{}
	all, at, err := ps.scopeMatches(c, scopeRegions(a, ""))
	if err != nil {
		return err
	}
	d.AsOf = at
	in := regionSet(regions)
	for _, m := range all {
		if in != nil && !in[m.RegionCode] {
			continue
		}
		d.HasMatches = true
		d.Pushed++
		top := furthestStage(m)
		for _, s := range pipelineStages {
			if stageIndex(s) <= stageIndex(top) {
				reached[s]++
			}
		}
		if stageIndex(top) >= stageIndex(finzone.StageAccepted) {
			d.Accepted++
		}
		if stageIndex(top) >= stageIndex(finzone.StageApproved) && m.Stage.Live() {
			d.Approved += m.ApprovedAmountYuan
		}
		d.Disbursed += m.DisbursedYuan()
		r := byInst[m.InstitutionID]
		if r == nil {
			r = &resp{}
			byInst[m.InstitutionID] = r
		}
		r.pushed++
		if stageIndex(top) > stageIndex(finzone.StagePushed) || m.Stage == finzone.StageDeclined {
			r.answered++
		}
	}

	var funnel []web.Bar
	for _, s := range pipelineStages {
		funnel = append(funnel, web.Bar{Label: v.Enum("stage", s), Value: reached[s], Text: web.Grouped(reached[s])})
	}
	d.Funnel = web.Funnel(v.T("dashboard.funnel"), funnel)

	var wk []web.Bar
	for i, n := range weekly {
		day := weekStart.AddDate(0, 0, 7*i)
		label := fmt.Sprintf("%d/%d", int(day.Month()), day.Day())
		wk = append(wk, web.Bar{Label: label, Value: n, Text: web.Grouped(n),
			Tip: v.T("dashboard.week_of", "date", v.Date(day), "n", n)})
	}
	d.Weekly = web.Columns(v.T("dashboard.weekly"), wk)

	d.ByCounty = web.HBars(v.T("dashboard.by_county"), topBars(byCounty, 12, func(code string) (string, bool) {
		r, _ := finzone.LookupRegion(code)
		return v.Region(code), r.Wanbei
	}))
	d.ByCluster = web.HBars(v.T("dashboard.by_cluster"), topBars(byCluster, 12, func(id string) (string, bool) {
		return v.Cluster(id), false
	}))

	var rb []web.Bar
	names := ps.orgNames(c)
	ids := make([]string, 0, len(byInst))
	for id := range byInst {
		ids = append(ids, id)
	}
	sort.Slice(ids, func(i, j int) bool {
		if byInst[ids[i]].pushed != byInst[ids[j]].pushed {
			return byInst[ids[i]].pushed > byInst[ids[j]].pushed
		}
		return ids[i] < ids[j]
	})
	if len(ids) > 12 {
		ids = ids[:12]
	}
	for _, id := range ids {
		r := byInst[id]
		pct := r.answered * 100 / r.pushed
		rb = append(rb, web.Bar{Label: names.name(id), Value: pct, Text: fmt.Sprintf("%d%% (%d/%d)", pct, r.answered, r.pushed),
			Flag: pct < 50})
	}
	d.Response = web.HBars(v.T("dashboard.response"), rb)

	v.Title = "dashboard.title"
	v.Data = d
	return ps.render(c, fiber.StatusOK, "dashboard", v)
}

// pipelineStages are the forward stages in order, the funnel's rows.
var pipelineStages = []finzone.Stage{finzone.StagePushed, finzone.StageAccepted, finzone.StageContacted,
	finzone.StageDueDiligence, finzone.StageCreditReview, finzone.StageApproved, finzone.StageContracted,
	finzone.StageDisbursed}

func stageIndex(s finzone.Stage) int {
	for i, p := range pipelineStages {
		if p == s {
			return i
		}
	}
	if s == finzone.StageClosed {
		return len(pipelineStages) - 1
	}
	return -1
}

// furthestStage is the furthest forward stage a match reached, so a
// declined match still counts in the rows it passed.
func furthestStage(m finzone.Match) finzone.Stage {
	top := finzone.StagePushed
	consider := func(s finzone.Stage) {
		if stageIndex(s) > stageIndex(top) {
			top = s
		}
	}
	consider(m.Stage)
	for _, e := range m.Events {
		consider(e.To)
		consider(e.From)
	}
	return top
}

func topBars(sums map[string]int64, n int, label func(string) (string, bool)) []web.Bar {
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
	if len(keys) > n {
		keys = keys[:n]
	}
	out := make([]web.Bar, len(keys))
	for i, k := range keys {
		l, flag := label(k)
		out[i] = web.Bar{Label: l, Value: sums[k], Text: web.MoneyText(sums[k]), Flag: flag,
			Tip: l + ": ¥" + web.Grouped(sums[k])}
	}
	return out
}

// startOfWeek is Monday 00:00 China time of t's week.
func startOfWeek(t time.Time) time.Time {
	t = t.In(time.FixedZone("CST", 8*3600))
	day := time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, t.Location())
	offset := (int(day.Weekday()) + 6) % 7
	return day.AddDate(0, 0, -offset)
}
