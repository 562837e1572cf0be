package finzone

import "time"

// SyndicateState is where a proposed syndicated loan (银团贷款) stands.
type SyndicateState string

const (
	SyndicateForming   SyndicateState = "forming"
	SyndicateCommitted SyndicateState = "committed" // every share accepted, no gap
	SyndicateSigned    SyndicateState = "signed"
)

// SyndicateRole is a member's part: lead arranger (牵头行), co-lead or
// participant (参加行).
type SyndicateRole string

const (
	SyndicateLead        SyndicateRole = "lead"
	SyndicateCoLead      SyndicateRole = "co_lead"
	SyndicateParticipant SyndicateRole = "participant"
)

// ShareStatus is a member's answer to its proposed share.
type ShareStatus string

const (
	ShareProposed ShareStatus = "proposed"
	ShareAccepted ShareStatus = "accepted"
	ShareDeclined ShareStatus = "declined"
)

// SyndicateMember is one institution's share.
type SyndicateMember struct {
	InstitutionID string
	Role          SyndicateRole
	ShareYuan     int64
	Status        ShareStatus
}

// Syndicate is the pipeline's proposal for a project too large for one
// lender. Version guards concurrent changes (no transactions on FerretDB).
type Syndicate struct {
	ProjectID  string
	AmountYuan int64
	State      SyndicateState
	Members    []SyndicateMember
	GapYuan    int64
	Shortfall  string
	Version    int
	CreatedAt  time.Time
	UpdatedAt  time.Time
}

// Committed reports whether every share is accepted and nothing is
// uncovered: the syndicate can be signed.
func (s Syndicate) Committed() bool {
	if s.GapYuan != 0 || len(s.Members) == 0 {
		return false
	}
	for _, m := range s.Members {
		if m.Status != ShareAccepted {
			return false
		}
	}
	return true
}

// CommittedYuan sums the accepted shares.
func (s Syndicate) CommittedYuan() int64 {
	var n int64
	for _, m := range s.Members {
		if m.Status == ShareAccepted {
			n += m.ShareYuan
		}
	}
	return n
}

// CoverageBps is the share of the facility allocated to members who have not
// declined, in basis points.
func (s Syndicate) CoverageBps() int64 {
	if s.AmountYuan == 0 {
		return 0
	}
	var n int64
	for _, m := range s.Members {
		if m.Status != ShareDeclined {
			n += m.ShareYuan
		}
	}
	return n * 10000 / s.AmountYuan
}

// Notice kinds: what a notification is about. Each has a text under
// "notice.<kind>" in the catalogue (package i18n), and the kinds both sides
// of a match receive have the enterprise's wording under "notice.<kind>_owner".
const (
	NoticeMatchPushed          = "match_pushed"
	NoticeProjectPushed        = "project_pushed"
	NoticeMatchChanged         = "match_changed"
	NoticeMatchExpired         = "match_expired"
	NoticeMatchWithdrawn       = "match_withdrawn"
	NoticeDeadlineSoon         = "deadline_soon"
	NoticePromotedLead         = "promoted_lead"
	NoticeSyndicateProposed    = "syndicate_proposed"
	NoticeSyndicateReallocated = "syndicate_reallocated"
)

// NoticeKinds lists every kind.
var NoticeKinds = []string{NoticeMatchPushed, NoticeProjectPushed, NoticeMatchChanged, NoticeMatchExpired,
	NoticeMatchWithdrawn, NoticeDeadlineSoon, NoticePromotedLead, NoticeSyndicateProposed, NoticeSyndicateReallocated}

// Notification parameters, which fill the notice's text when it is read.
const (
	NoticeTitle     = "title"      // the project's title when the notice was sent
	NoticeRole      = "role"       // lead or partner, for a push
	NoticeCount     = "count"      // how many institutions a push reached
	NoticeShareYuan = "share_yuan" // a syndicate member's share
	// NoticeLegacyText holds the Chinese line of a notice stored before
	// notices were rendered when read.
	NoticeLegacyText = "text"
)

// Notification is one message in an organization's in-app inbox, and what a
// webhook delivers. It is stored as a kind and parameters, not as text: each
// reader sees it in their own language.
type Notification struct {
	ID        string
	OrgID     string
	Kind      string
	ProjectID string
	MatchID   string
	Stage     Stage
	Params    map[string]string
	Read      bool
	CreatedAt time.Time
}

// Webhook is an institution's endpoint for notifications.
type Webhook struct {
	OrgID     string
	URL       string
	Secret    string
	UpdatedAt time.Time
}

// Delivery is one attempt record of sending a notification to a webhook.
type Delivery struct {
	ID             string
	OrgID          string
	NotificationID string
	URL            string
	// Payload is the JSON body sent, kept so every retry sends the same bytes.
	Payload        string
	Status         string // pending, delivered, failed
	Attempts       int
	LastStatusCode int
	LastError      string
	NextAttemptAt  time.Time
	CreatedAt      time.Time
	UpdatedAt      time.Time
}
