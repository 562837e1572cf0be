package finzone

import "time"

// The vocabulary of store queries: pages and filters. The store interfaces
// themselves belong to their consumers (usecase/store.go, workers.Store);
// package mongodb implements them.

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

// SyndicateFilter narrows a syndicate list; the caller sets what the actor
// may see (Regions for coordinators, MemberID for a bank, OwnerOrgID for an
// enterprise).
type SyndicateFilter struct {
	Regions    []string
	State      SyndicateState
	MemberID   string
	OwnerOrgID string
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
