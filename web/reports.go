package web

import (
	"fmt"
	"math"
	"strconv"

	"github.com/gofiber/fiber/v2"

	"finzone/i18n"
	"finzone/server"
	"finzone/usecase"
)

// The monthly report's print view: the report's three tables on A4, the
// report's title as the document's (a browser names the saved PDF after
// it), and the downloads of the same report.

type monthlyData struct {
	Month  string // YYYY-MM
	Tables []monthlyTable
	Notes  string
	Report usecase.MonthlyReport
}

type monthlyTable struct {
	Name    string
	ID      string
	Head    []string
	Rows    [][]string
	Summary [][]string
}

// monthlyPage shows the month's report of the actor's scope.
func (p *pages) monthlyPage(c *fiber.Ctx, v *View) error {
	r, err := p.uc.MonthlyReport(c.UserContext(), server.Actor(c), usecase.MonthlyInput{Month: c.Query("month"), Lang: string(v.Lang)})
	if err != nil {
		return err
	}
	d := monthlyData{Month: r.Month.Format("2006-01"), Notes: v.T("monthly.notes"), Report: r}
	for _, t := range usecase.ReportTables {
		d.Tables = append(d.Tables, monthlyView(v, r, t))
	}
	v.TitleText, v.BareTitle, v.Data = r.Title(), true, d
	return p.render(c, fiber.StatusOK, "report_monthly", v)
}

// monthlyView lays one table out as text, formatted as the workbook's
// number formats show it.
func monthlyView(v *View, r usecase.MonthlyReport, table string) monthlyTable {
	t := monthlyTable{Name: v.T("monthly.table." + table), ID: "table-" + table,
		Head: []string{v.T("monthly.col.name"), v.T("monthly.col.region")}}
	for _, col := range usecase.MonthlyColumns {
		t.Head = append(t.Head, v.T("monthly.col."+col.Name))
	}
	line := func(name, region string, row usecase.ReportRow) []string {
		out := []string{name, region}
		for _, col := range usecase.MonthlyColumns {
			val, ok := col.Value(row)
			if !ok || col.Projects && table == usecase.TableInstitution {
				out = append(out, "")
				continue
			}
			out = append(out, reportFigure(col.Kind, val))
		}
		return out
	}
	for _, row := range r.Rows[table] {
		t.Rows = append(t.Rows, line(r.RowName(table, row), r.RowRegion(table, row), row))
	}
	for _, row := range r.Summary {
		t.Summary = append(t.Summary, line(r.RowName("", row), "", row))
	}
	return t
}

// reportFigure formats a figure as the workbook shows it.
func reportFigure(kind usecase.ColumnKind, v float64) string {
	switch kind {
	case usecase.ColMoney:
		cents := int64(math.Round(v * 100))
		return fmt.Sprintf("%s.%02d", i18n.Grouped(cents/100), cents%100)
	case usecase.ColRate:
		return strconv.FormatFloat(v*100, 'f', 1, 64) + "%"
	case usecase.ColDays:
		return strconv.FormatFloat(v, 'f', 1, 64)
	}
	return i18n.Grouped(int64(v))
}
