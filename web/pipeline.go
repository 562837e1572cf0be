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

// The coordinator's board: every match in scope by stage, the matches
// escalated to coordinators, and the overdue list to chase.

// Board bounds: rows a stage column shows, and rows of the overdue list.
const (
	columnRows  = 25
	overdueRows = 500
)

// boardStages are the board's columns: the lenders' forward stages, the
// enhancers' own, and the side exits.
var boardStages = append(append([]finzone.Stage{}, finzone.ForwardStages...), finzone.StageAssessing, finzone.StageCommitted,
	finzone.StageIssued, finzone.StageReleased, finzone.StageDeclined, finzone.StageExpired, finzone.StageNeedMet)

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
	Capped    bool
	AsOf      time.Time
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
		Total: len(b.Matches), Capped: b.Capped, AsOf: b.AsOf}
	if !finzone.Stage(d.Stage).Valid() {
		d.Stage = "" // a stale filter the board ignored
	}
	d.Columns, d.Overdue, d.Escalated = boardRows(b.Matches, d.Stage, v.Now)
	if err := p.nameInstitutions(ctx, d); err != nil {
		return err
	}
	v.Title, v.Data = "pipeline.title", d
	return p.render(c, fiber.StatusOK, "pipeline", v)
}

// boardRows groups matches (soonest deadline first) into the stage columns,
// one stage's when stage is set, and lists the overdue and the escalated
// ones.
func boardRows(ms []finzone.Match, stage string, now time.Time) (cols []pipelineColumn, overdue, escalated []MatchRow) {
	byStage := map[finzone.Stage][]MatchRow{}
	for _, m := range ms {
		row := matchRow(m, now, nil)
		byStage[m.Stage] = append(byStage[m.Stage], row)
		if row.Overdue && len(overdue) < overdueRows {
			overdue = append(overdue, row)
		}
		if !m.EscalatedAt.IsZero() && m.Stage.Open() && len(escalated) < overdueRows {
			escalated = append(escalated, row)
		}
	}
	for _, s := range boardStages {
		if stage != "" && string(s) != stage {
			continue
		}
		col := pipelineColumn{Stage: s, Rows: byStage[s]}
		if len(col.Rows) > columnRows {
			col.More, col.Rows = len(col.Rows)-columnRows, col.Rows[:columnRows]
		}
		cols = append(cols, col)
	}
	return cols, overdue, escalated
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
