package finzone

import (
	"crypto/sha256"
	"encoding/hex"
	"time"
)

// Stage is where one match (one project × one institution) stands.
type Stage string

const (
	StagePushed       Stage = "pushed"
	StageAccepted     Stage = "accepted"      // 受理
	StageContacted    Stage = "contacted"     // 首次对接
	StageDueDiligence Stage = "due_diligence" // 资料收集
	StageCreditReview Stage = "credit_review" // 上报审批
	StageApproved     Stage = "approved"      // 授信
	StageContracted   Stage = "contracted"    // 签约
	StageDisbursed    Stage = "disbursed"     // 放款
	StageClosed       Stage = "closed"
	StageDeclined     Stage = "declined"
	StageExpired      Stage = "expired"
	StageWithdrawn    Stage = "withdrawn"
)

// Stages lists every stage in pipeline order, side exits last.
var Stages = []Stage{StagePushed, StageAccepted, StageContacted, StageDueDiligence, StageCreditReview,
	StageApproved, StageContracted, StageDisbursed, StageClosed, StageDeclined, StageExpired, StageWithdrawn}

// Valid reports whether s is a known stage.
func (s Stage) Valid() bool { return contains(Stages, s) }

// Live reports whether a match in this stage holds one of the project's
// 1+10 slots. Declined, expired and withdrawn matches free their slot.
func (s Stage) Live() bool {
	return s != StageDeclined && s != StageExpired && s != StageWithdrawn
}

// Open reports whether the institution still has work to do.
func (s Stage) Open() bool { return s.Live() && s != StageClosed }

// LiveStages and OpenStages list the stages for store filters.
var (
	LiveStages = []Stage{StagePushed, StageAccepted, StageContacted, StageDueDiligence, StageCreditReview,
		StageApproved, StageContracted, StageDisbursed, StageClosed}
	DueStages = []Stage{StagePushed, StageAccepted, StageContacted, StageDueDiligence, StageCreditReview}
)

// ForwardStages are the forward stages in order, from push to
// disbursement: a report's funnel rows.
var ForwardStages = []Stage{StagePushed, StageAccepted, StageContacted, StageDueDiligence, StageCreditReview,
	StageApproved, StageContracted, StageDisbursed}

// Order is a stage's place among ForwardStages (closed counts as
// disbursed), or -1 for the side exits.
func (s Stage) Order() int {
	if s == StageClosed {
		return len(ForwardStages) - 1
	}
	for i, f := range ForwardStages {
		if f == s {
			return i
		}
	}
	return -1
}

// MatchRole is an institution's part in a project's 1+10.
type MatchRole string

const (
	RoleLead    MatchRole = "lead"    // 主办
	RolePartner MatchRole = "partner" // 协办
	// RoleEnhancer is a guarantee firm or insurer matched beside the 1+10:
	// it enhances a lender's credit and never takes a lender slot.
	RoleEnhancer MatchRole = "enhancer"
)

// Action is what an institution does to its match.
type Action string

const (
	ActionAccept           Action = "accept"
	ActionDecline          Action = "decline"
	ActionRecordContact    Action = "record_contact"
	ActionRequestDocuments Action = "request_documents"
	ActionSubmitCredit     Action = "submit_credit"
	ActionApprove          Action = "approve"
	ActionContract         Action = "contract"
	ActionDisburse         Action = "disburse"
	ActionClose            Action = "close"
)

// transitions is the stage machine: from a stage, an action leads to a stage.
var transitions = map[Stage]map[Action]Stage{
	StagePushed:       {ActionAccept: StageAccepted, ActionDecline: StageDeclined},
	StageAccepted:     {ActionRecordContact: StageContacted, ActionDecline: StageDeclined},
	StageContacted:    {ActionRequestDocuments: StageDueDiligence, ActionSubmitCredit: StageCreditReview, ActionDecline: StageDeclined},
	StageDueDiligence: {ActionSubmitCredit: StageCreditReview, ActionDecline: StageDeclined},
	StageCreditReview: {ActionApprove: StageApproved, ActionDecline: StageDeclined},
	StageApproved:     {ActionContract: StageContracted, ActionDecline: StageDeclined},
	StageContracted:   {ActionDisburse: StageDisbursed},
	StageDisbursed:    {ActionDisburse: StageDisbursed, ActionClose: StageClosed},
}

// Actions returns what may be done in a stage, in a stable order.
func (s Stage) Actions() []Action {
	var out []Action
	for _, a := range []Action{ActionAccept, ActionRecordContact, ActionRequestDocuments, ActionSubmitCredit,
		ActionApprove, ActionContract, ActionDisburse, ActionClose, ActionDecline} {
		if _, ok := transitions[s][a]; ok {
			out = append(out, a)
		}
	}
	return out
}

// Next returns the stage an action leads to, or false when the action is not
// allowed in this stage.
func (s Stage) Next(a Action) (Stage, bool) {
	to, ok := transitions[s][a]
	return to, ok
}

// DeclineReasons are the stable reason codes a decline must carry.
var DeclineReasons = []string{"outside_appetite", "insufficient_collateral", "credit_risk", "capacity",
	"incomplete_information", "pricing", "enterprise_unresponsive", "other"}

// Tranche is one disbursement.
type Tranche struct {
	AmountYuan int64
	Date       time.Time
}

// ScoreComponent is one named part of a match's score.
type ScoreComponent struct {
	Name  string
	Value float64
}

// Event is one step in a match's history.
type Event struct {
	At     time.Time
	Actor  string // a user ID, or "system"
	Action string
	From   Stage
	To     Stage
	Note   string
}

// Match is one project pushed to one institution through one of its
// products: the unit of the 1+10 pipeline.
type Match struct {
	ID            string
	ProjectID     string
	InstitutionID string
	// Copied from the project when pushed, so inboxes and coordinator views
	// list matches without a join.
	ProjectTitle      string
	ProjectAmountYuan int64
	OwnerOrgID        string
	RegionCode        string
	ClusterID         string

	ProductID      string
	ProductVersion int
	Role           MatchRole
	Rank           int
	Score          float64
	Components     []ScoreComponent
	Stage          Stage
	DueAt          time.Time // zero when the stage has no deadline
	RemindedAt     time.Time
	// Approval terms, set by the approve action.
	ApprovedAmountYuan int64
	ApprovedRateBps    int
	ApprovedTermMonths int
	Tranches           []Tranche
	DeclineReason      string
	DeclineNote        string
	// Read marks that the institution has opened the match since its last change.
	Read bool
	// Relayed marks that the slot this match freed has been refilled.
	Relayed   bool
	Events    []Event
	CreatedAt time.Time
	UpdatedAt time.Time
}

// DisbursedYuan sums the tranches.
func (m Match) DisbursedYuan() int64 {
	var n int64
	for _, t := range m.Tranches {
		n += t.AmountYuan
	}
	return n
}

// Reached is the furthest forward stage the match reached, so a declined
// or expired match still counts in the stages it passed.
func (m Match) Reached() Stage {
	top := StagePushed
	for _, s := range m.stagesSeen() {
		if s.Order() > top.Order() {
			top = s
		}
	}
	return top
}

func (m Match) stagesSeen() []Stage {
	out := []Stage{m.Stage}
	for _, e := range m.Events {
		out = append(out, e.To, e.From)
	}
	return out
}

// Overdue reports whether the match is past its deadline at now.
func (m Match) Overdue(now time.Time) bool {
	return !m.DueAt.IsZero() && now.After(m.DueAt) && contains(DueStages, m.Stage)
}

// CanSeeMatch: the institution it was pushed to, the project's owner (by
// caller check of the project), and coordinators covering the project.
func (a Actor) CanSeeMatch(m Match, p Project) bool {
	return m.InstitutionID == a.Org.ID || a.CanSeeProject(p)
}

// CanActOnMatch: only the institution moves its own match.
func (a Actor) CanActOnMatch(m Match) bool {
	return a.IsInstitution() && m.InstitutionID == a.Org.ID
}

// MatchID is the one ID a project's match with an institution can have, so
// pushing twice (a retried task, two workers) creates one match.
func MatchID(projectID, institutionID string) string {
	return StableID("match", projectID, institutionID)
}

// StableID derives a 24-hex-digit ID (a MongoDB ObjectID) from what an
// object is about, so creating it twice yields the same ID and the second
// insert is refused: idempotency without transactions.
func StableID(parts ...string) string {
	h := sha256.New()
	for _, p := range parts {
		h.Write([]byte(p))
		h.Write([]byte{0})
	}
	return hex.EncodeToString(h.Sum(nil)[:12])
}

// LedgerEntry is one institution a project was pushed to, in push order:
// the part of a match that the pipeline decides. The ledger is written before
// the match, so a crash between the two is repaired by the next fill.
type LedgerEntry struct {
	InstitutionID  string
	ProductID      string
	ProductVersion int
	Role           MatchRole
	Rank           int
	Score          float64
	Components     []ScoreComponent
	PushedAt       time.Time
}

// Ledger is a project's 1+10 slot book. Version guards concurrent fills.
type Ledger struct {
	ProjectID string
	Version   int
	Entries   []LedgerEntry
	// Exhausted marks a project with open slots and nobody left to ask:
	// coordinators are asked to help.
	Exhausted bool
	UpdatedAt time.Time
}

// MatchChange is what one step does to a match.
type MatchChange struct {
	To Stage
	// DueAt replaces the deadline; KeepDue leaves it as it is.
	DueAt   time.Time
	KeepDue bool
	// Optional fields set by particular actions.
	ApprovedAmountYuan int64
	ApprovedRateBps    int
	ApprovedTermMonths int
	Tranche            *Tranche
	DeclineReason      string
	DeclineNote        string
	Event              Event
}

// TrackRecord is how an institution has answered the projects pushed to it,
// which the matching engine scores: answered and approved shares, and how
// much it is working on now.
type TrackRecord struct {
	InstitutionID string
	Pushed        int // every match ever pushed
	Answered      int // accepted or declined, not left to expire
	Approved      int // reached approval
	Open          int // live matches still being worked
}

// Record adds one match to the institution's record.
func (r *TrackRecord) Record(s Stage) {
	r.Pushed++
	switch s {
	case StagePushed, StageExpired, StageWithdrawn:
	default:
		r.Answered++
	}
	switch s {
	case StageApproved, StageContracted, StageDisbursed, StageClosed:
		r.Approved++
	}
	if s.Open() {
		r.Open++
	}
}
