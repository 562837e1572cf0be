package workers

import (
	"context"
	"time"

	"finzone"
)

// Store is what the workers need from the store (package mongodb's DB).
// Every method returns *finzone.Error values with stable codes (not_found,
// conflict, invalid_state, unavailable) rather than driver errors. Only
// lookups by ID are on the hot path: the embedded store scans for anything
// else.
type Store interface {
	// Project returns a project; not_found if there is none.
	Project(ctx context.Context, id string) (finzone.Project, error)
	// SetProjectStatus moves a project from one of from to to; in another
	// status, or moved meanwhile by someone else, it is invalid_state.
	SetProjectStatus(ctx context.Context, id string, from []finzone.ProjectStatus, to finzone.ProjectStatus, at time.Time) (finzone.Project, error)
	// MoveProject is SetProjectStatus for a project the caller has just
	// read (seen): while seen is current it spares reading it again.
	MoveProject(ctx context.Context, seen finzone.Project, from []finzone.ProjectStatus, to finzone.ProjectStatus, at time.Time) (finzone.Project, error)
	// SetProjectExhausted records a fill's finding: exhausted, and whether
	// coordinators are asked to help.
	SetProjectExhausted(ctx context.Context, id string, exhausted, attention bool) error
	// ChangeProject applies a change to the project as seen (conflict if
	// it changed since).
	ChangeProject(ctx context.Context, seen finzone.Project, ch finzone.ProjectChange, at time.Time) (finzone.Project, error)
	// Product is a product's newest version.
	Product(ctx context.Context, id string) (finzone.Product, error)
	// Org finds an organization by ID (a need's owner, for the verification
	// gate).
	Org(ctx context.Context, id string) (finzone.Organization, error)
	// OrgByUSCC finds an organization by credit code (coordinators' offices).
	OrgByUSCC(ctx context.Context, uscc string) (finzone.Organization, error)
	// PipelineProjects lists the projects in any of statuses and the
	// exhausted ones (NeedsAttention) in any of exhaustedIn, with only the
	// fields matching reads (a scan: for the reconciler and re-matching).
	PipelineProjects(ctx context.Context, statuses, exhaustedIn []finzone.ProjectStatus) ([]finzone.Project, error)

	// Ledger returns a project's ledger; a project never filled has an empty
	// one at version 0.
	Ledger(ctx context.Context, projectID string) (finzone.Ledger, error)
	// SaveLedger writes l if the stored version is still prev, and bumps
	// l.Version; otherwise it is a conflict and the caller starts again.
	SaveLedger(ctx context.Context, l *finzone.Ledger, prev int) error

	// InsertMatches creates matches; ones that exist already are left alone.
	InsertMatches(ctx context.Context, ms []finzone.Match) error
	Match(ctx context.Context, id string) (finzone.Match, error)
	// MatchesByID returns the matches that exist among ids, in ids' order.
	MatchesByID(ctx context.Context, ids []string) ([]finzone.Match, error)
	// MoveMatch applies ch if the match is still in stage from; otherwise
	// invalid_state.
	MoveMatch(ctx context.Context, id string, from finzone.Stage, ch finzone.MatchChange) (finzone.Match, error)
	SetMatchRole(ctx context.Context, id string, role finzone.MatchRole) error
	SetMatchRelayed(ctx context.Context, id string) error
	SetMatchReminded(ctx context.Context, id string, at time.Time) error
	// FreedMatches are declined, expired or withdrawn matches whose slot was
	// not yet refilled: the reconciler's relay work.
	FreedMatches(ctx context.Context) ([]finzone.Match, error)
	// DueMatches are matches in a stage with a deadline (the reconciler
	// re-schedules their expiry and reminders after Redis loses them).
	DueMatches(ctx context.Context) ([]finzone.Match, error)

	Syndicate(ctx context.Context, projectID string) (finzone.Syndicate, error)
	// SaveSyndicate writes s if the stored version is still prev (0: new).
	SaveSyndicate(ctx context.Context, s *finzone.Syndicate, prev int) error
	ListSyndicates(ctx context.Context, f finzone.SyndicateFilter, pg finzone.Page) ([]finzone.Syndicate, string, error)

	// CatalogueVersion changes whenever products or institutions change, so
	// every worker process reloads its in-memory catalogue.
	CatalogueVersion(ctx context.Context) (int64, error)
	BumpCatalogue(ctx context.Context) error
	// PublishedProducts returns every live version, for the matching catalogue.
	PublishedProducts(ctx context.Context) ([]finzone.Product, error)
	// VerifiedInstitutions lists institutions that may be matched.
	VerifiedInstitutions(ctx context.Context) ([]finzone.Organization, error)
	// TrackRecords summarises every institution's matches (a scan: for the
	// catalogue's periodic reload, not for requests).
	TrackRecords(ctx context.Context) (map[string]finzone.TrackRecord, error)

	// AddNotifications stores notifications with fixed IDs; existing ones are
	// left alone, so a retried task notifies once.
	AddNotifications(ctx context.Context, ns []finzone.Notification) error
	Webhook(ctx context.Context, orgID string) (finzone.Webhook, error)
	// Webhooks returns the webhooks of those of orgIDs that have one, in one
	// round trip.
	Webhooks(ctx context.Context, orgIDs []string) (map[string]finzone.Webhook, error)
	AddDeliveries(ctx context.Context, ds []finzone.Delivery) error
	Delivery(ctx context.Context, id string) (finzone.Delivery, error)
	UpdateDelivery(ctx context.Context, d finzone.Delivery) error
	PendingDeliveries(ctx context.Context, now time.Time) ([]finzone.Delivery, error)

	// PurgeSessions deletes sessions expired before now (the embedded store
	// has no TTL indexes, so a periodic task does it) and says how many went.
	PurgeSessions(ctx context.Context, now time.Time) (int64, error)
	// PurgeClaims deletes claims old enough that their writes are long done.
	PurgeClaims(ctx context.Context, now time.Time) (int64, error)
}
