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
	SetProjectStatus(ctx context.Context, id string, from []ProjectStatus, to ProjectStatus, at time.Time) (Project, error)
	DeleteProject(ctx context.Context, id string, from ProjectStatus) error
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

// Store is everything the platform keeps.
type Store interface {
	OrgStore
	UserStore
	ClusterStore
	ProjectStore
	ProductStore
	Ping(ctx context.Context) error
}
