package workers

import (
	"context"
	"fmt"
	"strconv"
	"time"

	"github.com/hibiken/asynq"

	"finzone"
)

// The lending workflow's background half: notices for offers, urging,
// extensions and escalations; closing lenders once a need is met; the
// screening clock; coordinators' offices found by region.

// Task types of the lending workflow.
const (
	TypeProjectChanged = "project:changed" // screened, assigned, or sent to screening
	TypeScreenDue      = "project:screen_due"
)

// ProjectChanged reacts to a coordinator's screening or assignment, or a
// need entering screening.
func (c *Client) ProjectChanged(ctx context.Context, projectID string) error {
	return c.enqueue(ctx, newTask(TypeProjectChanged, projectPayload{projectID}))
}

func screenTaskID(projectID string, due time.Time) string {
	return fmt.Sprintf("screen:%s:%d", projectID, due.Unix())
}

// handleProjectChanged: a need waiting in screening gets its clock and the
// offices hear of it; the owner hears the screening's outcome; assigned
// institutions are pushed by a fill.
func (w *Workers) handleProjectChanged(ctx context.Context, t *asynq.Task) error {
	p, ok, err := w.taskProject(ctx, t)
	if !ok {
		return err
	}
	if p.Status == finzone.ProjectScreening && p.ScreenEscalatedAt.IsZero() && !p.ScreenDueAt.IsZero() {
		ns, err := w.officeNotices(ctx, p, p.RegionCode, finzone.NoticeScreening, len(p.Events))
		if err != nil {
			return err
		}
		if err := w.notify(ctx, ns); err != nil {
			return err
		}
		if err := w.client.enqueue(ctx, newTask(TypeScreenDue, projectPayload{p.ID}), asynq.ProcessAt(p.ScreenDueAt),
			asynq.TaskID(screenTaskID(p.ID, p.ScreenDueAt))); err != nil {
			return err
		}
	}
	if n := len(p.Events); n > 0 {
		kind := map[string]string{"screen_return": finzone.NoticeScreenReturned, "screen_pass": finzone.NoticeScreenPassed}[p.Events[n-1].Action]
		if kind != "" {
			if err := w.notify(ctx, []finzone.Notification{projectNotice(p.OwnerOrgID, kind, p, n, p.Events[n-1].Note)}); err != nil {
				return err
			}
		}
	}
	if p.Status != finzone.ProjectScreening && p.Status != finzone.ProjectDraft {
		return w.fill(ctx, p.ID) // pushes pending assignments; a no-op otherwise
	}
	return nil
}

// handleScreenDue escalates a screening not done in time to the superior
// region's office.
func (w *Workers) handleScreenDue(ctx context.Context, t *asynq.Task) error {
	p, ok, err := w.taskProject(ctx, t)
	if !ok || p.Status != finzone.ProjectScreening || !p.ScreenEscalatedAt.IsZero() {
		return err
	}
	now := w.cfg.Now()
	if now.Before(p.ScreenDueAt) {
		return w.client.enqueue(ctx, newTask(TypeScreenDue, projectPayload{p.ID}), asynq.ProcessAt(p.ScreenDueAt),
			asynq.TaskID(screenTaskID(p.ID, p.ScreenDueAt)))
	}
	moved, err := w.cfg.Store.ChangeProject(ctx, p, finzone.ProjectChange{ScreenEscalatedAt: &now,
		Event: &finzone.ProjectEvent{At: now, Actor: "system", Action: "screen_escalate"}}, now)
	if err != nil {
		return err // a conflict retries the task, which judges afresh
	}
	// The region above the first office that could screen: above the
	// county's office, or above the city's when the county has none.
	target := superior(p.RegionCode)
	if id, err := w.office(ctx, p.RegionCode); err != nil {
		return err
	} else if id == "" {
		target = superior(target)
	}
	ns, err := w.officeNotices(ctx, moved, target, finzone.NoticeScreenEscalated, len(moved.Events))
	if err != nil {
		return err
	}
	return w.notify(ctx, ns)
}

// superior is the region above a county (its city) or a city (the
// province).
func superior(code string) string {
	r, ok := finzone.LookupRegion(code)
	switch {
	case !ok || r.Kind == finzone.RegionProvince:
		return finzone.ProvinceCode
	case r.Kind == finzone.RegionCity:
		return finzone.ProvinceCode
	}
	return r.CityCode
}

// projectNotice is a notice about a project, its ID fixed by the project's
// event count so a retried task adds nothing.
func projectNotice(orgID, kind string, p finzone.Project, events int, note string) finzone.Notification {
	ps := map[string]string{finzone.NoticeTitle: p.Title}
	if note != "" {
		ps[finzone.NoticeNote] = note
	}
	return finzone.Notification{ID: finzone.StableID("notice", orgID, kind, p.ID, strconv.Itoa(events)),
		OrgID: orgID, Kind: kind, ProjectID: p.ID, Params: ps}
}

// officeNotices are a project notice to the finance offices of region and
// of every region above it that has one (county, city, province), or only
// region's when it is the escalation target.
func (w *Workers) officeNotices(ctx context.Context, p finzone.Project, region, kind string, events int) ([]finzone.Notification, error) {
	regions := []string{region}
	if kind != finzone.NoticeScreenEscalated {
		if r, ok := finzone.LookupRegion(region); ok && r.CityCode != region {
			regions = append(regions, r.CityCode)
		}
	}
	var ns []finzone.Notification
	for _, code := range regions {
		id, err := w.office(ctx, code)
		if err != nil {
			return nil, err
		}
		if id != "" {
			ns = append(ns, projectNotice(id, kind, p, events, ""))
		}
	}
	return ns, nil
}

// office is the organization ID of a region's finance office, or "" when
// nobody has set one up. Offices are few and never move: found once per
// process.
func (w *Workers) office(ctx context.Context, region string) (string, error) {
	if id, ok := w.offices.Load(region); ok {
		return id.(string), nil
	}
	uscc, ok := finzone.OfficeUSCC(region)
	if !ok {
		return "", nil
	}
	o, err := w.cfg.Store.OrgByUSCC(ctx, uscc)
	if finzone.IsCode(err, finzone.ECNotFound) {
		return "", nil // not cached: an office may be set up later
	}
	if err != nil {
		return "", err
	}
	w.offices.Store(region, o.ID)
	return o.ID, nil
}

// matchNotices are the notices a match's latest step sends besides the
// enterprise's: what a coordinator or the enterprise did reaches the
// institution.
func matchNotices(m finzone.Match, title string) []finzone.Notification {
	n := len(m.Events)
	if n == 0 {
		return nil
	}
	last := m.Events[n-1]
	kind := map[string]string{"offer_accept": finzone.NoticeOfferAccepted, "offer_decline": finzone.NoticeOfferDeclined,
		"urge": finzone.NoticeUrged, "extend": finzone.NoticeExtended, "need_met": finzone.NoticeNeedMet}[last.Action]
	if kind == "" {
		return nil
	}
	params := []string{}
	if last.Note != "" {
		params = append(params, finzone.NoticeNote, last.Note)
	}
	if !m.DueAt.IsZero() {
		params = append(params, finzone.NoticeDueAt, m.DueAt.In(chinaTime).Format("2006-01-02"))
	}
	return notice(m.InstitutionID, kind, m, title, params...)
}

var chinaTime = time.FixedZone("CST", 8*3600)

// afterOffer follows the enterprise's answers: once accepted offers meet
// the need, every other open lender closes as need_met; an accepted offer
// whose lender then left gives its room back.
func (w *Workers) afterOffer(ctx context.Context, p finzone.Project, m finzone.Match) error {
	st, now := w.cfg.Store, w.cfg.Now()
	if !m.Stage.Live() && m.Role.Lends() {
		for {
			offers, held := p.ReleaseOffer(m.ID)
			if !held {
				break
			}
			moved, err := st.ChangeProject(ctx, p, finzone.ProjectChange{Offers: &offers}, now)
			if err == nil {
				p = moved
				break
			}
			if !finzone.IsCode(err, finzone.ECConflict) {
				return err
			}
			if p, err = st.Project(ctx, p.ID); err != nil {
				return err
			}
		}
	}
	if !p.NeedMet() {
		return nil
	}
	led, byInst, err := w.projectLedger(ctx, p.ID)
	if err != nil {
		return err
	}
	booked := map[string]bool{}
	for _, o := range p.Offers {
		booked[o.MatchID] = true
	}
	for _, e := range led.Entries {
		x, ok := byInst[e.InstitutionID]
		if !ok || booked[x.ID] {
			continue // an offer booked and being marked accepted this moment stays
		}
		ch, close := x.CloseNeedMet(now)
		if !close {
			continue
		}
		moved, err := st.MoveMatch(ctx, x.ID, x.Stage, ch)
		if finzone.IsCode(err, finzone.ECInvalidState) {
			return finzone.Errorf(finzone.ECConflict, "match %s moved while closing the met need", x.ID) // retry
		}
		if err != nil {
			return err
		}
		if err := w.notify(ctx, matchNotices(moved, p.Title)); err != nil {
			return err
		}
		if err := st.SetMatchRelayed(ctx, moved.ID); err != nil {
			return err
		}
	}
	return nil
}

// escalate flags a match whose working deadline passed and tells the
// institution and the coordinators' offices; the match stays live.
func (w *Workers) escalate(ctx context.Context, m finzone.Match, ch finzone.MatchChange) error {
	moved, err := w.cfg.Store.MoveMatch(ctx, m.ID, m.Stage, ch)
	if finzone.IsCode(err, finzone.ECInvalidState) {
		return nil // the institution moved on in time
	}
	if err != nil {
		return err
	}
	p, ok, err := w.project(ctx, m.ProjectID)
	if !ok {
		return err
	}
	ns := notice(m.InstitutionID, finzone.NoticeEscalated, moved, p.Title)
	offices, err := w.officeNotices(ctx, p, p.RegionCode, finzone.NoticeEscalated, len(p.Events))
	if err != nil {
		return err
	}
	for _, o := range offices {
		ns = append(ns, notice(o.OrgID, finzone.NoticeEscalated, moved, p.Title)...)
	}
	return w.notify(ctx, ns)
}
