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
	"finzone/mongodb"
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

// liveDemoSystemUser acts for institutions and enterprises that have no
// demo account, as usecase.Console acts for the operator.
const liveDemoSystemUser = "livedemo"

// scenario is what happens to one project's first lender (and sometimes its
// second): how far it goes, and what else happens to it.
type scenario struct {
	name    string
	lenders int // lenders the project needs for it
	// answers: the owner answers an offer, in the walk's second pass.
	answers bool
	run     func(ctx context.Context, d *liveDemo, p finzone.Project, lenders []finzone.Match) error
}

// walkTo is a scenario walking the lead to a stage, offering share‰ of the
// amount when it gets that far.
func walkTo(name string, target walkTarget, share int64) scenario {
	return scenario{name: name, lenders: 1, answers: target > toOfferPending, run: func(ctx context.Context, d *liveDemo, p finzone.Project, ls []finzone.Match) error {
		_, err := d.walk(ctx, p, ls[0], target, share)
		return err
	}}
}

// liveScenarios are dealt out in this order: a funnel, most projects early
// in their walk, a few at each later stage, plus the pipeline's side
// roads: a paused clock, an escalation, urging, an extension, a met need.
// The demo enterprise's first projects get an offer to answer and a loan
// paid out.
var liveScenarios = []scenario{
	walkTo("offer_pending", toOfferPending, 1000),
	walkTo("disbursed", toDisbursed, 600),
	walkTo("accepted", toAccepted, 0),
	{name: "contacted", lenders: 2, run: func(ctx context.Context, d *liveDemo, p finzone.Project, ls []finzone.Match) error {
		if _, err := d.walk(ctx, p, ls[0], toContacted, 0); err != nil {
			return err
		}
		_, err := d.walk(ctx, p, ls[1], toAccepted, 0)
		return err
	}},
	walkTo("due_diligence", toDueDiligence, 0),
	{name: "credit_review", lenders: 2, run: func(ctx context.Context, d *liveDemo, p finzone.Project, ls []finzone.Match) error {
		if _, err := d.walk(ctx, p, ls[0], toCreditReview, 0); err != nil {
			return err
		}
		// A partner steps back: its slot is relayed to the next institution.
		return d.act(ctx, ls[1], finzone.StagePushed, finzone.ActionInput{Action: finzone.ActionDecline,
			ReasonCode: "outside_appetite", Note: "该项目期限超出我行本年度县域中长期贷款投放计划，建议由牵头行继续对接。"})
	}},
	{name: "paused", lenders: 1, run: func(ctx context.Context, d *liveDemo, p finzone.Project, ls []finzone.Match) error {
		m, err := d.walk(ctx, p, ls[0], toDueDiligence, 0)
		if err != nil || m.Stage != finzone.StageDueDiligence || !m.Pause.At.IsZero() {
			return err
		}
		return d.act(ctx, m, finzone.StageDueDiligence, finzone.ActionInput{Action: finzone.ActionPause,
			Note: "等待企业补充近三年审计报告及项目环评批复，资料齐全后恢复计时。"})
	}},
	{name: "escalated", lenders: 1, run: func(ctx context.Context, d *liveDemo, p finzone.Project, ls []finzone.Match) error {
		m, err := d.walk(ctx, p, ls[0], toAccepted, 0)
		if err != nil || m.Stage != finzone.StageAccepted {
			return err
		}
		// First contact through a service whose working day lasts a
		// millisecond: the credit decision falls due at once, and the
		// workers escalate it to the coordinators as they would a late one.
		_, err = d.hurried.ActOnMatch(ctx, d.institution(m), m.ID, finzone.ActionInput{Action: finzone.ActionRecordContact,
			Note: "已赴企业现场走访，了解项目建设及经营情况。"})
		return ignoreMoved(err)
	}},
	{name: "urged", lenders: 1, run: func(ctx context.Context, d *liveDemo, p finzone.Project, ls []finzone.Match) error {
		m, err := d.walk(ctx, p, ls[0], toContacted, 0)
		if err != nil || m.Stage != finzone.StageContacted || m.Urges > 0 {
			return err
		}
		_, err = d.uc.UrgeMatch(ctx, d.coordinator, m.ID, "请加快授信审查进度，本周内反馈初步意见。")
		return ignoreMoved(err)
	}},
	{name: "extended", lenders: 1, run: func(ctx context.Context, d *liveDemo, p finzone.Project, ls []finzone.Match) error {
		m, err := d.walk(ctx, p, ls[0], toAccepted, 0)
		if err != nil || m.Stage != finzone.StageAccepted || m.ExtendedIn != "" {
			return err
		}
		_, err = d.uc.ExtendMatch(ctx, d.coordinator, m.ID, usecase.ExtendInput{Days: 5,
			Note: "企业负责人出差，首次对接顺延五个工作日。"})
		return ignoreMoved(err)
	}},
	walkTo("offer_accepted", toOfferAccepted, 600),
	walkTo("contracted", toContracted, 600),
	walkTo("closed", toClosed, 500),
	// The lead offers the whole amount and the owner takes it: the workers
	// close every other lender as need_met.
	{name: "need_met", lenders: 2, answers: true, run: func(ctx context.Context, d *liveDemo, p finzone.Project, ls []finzone.Match) error {
		_, err := d.walk(ctx, p, ls[0], toOfferAccepted, 1000)
		return err
	}},
	walkTo("accepted", toAccepted, 0),
	{name: "pushed"}, {name: "pushed"}, {name: "pushed"}, {name: "pushed"},
}

// enhancerTargets are dealt out over the projects with enhancer matches.
var enhancerTargets = []finzone.Stage{finzone.StageAssessing, finzone.StageCommitted, finzone.StageIssued, finzone.StagePushed}

// enhancerProjects bounds how many projects' enhancers are walked.
const enhancerProjects = 4 * 3

// liveDemo holds the services and actors the walk uses.
type liveDemo struct {
	store *mongodb.DB
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
		pipeline := workers.NewClient(in.redisOpt, queue, in.store)
		defer pipeline.Close()
		tasks := workers.NewInspector(in.redisOpt, queue)
		defer tasks.Close()
		n, err := runLiveDemo(ctx, in.store, pipeline, tasks, deadlines, log)
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
func runLiveDemo(ctx context.Context, store *mongodb.DB, pipeline usecase.Pipeline, tasks *workers.Inspector, deadlines finzone.Deadlines, log *slog.Logger) (int, error) {
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
	var jobs []liveJob
	k, enhanced := 0, 0
	for _, p := range data.Projects {
		if k >= liveDemoCycles*len(liveScenarios) && enhanced >= enhancerProjects {
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
			return 0, err
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

func newLiveDemo(ctx context.Context, store *mongodb.DB, pipeline usecase.Pipeline, deadlines finzone.Deadlines, log *slog.Logger) (*liveDemo, error) {
	hurried := deadlines
	hurried.DayLength = time.Millisecond
	d := &liveDemo{store: store, log: log, users: map[string]finzone.User{}, orgs: map[string]finzone.Organization{},
		uc:        usecase.New(store, usecase.Config{Pipeline: pipeline, Deadlines: deadlines, Log: log}),
		hurried:   usecase.New(store, usecase.Config{Pipeline: pipeline, Deadlines: hurried, Log: log}),
		screening: usecase.New(store, usecase.Config{Pipeline: pipeline, Deadlines: deadlines, Log: log, ScreeningRegions: []string{liveDemoScreenRegion}}),
	}
	for _, a := range demoAccounts {
		u, err := store.UserByEmail(ctx, a.email)
		if finzone.IsCode(err, finzone.ECNotFound) {
			continue
		}
		if err != nil {
			return nil, err
		}
		if u.OrgID != "" {
			d.users[u.OrgID] = u
		}
		switch a.email {
		case "coordinator@demo.finzone.cn", "fuyang@demo.finzone.cn":
			org, err := d.org(ctx, u.OrgID)
			if err != nil {
				return nil, err
			}
			if a.email == "fuyang@demo.finzone.cn" {
				d.fuyang = finzone.Actor{User: u, Org: org}
			} else {
				d.coordinator = finzone.Actor{User: u, Org: org}
			}
		}
	}
	if !d.coordinator.IsCoordinator() {
		return nil, errNoDemo
	}
	return d, nil
}

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

// org reads an organization once.
func (d *liveDemo) org(ctx context.Context, id string) (finzone.Organization, error) {
	d.mu.Lock()
	o, ok := d.orgs[id]
	d.mu.Unlock()
	if ok {
		return o, nil
	}
	o, err := d.store.Org(ctx, id)
	if err != nil {
		return o, err
	}
	d.mu.Lock()
	d.orgs[id] = o
	d.mu.Unlock()
	return o, nil
}

// hasAccount is 1 for an organization with a demo account, else 0.
func (d *liveDemo) hasAccount(orgID string) int {
	if _, ok := d.users[orgID]; ok {
		return 1
	}
	return 0
}

// actor is who acts for an organization: its demo account, or the demo's
// system user.
func (d *liveDemo) actor(o finzone.Organization) finzone.Actor {
	if u, ok := d.users[o.ID]; ok {
		return finzone.Actor{User: u, Org: o}
	}
	return finzone.Actor{User: finzone.User{ID: liveDemoSystemUser, Name: "演示数据", OrgID: o.ID, Role: finzone.RoleAdmin}, Org: o}
}

// institution is the actor of a match's institution (read by split).
func (d *liveDemo) institution(m finzone.Match) finzone.Actor {
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.actor(d.orgs[m.InstitutionID])
}

// split sorts a project's matches into lenders (banks and lessors in the
// 1+10) and enhancers (guarantee firms and insurers beside them), in push
// order: a relayed slot's newcomer comes last. A guarantee firm or insurer holding a lender's slot is neither: it
// makes no loan offers.
func (d *liveDemo) split(ctx context.Context, ms []finzone.Match) (lenders, enhancers []finzone.Match) {
	for _, m := range ms {
		o, err := d.org(ctx, m.InstitutionID)
		if err != nil {
			continue
		}
		lends := o.Kind == finzone.KindBank || o.Kind == finzone.KindLeasing
		switch {
		case m.Role == finzone.RoleEnhancer && !lends:
			enhancers = append(enhancers, m)
		case m.Role.Lends() && lends:
			// Whatever their stage, so that a second run deals and walks
			// the same matches (the walk skips those that left it).
			lenders = append(lenders, m)
		}
	}
	return lenders, enhancers
}

// act takes one step on a match if it is still in the stage the step
// starts from; a match elsewhere (moved meanwhile, or by an earlier run) is
// left alone.
func (d *liveDemo) act(ctx context.Context, m finzone.Match, from finzone.Stage, in finzone.ActionInput) error {
	if m.Stage != from {
		return nil
	}
	_, err := d.uc.ActOnMatch(ctx, d.institution(m), m.ID, in)
	return ignoreMoved(err)
}

// ignoreMoved drops the refusal of a step whose match has moved on.
func ignoreMoved(err error) error {
	if finzone.IsCode(err, finzone.ECInvalidState) {
		return nil
	}
	return err
}
