package workers

import (
	"context"
	"fmt"
	"log/slog"
	"slices"
	"sync"
	"time"

	"github.com/hibiken/asynq"

	"finzone"
	"finzone/matching"
)

// fillStatuses are the statuses in which a fill pushes a project.
var fillStatuses = []finzone.ProjectStatus{finzone.ProjectSubmitted, finzone.ProjectMatching,
	finzone.ProjectInProgress, finzone.ProjectPartiallyFunded}

type rematchPayload struct {
	Version int64 `json:"version"`
}

// rematchTaskID names the rematch of one catalogue version: every worker
// process that loads the version queues it, and one runs it.
func rematchTaskID(version int64) string { return fmt.Sprintf("rematch:%d", version) }

// rematchRetention keeps a finished rematch's task ID taken, so a process
// that loads the same version later (it polls a few seconds behind) does
// not run it again.
const rematchRetention = time.Hour

// queueRematch queues the rematch of a catalogue version this process has
// just loaded. It runs at once: a burst of catalogue writes (seed publishing
// thousands of products) queues one per version a process sees, and all but
// the last find a newer version stored and stop at one read.
func (w *Workers) queueRematch(ctx context.Context, version int64) error {
	return w.client.enqueue(ctx, newTask(TypeRematch, rematchPayload{version}), asynq.TaskID(rematchTaskID(version)),
		asynq.Retention(rematchRetention))
}

// handleRematch gives the projects left exhausted (open slots, nobody left
// to ask) the institutions that a catalogue change made eligible. It only
// queues fills: the fill pushes, and as it never asks an institution its
// ledger already holds, no one that declined or let a push expire is asked
// again.
func (w *Workers) handleRematch(ctx context.Context, t *asynq.Task) error {
	var pl rematchPayload
	if err := decodePayload(t, &pl); err != nil {
		return err
	}
	start := time.Now()
	// Moved on: the process that loads the newer version queues its
	// rematch, which sees this version's changes too.
	if stored, err := w.cfg.Store.CatalogueVersion(ctx); err != nil || stored != pl.Version {
		return err
	}
	view, err := w.cat.fresh(ctx)
	if err != nil || view.Version != pl.Version {
		return err
	}
	projects, err := w.cfg.Store.PipelineProjects(ctx, nil, fillStatuses)
	if err != nil {
		return err
	}
	scanned := time.Since(start)
	queued, err := w.rematch(ctx, view, projects)
	if err != nil {
		return err
	}
	level := slog.LevelInfo
	if len(projects) == 0 {
		level = slog.LevelDebug
	}
	w.cfg.Log.Log(ctx, level, "rematched exhausted projects", "catalogue_version", pl.Version, "exhausted", len(projects),
		"fills_queued", queued, "scan", scanned.Round(time.Millisecond), "took", time.Since(start).Round(time.Millisecond))
	return nil
}

// rematchChunk bounds the selections held at once: with the whole ranking
// kept for relay, one selection can hold hundreds of picks.
const rematchChunk = 256

// rematch queues a fill for every exhausted project to which the view
// offers a lender its ledger never tried, and says how many it queued.
// Projects the view offers nobody cost no store read; the rest one ledger
// read by _id, unless an earlier pass over the same load found every
// candidate tried (a ledger only grows, so that stays true until the
// catalogue reloads).
func (w *Workers) rematch(ctx context.Context, view catalogueView, projects []finzone.Project) (int, error) {
	queued := 0
	for lo := 0; lo < len(projects); lo += rematchChunk {
		chunk := projects[lo:min(lo+rematchChunk, len(projects))]
		sels := view.Lenders.SelectAll(chunk, w.cfg.Now())
		for i, p := range chunk {
			cands := sels[i].All()
			if len(cands) == 0 || w.tried.all(p.ID, view.Load) {
				continue
			}
			led, err := w.cfg.Store.Ledger(ctx, p.ID)
			if err != nil {
				return queued, err
			}
			if !untried(led, cands) {
				w.tried.mark(p.ID, view.Load)
				continue
			}
			if err := w.client.enqueue(ctx, newTask(TypeFill, projectPayload{p.ID}), asynq.TaskID(fillTaskID(p.ID))); err != nil {
				return queued, err
			}
			queued++
		}
	}
	return queued, nil
}

// untried reports whether a candidate is missing from the ledger.
func untried(led finzone.Ledger, cands []matching.Pick) bool {
	return slices.ContainsFunc(cands, func(pk matching.Pick) bool {
		return !slices.ContainsFunc(led.Entries, func(e finzone.LedgerEntry) bool { return e.InstitutionID == pk.InstitutionID })
	})
}

// triedAll remembers, for one catalogue load, the exhausted projects whose
// ledgers already hold every candidate, so the reconciler reads each of
// their ledgers once per load rather than on every pass.
type triedAll struct {
	mu   sync.Mutex
	load uint64
	ids  map[string]bool
}

func (t *triedAll) all(projectID string, load uint64) bool {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.load == load && t.ids[projectID]
}

func (t *triedAll) mark(projectID string, load uint64) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.load != load {
		t.load, t.ids = load, map[string]bool{}
	}
	t.ids[projectID] = true
}
