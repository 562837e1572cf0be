package finzone

import "time"

// PrivacyVersion is the version of the privacy notice (/privacy) in force.
// Registration needs consent to exactly this version; change it whenever the
// notice changes what is collected, why, or who sees it.
const PrivacyVersion = "2026-12-01"

// Field codes of the privacy operations.
const (
	// FCConsentRequired: a registration without consent to the current
	// privacy notice (missing, or an older version); Params["version"] is
	// the current one.
	FCConsentRequired = "consent_required"
)

// Why the platform processes a user's personal information.
const (
	// ConsentGiven: the person agreed to the notice when registering.
	ConsentGiven = "consent"
	// ConsentStaff: coordinators and platform admins are opened at the
	// console for their official duties, not asked for consent (PIPL art.
	// 13(1)2: human-resources management).
	ConsentStaff = "staff"
	// ConsentNone: an account from before consent was asked (demo data).
	ConsentNone = "none"
)

// ConsentBasis names why the platform processes u's data.
func (u User) ConsentBasis() string {
	switch {
	case u.ConsentVersion != "":
		return ConsentGiven
	case u.PlatformAdmin || len(u.Regions) > 0:
		return ConsentStaff
	}
	return ConsentNone
}

// Deleted reports whether the person deleted their account.
func (u User) Deleted() bool { return !u.DeletedAt.IsZero() }

// Anonymised is u after its person deleted the account: name and email are
// placeholders, the password and every privilege are gone; the ID, the
// organization and the consent record stay, so the organization's records
// that name the user ID still resolve to "a deleted user".
func (u User) Anonymised(at time.Time) User {
	u.Name = "deleted-" + u.ID
	u.Email = "deleted-" + u.ID + "@invalid"
	u.PasswordHash = ""
	u.PlatformAdmin, u.Regions = false, []string{}
	u.DeletedAt = at
	return u
}

// Viewer roles in a project's view log.
const (
	ViewerInstitution = "institution"
	ViewerCoordinator = "coordinator"
	ViewerAdmin       = "platform_admin"
)

// ProjectView is one visit to a project's details by someone outside its
// enterprise: who (the user, their organization as named then, and role)
// and when the visit began.
type ProjectView struct {
	UserID  string
	OrgID   string
	OrgName string
	Role    string
	At      time.Time
}

// ViewOf is the view a's reading of p's details makes; false for the
// project's own enterprise, whose reads are not logged.
func ViewOf(a Actor, p Project, at time.Time) (ProjectView, bool) {
	v := ProjectView{UserID: a.User.ID, OrgID: a.Org.ID, OrgName: a.Org.Name, At: at}
	switch {
	case a.Org.ID != "" && a.Org.ID == p.OwnerOrgID:
		return v, false
	case a.IsInstitution():
		v.Role = ViewerInstitution
	case a.IsCoordinator():
		v.Role = ViewerCoordinator
	case a.IsPlatformAdmin():
		v.Role = ViewerAdmin
	default:
		return v, false
	}
	return v, a.User.ID != ""
}

// ViewWindow is how long one visit lasts: a user's views of a project
// within it of their first are one entry. A page reloads itself, forms
// redraw it, and people come back to the same page within minutes; the
// enterprise wants to know who looked and when, not every reload.
const ViewWindow = time.Hour

// ViewLogKeep is how many of the latest visits a project's log keeps.
const ViewLogKeep = 100

// ViewLog is a project's latest visits, newest first, and how many were
// ever recorded. Version guards its read-modify-write.
type ViewLog struct {
	ProjectID string
	Count     int64
	Views     []ProjectView
	Version   int
}

// Seen reports whether the log holds a visit by userID that began less
// than ViewWindow before at.
func (l ViewLog) Seen(userID string, at time.Time) bool {
	for _, v := range l.Views {
		if v.UserID == userID && at.Sub(v.At) < ViewWindow && !at.Before(v.At) {
			return true
		}
	}
	return false
}

// Record adds v as the newest visit unless it continues one already in the
// log; it reports whether the log changed.
func (l *ViewLog) Record(v ProjectView) bool {
	if l.Seen(v.UserID, v.At) {
		return false
	}
	views := make([]ProjectView, 0, min(len(l.Views)+1, ViewLogKeep))
	views = append(views, v)
	for _, old := range l.Views {
		if len(views) == ViewLogKeep {
			break
		}
		views = append(views, old)
	}
	l.Views = views
	l.Count++
	return true
}
