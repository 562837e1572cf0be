package main

import (
	"context"
	"errors"
	"log/slog"
	"slices"
	"sync"
	"time"

	"finzone"
	"finzone/demo"
	"finzone/usecase"
	"finzone/workers"
)

// The living pipeline of the all-in-one demo. Once the pipeline has pushed
// the freshly loaded demo projects, a fixed share of them is walked forward
// through the use cases, by the actors who would take each step: the
// institution for its own steps, the owner for its offers, a coordinator
// for urging, extending and screening. The demo then shows every stage a
// project passes. Each step is taken only from the stage it starts from, so
// running the walk again changes nothing. It runs in the background, after
// the first fill, until its last step is taken: a start stopped in the
// middle of it finishes it on the next, and later starts leave the demo as
// it is.

// liveDemoCycles is how many times the scenarios are dealt out over the
// pushed projects, in ID order; the rest stay as the pipeline pushed them.
const liveDemoCycles = 4

// liveDemo holds the services and actors the walk uses.
type liveDemo struct {
	store platformStore
	uc    *usecase.Service
	// hurried counts a working day as a millisecond: a step through it
	// starts a deadline that has passed by the time the workers look.
	hurried *usecase.Service
	// screening makes 阜阳's office screen the needs the demo submits.
	screening   *usecase.Service
	coordinator finzone.Actor
	fuyang      finzone.Actor
	log         *slog.Logger
	// queue tells when the workers have caught up (nil: do not wait).
	queue interface {
		Stats(ctx context.Context) (finzone.QueueStat, error)
	}
	// stopAt is how far lenders walk in the current pass.
	stopAt walkTarget
	users  map[string]finzone.User // demo accounts by organization
	mu     sync.Mutex              // guards orgs: projects are walked at once
	orgs   map[string]finzone.Organization
}

// liveDemoScreenRegion is the city whose office screens the demo's
// submissions, and the regional coordinator's (fuyang@).
const liveDemoScreenRegion = "341200"

// startLiveDemo walks the demo forward in the background, if it still has
// to, once the first fill is done, so the start is not held up; wait
// cancels it if it still runs and waits for it.
func startLiveDemo(ctx context.Context, in *infra, queue string, deadlines finzone.Deadlines, log *slog.Logger) (wait func()) {
	ctx, cancel := context.WithCancel(ctx)
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		pipeline := workers.NewClient(in.redisOpt, queue)
		defer pipeline.Close()
		tasks := workers.NewInspector(in.redisOpt, queue)
		defer tasks.Close()
		n, err := runLiveDemo(ctx, in.data, pipeline, tasks, deadlines, log)
		switch {
		case ctx.Err() != nil:
			log.Info("live demo interrupted: the next start finishes it")
		case err != nil:
			log.Warn("live demo stopped", "err", err)
		case n > 0:
			log.Info("live demo: projects walked forward", "projects", n)
		}
	}()
	return func() { cancel(); wg.Wait() }
}

// runLiveDemo walks the demo forward unless it has been: it returns how
// many projects it walked.
func runLiveDemo(ctx context.Context, store platformStore, pipeline usecase.Pipeline, tasks *workers.Inspector, deadlines finzone.Deadlines, log *slog.Logger) (int, error) {
	d, err := newLiveDemo(ctx, store, pipeline, deadlines, log)
	if errors.Is(err, errNoDemo) {
		return 0, nil
	}
	if err != nil {
		return 0, err
	}
	d.queue = tasks
	data := d.data()
	if due, err := d.due(ctx, data); err != nil || !due {
		return 0, err
	}
	return d.walkAll(ctx, data)
}

// errNoDemo: the store holds no demo accounts to act for.
var errNoDemo = errors.New("no demo coordinator to act for the province")

// data is the demo data set as loaded: its projects the demo enterprises'
// own first (so their accounts see the walk), then in ID order. It is the
// same on every run, whatever has happened to the projects since.
func (d *liveDemo) data() demo.Dataset {
	data := demo.Generate(DemoSeed, demo.DefaultScale())
	slices.SortStableFunc(data.Projects, func(a, b finzone.Project) int {
		return d.hasAccount(b.OwnerOrgID) - d.hasAccount(a.OwnerOrgID)
	})
	return data
}

// due reports whether the walk is still to be taken: the store holds the
// default-scale demo data (not a larger `finzone seed --scale`), and the
// walk's last step, submitting drafts for screening, has not been taken. A
// start stopped in the middle of the walk thus finishes it on the next.
func (d *liveDemo) due(ctx context.Context, data demo.Dataset) (bool, error) {
	n := len(data.Projects)
	if _, err := d.store.Project(ctx, demo.ProjectID(n-1)); err != nil {
		return false, ignoreNotFound(err)
	}
	if _, err := d.store.Project(ctx, demo.ProjectID(n)); !finzone.IsCode(err, finzone.ECNotFound) {
		return false, err
	}
	for _, p := range screenPicks(data) {
		cur, err := d.store.Project(ctx, p.ID)
		if err != nil {
			return false, ignoreNotFound(err)
		}
		if cur.Status == finzone.ProjectDraft {
			return true, nil
		}
	}
	return false, nil
}

func ignoreNotFound(err error) error {
	if finzone.IsCode(err, finzone.ECNotFound) {
		return nil
	}
	return err
}

// walkAll waits for the pipeline's first fill of the demo projects, then
// deals the scenarios out and submits the drafts for screening; it returns
// how many projects it walked.
func (d *liveDemo) walkAll(ctx context.Context, data demo.Dataset) (int, error) {
	log := d.log
	start := time.Now()
	if err := d.waitFirstFill(ctx, 3*time.Minute); err != nil {
		return 0, err
	}
	log.Info("live demo: the first fill is done; walking the demo forward", "waited", time.Since(start).Round(time.Millisecond))
	start = time.Now()
	defer func() { log.Info("live demo: walk done", "took", time.Since(start).Round(time.Millisecond)) }()
	// Deal in order, then walk the projects a few at a time: they are
	// independent, and the store answers faster to several callers.
	jobs, err := d.deal(ctx, data)
	if err != nil {
		return 0, err
	}
	// Lenders walk up to their offers first; the owners answer once the
	// workers have taken in the offers, which they judge against the need.
	d.stopAt = toOfferPending
	d.run(ctx, jobs)
	if err := d.settle(ctx); err != nil {
		return 0, err
	}
	d.stopAt = toClosed
	var answered []liveJob
	for _, job := range jobs {
		if job.scenario.answers {
			answered = append(answered, job)
		}
	}
	d.run(ctx, answered)
	if err := ctx.Err(); err != nil {
		return 0, err
	}
	if err := d.screen(ctx, data); err != nil {
		log.Warn("live demo: screening", "err", err)
	}
	return len(jobs), nil
}

// deal deals the scenarios out over the pushed projects in order: the
// syndicate plans to the first projects that take them, the lenders'
// scenarios and the enhancers' stages to the others.
func (d *liveDemo) deal(ctx context.Context, data demo.Dataset) ([]liveJob, error) {
	var jobs []liveJob
	k, enhanced, syndicated := 0, 0, 0
	for _, p := range data.Projects {
		if k >= liveDemoCycles*len(liveScenarios) && enhanced >= enhancerProjects && syndicated >= len(synPlans) {
			break
		}
		if p.Status != finzone.ProjectSubmitted {
			continue
		}
		lenders, enhancers, err := d.matches(ctx, p.ID)
		if finzone.IsCode(err, finzone.ECNotFound) {
			continue
		}
		if err != nil {
			return nil, err
		}
		if syndicated < len(synPlans) {
			ok, err := d.syndicable(ctx, p, lenders, synPlans[syndicated])
			if err != nil {
				return nil, err
			}
			if ok {
				jobs = append(jobs, liveJob{projectID: p.ID, scenario: synScenario(synPlans[syndicated])})
				syndicated++
				continue
			}
		}
		job := liveJob{projectID: p.ID}
		if len(enhancers) > 0 && enhanced < enhancerProjects {
			job.enhancers = enhancerTargets[enhanced%len(enhancerTargets)]
			enhanced++
		}
		if len(lenders) > 0 && k < liveDemoCycles*len(liveScenarios) {
			job.scenario = liveScenarios[k%len(liveScenarios)]
			k++
		}
		if job.scenario.run != nil && len(lenders) < job.scenario.lenders {
			job.scenario = scenario{}
		}
		if job.scenario.run != nil || (job.enhancers != "" && job.enhancers != finzone.StagePushed) {
			jobs = append(jobs, job)
		}
	}
	if syndicated < len(synPlans) {
		d.log.Warn("live demo: too few projects for the syndicate plans", "walked", syndicated, "plans", len(synPlans))
	}
	return jobs, nil
}

// liveJob is what the walk does to one project: a scenario for its
// lenders, a stage for its enhancers.
type liveJob struct {
	projectID string
	scenario  scenario
	enhancers finzone.Stage
}

// run walks the jobs' projects, liveDemoWorkers at a time, each from its
// matches as they are now.
func (d *liveDemo) run(ctx context.Context, jobs []liveJob) {
	next := make(chan liveJob)
	var wg sync.WaitGroup
	for range liveDemoWorkers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for job := range next {
				d.walkProject(ctx, job)
			}
		}()
	}
	for _, job := range jobs {
		if ctx.Err() != nil {
			break
		}
		next <- job
	}
	close(next)
	wg.Wait()
}

func (d *liveDemo) walkProject(ctx context.Context, job liveJob) {
	pm, err := d.uc.ProjectMatches(ctx, d.coordinator, job.projectID)
	if err != nil {
		if ctx.Err() == nil {
			d.log.Warn("live demo: project unreadable", "project", job.projectID, "err", err)
		}
		return
	}
	lenders, enhancers := d.split(ctx, pm.Matches)
	if job.enhancers != "" {
		for _, m := range enhancers {
			if err := d.walkEnhancer(ctx, pm.Project, m, job.enhancers); err != nil && ctx.Err() == nil {
				d.log.Warn("live demo: enhancer step refused", "match", m.ID, "err", err)
			}
		}
	}
	if sc := job.scenario; sc.run != nil && len(lenders) >= sc.lenders {
		if err := sc.run(ctx, d, pm.Project, lenders); err != nil && ctx.Err() == nil {
			d.log.Warn("live demo: step refused", "project", job.projectID, "scenario", sc.name, "err", err)
		}
	}
}

// matches reads a project's matches, split.
func (d *liveDemo) matches(ctx context.Context, projectID string) (lenders, enhancers []finzone.Match, err error) {
	pm, err := d.uc.ProjectMatches(ctx, d.coordinator, projectID)
	if err != nil {
		return nil, nil, err
	}
	lenders, enhancers = d.split(ctx, pm.Matches)
	return lenders, enhancers, nil
}

// settle waits until the workers have taken every task queued so far (or
// a while has passed: the walk goes on regardless).
func (d *liveDemo) settle(ctx context.Context) error {
	if d.queue == nil {
		return nil
	}
	for deadline := time.Now().Add(30 * time.Second); time.Now().Before(deadline); {
		st, err := d.queue.Stats(ctx)
		if err == nil && st.Pending+st.Active == 0 {
			return nil
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(100 * time.Millisecond):
		}
	}
	d.log.Warn("live demo: the workers are still busy; the owners answer anyway")
	return nil
}

// liveDemoWorkers is how many projects are walked at once.
const liveDemoWorkers = 3

// waitFirstFill waits until no demo project is still waiting for its first
// push.
func (d *liveDemo) waitFirstFill(ctx context.Context, limit time.Duration) error {
	deadline := time.Now().Add(limit)
	for {
		waiting, err := d.store.ProjectsInStatus(ctx, []finzone.ProjectStatus{finzone.ProjectSubmitted})
		if err != nil {
			return err
		}
		if len(waiting) == 0 {
			return nil
		}
		if time.Now().After(deadline) {
			return errors.New("the first fill did not finish in time")
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(250 * time.Millisecond):
		}
	}
}
