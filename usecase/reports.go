package usecase

import (
	"context"
	"maps"
	"slices"
	"strings"
	"time"

	"finzone"
)

// Reports read at most reportMatchLimit matches of a scope and reuse them
// for reportCacheTTL; a monthly report reads at most dashboardLimit
// projects; the dashboard shows dashboardWeeks weeks of submissions.
const (
	reportMatchLimit = 20000
	reportCacheTTL   = 30 * time.Second
	dashboardLimit   = 5000
	dashboardWeeks   = 12
)

// attentionShown is how many of the projects that need help the dashboard
// lists.
const attentionShown = 20

// scopeMatches returns every match in a scope (nil: the whole province),
// remembered for a short while: the monthly report, the board's CSV and
// its search by words filter them in memory. On the embedded store each page of a filtered match list reads
// the whole collection, so this read is the reports' main cost.
func (s *Service) scopeMatches(ctx context.Context, regions []string) ([]finzone.Match, time.Time, error) {
	key := "all"
	if regions != nil {
		key = strings.Join(regions, ",")
	}
	now := s.now()
	c := &s.reports
	c.mu.Lock()
	e, ok := c.entries[key]
	c.mu.Unlock()
	if ok && now.Sub(e.at) < reportCacheTTL {
		return e.matches, e.at, nil
	}
	var out []finzone.Match
	pg := finzone.Page{Limit: finzone.MaxPageLimit}
	for len(out) < reportMatchLimit {
		ms, next, err := s.matches.ListMatches(ctx, finzone.MatchFilter{Regions: regions}, pg)
		if err != nil {
			return nil, now, err
		}
		out = append(out, ms...)
		if next == "" {
			break
		}
		pg.Cursor = next
	}
	c.mu.Lock()
	if len(c.entries) > 1000 {
		c.entries = map[string]cachedMatches{} // scopes are few; this only bounds a pathological case
	}
	c.entries[key] = cachedMatches{matches: out, at: now}
	c.mu.Unlock()
	return out, now, nil
}

// DashboardQuery narrows the dashboard to a region in scope and a policy
// flag ("wanbei" or "dabie"); anything else is ignored.
type DashboardQuery struct{ Region, Flag string }

// Dashboard is a staff member's totals for their scope: projects and money
// asked for, the pipeline funnel, weekly submissions, money by county and by
// cluster, institutions' response rates, and the projects needing help.
// It is read from the store's counters (finzone.Tally), never by reading
// the projects and matches themselves.
type Dashboard struct {
	// Flag is the policy flag applied, or "".
	Flag      string
	Projects  int
	Requested int64
	ByCounty  map[string]int64
	ByCluster map[string]int64
	// Weekly counts submissions in each of the last weeks, oldest first,
	// from WeekStart (a Monday, China time).
	Weekly    []int64
	WeekStart time.Time

	HasMatches     bool
	Pushed         int
	AcceptedPushes int
	Approved       int64 // offers made and still live
	Accepted       int64 // offers the enterprises accepted
	Disbursed      int64
	// Enhancers counts guarantee and insurance matches; Cover sums the
	// cover they committed. Neither counts as financing.
	Enhancers int
	Cover     int64
	// Escalated counts live matches escalated for a missed deadline.
	Escalated int
	// Reached counts the matches that got at least as far as each forward
	// stage, in finzone.ForwardStages order.
	Reached  []int64
	Response []Response
	AsOf     time.Time

	// Attention are the newest attentionShown of the AttentionCount
	// projects that need help, with the fields a list of them shows.
	Attention      []finzone.Project
	AttentionCount int
}

// Response is how an institution answered the pushes in a scope.
type Response struct {
	InstitutionID    string
	Pushed, Answered int64
}

// Dashboard reads a staff member's totals.
func (s *Service) Dashboard(ctx context.Context, a finzone.Actor, q DashboardQuery) (Dashboard, error) {
	if !a.IsStaff() {
		return Dashboard{}, forbidden("coordinators and platform admins only")
	}
	d := Dashboard{Flag: q.Flag}
	if d.Flag != "wanbei" && d.Flag != "dabie" {
		d.Flag = ""
	}
	regions := flagged(a.Scope(q.Region), d.Flag)
	t, attention, err := s.tallies.Tally(ctx, finzone.TallyCover(regions), attentionShown)
	if err != nil {
		return Dashboard{}, err
	}
	d.AsOf, d.Attention = s.now(), attention
	d.fromTally(t)
	return d, nil
}

// flagged keeps the regions (nil: the province) that carry the flag.
func flagged(regions []string, flag string) []string {
	if flag == "" {
		return regions
	}
	if regions == nil {
		regions = finzone.ExpandRegions([]string{finzone.ProvinceCode})
	}
	kept := []string{}
	for _, code := range regions {
		r, _ := finzone.LookupRegion(code)
		if flag == "wanbei" && r.Wanbei || flag == "dabie" && r.Dabie {
			kept = append(kept, code)
		}
	}
	return kept
}

// fromTally fills the dashboard's totals from its scope's tally, the
// weeks counted back from d.AsOf.
func (d *Dashboard) fromTally(t finzone.Tally) {
	d.Projects, d.Requested = int(t.Projects), t.Requested
	d.ByCounty, d.ByCluster = maps.Clone(t.ByCounty), maps.Clone(t.ByCluster)
	if d.ByCounty == nil {
		d.ByCounty = map[string]int64{}
	}
	if d.ByCluster == nil {
		d.ByCluster = map[string]int64{}
	}
	d.WeekStart = finzone.StartOfWeek(d.AsOf).AddDate(0, 0, -7*(dashboardWeeks-1))
	d.Weekly = make([]int64, dashboardWeeks)
	for i := range d.Weekly {
		d.Weekly[i] = t.Weekly[finzone.WeekKey(d.WeekStart.AddDate(0, 0, 7*i))]
	}
	d.HasMatches = t.Matches > 0
	d.Pushed, d.AcceptedPushes = int(t.Pushed), int(t.AcceptedPushes)
	d.Approved, d.Accepted, d.Disbursed = t.Approved, t.Accepted, t.Disbursed
	d.Enhancers, d.Cover, d.Escalated = int(t.Enhancers), t.Cover, int(t.Escalated)
	d.Reached = make([]int64, len(finzone.ForwardStages))
	for i, st := range finzone.ForwardStages {
		d.Reached[i] = t.Reached[st]
	}
	for id, r := range t.Institutions {
		if r.Pushed > 0 {
			d.Response = append(d.Response, Response{InstitutionID: id, Pushed: r.Pushed, Answered: r.Answered})
		}
	}
	slices.SortFunc(d.Response, func(a, b Response) int {
		if a.Pushed != b.Pushed {
			return int(b.Pushed - a.Pushed)
		}
		return strings.Compare(a.InstitutionID, b.InstitutionID)
	})
	d.AttentionCount = int(t.Attention)
}

// eachProject hands fn the projects in regions (nil: all), reading at most
// about dashboardLimit of them; scanned is how many it read when that
// limit cut the reading short, else 0.
func (s *Service) eachProject(ctx context.Context, regions []string, fn func(finzone.Project)) (scanned int, err error) {
	pg := finzone.Page{Limit: finzone.MaxPageLimit}
	for read := 0; ; {
		items, next, err := s.projects.ListProjects(ctx, finzone.ProjectFilter{Regions: regions}, pg)
		if err != nil {
			return 0, err
		}
		read += len(items)
		for _, p := range items {
			fn(p)
		}
		if next == "" {
			return 0, nil
		}
		if read >= dashboardLimit {
			return read, nil
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

// BoardQuery narrows the pipeline board: a region in scope, a stage, and
// words of a project's title or an institution's name.
type BoardQuery struct{ Region, Stage, Q string }

// The board lists boardColumnRows matches of each of boardStages, and up
// to boardListRows of the overdue and of the escalated.
const (
	boardColumnRows = 25
	boardListRows   = 500
)

// boardStages are the board's columns: the lenders' forward stages, the
// enhancers' own, and the side exits.
var boardStages = append(append([]finzone.Stage{}, finzone.ForwardStages...), finzone.StageAssessing, finzone.StageCommitted,
	finzone.StageIssued, finzone.StageReleased, finzone.StageDeclined, finzone.StageExpired, finzone.StageNeedMet)

// Board is what the coordinator's board shows of the matches the query
// keeps (finzone.MatchBoard): each column's first matches, soonest
// deadline first, with its count, the first overdue and escalated, and
// the total.
type Board struct {
	finzone.MatchBoard
	// Capped is set when a search by words read only the first
	// reportMatchLimit matches of the scope.
	Capped bool
	AsOf   time.Time
}

// PipelineBoard reads the coordinator's board. An unknown stage is ignored,
// as a filter form's stale value.
func (s *Service) PipelineBoard(ctx context.Context, a finzone.Actor, q BoardQuery) (Board, error) {
	if !a.IsStaff() {
		return Board{}, forbidden("coordinators and platform admins only")
	}
	f := finzone.BoardFilter{Regions: a.Scope(q.Region), Columns: boardStages, ColumnRows: boardColumnRows,
		ListRows: boardListRows, Now: s.now().Truncate(time.Millisecond)} // the store compares milliseconds
	if st := finzone.Stage(q.Stage); st.Valid() {
		f.Stage = st
	}
	if q.Q != "" {
		// Words of titles and institutions' names are no store filter: a
		// search reads the scope's matches as the CSV does (capped, cached)
		// and keeps those with the words.
		l, err := s.PipelineList(ctx, a, q)
		if err != nil {
			return Board{}, err
		}
		return Board{MatchBoard: finzone.BoardOf(l.Matches, f), Capped: l.Capped, AsOf: l.AsOf}, nil
	}
	mb, err := s.matches.PipelineBoard(ctx, f)
	if err != nil {
		return Board{}, err
	}
	return Board{MatchBoard: mb, AsOf: f.Now}, nil
}

// BoardList is every match in a staff member's scope that the board's
// query keeps, in finzone.BoardOrder.
type BoardList struct {
	Matches []finzone.Match
	// Capped is set when the scope has more matches than a report reads.
	Capped bool
	AsOf   time.Time
}

// PipelineList reads every match of the board, not only those it shows:
// the CSV of its lists.
func (s *Service) PipelineList(ctx context.Context, a finzone.Actor, q BoardQuery) (BoardList, error) {
	if !a.IsStaff() {
		return BoardList{}, forbidden("coordinators and platform admins only")
	}
	all, at, err := s.scopeMatches(ctx, a.Scope(""))
	if err != nil {
		return BoardList{}, err
	}
	b := BoardList{AsOf: at, Capped: len(all) >= reportMatchLimit}
	in := regionSet(a.Scope(q.Region))
	stage := finzone.Stage(q.Stage)
	for _, m := range all {
		if (in == nil || in[m.RegionCode]) && (!stage.Valid() || m.Stage == stage) {
			b.Matches = append(b.Matches, m)
		}
	}
	if q.Q != "" {
		if err := s.keepWords(ctx, &b, q.Q); err != nil {
			return BoardList{}, err
		}
	}
	slices.SortFunc(b.Matches, finzone.BoardOrder)
	return b, nil
}

// keepWords keeps the board's matches whose project title or institution
// name holds the words.
func (s *Service) keepWords(ctx context.Context, b *BoardList, words string) error {
	ids := make([]string, len(b.Matches))
	for i, m := range b.Matches {
		ids[i] = m.InstitutionID
	}
	names, err := s.OrgNames(ctx, ids)
	if err != nil {
		return err
	}
	b.Matches = slices.DeleteFunc(b.Matches, func(m finzone.Match) bool {
		return !containsFold(m.ProjectTitle, words) && !containsFold(names[m.InstitutionID], words)
	})
	return nil
}

// containsFold reports whether s contains the words, ignoring case.
func containsFold(s, words string) bool {
	return strings.Contains(strings.ToLower(s), strings.ToLower(strings.TrimSpace(words)))
}
