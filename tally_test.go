package finzone

import (
	"reflect"
	"slices"
	"testing"
	"time"
)

// monday is a Monday, 00:00 China time; tallyAt is a Wednesday of its week.
var (
	monday  = time.Date(2026, 11, 30, 0, 0, 0, 0, chinaTime)
	tallyAt = monday.Add(50 * time.Hour)
)

func TestProjectTally(t *testing.T) {
	sub := Project{ID: "p1", Status: ProjectMatching, AmountYuan: 5_000_000, RegionCode: "341221", ClusterID: "c1",
		CreatedAt: monday.AddDate(0, 0, -10), SubmittedAt: tallyAt}
	for _, tt := range []struct {
		name string
		p    Project
		want Tally
	}{
		{"a draft counts only in its status", Project{Status: ProjectDraft, AmountYuan: 9, RegionCode: "341221", CreatedAt: tallyAt},
			Tally{ByStatus: map[ProjectStatus]int64{ProjectDraft: 1}}},
		{"a flagged draft still counts as needing attention", Project{Status: ProjectDraft, NeedsAttention: true},
			Tally{ByStatus: map[ProjectStatus]int64{ProjectDraft: 1}, Attention: 1}},
		{"a submitted project: amounts by county and cluster, its week of submission", sub,
			Tally{Projects: 1, Requested: 5_000_000, ByStatus: map[ProjectStatus]int64{ProjectMatching: 1},
				ByCounty: map[string]int64{"341221": 5_000_000}, ByCluster: map[string]int64{"c1": 5_000_000},
				Weekly: map[string]int64{"2026-11-30": 1}}},
		{"no cluster, never submitted: the week it was created", Project{Status: ProjectWithdrawn, AmountYuan: 7, RegionCode: "340100",
			CreatedAt: monday.Add(-time.Minute), NeedsAttention: true},
			Tally{Projects: 1, Requested: 7, ByStatus: map[ProjectStatus]int64{ProjectWithdrawn: 1}, Attention: 1,
				ByCounty: map[string]int64{"340100": 7}, Weekly: map[string]int64{"2026-11-23": 1}}},
	} {
		if got := ProjectTally(tt.p); !reflect.DeepEqual(got, tt.want) {
			t.Errorf("%s: got %+v, want %+v", tt.name, got, tt.want)
		}
	}
}

// reached is a Reached map with 1 for the first n forward stages.
func reached(n int) map[Stage]int64 {
	out := map[Stage]int64{}
	for _, s := range ForwardStages[:n] {
		out[s] = 1
	}
	return out
}

func TestMatchTally(t *testing.T) {
	week := map[string]int64{"2026-11-30": 1}
	base := Match{InstitutionID: "bank", Role: RoleLead, CreatedAt: tallyAt}
	moved := func(m Match, s Stage, at time.Time, via ...Stage) Match {
		from := StagePushed
		for _, v := range append(via, s) {
			m.Events = append(m.Events, Event{At: at, From: from, To: v})
			from = v
		}
		m.Stage = s
		return m
	}
	approved := moved(base, StageApproved, tallyAt.Add(2*time.Hour), StageAccepted, StageContacted, StageDueDiligence, StageCreditReview)
	approved.Offer = Offer{AmountYuan: 3_000_000, Status: OfferAccepted}
	disbursed := moved(approved, StageDisbursed, tallyAt.Add(3*time.Hour), StageContracted)
	disbursed.Events = append(slices.Clone(approved.Events), Event{From: StageApproved, To: StageContracted}, Event{From: StageContracted, To: StageDisbursed})
	disbursed.Tranches = []Tranche{{AmountYuan: 1_000_000}, {AmountYuan: 500_000}}
	enhancer := base
	enhancer.Role, enhancer.Stage, enhancer.Cover = RoleEnhancer, StageCommitted, Cover{CoverYuan: 2_000_000}
	escalated := moved(base, StageContacted, tallyAt.Add(time.Hour), StageAccepted)
	escalated.EscalatedAt = tallyAt.Add(48 * time.Hour)
	for _, tt := range []struct {
		name string
		m    Match
		want Tally
	}{
		{"pushed, not answered", func() Match { m := base; m.Stage = StagePushed; return m }(),
			Tally{Matches: 1, Pushed: 1, ByStage: map[Stage]int64{StagePushed: 1}, MatchWeekly: week, Reached: reached(1),
				Institutions: map[string]InstitutionTally{"bank": {Pushed: 1}}}},
		{"declined at once: answered, an hour later", moved(base, StageDeclined, tallyAt.Add(time.Hour)),
			Tally{Matches: 1, Pushed: 1, ByStage: map[Stage]int64{StageDeclined: 1}, MatchWeekly: week, Reached: reached(1),
				Institutions: map[string]InstitutionTally{"bank": {Pushed: 1, Answered: 1}}, Answers: 1, AnswerSeconds: 3600}},
		{"expired: not an answer", moved(base, StageExpired, tallyAt.Add(time.Hour)),
			Tally{Matches: 1, Pushed: 1, ByStage: map[Stage]int64{StageExpired: 1}, MatchWeekly: week, Reached: reached(1),
				Institutions: map[string]InstitutionTally{"bank": {Pushed: 1}}}},
		{"approved with an accepted offer", approved,
			Tally{Matches: 1, Pushed: 1, AcceptedPushes: 1, Approved: 3_000_000, Accepted: 3_000_000,
				ByStage: map[Stage]int64{StageApproved: 1}, MatchWeekly: week, Reached: reached(6),
				Institutions: map[string]InstitutionTally{"bank": {Pushed: 1, Answered: 1}}, Answers: 1, AnswerSeconds: 7200}},
		{"disbursed: the tranches paid", disbursed,
			Tally{Matches: 1, Pushed: 1, AcceptedPushes: 1, Approved: 3_000_000, Accepted: 3_000_000, Disbursed: 1_500_000,
				ByStage: map[Stage]int64{StageDisbursed: 1}, MatchWeekly: week, Reached: reached(8),
				Institutions: map[string]InstitutionTally{"bank": {Pushed: 1, Answered: 1}}, Answers: 1, AnswerSeconds: 7200}},
		{"need met after approval: the offer is no longer live", func() Match {
			m := moved(approved, StageNeedMet, tallyAt)
			m.Events = append(slices.Clone(approved.Events), Event{From: StageApproved, To: StageNeedMet})
			return m
		}(),
			Tally{Matches: 1, Pushed: 1, AcceptedPushes: 1, ByStage: map[Stage]int64{StageNeedMet: 1}, MatchWeekly: week, Reached: reached(6),
				Institutions: map[string]InstitutionTally{"bank": {Pushed: 1, Answered: 1}}, Answers: 1, AnswerSeconds: 7200}},
		{"an enhancer counts its cover, not as a push", enhancer,
			Tally{Matches: 1, Enhancers: 1, Cover: 2_000_000, ByStage: map[Stage]int64{StageCommitted: 1}, MatchWeekly: week}},
		{"escalated while open", escalated,
			Tally{Matches: 1, Pushed: 1, AcceptedPushes: 1, Escalated: 1, ByStage: map[Stage]int64{StageContacted: 1}, MatchWeekly: week,
				Reached: reached(3), Institutions: map[string]InstitutionTally{"bank": {Pushed: 1, Answered: 1}}, Answers: 1, AnswerSeconds: 3600}},
	} {
		if got := MatchTally(tt.m); !reflect.DeepEqual(got, tt.want) {
			t.Errorf("%s:\n got %+v\nwant %+v", tt.name, got, tt.want)
		}
	}
}

func TestTallyChange(t *testing.T) {
	draft := Project{Status: ProjectDraft, AmountYuan: 100, RegionCode: "341221", CreatedAt: tallyAt}
	submitted := draft
	submitted.Status, submitted.SubmittedAt = ProjectSubmitted, tallyAt.AddDate(0, 0, 7)
	bigger := submitted
	bigger.AmountYuan = 250
	for _, tt := range []struct {
		name          string
		before, after Tally
		want          Tally
	}{
		{"creation is the whole tally", Tally{}, ProjectTally(draft), ProjectTally(draft)},
		{"deletion takes it all back", ProjectTally(draft), Tally{},
			Tally{ByStatus: map[ProjectStatus]int64{ProjectDraft: -1}}},
		{"submitting moves the status and counts the project", ProjectTally(draft), ProjectTally(submitted),
			Tally{Projects: 1, Requested: 100, ByStatus: map[ProjectStatus]int64{ProjectDraft: -1, ProjectSubmitted: 1},
				ByCounty: map[string]int64{"341221": 100}, Weekly: map[string]int64{"2026-12-07": 1}}},
		{"a new amount moves only the sums", ProjectTally(submitted), ProjectTally(bigger),
			Tally{Requested: 150, ByCounty: map[string]int64{"341221": 150}}},
		{"no change adds nothing", ProjectTally(bigger), ProjectTally(bigger), Tally{}},
	} {
		got := TallyChange(tt.before, tt.after)
		if !reflect.DeepEqual(got, tt.want) {
			t.Errorf("%s:\n got %+v\nwant %+v", tt.name, got, tt.want)
		}
		if got.Zero() != reflect.DeepEqual(tt.want, Tally{}) {
			t.Errorf("%s: Zero() = %v", tt.name, got.Zero())
		}
		sum := tt.before
		sum.Add(got, 1)
		if back := TallyChange(tt.after, sum); !back.Zero() {
			t.Errorf("%s: before + change = %+v, want after", tt.name, sum)
		}
	}
}

func TestTallyScopes(t *testing.T) {
	for _, tt := range []struct {
		code string
		want []string
	}{
		{"341221", []string{ScopeProvince, "region:341221", "city:341200", ScopeWanbei}},             // 临泉县, 阜阳市
		{"341522", []string{ScopeProvince, "region:341522", "city:341500", ScopeWanbei, ScopeDabie}}, // 霍邱县 is in both
		{"340100", []string{ScopeProvince, "region:340100", "city:340100"}},                          // 合肥市 itself
		{ProvinceCode, []string{ScopeProvince, "region:340000"}},
		{"110000", []string{ScopeProvince, "region:110000"}}, // unknown: the province's total only
	} {
		if got := TallyScopes(tt.code); !reflect.DeepEqual(got, tt.want) {
			t.Errorf("TallyScopes(%s) = %v, want %v", tt.code, got, tt.want)
		}
	}
}

func TestTallyCover(t *testing.T) {
	province := ExpandRegions([]string{ProvinceCode})
	fuyang := ExpandRegions([]string{"341200"})
	luan := ExpandRegions([]string{"341500"})
	flagged := func(codes []string, flag func(Region) bool) []string {
		var out []string
		for _, c := range codes {
			if r, _ := LookupRegion(c); flag(r) {
				out = append(out, c)
			}
		}
		return out
	}
	wanbei := func(r Region) bool { return r.Wanbei }
	dabie := func(r Region) bool { return r.Dabie }
	for _, tt := range []struct {
		name    string
		regions []string
		want    []string
	}{
		{"nil is the province", nil, []string{ScopeProvince}},
		{"every division is the province", province, []string{ScopeProvince}},
		{"the province's 皖北", flagged(province, wanbei), []string{ScopeWanbei}},
		{"the province's 大别山", flagged(province, dabie), []string{ScopeDabie}},
		{"a city", fuyang, []string{"city:341200"}},
		{"a county", []string{"341221"}, []string{"region:341221"}},
		{"六安's 皖北 is 霍邱 alone", flagged(luan, wanbei), []string{"region:341522"}},
		{"two cities and a county", append(append(append([]string{}, fuyang...), luan...), "340102"),
			[]string{"city:341200", "city:341500", "region:340102"}},
		{"nothing", []string{}, []string{}},
	} {
		if got := TallyCover(tt.regions); !reflect.DeepEqual(got, tt.want) {
			t.Errorf("%s: TallyCover = %v, want %v", tt.name, got, tt.want)
		}
	}
}
