package web

import (
	"context"
	"slices"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"

	"finzone"
	"finzone/server"
	"finzone/usecase"
)

// The coordinator's board: the first matches in scope of each stage and
// how many more it holds, the matches escalated to coordinators, and the
// overdue list to chase.

type pipelineData struct {
	Q, Stage string
	Stages   []finzone.Stage
	Region   string
	Regions  []Option
	Columns  []pipelineColumn
	Overdue  []MatchRow
	// Escalated are the open matches whose missed deadline was escalated
	// to coordinators: still live, waiting for a push from them.
	Escalated []MatchRow
	Total     int
	// Capped: a search by words read only the first of the scope's
	// matches (usecase.Board).
	Capped bool
	AsOf   time.Time
}

type pipelineColumn struct {
	Stage finzone.Stage
	Rows  []MatchRow
	More  int
}

// boardQuery is the page's filters as the request gives them; the CSV
// of its lists takes the same.
func boardQuery(c *fiber.Ctx) usecase.BoardQuery {
	return usecase.BoardQuery{Region: c.Query("region"), Stage: c.Query("stage"), Q: strings.TrimSpace(c.Query("q"))}
}

func (p *pages) pipelinePage(c *fiber.Ctx, v *View) error {
	ctx, a, q := c.UserContext(), server.Actor(c), boardQuery(c)
	b, err := p.uc.PipelineBoard(ctx, a, q)
	if err != nil {
		return err
	}
	d := pipelineData{Q: q.Q, Stage: q.Stage, Stages: finzone.Stages, Region: q.Region, Regions: regionOptions(a),
		Total: b.Total, Capped: b.Capped, AsOf: b.AsOf}
	if !finzone.Stage(d.Stage).Valid() {
		d.Stage = "" // a stale filter the board ignored
	}
	d.Columns, d.Overdue, d.Escalated = boardRows(b.MatchBoard, v.Now)
	if err := p.nameInstitutions(ctx, d); err != nil {
		return err
	}
	v.Title, v.Data = "pipeline.title", d
	return p.render(c, fiber.StatusOK, "pipeline", v)
}

// boardRows are the rows of the board's columns, with how many more each
// stage holds, and of its overdue and escalated lists.
func boardRows(b finzone.MatchBoard, now time.Time) (cols []pipelineColumn, overdue, escalated []MatchRow) {
	rows := func(ms []finzone.Match) []MatchRow {
		out := make([]MatchRow, len(ms))
		for i, m := range ms {
			out[i] = matchRow(m, now, nil)
		}
		return out
	}
	for _, c := range b.Columns {
		cols = append(cols, pipelineColumn{Stage: c.Stage, Rows: rows(c.Matches), More: c.Count - len(c.Matches)})
	}
	return cols, rows(b.Overdue), rows(b.Escalated)
}

// nameInstitutions names the institutions of the rows the board shows.
func (p *pages) nameInstitutions(ctx context.Context, d pipelineData) error {
	rows := [][]MatchRow{d.Overdue, d.Escalated}
	for _, col := range d.Columns {
		rows = append(rows, col.Rows)
	}
	names, err := namesOf(ctx, p.uc, slices.Concat(rows...), func(r MatchRow) string { return r.M.InstitutionID })
	if err != nil {
		return err
	}
	for _, rs := range rows {
		for i := range rs {
			rs[i].InstitutionName = orgName(names, rs[i].M.InstitutionID)
		}
	}
	return nil
}
