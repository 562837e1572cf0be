package web

import (
	"bufio"
	"encoding/csv"
	"log/slog"
	"slices"
	"strconv"
	"time"

	"github.com/gofiber/fiber/v2"

	"finzone"
	"finzone/server"
)

// pipelineLists are the lists the pipeline page shows, by their anchors:
// the board (every match the filters keep), the escalated and the overdue.
var pipelineLists = []string{"board", "escalated", "overdue"}

// pipelineCSV answers /pipeline.csv?region=&stage=&q=&list=: a list of the
// pipeline page as CSV, with the page's filters and every row (not only
// the rows a board column shows). An unknown list is the board. The rows
// are written as they are formatted.
func (p *pages) pipelineCSV(c *fiber.Ctx, v *View) error {
	ctx := c.UserContext()
	b, err := p.uc.PipelineList(ctx, server.Actor(c), boardQuery(c))
	if err != nil {
		return err
	}
	list := c.Query("list")
	if !slices.Contains(pipelineLists, list) {
		list = pipelineLists[0]
	}
	ms := keepList(b.Matches, list, v.Now)
	names, err := namesOf(ctx, p.uc, ms, func(m finzone.Match) string { return m.InstitutionID })
	if err != nil {
		return err
	}
	c.Set(fiber.HeaderContentType, "text/csv; charset=utf-8")
	c.Set(fiber.HeaderContentDisposition, `attachment; filename="finzone-pipeline-`+list+`-`+v.Now.In(chinaTime).Format("20060102")+`.csv"`)
	attrs := server.LogAttrs(c)
	c.Context().SetBodyStreamWriter(func(w *bufio.Writer) {
		if err := writePipelineCSV(w, v, ms, names); err != nil {
			slog.Default().Warn("pipeline csv cut short", append(attrs, "err", err)...)
		}
	})
	return nil
}

// keepList keeps the matches of one of the page's lists, in the board's
// order (soonest deadline first).
func keepList(ms []finzone.Match, list string, now time.Time) []finzone.Match {
	if list == "board" {
		return ms
	}
	var out []finzone.Match
	for _, m := range ms {
		if list == "overdue" && m.Overdue(now) || list == "escalated" && m.OpenEscalation() {
			out = append(out, m)
		}
	}
	return out
}

// writePipelineCSV writes the rows with headers in the page's language,
// after a UTF-8 byte-order mark so spreadsheet programs read the Chinese.
func writePipelineCSV(w *bufio.Writer, v *View, ms []finzone.Match, names map[string]string) error {
	if _, err := w.WriteString("\ufeff"); err != nil {
		return err
	}
	cw := csv.NewWriter(w)
	head := []string{"pipeline.csv.match_id", "pipeline.csv.project_id", "col.project", "pipeline.csv.region_code", "col.region",
		"col.institution", "col.role", "col.stage", "pipeline.csv.amount", "col.due", "pipeline.csv.overdue", "pipeline.escalated_at", "match.urges"}
	for i, k := range head {
		head[i] = v.T(k)
	}
	if err := cw.Write(head); err != nil {
		return err
	}
	when := func(t time.Time) string {
		if t.IsZero() {
			return ""
		}
		return t.In(chinaTime).Format("2006-01-02 15:04")
	}
	for _, m := range ms {
		rec := []string{m.ID, m.ProjectID, m.ProjectTitle, m.RegionCode, v.Region(m.RegionCode), orgName(names, m.InstitutionID),
			v.Enum("role", m.Role), v.Enum("stage", m.Stage), strconv.FormatInt(m.ProjectAmountYuan, 10), when(m.DueAt),
			strconv.FormatBool(m.Overdue(v.Now)), when(m.EscalatedAt), strconv.Itoa(m.Urges)}
		if err := cw.Write(rec); err != nil {
			return err
		}
	}
	cw.Flush()
	return cw.Error()
}
