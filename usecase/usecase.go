// Package usecase holds every operation a user or the platform performs,
// written once: register and sign in, post and submit a project, answer a
// push, review a product, read the reports. Each operation takes the
// request's context, the acting finzone.Actor and a plain input; checks
// permission through the Actor; applies the domain's rules; writes through
// the small store interfaces declared in store.go; tells the pipeline; and
// returns domain values or a *finzone.Error.
//
// The JSON API (package api) and the pages (package web) are thin edges over
// it. It imports neither Fiber nor the MongoDB driver.
package usecase

import (
	"context"
	"log/slog"
	"sync"
	"time"

	"finzone"
	"finzone/keys"
)

// Config is what the operations need besides the store.
type Config struct {
	// Pipeline hears of submissions, withdrawals, match changes and
	// catalogue changes; nil leaves the background pipeline uninformed.
	Pipeline Pipeline
	// Checks are readiness checks besides the store's (Redis), by name.
	Checks map[string]func(ctx context.Context) error
	// Queues reads the background queues' sizes for the admin overview;
	// nil leaves them out.
	Queues func(ctx context.Context) ([]finzone.QueueStat, error)
	// Deadlines set the due time of each stage an institution enters.
	Deadlines finzone.Deadlines
	// LPR is the Loan Prime Rate offers over the LPR are priced on; zero
	// means finzone.DefaultLPR.
	LPR finzone.LPR
	// ScreeningRegions are the regions whose coordinators screen every
	// submitted need before it is pushed.
	ScreeningRegions []string
	// AllowHTTPWebhooks permits plain-http webhook URLs (tests only).
	AllowHTTPWebhooks bool
	// Keys sign page tokens and cursors and seal webhook secrets; the zero
	// Ring gets a random key that lasts as long as the process.
	Keys keys.Ring
	// Now is the clock; tests may fix it.
	Now func() time.Time
	Log *slog.Logger
}

// Service runs the operations.
type Service struct {
	users    Users
	attempts Attempts
	orgs     Orgs
	clusters Clusters
	projects Projects
	products Products
	matches  Matches
	tallies  Tallies
	notices  Notices
	privacy  Privacy
	claims   CodeClaims
	ping     func(ctx context.Context) error

	pipeline  Pipeline
	checks    map[string]func(ctx context.Context) error
	queues    func(ctx context.Context) ([]finzone.QueueStat, error)
	policy    finzone.Policy
	screening []string
	allowHTTP bool
	keys      keys.Ring
	now       func() time.Time
	log       *slog.Logger

	reports reportCache
	unread  unreadCache
	viewed  viewedCache
	auth    authCache
}

// New builds the service over a store.
func New(st Store, cfg Config) *Service {
	forgetting := authForgetting{Store: st}
	st = &forgetting
	s := &Service{users: st, attempts: st, orgs: st, clusters: st, projects: st, products: st, matches: st, tallies: st, notices: st, privacy: st, claims: st, ping: st.Ping,
		pipeline: cfg.Pipeline, checks: cfg.Checks, queues: cfg.Queues, screening: cfg.ScreeningRegions,
		policy:    finzone.Policy{Deadlines: cfg.Deadlines.WithDefaults(), LPR: cfg.LPR},
		allowHTTP: cfg.AllowHTTPWebhooks, keys: cfg.Keys, now: cfg.Now, log: cfg.Log}
	if s.keys.Empty() {
		s.keys = keys.Random()
	}
	if s.now == nil {
		s.now = time.Now
	}
	if s.log == nil {
		s.log = slog.Default()
	}
	if s.policy.LPR == (finzone.LPR{}) {
		s.policy.LPR = finzone.DefaultLPR()
	}
	s.reports.entries = map[string]cachedMatches{}
	forgetting.c = &s.auth
	return s
}

// Now is the service's clock, so edges show times as the operations see
// them.
func (s *Service) Now() time.Time { return s.now() }

// LPR is the Loan Prime Rate offers over the LPR are priced on, so an
// offer form can show what a spread adds to.
func (s *Service) LPR() finzone.LPR { return s.policy.LPR }

// tell passes a change already stored to the pipeline. Failure is only
// logged: the store holds the truth and the reconciler re-enqueues what is
// due, so a Redis outage delays work but loses none.
func (s *Service) tell(ctx context.Context, what string, call func(p Pipeline) error) {
	if s.pipeline == nil {
		return
	}
	if err := call(s.pipeline); err != nil {
		s.log.Warn("pipeline notice failed; the reconciler will catch up", "request_id", RequestID(ctx), "what", what, "err", err)
	}
}

type requestIDKey struct{}

// WithRequestID tags ctx with the request's ID for the operations' logs.
func WithRequestID(ctx context.Context, id string) context.Context {
	return context.WithValue(ctx, requestIDKey{}, id)
}

// RequestID is the request ID ctx carries, or "".
func RequestID(ctx context.Context) string {
	id, _ := ctx.Value(requestIDKey{}).(string)
	return id
}

// forbidden and hidden are the two refusals: an object the actor may see
// but not change, and one it may not know exists.
func forbidden(format string, args ...any) error {
	return finzone.Errorf(finzone.ECForbidden, format, args...)
}
func hidden(what string) error {
	return finzone.Errorf(finzone.ECNotFound, "%s hidden from actor", what)
}

// reportCache remembers the matches of a scope for a short while: the
// dashboard and the board filter them in memory, so changing a filter
// costs nothing.
type reportCache struct {
	mu      sync.Mutex
	entries map[string]cachedMatches
}

type cachedMatches struct {
	matches []finzone.Match
	at      time.Time
}
