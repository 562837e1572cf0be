package usecase

// ColumnKind is how a report column's numbers read.
type ColumnKind int

const (
	// ColCount is a whole number.
	ColCount ColumnKind = iota
	// ColMoney is 万元 (the yuan divided by 10,000, exact to the yuan).
	ColMoney
	// ColRate is a share between 0 and 1, shown as a percent.
	ColRate
	// ColDays is a number of days, to one decimal.
	ColDays
)

// ReportColumn is one figure of the monthly report's rows.
type ReportColumn struct {
	// Name is the column's stable name (CSV in English reads it); its
	// header is the text "monthly.col.<Name>".
	Name string
	Kind ColumnKind
	// Projects marks the columns about projects, which the institution
	// table leaves blank: a project is not any one institution's.
	Projects bool
	// Summed marks a column whose rows add up to their subtotal and total;
	// rates and medians are derived from each row's own sums instead.
	Summed bool
	// Value is the row's figure; ok is false where it is undefined (a rate
	// of nothing), which reads as a blank.
	Value func(ReportRow) (v float64, ok bool)
}

func count(f func(ReportRow) int64) func(ReportRow) (float64, bool) {
	return func(r ReportRow) (float64, bool) { return float64(f(r)), true }
}

func wan(f func(ReportRow) int64) func(ReportRow) (float64, bool) {
	return func(r ReportRow) (float64, bool) { return float64(f(r)) / 10_000, true }
}

// MonthlyColumns are the report's figures, in order.
var MonthlyColumns = []ReportColumn{
	{Name: "projects", Kind: ColCount, Projects: true, Summed: true, Value: count(func(r ReportRow) int64 { return r.Projects })},
	{Name: "requested", Kind: ColMoney, Projects: true, Summed: true, Value: wan(func(r ReportRow) int64 { return r.RequestedYuan })},
	{Name: "pushes", Kind: ColCount, Summed: true, Value: count(func(r ReportRow) int64 { return r.Pushes })},
	{Name: "accepted", Kind: ColCount, Summed: true, Value: count(func(r ReportRow) int64 { return r.Accepted })},
	{Name: "accept_rate", Kind: ColRate, Value: ReportRow.AcceptRate},
	{Name: "median_accept_days", Kind: ColDays, Value: ReportRow.MedianAcceptDays},
	{Name: "offers", Kind: ColCount, Summed: true, Value: count(func(r ReportRow) int64 { return r.Offers })},
	{Name: "approved", Kind: ColMoney, Summed: true, Value: wan(func(r ReportRow) int64 { return r.ApprovedYuan })},
	{Name: "disbursed", Kind: ColMoney, Summed: true, Value: wan(func(r ReportRow) int64 { return r.DisbursedYuan })},
	{Name: "first_loans", Kind: ColCount, Summed: true, Value: count(func(r ReportRow) int64 { return r.FirstLoans })},
	{Name: "credit", Kind: ColMoney, Summed: true, Value: wan(func(r ReportRow) int64 { return r.CreditYuan })},
	{Name: "credit_share", Kind: ColRate, Value: ReportRow.CreditShare},
	{Name: "long_term", Kind: ColMoney, Summed: true, Value: wan(func(r ReportRow) int64 { return r.LongTermYuan })},
	{Name: "long_term_share", Kind: ColRate, Value: ReportRow.LongTermShare},
}
