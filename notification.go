package finzone

import (
	"net/url"
	"strings"
	"time"
)

// Notice kinds: what a notification is about. Each has a text under
// "notice.<kind>" in the catalogue (package i18n), and the kinds both sides
// of a match receive have the enterprise's wording under "notice.<kind>_owner".
const (
	NoticeMatchPushed    = "match_pushed"
	NoticeProjectPushed  = "project_pushed"
	NoticeMatchChanged   = "match_changed"
	NoticeMatchExpired   = "match_expired"
	NoticeMatchWithdrawn = "match_withdrawn"
	NoticeDeadlineSoon   = "deadline_soon"
	NoticePromotedLead   = "promoted_lead"
	// Stored before syndicates were built by book: kept so old notices read.
	NoticeSyndicateProposed    = "syndicate_proposed"
	NoticeSyndicateReallocated = "syndicate_reallocated"
	// The lending workflow's notices.
	NoticeOfferAccepted   = "offer_accepted"   // to the lender
	NoticeOfferDeclined   = "offer_declined"   // to the lender
	NoticeNeedMet         = "need_met"         // to a lender closed because the need is met
	NoticeUrged           = "urged"            // to the institution a coordinator urged
	NoticeExtended        = "extended"         // to the institution whose deadline moved
	NoticeEscalated       = "escalated"        // to the institution and the coordinators' offices
	NoticeScreening       = "screening"        // to the offices: a need waits for screening
	NoticeScreenReturned  = "screen_returned"  // to the owner: returned at screening
	NoticeScreenPassed    = "screen_passed"    // to the owner: passed screening
	NoticeScreenEscalated = "screen_escalated" // to the superior region's office
	NoticeEnhancerWanted  = "enhancer_wanted"  // to the owner: a lender asked for a guarantee or cover
)

// NoticeKinds lists every kind. Syndicate notices are "syndicate_" and the
// step they tell of (SyndicateEvent.Action).
var NoticeKinds = []string{NoticeMatchPushed, NoticeProjectPushed, NoticeMatchChanged, NoticeMatchExpired,
	NoticeMatchWithdrawn, NoticeDeadlineSoon, NoticePromotedLead, NoticeSyndicateProposed, NoticeSyndicateReallocated,
	NoticeOfferAccepted, NoticeOfferDeclined, NoticeNeedMet, NoticeUrged, NoticeExtended, NoticeEscalated, NoticeScreening,
	NoticeScreenReturned, NoticeScreenPassed, NoticeScreenEscalated, NoticeEnhancerWanted,
	NoticeEnterpriseVerified, NoticeCodeLost, NoticeClaimUpheld, NoticeClaimRejected, NoticeClaimFiled,
	NoticeHeldUnverified, NoticeVerificationWanted, "syndicate_suggested", "syndicate_mandated", "syndicate_invited",
	"syndicate_committed", "syndicate_declined", "syndicate_withdrawn", "syndicate_signed", "syndicate_drawdown",
	"syndicate_transferred", "syndicate_left"}

// Notification parameters, which fill the notice's text when it is read.
const (
	NoticeTitle     = "title"      // the project's title when the notice was sent
	NoticeRole      = "role"       // lead or partner, for a push
	NoticeCount     = "count"      // how many institutions a push reached
	NoticeShareYuan = "share_yuan" // a syndicate member's share
	NoticeNote      = "note"       // a coordinator's or the enterprise's words
	NoticeDueAt     = "due"        // a deadline, as YYYY-MM-DD
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

// Webhook is an institution's endpoint for notifications. The platform
// generates its signing secret, shows it once, and keeps it only sealed
// (encrypted under the platform's key): SealedSecret. SecretHint (the
// secret's last characters) and SecretCreatedAt let the institution tell
// which secret its receiver holds.
type Webhook struct {
	OrgID           string
	URL             string
	SealedSecret    []byte
	SecretHint      string
	SecretCreatedAt time.Time
	UpdatedAt       time.Time
}

// HasSecret reports whether a signing secret is stored.
func (w Webhook) HasSecret() bool { return len(w.SealedSecret) > 0 }

// WebhookSecretPrefix begins every signing secret the platform generates,
// so one pasted in the wrong place is recognised.
const WebhookSecretPrefix = "whsec_"

// WebhookSecretHint is all that is shown of a secret after its one
// showing: its last four characters.
func WebhookSecretHint(secret string) string {
	if len(secret) <= 4 {
		return ""
	}
	return secret[len(secret)-4:]
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

// maxWebhookURL bounds an endpoint's length.
const maxWebhookURL = 2000

// Normalize trims the URL as typed.
func (w *Webhook) Normalize() { w.URL = strings.TrimSpace(w.URL) }

// Validate checks an endpoint: HTTPS (payloads carry enterprise data; plain
// http only when allowHTTP, for tests). An empty URL turns the webhook off.
func (w *Webhook) Validate(allowHTTP bool) error {
	var probs Problems
	if w.URL != "" {
		u, err := url.Parse(w.URL)
		if err != nil || u.Host == "" || (u.Scheme != "https" && !(allowHTTP && u.Scheme == "http")) {
			probs.Add("url", FCInvalid)
		}
		if len(w.URL) > maxWebhookURL {
			probs.Add("url", FCTooLong, "max", maxWebhookURL)
		}
	}
	return probs.Err()
}
