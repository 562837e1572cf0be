package api

import (
	"bufio"
	"encoding/csv"
	"fmt"
	"io"
	"log/slog"
	"strconv"

	"github.com/gofiber/fiber/v2"

	"finzone/i18n"
	"finzone/server"
	"finzone/usecase"
)

// Content types of the monthly report's downloads.
const (
	mimeXLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
	mimeCSV  = "text/csv; charset=utf-8"
)

// monthlyReport answers GET /api/v1/reports/monthly?month=&format=&lang=:
// the month's report of the caller's scope as an xlsx workbook (a sheet per
// table) or one CSV. Headers are in lang, else the request's language.
// The body is written as it is made, after the figures are read: a
// failure then can only cut the download short, and is logged.
func (h handler) monthlyReport(c *fiber.Ctx) error {
	in := usecase.MonthlyInput{Month: c.Query("month"), Format: c.Query("format"), Lang: c.Query("lang")}
	if in.Lang == "" {
		in.Lang = string(server.Lang(c))
	}
	r, err := h.uc.MonthlyReport(c.UserContext(), server.Actor(c), in)
	if err != nil {
		return err
	}
	write, mime := writeMonthlyXLSX, mimeXLSX
	if r.Format == "csv" {
		write, mime = writeMonthlyCSV, mimeCSV
	}
	c.Set(fiber.HeaderContentType, mime)
	c.Set(fiber.HeaderContentDisposition, fmt.Sprintf(`attachment; filename="%s.%s"`, r.FileName(), r.Format))
	attrs := server.LogAttrs(c)
	c.Context().SetBodyStreamWriter(func(w *bufio.Writer) {
		if err := write(w, r); err != nil {
			slog.Warn("monthly report cut short", append(attrs, "err", err)...)
		}
	})
	return nil
}

// csvSummary is the table column of the CSV's subtotals and total. The
// column holds stable English words whatever the headers' language, so a
// program can split the file.
const csvSummary = "summary"

// writeMonthlyCSV writes the report as one CSV: a column naming the table
// (county, cluster, institution), each table's rows in turn, then the
// subtotals and the total once (table "summary"). A UTF-8 byte-order mark
// leads, so spreadsheet programs read the Chinese as UTF-8.
func writeMonthlyCSV(w io.Writer, r usecase.MonthlyReport) error {
	if _, err := io.WriteString(w, "\ufeff"); err != nil {
		return err
	}
	cw := csv.NewWriter(w)
	head := []string{i18n.T(r.Lang, "monthly.col.table"), "key", i18n.T(r.Lang, "monthly.col.name"), i18n.T(r.Lang, "monthly.col.region")}
	for _, col := range usecase.MonthlyColumns {
		head = append(head, i18n.T(r.Lang, i18n.Key("monthly.col."+col.Name)))
	}
	if err := cw.Write(head); err != nil {
		return err
	}
	line := func(table, name string, row usecase.ReportRow, region string) error {
		rec := []string{table, row.Key, name, region}
		for _, col := range usecase.MonthlyColumns {
			v, ok := col.Value(row)
			if !ok || col.Projects && table == usecase.TableInstitution {
				rec = append(rec, "")
				continue
			}
			rec = append(rec, strconv.FormatFloat(v, 'f', -1, 64))
		}
		return cw.Write(rec)
	}
	for _, t := range usecase.ReportTables {
		for _, row := range r.Rows[t] {
			if err := line(t, r.RowName(t, row), row, r.RowRegion(t, row)); err != nil {
				return err
			}
		}
	}
	for _, row := range r.Summary {
		if err := line(csvSummary, r.RowName(csvSummary, row), row, ""); err != nil {
			return err
		}
	}
	cw.Flush()
	return cw.Error()
}
