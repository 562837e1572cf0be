package usecase

import (
	"context"
	"sync"
	"time"

	"finzone"
)

// Privacy keeps what the privacy operations need besides the other stores:
// projects' view logs, an organization's users, and an account's deletion.
type Privacy interface {
	// ProjectViews is a project's view log; an empty one at version 0 when
	// nobody viewed it.
	ProjectViews(ctx context.Context, projectID string) (finzone.ViewLog, error)
	// SaveProjectViews writes l if the stored version is still prev;
	// conflict otherwise.
	SaveProjectViews(ctx context.Context, l *finzone.ViewLog, prev int) error
	// UsersOfOrg scans for an organization's users (exports only).
	UsersOfOrg(ctx context.Context, orgID string) ([]finzone.User, error)
	AnonymiseUser(ctx context.Context, u finzone.User) error
	RevokeUserSessions(ctx context.Context, userID string) (int64, error)
}

// viewTimeout bounds the recording of a view: a slow store delays the read
// it belongs to by at most this much, and the view is then only logged.
const viewTimeout = time.Second

// viewRetries is how often recording a view retries after losing a race
// with another reader's.
const viewRetries = 3

// viewedCacheSize bounds the visits a process remembers.
const viewedCacheSize = 10_000

// viewedCache remembers the visits this process recorded (project and user
// to the visit's start), so repeated reads within finzone.ViewWindow cost
// no store round trip at all.
type viewedCache struct {
	mu   sync.Mutex
	seen map[string]time.Time
}

func (c *viewedCache) fresh(key string, now time.Time) bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	at, ok := c.seen[key]
	return ok && now.Sub(at) < finzone.ViewWindow && !now.Before(at)
}

func (c *viewedCache) remember(key string, at time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.seen == nil || len(c.seen) >= viewedCacheSize {
		c.seen = map[string]time.Time{} // forgetting only costs a read of the log
	}
	c.seen[key] = at
}

// ReadProject is Project as a reader opens its details: a read by an
// institution, a coordinator or a platform admin is recorded in the
// project's view log.
func (s *Service) ReadProject(ctx context.Context, a finzone.Actor, id string) (finzone.Project, error) {
	p, err := s.Project(ctx, a, id)
	if err != nil {
		return p, err
	}
	s.recordView(ctx, a, p)
	return p, nil
}

// recordView logs a's reading of p's details. It never fails the read: a
// failure is logged. The project's enterprise is not logged.
func (s *Service) recordView(ctx context.Context, a finzone.Actor, p finzone.Project) {
	v, ok := finzone.ViewOf(a, p, s.now().UTC())
	if !ok {
		return
	}
	key := p.ID + "/" + v.UserID
	if s.viewed.fresh(key, v.At) {
		return
	}
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), viewTimeout)
	defer cancel()
	at, err := s.saveView(ctx, p.ID, v)
	if err != nil {
		s.log.Error("record project view", "request_id", RequestID(ctx), "project_id", p.ID, "user_id", v.UserID, "err", err)
		return
	}
	s.viewed.remember(key, at)
}

// saveView adds v to the project's log unless it continues a visit there,
// retrying when another write won the race; it returns when the visit
// began.
func (s *Service) saveView(ctx context.Context, projectID string, v finzone.ProjectView) (time.Time, error) {
	for attempt := 0; ; attempt++ {
		l, err := s.privacy.ProjectViews(ctx, projectID)
		if err != nil {
			return time.Time{}, err
		}
		prev := l.Version
		if !l.Record(v) {
			return visitStart(l, v.UserID), nil
		}
		err = s.privacy.SaveProjectViews(ctx, &l, prev)
		if finzone.IsCode(err, finzone.ECConflict) && attempt < viewRetries {
			continue
		}
		return v.At, err
	}
}

// visitStart is when userID's latest visit in the log began (newest first).
func visitStart(l finzone.ViewLog, userID string) time.Time {
	for _, v := range l.Views {
		if v.UserID == userID {
			return v.At
		}
	}
	return time.Time{}
}

// ProjectViews is who viewed a project ("谁查看了我的项目"), for its own
// enterprise only: coordinators and institutions who may see the project
// are refused, others do not learn it exists.
func (s *Service) ProjectViews(ctx context.Context, a finzone.Actor, projectID string) (finzone.ViewLog, error) {
	p, err := s.Project(ctx, a, projectID)
	if err != nil {
		return finzone.ViewLog{}, err
	}
	if !a.CanChangeProject(p) {
		return finzone.ViewLog{}, forbidden("only the project's enterprise reads who viewed it")
	}
	return s.privacy.ProjectViews(ctx, p.ID)
}
