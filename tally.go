package finzone

import "time"

// Tally is what projects and matches add to a scope's dashboard: the
// totals a coordinator's view shows, kept as counters rather than counted
// by reading every project and match. Every field is a sum, so the tally
// of a scope is the sum of its objects' tallies, and a change adds
// TallyChange(before, after): one function serves a creation (before is
// the zero Tally), every move, and a deletion (after is zero).
type Tally struct {
	// Projects counts the submitted projects (every status but draft);
	// Requested sums what they ask for.
	Projects  int64
	Requested int64
	// ByStatus counts every project, drafts included, by status.
	ByStatus map[ProjectStatus]int64
	// ByCounty and ByCluster sum the submitted projects' amounts by region
	// code and by cluster.
	ByCounty  map[string]int64
	ByCluster map[string]int64
	// Weekly counts submitted projects by the week (WeekKey) they were
	// submitted in, or created in when never submitted.
	Weekly map[string]int64
	// Attention counts the projects flagged for coordinators' help.
	Attention int64

	// Matches counts every match; Pushed the lenders' (enhancers count in
	// Enhancers instead), and AcceptedPushes those that got to accepted.
	Matches        int64
	Pushed         int64
	AcceptedPushes int64
	// Approved sums live offers; Accepted those the enterprise accepted;
	// Disbursed the tranches paid.
	Approved, Accepted, Disbursed int64
	// Enhancers counts guarantee and insurance matches, Cover the cover
	// the live ones committed.
	Enhancers, Cover int64
	// Escalated counts open matches escalated for a missed deadline.
	Escalated int64
	// Reached counts the lenders' matches that got at least as far as each
	// forward stage; ByStage counts every match by its stage now.
	Reached map[Stage]int64
	ByStage map[Stage]int64
	// MatchWeekly counts matches by the week (WeekKey) they were created.
	MatchWeekly map[string]int64
	// Institutions are each lender's pushes and answers.
	Institutions map[string]InstitutionTally
	// Answers counts the pushes answered (accepted or declined) with the
	// time the answer took; AnswerSeconds sums those times.
	Answers, AnswerSeconds int64
}

// InstitutionTally is how an institution answered its pushes.
type InstitutionTally struct{ Pushed, Answered int64 }

// StartOfWeek is Monday 00:00 China time of t's week.
func StartOfWeek(t time.Time) time.Time {
	t = t.In(chinaTime)
	day := time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, chinaTime)
	return day.AddDate(0, 0, -((int(day.Weekday()) + 6) % 7))
}

// WeekKey names t's week by its Monday, China time: "2026-11-30".
func WeekKey(t time.Time) string { return StartOfWeek(t).Format(time.DateOnly) }

// ProjectTally is what one project adds to its scope's tally.
func ProjectTally(p Project) Tally {
	t := Tally{ByStatus: map[ProjectStatus]int64{p.Status: 1}}
	if p.NeedsAttention {
		t.Attention = 1
	}
	if p.Status == ProjectDraft {
		return t
	}
	t.Projects, t.Requested = 1, p.AmountYuan
	t.ByCounty = map[string]int64{p.RegionCode: p.AmountYuan}
	if p.ClusterID != "" {
		t.ByCluster = map[string]int64{p.ClusterID: p.AmountYuan}
	}
	at := p.SubmittedAt
	if at.IsZero() {
		at = p.CreatedAt
	}
	t.Weekly = map[string]int64{WeekKey(at): 1}
	return t
}

// MatchTally is what one match adds to its scope's tally.
func MatchTally(m Match) Tally {
	t := Tally{Matches: 1, ByStage: map[Stage]int64{m.Stage: 1}, MatchWeekly: map[string]int64{WeekKey(m.CreatedAt): 1}}
	if !m.EscalatedAt.IsZero() && m.Stage.Open() {
		t.Escalated = 1
	}
	if !m.Role.Lends() {
		t.Enhancers = 1
		if m.Stage.Live() {
			t.Cover = m.Cover.CoverYuan
		}
		return t
	}
	t.Pushed = 1
	top := m.Reached().Order()
	t.Reached = map[Stage]int64{}
	for _, s := range ForwardStages[:top+1] {
		t.Reached[s] = 1
	}
	if top >= StageAccepted.Order() {
		t.AcceptedPushes = 1
	}
	if top >= StageApproved.Order() && m.Stage.Live() {
		t.Approved = m.Offer.AmountYuan
		if m.Offer.Status == OfferAccepted {
			t.Accepted = m.Offer.AmountYuan
		}
	}
	t.Disbursed = m.DisbursedYuan()
	answered := top > StagePushed.Order() || m.Stage == StageDeclined
	it := InstitutionTally{Pushed: 1}
	if answered {
		it.Answered = 1
	}
	t.Institutions = map[string]InstitutionTally{m.InstitutionID: it}
	// Times as the store keeps them, to the millisecond, so a count made
	// when the match is written equals one made from the stored match.
	created := m.CreatedAt.Truncate(time.Millisecond)
	if at, ok := m.answeredAt(); ok && answered && !at.Before(created) {
		t.Answers, t.AnswerSeconds = 1, int64(at.Truncate(time.Millisecond).Sub(created)/time.Second)
	}
	return t
}

// answeredAt is when the institution first answered the push: its first
// step out of pushed that was its own (not an expiry, a withdrawal or the
// need met).
func (m Match) answeredAt() (time.Time, bool) {
	for _, e := range m.Events {
		if e.From == StagePushed && (e.To == StageDeclined || e.To.Order() > StagePushed.Order()) {
			return e.At, true
		}
	}
	return time.Time{}, false
}

// TallyChange is what a change from before to after adds to a tally.
func TallyChange(before, after Tally) Tally {
	var out Tally
	out.Add(after, 1)
	out.Add(before, -1)
	return out
}

// Add adds u times sign (1 or -1) to t, dropping the entries that come to
// zero, so equal totals are equal values.
func (t *Tally) Add(u Tally, sign int64) {
	t.Projects += sign * u.Projects
	t.Requested += sign * u.Requested
	t.Attention += sign * u.Attention
	t.Matches += sign * u.Matches
	t.Pushed += sign * u.Pushed
	t.AcceptedPushes += sign * u.AcceptedPushes
	t.Approved += sign * u.Approved
	t.Accepted += sign * u.Accepted
	t.Disbursed += sign * u.Disbursed
	t.Enhancers += sign * u.Enhancers
	t.Cover += sign * u.Cover
	t.Escalated += sign * u.Escalated
	t.Answers += sign * u.Answers
	t.AnswerSeconds += sign * u.AnswerSeconds
	t.ByStatus = addCounts(t.ByStatus, u.ByStatus, sign)
	t.ByCounty = addCounts(t.ByCounty, u.ByCounty, sign)
	t.ByCluster = addCounts(t.ByCluster, u.ByCluster, sign)
	t.Weekly = addCounts(t.Weekly, u.Weekly, sign)
	t.Reached = addCounts(t.Reached, u.Reached, sign)
	t.ByStage = addCounts(t.ByStage, u.ByStage, sign)
	t.MatchWeekly = addCounts(t.MatchWeekly, u.MatchWeekly, sign)
	for id, v := range u.Institutions {
		if t.Institutions == nil {
			t.Institutions = map[string]InstitutionTally{}
		}
		w := t.Institutions[id]
		w.Pushed += sign * v.Pushed
		w.Answered += sign * v.Answered
		if w == (InstitutionTally{}) {
			delete(t.Institutions, id)
			continue
		}
		t.Institutions[id] = w
	}
	if len(t.Institutions) == 0 {
		t.Institutions = nil
	}
}

// Zero reports whether the tally adds nothing.
func (t Tally) Zero() bool {
	z := Tally{}
	z.Add(t, 1)
	return z.Projects == 0 && z.Requested == 0 && z.Attention == 0 && z.Matches == 0 && z.Pushed == 0 &&
		z.AcceptedPushes == 0 && z.Approved == 0 && z.Accepted == 0 && z.Disbursed == 0 && z.Enhancers == 0 &&
		z.Cover == 0 && z.Escalated == 0 && z.Answers == 0 && z.AnswerSeconds == 0 && len(z.ByStatus) == 0 &&
		len(z.ByCounty) == 0 && len(z.ByCluster) == 0 && len(z.Weekly) == 0 && len(z.Reached) == 0 &&
		len(z.ByStage) == 0 && len(z.MatchWeekly) == 0 && len(z.Institutions) == 0
}

// addCounts adds from times sign into to, dropping zeros; an empty map is
// nil, so equal counts are equal values.
func addCounts[K comparable](to, from map[K]int64, sign int64) map[K]int64 {
	for k, v := range from {
		if to == nil {
			to = map[K]int64{}
		}
		if to[k] += sign * v; to[k] == 0 {
			delete(to, k)
		}
	}
	if len(to) == 0 {
		return nil
	}
	return to
}
