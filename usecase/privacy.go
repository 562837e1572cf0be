package usecase

import (
	"context"
	"time"

	"golang.org/x/crypto/bcrypt"

	"finzone"
)

// The person's rights under PIPL: a copy of their data (art. 45) and the
// deletion of their account (art. 47). Projects' view logs are in views.go.

// exportMax bounds each list in an export; Export.Truncated says when one
// was cut.
const exportMax = 10_000

// Export is a user's and their organization's data, as they may see it.
type Export struct {
	At   time.Time
	User finzone.User
	// Org is empty for platform admins; Members are its users, the
	// requester among them.
	Org           finzone.Organization
	Members       []finzone.User
	Projects      []finzone.Project
	Products      []finzone.Product
	Matches       []finzone.Match
	Notifications []finzone.Notification
	// Views are the view logs of the organization's projects.
	Views     []finzone.ViewLog
	Truncated bool
}

// ExportData gathers the actor's data for download. It reads lists the
// store scans for (an organization's users, projects, matches): an export
// is rare, and never on a page.
func (s *Service) ExportData(ctx context.Context, a finzone.Actor) (Export, error) {
	u, err := s.users.User(ctx, a.User.ID)
	if err != nil {
		return Export{}, err
	}
	out := Export{At: s.now().UTC(), User: u, Org: a.Org}
	if a.Org.ID != "" {
		if out.Members, err = s.privacy.UsersOfOrg(ctx, a.Org.ID); err != nil {
			return Export{}, err
		}
	}
	lists := []func() error{
		func() (err error) { out.Projects, err = s.exportProjects(ctx, a, &out.Truncated); return err },
		func() (err error) { out.Products, err = s.exportProducts(ctx, a, &out.Truncated); return err },
		func() (err error) { out.Matches, err = s.exportMatches(ctx, a, &out.Truncated); return err },
		func() (err error) { out.Notifications, err = s.exportNotices(ctx, a, &out.Truncated); return err },
	}
	for _, list := range lists {
		if err := list(); err != nil {
			return Export{}, err
		}
	}
	for _, p := range out.Projects {
		l, err := s.privacy.ProjectViews(ctx, p.ID)
		if err != nil {
			return Export{}, err
		}
		out.Views = append(out.Views, l)
	}
	return out, nil
}

// collect reads every page of a list, up to exportMax items.
func collect[T any](truncated *bool, list func(pg finzone.Page) ([]T, string, error)) ([]T, error) {
	var out []T
	pg := finzone.Page{Limit: finzone.MaxPageLimit}
	for {
		items, next, err := list(pg)
		if err != nil {
			return nil, err
		}
		out = append(out, items...)
		if next == "" {
			return out, nil
		}
		if len(out) >= exportMax {
			*truncated = true
			return out, nil
		}
		pg.Cursor = next
	}
}

func (s *Service) exportProjects(ctx context.Context, a finzone.Actor, cut *bool) ([]finzone.Project, error) {
	if !a.IsEnterprise() {
		return nil, nil
	}
	return collect(cut, func(pg finzone.Page) ([]finzone.Project, string, error) {
		return s.projects.ListProjects(ctx, finzone.ProjectFilter{OwnerOrgID: a.Org.ID}, pg)
	})
}

func (s *Service) exportProducts(ctx context.Context, a finzone.Actor, cut *bool) ([]finzone.Product, error) {
	if !a.IsInstitution() {
		return nil, nil
	}
	return collect(cut, func(pg finzone.Page) ([]finzone.Product, string, error) {
		return s.products.ListProducts(ctx, finzone.ProductFilter{OwnerOrgID: a.Org.ID}, pg)
	})
}

// exportMatches are the enterprise's projects' matches, or the
// institution's own: what each sees of them.
func (s *Service) exportMatches(ctx context.Context, a finzone.Actor, cut *bool) ([]finzone.Match, error) {
	var f finzone.MatchFilter
	switch {
	case a.IsEnterprise():
		f.OwnerOrgID = a.Org.ID
	case a.IsInstitution():
		f.InstitutionID = a.Org.ID
	default:
		return nil, nil
	}
	return collect(cut, func(pg finzone.Page) ([]finzone.Match, string, error) {
		return s.matches.ListMatches(ctx, f, pg)
	})
}

func (s *Service) exportNotices(ctx context.Context, a finzone.Actor, cut *bool) ([]finzone.Notification, error) {
	if !a.HasInbox() {
		return nil, nil
	}
	return collect(cut, func(pg finzone.Page) ([]finzone.Notification, string, error) {
		return s.notices.ListNotifications(ctx, a.Org.ID, false, pg)
	})
}

// DeleteAccount deletes the actor's account once they confirm it with their
// password: their name and email become placeholders, the password and
// privileges go, and every session is revoked. The organization and its
// financing records (projects, matches, ledgers, syndicates) stay, as the
// law requires them kept; they belong to the organization, which may be
// left with no users. A retry after a failure part-way finishes the job.
func (s *Service) DeleteAccount(ctx context.Context, a finzone.Actor, password string) error {
	u, err := s.users.User(ctx, a.User.ID)
	if err != nil {
		return err
	}
	if !u.Deleted() {
		if err := s.confirmPassword(ctx, u, password); err != nil {
			return err
		}
		if err := s.privacy.AnonymiseUser(ctx, u.Anonymised(s.now().UTC())); err != nil {
			return err
		}
	}
	n, err := s.privacy.RevokeUserSessions(ctx, u.ID)
	if err != nil {
		return err
	}
	s.log.Info("account deleted", "request_id", RequestID(ctx), "user_id", u.ID, "org_id", u.OrgID, "sessions", n)
	return nil
}

// confirmPassword checks the password a deletion is confirmed with. Wrong
// ones count as failed sign-ins, so a stolen session cannot guess the
// password here faster than the sign-in form allows.
func (s *Service) confirmPassword(ctx context.Context, u finzone.User, password string) error {
	var p finzone.Problems
	if password == "" {
		p.Add("password", finzone.FCRequired)
		return p.Err()
	}
	ks := s.throttleKeys(ctx, u.Email)
	if err := s.throttled(ctx, ks); err != nil {
		return err
	}
	if bcrypt.CompareHashAndPassword([]byte(u.PasswordHash), []byte(password)) != nil {
		s.failed(ctx, ks)
		p.Add("password", finzone.FCIncorrect)
	}
	return p.Err()
}
