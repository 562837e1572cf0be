package usecase

import (
	"slices"
	"strings"
	"time"

	"finzone"
)

// The monthly report's arithmetic: pure functions from the projects and
// matches of a scope to rows by county, cluster and institution. Every
// figure is a count or a sum, so any group of rows adds up to its
// subtotal; rates and the median are derived from a row's own sums (and
// pooled samples), never averaged across rows.

// chinaTime is the zone months are counted in.
var chinaTime = time.FixedZone("CST", 8*3600)

// monthSpan is a calendar month in China time: [from, to).
type monthSpan struct{ from, to time.Time }

func spanOf(month time.Time) monthSpan {
	from := time.Date(month.Year(), month.Month(), 1, 0, 0, 0, 0, chinaTime)
	return monthSpan{from: from, to: from.AddDate(0, 1, 0)}
}

func (s monthSpan) has(t time.Time) bool { return !t.IsZero() && !t.Before(s.from) && t.Before(s.to) }

// ReportRow is one line of the monthly report: a county, a cluster, an
// institution, a subtotal or the total.
type ReportRow struct {
	// Key is the region code, cluster ID or institution ID ("" for a
	// subtotal, and for the projects in no cluster).
	Key string
	// Projects submitted in the month and the money they ask for.
	Projects, RequestedYuan int64
	// Pushes made in the month to lenders, and how many of them the lender
	// accepted (by the time of the report).
	Pushes, Accepted int64
	// Offers are lenders' approvals dated in the month.
	Offers, ApprovedYuan int64
	// DisbursedYuan is the tranches paid in the month; CreditYuan and
	// LongTermYuan are the parts of it lent on credit (信用) and for more
	// than 12 months.
	DisbursedYuan, CreditYuan, LongTermYuan int64
	// FirstLoans counts enterprises whose first disbursement on the
	// platform was paid in the month.
	FirstLoans int64
	// acceptDays are the days from push to acceptance of the accepted
	// pushes: a median is taken of the pooled samples, never of medians.
	acceptDays []float64
}

// AcceptRate is Accepted / Pushes; ok is false without pushes.
func (r ReportRow) AcceptRate() (float64, bool) { return ratio(r.Accepted, r.Pushes) }

// CreditShare is CreditYuan / DisbursedYuan; ok is false with nothing paid.
func (r ReportRow) CreditShare() (float64, bool) { return ratio(r.CreditYuan, r.DisbursedYuan) }

// LongTermShare is LongTermYuan / DisbursedYuan.
func (r ReportRow) LongTermShare() (float64, bool) { return ratio(r.LongTermYuan, r.DisbursedYuan) }

// MedianAcceptDays is the median of the days from push to acceptance.
func (r ReportRow) MedianAcceptDays() (float64, bool) {
	n := len(r.acceptDays)
	if n == 0 {
		return 0, false
	}
	d := slices.Clone(r.acceptDays)
	slices.Sort(d)
	if n%2 == 1 {
		return d[n/2], true
	}
	return (d[n/2-1] + d[n/2]) / 2, true
}

func ratio(num, den int64) (float64, bool) {
	if den == 0 {
		return 0, false
	}
	return float64(num) / float64(den), true
}

// add sums o into r.
func (r *ReportRow) add(o ReportRow) {
	r.Projects += o.Projects
	r.RequestedYuan += o.RequestedYuan
	r.Pushes += o.Pushes
	r.Accepted += o.Accepted
	r.Offers += o.Offers
	r.ApprovedYuan += o.ApprovedYuan
	r.DisbursedYuan += o.DisbursedYuan
	r.CreditYuan += o.CreditYuan
	r.LongTermYuan += o.LongTermYuan
	r.FirstLoans += o.FirstLoans
	r.acceptDays = append(r.acceptDays, o.acceptDays...)
}

// monthTally is the month's rows, by key, of the three tables.
type monthTally struct {
	counties, clusters, institutions map[string]*ReportRow
}

func (t monthTally) to(table map[string]*ReportRow, key string, o ReportRow) {
	r := table[key]
	if r == nil {
		r = &ReportRow{Key: key}
		table[key] = r
	}
	r.add(o)
}

// tallyMonth adds up the month's projects and lender matches. Projects
// count by the day they were submitted; matches by the day of each event
// (push, approval, tranche).
func tallyMonth(span monthSpan, projects []finzone.Project, matches []finzone.Match) monthTally {
	t := monthTally{counties: map[string]*ReportRow{}, clusters: map[string]*ReportRow{}, institutions: map[string]*ReportRow{}}
	for _, p := range projects {
		at := p.SubmittedAt
		if at.IsZero() {
			at = p.CreatedAt
		}
		if p.Status == finzone.ProjectDraft || !span.has(at) {
			continue
		}
		o := ReportRow{Projects: 1, RequestedYuan: p.AmountYuan}
		t.to(t.counties, p.RegionCode, o)
		t.to(t.clusters, p.ClusterID, o)
	}
	firsts := firstLoans(span, matches)
	for _, m := range matches {
		if !m.Role.Lends() {
			continue
		}
		o := matchFigures(span, m)
		o.FirstLoans = firsts[m.ID]
		if o.empty() {
			continue
		}
		t.to(t.counties, m.RegionCode, o)
		t.to(t.clusters, m.ClusterID, o)
		t.to(t.institutions, m.InstitutionID, o)
	}
	return t
}

func (r ReportRow) empty() bool {
	return r.Pushes == 0 && r.Offers == 0 && r.DisbursedYuan == 0 && r.FirstLoans == 0
}

// matchFigures is what one lender match adds to the month.
func matchFigures(span monthSpan, m finzone.Match) ReportRow {
	var o ReportRow
	if span.has(m.CreatedAt) {
		o.Pushes = 1
		if m.Reached().Order() >= finzone.StageAccepted.Order() {
			o.Accepted = 1
			if at, ok := enteredAt(m, finzone.StageAccepted); ok {
				o.acceptDays = []float64{at.Sub(m.CreatedAt).Hours() / 24}
			}
		}
	}
	if at, ok := enteredAt(m, finzone.StageApproved); ok && span.has(at) {
		o.Offers, o.ApprovedYuan = 1, m.Offer.AmountYuan
	}
	for _, tr := range m.Tranches {
		if !span.has(tr.Date) {
			continue
		}
		o.DisbursedYuan += tr.AmountYuan
		if m.Offer.GuaranteeMode == finzone.CollateralCredit {
			o.CreditYuan += tr.AmountYuan
		}
		if m.Offer.TermMonths > 12 {
			o.LongTermYuan += tr.AmountYuan
		}
	}
	return o
}

// enteredAt is when the match first entered stage.
func enteredAt(m finzone.Match, stage finzone.Stage) (time.Time, bool) {
	for _, e := range m.Events {
		if e.To == stage && e.From != stage {
			return e.At, true
		}
	}
	return time.Time{}, false
}

// firstLoans finds, for each enterprise, the match of its first tranche on
// the platform (earliest date, then lowest match ID), and counts the
// enterprises whose first tranche was paid in the month by that match.
func firstLoans(span monthSpan, matches []finzone.Match) map[string]int64 {
	type first struct {
		at    time.Time
		match string
	}
	byOwner := map[string]first{}
	for _, m := range matches {
		if !m.Role.Lends() {
			continue
		}
		for _, tr := range m.Tranches {
			f, seen := byOwner[m.OwnerOrgID]
			if !seen || tr.Date.Before(f.at) || tr.Date.Equal(f.at) && m.ID < f.match {
				byOwner[m.OwnerOrgID] = first{at: tr.Date, match: m.ID}
			}
		}
	}
	out := map[string]int64{}
	for _, f := range byOwner {
		if span.has(f.at) {
			out[f.match]++
		}
	}
	return out
}

// rowsOf lists a table's rows: one for each of keys (even when empty, so
// a report has the same lines every month) and one for any other key
// that holds figures, in the order of less.
func rowsOf(table map[string]*ReportRow, keys []string, less func(a, b string) int) []ReportRow {
	all := slices.Clone(keys)
	for k := range table {
		if !slices.Contains(keys, k) {
			all = append(all, k)
		}
	}
	slices.SortFunc(all, less)
	out := make([]ReportRow, 0, len(all))
	for _, k := range all {
		if r := table[k]; r != nil {
			out = append(out, *r)
		} else {
			out = append(out, ReportRow{Key: k})
		}
	}
	return out
}

// sumRows adds up the rows keep selects into one row with key.
func sumRows(key string, rows []ReportRow, keep func(ReportRow) bool) ReportRow {
	out := ReportRow{Key: key}
	for _, r := range rows {
		if keep(r) {
			out.add(r)
		}
	}
	return out
}

// lastEmpty orders keys with "" (no cluster) last.
func lastEmpty(a, b string) int {
	switch {
	case a == b:
		return 0
	case a == "":
		return 1
	case b == "":
		return -1
	}
	return strings.Compare(a, b)
}
