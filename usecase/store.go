package usecase

import (
	"context"
	"time"

	"finzone"
)

// The store interfaces the operations write and read through, each as small
// as its users need. Package mongodb implements them; every method returns
// *finzone.Error values with stable codes (not_found, conflict, invalid_state,
// unavailable) rather than driver errors. Only lookups by ID are cheap on the
// embedded store: any other filter reads the whole collection.

// Users keeps people and their sessions. A user's document lists its
// sessions (finzone.User.Sessions); a session is valid only while listed.
type Users interface {
	CreateUser(ctx context.Context, u *finzone.User) error
	User(ctx context.Context, id string) (finzone.User, error)
	UserByEmail(ctx context.Context, email string) (finzone.User, error)
	// CreateSession stores s and lists it for its user, unlisting drop in
	// the same write.
	CreateSession(ctx context.Context, s finzone.Session, drop []finzone.Session) error
	// Session finds an unexpired session by its token's hash.
	Session(ctx context.Context, tokenHash string, now time.Time) (finzone.Session, error)
	// EndSessions signs some of a user's sessions out.
	EndSessions(ctx context.Context, userID string, ss []finzone.Session) error
	// SetPassword replaces u's password hash and its sessions with keep,
	// in one write.
	SetPassword(ctx context.Context, u finzone.User, hash string, keep []finzone.Session) error
	// TouchSession records when a listed session was last used.
	TouchSession(ctx context.Context, userID, sessionID string, at time.Time) error
	// AuthGeneration is a counter that every write ending a session or
	// changing a user or an organization moves, in any process.
	AuthGeneration(ctx context.Context) (int64, error)
}

// Attempts counts failed sign-ins per key in the fixed windows of a
// finzone.Throttle, shared by every process over the store.
type Attempts interface {
	// Failures returns key's counts in the window before window and in
	// window.
	Failures(ctx context.Context, key string, window int64) (prev, cur int64, err error)
	// AddFailure counts one failure in window; it stops counting at
	// expires.
	AddFailure(ctx context.Context, key string, window int64, expires time.Time) error
	// ClearFailures forgets key's failures in window and the one before.
	ClearFailures(ctx context.Context, key string, window int64) error
}

// Orgs keeps enterprises, institutions and coordinators' offices.
type Orgs interface {
	CreateOrg(ctx context.Context, o *finzone.Organization) error
	DeleteOrg(ctx context.Context, id string) error
	Org(ctx context.Context, id string) (finzone.Organization, error)
	OrgByUSCC(ctx context.Context, uscc string) (finzone.Organization, error)
	VerifyOrg(ctx context.Context, id, by string, at time.Time) (finzone.Organization, error)
	ListOrgs(ctx context.Context, f finzone.OrgFilter, pg finzone.Page) ([]finzone.Organization, string, error)
}

// Clusters keeps the reference list of clusters.
type Clusters interface {
	Cluster(ctx context.Context, id string) (finzone.Cluster, error)
	Clusters(ctx context.Context) ([]finzone.Cluster, error)
}

// Projects keeps financing needs. Status changes are conditional on the
// status the caller saw, so two racing requests cannot both win.
type Projects interface {
	CreateProject(ctx context.Context, p *finzone.Project) error
	Project(ctx context.Context, id string) (finzone.Project, error)
	ListProjects(ctx context.Context, f finzone.ProjectFilter, pg finzone.Page) ([]finzone.Project, string, error)
	// UpdateProject replaces the client-set fields of a project still in
	// status from.
	UpdateProject(ctx context.Context, p finzone.Project, from finzone.ProjectStatus) (finzone.Project, error)
	// SetProjectStatus moves a project from one of from to to; in another
	// status, or moved meanwhile, it is invalid_state.
	SetProjectStatus(ctx context.Context, id string, from []finzone.ProjectStatus, to finzone.ProjectStatus, at time.Time) (finzone.Project, error)
	DeleteProject(ctx context.Context, id string, from finzone.ProjectStatus) error
	// ChangeProject applies a change to the project as seen; if it changed
	// since, conflict (read again and re-judge).
	ChangeProject(ctx context.Context, seen finzone.Project, ch finzone.ProjectChange, at time.Time) (finzone.Project, error)
}

// Products keeps product versions.
type Products interface {
	// CreateProduct inserts version 1 of a new product, or a new version
	// of an existing one when p.ID is set; (ID, Version) is unique.
	CreateProduct(ctx context.Context, p *finzone.Product) error
	// Product returns the newest version.
	Product(ctx context.Context, id string) (finzone.Product, error)
	ProductVersion(ctx context.Context, id string, version int) (finzone.Product, error)
	ProductVersions(ctx context.Context, id string) ([]finzone.Product, error)
	ListProducts(ctx context.Context, f finzone.ProductFilter, pg finzone.Page) ([]finzone.Product, string, error)
	// UpdateProduct replaces a version still in one of statuses from.
	UpdateProduct(ctx context.Context, p finzone.Product, from []finzone.ReviewStatus) (finzone.Product, error)
	// SetProductReview moves one version from one status to another;
	// approving supersedes the previously published version.
	SetProductReview(ctx context.Context, p finzone.Product, from finzone.ReviewStatus) (finzone.Product, error)
}

// Matches keeps the pipeline as users see it: ledgers, matches, syndicates.
// The workers write ledgers and create matches; users move them.
type Matches interface {
	// Ledger returns a project's ledger; a project never filled has an
	// empty one at version 0.
	Ledger(ctx context.Context, projectID string) (finzone.Ledger, error)
	Match(ctx context.Context, id string) (finzone.Match, error)
	// MatchesByID returns the matches that exist among ids, in ids' order.
	MatchesByID(ctx context.Context, ids []string) ([]finzone.Match, error)
	ListMatches(ctx context.Context, f finzone.MatchFilter, pg finzone.Page) ([]finzone.Match, string, error)
	// PipelineBoard reads a coordinator's board: only the matches it
	// shows, and its counts.
	PipelineBoard(ctx context.Context, f finzone.BoardFilter) (finzone.MatchBoard, error)
	// MoveMatch applies ch if the match is still in stage from; otherwise
	// invalid_state.
	MoveMatch(ctx context.Context, id string, from finzone.Stage, ch finzone.MatchChange) (finzone.Match, error)
	SetMatchRead(ctx context.Context, id string, read bool) error
	Syndicate(ctx context.Context, projectID string) (finzone.Syndicate, error)
	// SaveSyndicate writes s if the stored version is still prev.
	SaveSyndicate(ctx context.Context, s *finzone.Syndicate, prev int) error
	ListSyndicates(ctx context.Context, f finzone.SyndicateFilter, pg finzone.Page) ([]finzone.Syndicate, string, error)
}

// Tallies reads the dashboards' counters: each scope's finzone.Tally,
// which the store keeps as it writes projects and matches.
type Tallies interface {
	// Tally sums the tallies of scopes (finzone.TallyCover) and lists up
	// to limit of their projects needing attention, newest first, with
	// only the fields a list shows: ID, title, region, amount, status,
	// created and submitted.
	Tally(ctx context.Context, scopes []string, limit int) (finzone.Tally, []finzone.Project, error)
}

// Notices keeps inboxes, webhooks and their delivery logs.
type Notices interface {
	ListNotifications(ctx context.Context, orgID string, unreadOnly bool, pg finzone.Page) ([]finzone.Notification, string, error)
	CountUnread(ctx context.Context, orgID string) (int64, error)
	MarkNotificationsRead(ctx context.Context, orgID string, ids []string) error
	SetWebhook(ctx context.Context, w finzone.Webhook) error
	Webhook(ctx context.Context, orgID string) (finzone.Webhook, error)
	// SealPlaintextWebhookSecrets replaces every webhook secret stored in
	// plaintext (before secrets were sealed) by what seal makes of it, and
	// says how many it replaced.
	SealPlaintextWebhookSecrets(ctx context.Context, seal func(plain string) (sealed []byte, hint string)) (int, error)
	ListDeliveries(ctx context.Context, orgID string, pg finzone.Page) ([]finzone.Delivery, string, error)
}

// Store is all of the above and a health check: what cmd/finzone wires in.
type Store interface {
	Users
	Attempts
	Orgs
	Clusters
	Projects
	Products
	Matches
	Tallies
	Notices
	Privacy
	CodeClaims
	Ping(ctx context.Context) error
}

// Pipeline is how the operations tell the background pipeline that
// something happened. The store has already recorded the change; a lost
// notice is made good by the reconciler, so failures are only logged.
type Pipeline interface {
	ProjectSubmitted(ctx context.Context, projectID string) error
	ProjectWithdrawn(ctx context.Context, projectID string) error
	MatchChanged(ctx context.Context, matchID string) error
	// SyndicateChanged: a syndicate was written at version.
	SyndicateChanged(ctx context.Context, projectID string, version int) error
	// ProjectChanged: a coordinator screened or assigned, or the project
	// entered screening.
	ProjectChanged(ctx context.Context, projectID string) error
}
