package finzone

import (
	"context"
	"time"
)

// The store interfaces the edges depend on. Package mongodb implements them;
// every method returns *Error values with stable codes (not_found, conflict,
// unavailable) rather than driver errors.

// Page asks for one page of a list. Cursor is the Next of the previous page.
type Page struct {
	Limit  int
	Cursor string
	// Sort is a field name, prefixed with "-" for descending.
	Sort string
}

// MaxPageLimit bounds every list.
const MaxPageLimit = 100

// ProjectFilter narrows a project list. Scope fields come from the actor and
// are always applied; the rest come from the query string.
type ProjectFilter struct {
	OwnerOrgID string // set for enterprises
	// Regions, when not nil, limits the list to these division codes: the
	// caller intersects the actor's scope with any region asked for.
	Regions   []string
	Status    ProjectStatus
	Type      ProjectType
	ClusterID string
	// NeedsAttention keeps only projects whose waitlist ran dry.
	NeedsAttention bool
}

// ProductFilter narrows a product list.
type ProductFilter struct {
	// The caller (who knows the actor) sets the visibility fields: an owner
	// lists its products' head versions (OwnerOrgID, HeadOnly); coordinators
	// see those serving their scope (ScopeRegions, from ProductScopeRegions).
	OwnerOrgID   string
	HeadOnly     bool
	ScopeRegions []string
	Status       ReviewStatus
	Category     ProductCategory
	Region       string // a served region code
	Type         ProjectType
}

// OrgFilter narrows an organization list.
type OrgFilter struct {
	Kinds    []OrgKind
	Verified *bool
	Regions  []string
}

// OrgStore keeps organizations.
type OrgStore interface {
	CreateOrg(ctx context.Context, o *Organization) error
	DeleteOrg(ctx context.Context, id string) error
	Org(ctx context.Context, id string) (Organization, error)
	OrgByUSCC(ctx context.Context, uscc string) (Organization, error)
	VerifyOrg(ctx context.Context, id, by string, at time.Time) (Organization, error)
	ListOrgs(ctx context.Context, f OrgFilter, pg Page) ([]Organization, string, error)
}

// UserStore keeps users and their sessions.
type UserStore interface {
	CreateUser(ctx context.Context, u *User) error
	User(ctx context.Context, id string) (User, error)
	UserByEmail(ctx context.Context, email string) (User, error)
	CreateSession(ctx context.Context, s Session) error
	Session(ctx context.Context, tokenHash string, now time.Time) (Session, error)
	DeleteSession(ctx context.Context, tokenHash string) error
	// PurgeSessions deletes sessions expired before now (FerretDB has no TTL
	// indexes, so a periodic task does it) and says how many went.
	PurgeSessions(ctx context.Context, now time.Time) (int64, error)
}

// ClusterStore keeps the reference list of clusters.
type ClusterStore interface {
	UpsertCluster(ctx context.Context, c Cluster) error
	Cluster(ctx context.Context, id string) (Cluster, error)
	Clusters(ctx context.Context) ([]Cluster, error)
}

// ProjectStore keeps financing needs. Status changes are conditional on the
// status the caller saw, so two racing requests cannot both win.
type ProjectStore interface {
	CreateProject(ctx context.Context, p *Project) error
	Project(ctx context.Context, id string) (Project, error)
	ListProjects(ctx context.Context, f ProjectFilter, pg Page) ([]Project, string, error)
	// UpdateProject replaces the client-set fields of a project still in
	// status from.
	UpdateProject(ctx context.Context, p Project, from ProjectStatus) (Project, error)
	// SetProjectStatus moves a project from one of from to to; in another
	// status, or moved meanwhile by someone else, it is invalid_state.
	SetProjectStatus(ctx context.Context, id string, from []ProjectStatus, to ProjectStatus, at time.Time) (Project, error)
	// MoveProject is SetProjectStatus for a project the caller has just
	// read (seen): while seen is current it spares reading it again.
	MoveProject(ctx context.Context, seen Project, from []ProjectStatus, to ProjectStatus, at time.Time) (Project, error)
	DeleteProject(ctx context.Context, id string, from ProjectStatus) error
	// SetProjectAttention raises or clears the coordinators' flag.
	SetProjectAttention(ctx context.Context, id string, on bool) error
}

// ProductStore keeps product versions.
type ProductStore interface {
	// CreateProduct inserts version 1 of a new product, or a new version of an
	// existing one when p.ID is set; (ID, Version) is unique.
	CreateProduct(ctx context.Context, p *Product) error
	// Product returns the newest version.
	Product(ctx context.Context, id string) (Product, error)
	ProductVersion(ctx context.Context, id string, version int) (Product, error)
	ProductVersions(ctx context.Context, id string) ([]Product, error)
	ListProducts(ctx context.Context, f ProductFilter, pg Page) ([]Product, string, error)
	// UpdateProduct replaces the fields of a version still in one of statuses from.
	UpdateProduct(ctx context.Context, p Product, from []ReviewStatus) (Product, error)
	// SetProductReview moves one version from one status to another, with the
	// reviewer's fields when to is published or rejected. Approving a version
	// supersedes the previously published one.
	SetProductReview(ctx context.Context, p Product, from ReviewStatus) (Product, error)
	// PublishedProducts returns every live version, for the matching catalogue.
	PublishedProducts(ctx context.Context) ([]Product, error)
}

// MatchFilter narrows a match list.
type MatchFilter struct {
	InstitutionID string
	OwnerOrgID    string // enterprises: matches of their own projects
	ProjectID     string
	Regions       []string // coordinators: expanded county codes
	Stages        []Stage
	// OverdueAt, when set, keeps matches in a stage with a deadline that
	// passed before it.
	OverdueAt time.Time
}

// MatchStore keeps the pipeline: ledgers, matches and syndicates. Only
// lookups by ID are on the hot path (FerretDB scans for anything else).
type MatchStore interface {
	// Ledger returns a project's ledger; a project never filled has an empty
	// one at version 0.
	Ledger(ctx context.Context, projectID string) (Ledger, error)
	// SaveLedger writes l if the stored version is still prev, and bumps
	// l.Version; otherwise it is a conflict and the caller starts again.
	SaveLedger(ctx context.Context, l *Ledger, prev int) error
	// InsertMatches creates matches; ones that exist already are left alone.
	InsertMatches(ctx context.Context, ms []Match) error
	Match(ctx context.Context, id string) (Match, error)
	// MatchesByID returns the matches that exist among ids, in ids' order.
	MatchesByID(ctx context.Context, ids []string) ([]Match, error)
	ListMatches(ctx context.Context, f MatchFilter, pg Page) ([]Match, string, error)
	// MoveMatch applies ch if the match is still in stage from; otherwise
	// invalid_state.
	MoveMatch(ctx context.Context, id string, from Stage, ch MatchChange) (Match, error)
	SetMatchRole(ctx context.Context, id string, role MatchRole) error
	SetMatchRead(ctx context.Context, id string, read bool) error
	SetMatchRelayed(ctx context.Context, id string) error
	SetMatchReminded(ctx context.Context, id string, at time.Time) error
	// FreedMatches are declined, expired or withdrawn matches whose slot was
	// not yet refilled: the reconciler's relay work.
	FreedMatches(ctx context.Context) ([]Match, error)
	// DueMatches are matches in a stage with a deadline (the reconciler
	// re-schedules their expiry and reminders after Redis loses them).
	DueMatches(ctx context.Context) ([]Match, error)

	Syndicate(ctx context.Context, projectID string) (Syndicate, error)
	// SaveSyndicate writes s if the stored version is still prev (0: new).
	SaveSyndicate(ctx context.Context, s *Syndicate, prev int) error

	// CatalogueVersion changes whenever products or institutions change, so
	// every worker process reloads its in-memory catalogue.
	CatalogueVersion(ctx context.Context) (int64, error)
	BumpCatalogue(ctx context.Context) error
	// ProjectsInStatus lists every project in the statuses (reconciler scans).
	ProjectsInStatus(ctx context.Context, statuses []ProjectStatus) ([]Project, error)
	// VerifiedInstitutions lists institutions that may be matched.
	VerifiedInstitutions(ctx context.Context) ([]Organization, error)
	// TrackRecords summarises every institution's matches (a scan: for the
	// catalogue's periodic reload, not for requests).
	TrackRecords(ctx context.Context) (map[string]TrackRecord, error)
}

// NotificationStore keeps inboxes and webhook deliveries.
type NotificationStore interface {
	// AddNotifications stores notifications with fixed IDs; existing ones are
	// left alone, so a retried task notifies once.
	AddNotifications(ctx context.Context, ns []Notification) error
	ListNotifications(ctx context.Context, orgID string, unreadOnly bool, pg Page) ([]Notification, string, error)
	CountUnread(ctx context.Context, orgID string) (int64, error)
	MarkNotificationsRead(ctx context.Context, orgID string, ids []string) error

	SetWebhook(ctx context.Context, w Webhook) error
	Webhook(ctx context.Context, orgID string) (Webhook, error)
	// Webhooks returns the webhooks of those of orgIDs that have one, in one
	// round trip.
	Webhooks(ctx context.Context, orgIDs []string) (map[string]Webhook, error)
	AddDeliveries(ctx context.Context, ds []Delivery) error
	Delivery(ctx context.Context, id string) (Delivery, error)
	UpdateDelivery(ctx context.Context, d Delivery) error
	ListDeliveries(ctx context.Context, orgID string, pg Page) ([]Delivery, string, error)
	PendingDeliveries(ctx context.Context, now time.Time) ([]Delivery, error)
}

// Store is everything the platform keeps.
type Store interface {
	OrgStore
	UserStore
	ClusterStore
	ProjectStore
	ProductStore
	MatchStore
	NotificationStore
	Ping(ctx context.Context) error
}
