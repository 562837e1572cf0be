package finzone

import (
	"crypto/sha256"
	"encoding/hex"
	"time"
)

// Stage is where one match (one project × one institution) stands. Lenders
// walk pushed → accepted → contacted → due_diligence → credit_review →
// approved (an offer) → contracted → disbursed → closed; credit enhancers
// (guarantee firms, insurers) walk pushed → accepted → assessing →
// committed → issued → released. Side exits: declined, expired, withdrawn,
// and need_met for a lender whose offer the project no longer needs.
type Stage string

const (
	StagePushed       Stage = "pushed"
	StageAccepted     Stage = "accepted"      // 受理
	StageContacted    Stage = "contacted"     // 首次对接
	StageDueDiligence Stage = "due_diligence" // 资料收集
	StageCreditReview Stage = "credit_review" // 上报审批
	StageApproved     Stage = "approved"      // 授信: an offer to the enterprise
	StageContracted   Stage = "contracted"    // 签约
	StageDisbursed    Stage = "disbursed"     // 放款
	StageClosed       Stage = "closed"
	// Enhancer stages.
	StageAssessing Stage = "assessing" // 评估
	StageCommitted Stage = "committed" // 承诺: cover, fee and risk share agreed
	StageIssued    Stage = "issued"    // 出具保函/保单
	StageReleased  Stage = "released"  // 解除: the loan is repaid
	// Side exits.
	StageDeclined  Stage = "declined"
	StageExpired   Stage = "expired"
	StageWithdrawn Stage = "withdrawn"
	StageNeedMet   Stage = "need_met" // the project's accepted offers reached its amount
)

// Stages lists every stage: lender stages in pipeline order, enhancer
// stages, then the side exits.
var Stages = []Stage{StagePushed, StageAccepted, StageContacted, StageDueDiligence, StageCreditReview,
	StageApproved, StageContracted, StageDisbursed, StageClosed, StageAssessing, StageCommitted, StageIssued,
	StageReleased, StageDeclined, StageExpired, StageWithdrawn, StageNeedMet}

// Valid reports whether s is a known stage.
func (s Stage) Valid() bool { return contains(Stages, s) }

// Live reports whether a match in this stage holds its place: one of the
// project's 1+10 slots for a lender. Side exits free it.
func (s Stage) Live() bool {
	return s != StageDeclined && s != StageExpired && s != StageWithdrawn && s != StageNeedMet
}

// Open reports whether the institution still has work to do.
func (s Stage) Open() bool { return s.Live() && s != StageClosed && s != StageReleased }

// LiveStages and DueStages list stages for store filters: those holding a
// place, and those that can carry a deadline.
var (
	LiveStages = []Stage{StagePushed, StageAccepted, StageContacted, StageDueDiligence, StageCreditReview,
		StageApproved, StageContracted, StageDisbursed, StageClosed, StageAssessing, StageCommitted, StageIssued, StageReleased}
	DueStages = []Stage{StagePushed, StageAccepted, StageContacted, StageDueDiligence, StageCreditReview,
		StageApproved, StageContracted, StageAssessing}
)

// Escalates reports whether a missed deadline in this stage escalates to the
// coordinator and leaves the match live, rather than expiring it and
// relaying its slot. Only an unanswered push (pushed, accepted) is relayed:
// once an institution is working on a project, lateness is chased, not cut
// off.
func (s Stage) Escalates() bool {
	return s != StagePushed && s != StageAccepted && contains(DueStages, s)
}

// ForwardStages are a lender's forward stages in order, from push to
// disbursement: a report's funnel rows.
var ForwardStages = []Stage{StagePushed, StageAccepted, StageContacted, StageDueDiligence, StageCreditReview,
	StageApproved, StageContracted, StageDisbursed}

// EnhancerStages are an enhancer's forward stages in order.
var EnhancerStages = []Stage{StagePushed, StageAccepted, StageAssessing, StageCommitted, StageIssued, StageReleased}

// Order is a stage's place among ForwardStages (closed counts as
// disbursed), or -1 for enhancer stages and the side exits.
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

// MatchRole is an institution's part in a project's pipeline.
type MatchRole string

const (
	RoleLead    MatchRole = "lead"    // 主办
	RolePartner MatchRole = "partner" // 协办
	// RoleEnhancer is a guarantee firm or insurer matched beside the 1+10:
	// it enhances a lender's credit and never takes a lender slot.
	RoleEnhancer MatchRole = "enhancer"
)

// Lends reports whether the role is one of the 1+10 lender slots.
func (r MatchRole) Lends() bool { return r != RoleEnhancer }

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
	// Enhancer actions.
	ActionAssess  Action = "assess"
	ActionCommit  Action = "commit"
	ActionIssue   Action = "issue"
	ActionRelease Action = "release"
	// Actions that keep the stage.
	ActionPause           Action = "pause"  // waiting on the enterprise: the clock stops
	ActionResume          Action = "resume" // the clock runs again with the time that was left
	ActionRequestEnhancer Action = "request_enhancer"
)

// lenderMoves and enhancerMoves are the stage machines: from a stage, an
// action leads to a stage.
var (
	lenderMoves = map[Stage]map[Action]Stage{
		StagePushed:       {ActionAccept: StageAccepted, ActionDecline: StageDeclined},
		StageAccepted:     {ActionRecordContact: StageContacted, ActionDecline: StageDeclined},
		StageContacted:    {ActionRequestDocuments: StageDueDiligence, ActionSubmitCredit: StageCreditReview, ActionDecline: StageDeclined},
		StageDueDiligence: {ActionSubmitCredit: StageCreditReview, ActionDecline: StageDeclined},
		StageCreditReview: {ActionApprove: StageApproved, ActionDecline: StageDeclined},
		StageApproved:     {ActionContract: StageContracted, ActionDecline: StageDeclined},
		StageContracted:   {ActionDisburse: StageDisbursed},
		StageDisbursed:    {ActionDisburse: StageDisbursed, ActionClose: StageClosed},
	}
	enhancerMoves = map[Stage]map[Action]Stage{
		StagePushed:    {ActionAccept: StageAccepted, ActionDecline: StageDeclined},
		StageAccepted:  {ActionAssess: StageAssessing, ActionDecline: StageDeclined},
		StageAssessing: {ActionCommit: StageCommitted, ActionDecline: StageDeclined},
		StageCommitted: {ActionIssue: StageIssued, ActionDecline: StageDeclined},
		StageIssued:    {ActionRelease: StageReleased},
	}
	// pausable are the stages whose clock waits on the enterprise.
	pausable = []Stage{StageContacted, StageDueDiligence, StageCreditReview, StageAssessing}
	// enhancerAskable are the lender stages in which a lender may ask for a
	// guarantee or insurance cover.
	enhancerAskable = []Stage{StageAccepted, StageContacted, StageDueDiligence, StageCreditReview, StageApproved}
	actionOrder     = []Action{ActionAccept, ActionRecordContact, ActionRequestDocuments, ActionSubmitCredit,
		ActionApprove, ActionContract, ActionDisburse, ActionClose, ActionAssess, ActionCommit, ActionIssue,
		ActionRelease, ActionPause, ActionResume, ActionRequestEnhancer, ActionDecline}
)

// Actions is every action an institution has, in display order.
var Actions = actionOrder

// next returns the stage an action leads to for this match, and whether
// the action is allowed now. Pause, resume and request_enhancer keep the
// stage. Contract needs an accepted offer.
func (m Match) next(a Action) (Stage, bool) {
	switch a {
	case ActionPause:
		return m.Stage, contains(pausable, m.Stage) && m.Pause.At.IsZero()
	case ActionResume:
		return m.Stage, !m.Pause.At.IsZero()
	case ActionRequestEnhancer:
		return m.Stage, m.Role.Lends() && contains(enhancerAskable, m.Stage)
	case ActionContract:
		if m.Offer.Status != OfferAccepted {
			return "", false
		}
	case ActionDisburse:
		if m.Syndicated {
			return "", false // the agent bank records drawdowns
		}
	}
	moves := lenderMoves
	if !m.Role.Lends() {
		moves = enhancerMoves
	}
	to, ok := moves[m.Stage][a]
	return to, ok
}

// Actions returns what the institution may do to the match now, in a
// stable order.
func (m Match) Actions() []Action {
	var out []Action
	for _, a := range actionOrder {
		if _, ok := m.next(a); ok {
			out = append(out, a)
		}
	}
	return out
}

// DeclineReasons are the stable reason codes a decline must carry.
var DeclineReasons = []string{"outside_appetite", "insufficient_collateral", "credit_risk", "capacity",
	"incomplete_information", "pricing", "enterprise_unresponsive", "other"}

// OfferStatus is the enterprise's answer to a lender's offer.
type OfferStatus string

const (
	OfferNone     OfferStatus = ""
	OfferPending  OfferStatus = "pending"
	OfferAccepted OfferStatus = "accepted"
	OfferDeclined OfferStatus = "declined"
)

// RepaymentMethod is how a loan is repaid.
type RepaymentMethod string

const (
	RepayEqualInstallment RepaymentMethod = "equal_installment"    // 等额本息
	RepayEqualPrincipal   RepaymentMethod = "equal_principal"      // 等额本金
	RepayInterestOnly     RepaymentMethod = "interest_only_bullet" // 按期付息到期还本
	RepayRevolving        RepaymentMethod = "revolving"            // 随借随还
)

// RepaymentMethods lists every method.
var RepaymentMethods = []RepaymentMethod{RepayEqualInstallment, RepayEqualPrincipal, RepayInterestOnly, RepayRevolving}

// LeaseMode is how a financial lease is structured.
type LeaseMode string

const (
	LeaseDirect        LeaseMode = "direct"         // 直租
	LeaseSaleLeaseback LeaseMode = "sale_leaseback" // 售后回租
)

// LeaseModes lists every mode.
var LeaseModes = []LeaseMode{LeaseDirect, LeaseSaleLeaseback}

// Offer is a lender's approval: what it offers and on what terms. A rate is
// fixed (RateBps, LPRBps zero) or the Loan Prime Rate of the term plus a
// spread, which may be negative (LPRBps is the LPR it was offered on,
// RateBps the sum). Leasing records LeaseMode instead of a repayment method.
type Offer struct {
	AmountYuan      int64
	RateBps         int
	LPRBps          int
	LPRSpreadBps    int
	TermMonths      int
	GuaranteeMode   Collateral
	RepaymentMethod RepaymentMethod
	LeaseMode       LeaseMode
	Status          OfferStatus
	DecidedAt       time.Time
	DecidedBy       string
	Note            string
}

// Cover is what a guarantee firm or insurer commits: how much of the loan it
// covers, its fee a year and the share of a default's loss it bears.
type Cover struct {
	CoverYuan    int64
	FeeBps       int
	RiskSharePct int
}

// Pause is a stopped clock: since when, the working time that was left and
// why (shown to the enterprise).
type Pause struct {
	At   time.Time
	Left time.Duration
	Note string
}

// Tranche is one disbursement. Ref names the syndicate drawdown it is a
// member's part of ("" for a lender's own).
type Tranche struct {
	AmountYuan int64
	Date       time.Time
	Ref        string
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
	// Category is the product's category when pushed ("" before it was
	// recorded: a loan).
	Category   ProductCategory
	Stage      Stage
	DueAt      time.Time // zero when the stage has no running deadline
	RemindedAt time.Time
	// Pause is set while the institution waits on the enterprise: the
	// stage's clock is stopped (DueAt is zero) with Pause.Left to run.
	Pause Pause
	// EscalatedAt is when a missed deadline was escalated to coordinators;
	// zero when it is not. The match stays live.
	EscalatedAt time.Time
	// ExtendedIn is the stage in which a coordinator extended the deadline:
	// once per stage.
	ExtendedIn Stage
	// UrgedAt and Urges record coordinators' 督办.
	UrgedAt time.Time
	Urges   int
	// Offer is a lender's approval terms and the enterprise's answer.
	Offer Offer
	// Cover is an enhancer's commitment.
	Cover         Cover
	Tranches      []Tranche
	DeclineReason string
	DeclineNote   string
	// Read marks that the institution has opened the match since its last change.
	Read bool
	// Relayed marks that the slot this match freed has been refilled.
	Relayed bool
	// Syndicated marks a syndicate member's match after signing: its
	// approved amount is its share and its money goes out only through
	// the agent bank's drawdowns.
	Syndicated bool
	Events     []Event
	CreatedAt  time.Time
	UpdatedAt  time.Time
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

// Overdue reports whether the match is past its deadline at now, or was
// escalated for it.
func (m Match) Overdue(now time.Time) bool {
	if !m.Stage.Open() {
		return false
	}
	return !m.EscalatedAt.IsZero() || (!m.DueAt.IsZero() && now.After(m.DueAt) && contains(DueStages, m.Stage))
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

// MatchChange is what one step does to a match. Nil pointers leave a field
// as it is.
type MatchChange struct {
	To Stage
	// Seen is how many events the match had when the change was judged:
	// the store refuses the change if the match moved since. 0 checks only
	// the stage, unless SeenMatch is set. SeenMatch is the match as the
	// writer read it, at SeenAt by the writer's own clock: a recent one
	// spares the store reading it again.
	Seen      int
	SeenAt    time.Time
	SeenMatch *Match
	// DueAt replaces the deadline; KeepDue leaves it as it is.
	DueAt   time.Time
	KeepDue bool
	Offer   *Offer
	Cover   *Cover
	Pause   *Pause // a zero Pause ends one
	Tranche *Tranche
	// Escalated sets (a time) or clears (a zero time) EscalatedAt.
	Escalated     *time.Time
	ExtendedIn    Stage
	Urged         bool
	Syndicated    bool // marks the match a signed syndicate member's
	DeclineReason string
	DeclineNote   string
	Event         Event
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
	case StageApproved, StageContracted, StageDisbursed, StageClosed, StageCommitted, StageIssued, StageReleased:
		r.Approved++
	}
	if s.Open() {
		r.Open++
	}
}
