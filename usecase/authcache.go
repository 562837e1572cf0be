package usecase

import (
	"context"
	"sync"
	"time"

	"finzone"
)

// A process remembers who a session token belongs to, and the
// organizations it has read, so that a request does not read the session,
// the user and the organization again (three round trips to the store).
// What it remembers holds while the store's auth generation stays where it
// was: every write that ends a session or changes a user or an
// organization moves it (mongodb.DB.AuthGeneration), whichever process made
// it. The process reads the generation again in the background once what
// it knows is authRefresh old, and before answering once it is authMaxAge
// old, so a token revoked anywhere stops working here within authMaxAge
// and one store read. Its own writes of that kind it forgets at once.
const (
	authRefresh = 250 * time.Millisecond
	authMaxAge  = 750 * time.Millisecond
	// authEntries bounds each map; past it the map starts again.
	authEntries = 10_000
)

// authCache is what a process remembers of sessions and organizations.
// Its timing is the process's own clock (time.Now), not the use cases'.
type authCache struct {
	mu         sync.Mutex
	gen        int64 // the auth generation what is remembered was read at
	checkedAt  time.Time
	refreshing bool
	sessions   map[string]cachedSession // by the token's hash
	orgs       map[string]finzone.Organization
}

// cachedSession is a token's actor while its session lasts.
type cachedSession struct {
	actor           finzone.Actor
	sessionID       string
	expires, seenAt time.Time
}

// fresh makes sure what the cache remembers is not older than authMaxAge,
// reading the generation now if it is, or in the background once it is
// authRefresh old. It returns the generation to tag what the caller reads
// from the store next (see remember).
func (s *Service) authFresh(ctx context.Context) (int64, error) {
	c := &s.auth
	c.mu.Lock()
	age := time.Since(c.checkedAt)
	gen := c.gen
	switch {
	case age < authRefresh:
		c.mu.Unlock()
		return gen, nil
	case age < authMaxAge:
		if !c.refreshing {
			c.refreshing = true
			go func() { _, _ = s.readAuthGeneration(context.WithoutCancel(ctx)) }()
		}
		c.mu.Unlock()
		return gen, nil
	}
	c.mu.Unlock()
	return s.readAuthGeneration(ctx)
}

// readAuthGeneration reads the store's generation and forgets everything
// when it moved.
func (s *Service) readAuthGeneration(ctx context.Context) (int64, error) {
	asked := time.Now()
	gen, err := s.users.AuthGeneration(ctx)
	c := &s.auth
	c.mu.Lock()
	defer c.mu.Unlock()
	c.refreshing = false
	if err != nil {
		return 0, err
	}
	if gen != c.gen || c.sessions == nil {
		c.sessions, c.orgs = map[string]cachedSession{}, map[string]finzone.Organization{}
		c.gen = gen
	}
	if asked.After(c.checkedAt) {
		c.checkedAt = asked
	}
	return gen, nil
}

// forget drops everything remembered, after this process's own write that
// moves the generation: the next request reads the store.
func (c *authCache) forget() {
	c.mu.Lock()
	c.sessions, c.orgs, c.checkedAt = nil, nil, time.Time{}
	c.mu.Unlock()
}

func (c *authCache) session(hash string) (cachedSession, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	e, ok := c.sessions[hash]
	return e, ok
}

// rememberSession keeps e, read from the store at generation gen, unless
// the generation moved meanwhile (the read may predate the change).
func (c *authCache) rememberSession(hash string, gen int64, e cachedSession) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.sessions == nil || c.gen != gen {
		return
	}
	if len(c.sessions) >= authEntries {
		c.sessions = map[string]cachedSession{}
	}
	c.sessions[hash] = e
}

// org reads an organization, from what the process remembers when it can.
func (s *Service) org(ctx context.Context, id string) (finzone.Organization, error) {
	gen, err := s.authFresh(ctx)
	if err != nil {
		return finzone.Organization{}, err
	}
	c := &s.auth
	c.mu.Lock()
	o, ok := c.orgs[id]
	c.mu.Unlock()
	if ok {
		return o, nil
	}
	if o, err = s.orgs.Org(ctx, id); err != nil {
		return o, err
	}
	c.mu.Lock()
	if c.orgs != nil && c.gen == gen {
		if len(c.orgs) >= authEntries {
			c.orgs = map[string]finzone.Organization{}
		}
		c.orgs[id] = o
	}
	c.mu.Unlock()
	return o, nil
}

// authForgetting wraps the stores' writes that move the auth generation:
// after each, this process forgets what it remembered, at once.
type authForgetting struct {
	Store
	c *authCache
}

func (f authForgetting) after(err error) error {
	f.c.forget()
	return err
}

func (f authForgetting) EndSessions(ctx context.Context, userID string, ss []finzone.Session) error {
	return f.after(f.Store.EndSessions(ctx, userID, ss))
}

func (f authForgetting) SetPassword(ctx context.Context, u finzone.User, hash string, keep []finzone.Session) error {
	return f.after(f.Store.SetPassword(ctx, u, hash, keep))
}

func (f authForgetting) DeleteOrg(ctx context.Context, id string) error {
	return f.after(f.Store.DeleteOrg(ctx, id))
}

func (f authForgetting) VerifyOrg(ctx context.Context, id, by string, at time.Time) (finzone.Organization, error) {
	o, err := f.Store.VerifyOrg(ctx, id, by, at)
	return o, f.after(err)
}

func (f authForgetting) AnonymiseUser(ctx context.Context, u finzone.User) error {
	return f.after(f.Store.AnonymiseUser(ctx, u))
}

func (f authForgetting) RevokeUserSessions(ctx context.Context, userID string) (int64, error) {
	n, err := f.Store.RevokeUserSessions(ctx, userID)
	return n, f.after(err)
}

func (f authForgetting) DetachCode(ctx context.Context, orgID, code string) (finzone.Organization, error) {
	o, err := f.Store.DetachCode(ctx, orgID, code)
	return o, f.after(err)
}

func (f authForgetting) AttachCode(ctx context.Context, orgID, code, by string, at time.Time) (finzone.Organization, error) {
	o, err := f.Store.AttachCode(ctx, orgID, code, by, at)
	return o, f.after(err)
}
