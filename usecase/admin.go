package usecase

import (
	"context"
	"maps"
	"slices"
	"time"

	"finzone"
)

// checkTimeout bounds each readiness check, so one slow dependency does not
// make the others look down.
const checkTimeout = 2 * time.Second

// Health runs the readiness checks at once, the store's ("mongodb") and the
// configured ones, each with its own deadline; nil errors are healthy.
func (s *Service) Health(ctx context.Context) map[string]error {
	checks := map[string]func(context.Context) error{"mongodb": s.ping}
	maps.Copy(checks, s.checks)
	type result struct {
		name string
		err  error
	}
	results := make(chan result, len(checks))
	for name, check := range checks {
		go func() {
			cctx, cancel := context.WithTimeout(ctx, checkTimeout)
			defer cancel()
			results <- result{name, check(cctx)}
		}()
	}
	out := make(map[string]error, len(checks))
	for range checks {
		r := <-results
		out[r.name] = r.err
		if r.err != nil {
			s.log.Warn("readiness check failed", "check", r.name, "err", r.err)
		}
	}
	return out
}

// Overview is the platform admin's page: dependency health, the background
// queues, the holiday calendar, the coordinators' offices and the
// institutions.
type Overview struct {
	Health      map[string]error
	HealthNames []string // sorted
	// HasQueues is set when the platform can read its queues; QueuesDown
	// when reading them failed.
	HasQueues  bool
	QueuesDown bool
	Queues     []finzone.QueueStat
	// CalendarYears are the years the deadlines' holiday calendar covers;
	// CalendarMissing, when not 0, is this year or next if the calendar
	// lacks it: deadlines in it count weekends only.
	CalendarYears   []int
	CalendarMissing int
	Coordinators    []finzone.Organization
	Institutions    []finzone.Organization
	// More is set when there are more institutions than one page shows.
	More bool
}

// AdminOverview reads the platform admin's overview.
func (s *Service) AdminOverview(ctx context.Context, a finzone.Actor) (Overview, error) {
	if !a.IsPlatformAdmin() {
		return Overview{}, forbidden("platform admins only")
	}
	o := Overview{Health: s.Health(ctx)}
	o.HealthNames = slices.Sorted(maps.Keys(o.Health))
	if s.queues != nil {
		o.HasQueues = true
		qctx, cancel := context.WithTimeout(ctx, checkTimeout)
		qs, err := s.queues(qctx)
		cancel()
		if err != nil {
			s.log.Warn("queue stats", "request_id", RequestID(ctx), "err", err)
			o.QueuesDown = true
		}
		o.Queues = qs
	}
	cal := s.policy.Deadlines.WorkingCalendar()
	o.CalendarYears = cal.Years()
	if y, ok := cal.Uncovered(s.now(), 1); ok {
		o.CalendarMissing = y
	}
	var err error
	page := finzone.Page{Limit: finzone.MaxPageLimit}
	if o.Coordinators, _, err = s.orgs.ListOrgs(ctx, finzone.OrgFilter{Kinds: []finzone.OrgKind{finzone.KindCoordinator}}, page); err != nil {
		return Overview{}, err
	}
	var next string
	if o.Institutions, next, err = s.orgs.ListOrgs(ctx, finzone.OrgFilter{Kinds: InstitutionKinds}, page); err != nil {
		return Overview{}, err
	}
	o.More = next != ""
	return o, nil
}
