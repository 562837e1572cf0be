package api

import (
	"slices"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"

	"finzone"
)

type componentJSON struct {
	Name  string  `json:"name"`
	Value float64 `json:"value"`
}

type eventJSON struct {
	At     time.Time `json:"at"`
	Actor  string    `json:"actor"`
	Action string    `json:"action"`
	From   string    `json:"from,omitempty"`
	To     string    `json:"to"`
	Note   string    `json:"note,omitempty"`
}

type trancheJSON struct {
	AmountYuan int64     `json:"amount_yuan"`
	Date       time.Time `json:"date"`
}

type matchJSON struct {
	ID                 string          `json:"id"`
	ProjectID          string          `json:"project_id"`
	ProjectTitle       string          `json:"project_title"`
	ProjectAmountYuan  int64           `json:"project_amount_yuan"`
	RegionCode         string          `json:"region_code"`
	InstitutionID      string          `json:"institution_id"`
	ProductID          string          `json:"product_id"`
	ProductVersion     int             `json:"product_version"`
	Role               string          `json:"role"`
	Rank               int             `json:"rank"`
	Stage              string          `json:"stage"`
	DueAt              *time.Time      `json:"due_at"`
	Overdue            bool            `json:"overdue"`
	Score              float64         `json:"score"`
	Components         []componentJSON `json:"components"`
	ApprovedAmountYuan int64           `json:"approved_amount_yuan,omitempty"`
	ApprovedRateBps    int             `json:"approved_rate_bps,omitempty"`
	ApprovedTermMonths int             `json:"approved_term_months,omitempty"`
	Tranches           []trancheJSON   `json:"tranches"`
	DisbursedYuan      int64           `json:"disbursed_yuan"`
	DeclineReason      string          `json:"decline_reason,omitempty"`
	DeclineNote        string          `json:"decline_note,omitempty"`
	Read               bool            `json:"read"`
	AllowedActions     []string        `json:"allowed_actions"`
	Events             []eventJSON     `json:"events,omitempty"`
	CreatedAt          time.Time       `json:"created_at"`
	UpdatedAt          time.Time       `json:"updated_at"`
}

// toMatchJSON renders a match; allowed actions are listed only for the
// institution that may take them, events only when asked.
func toMatchJSON(m finzone.Match, a finzone.Actor, now time.Time, withEvents bool) matchJSON {
	out := matchJSON{ID: m.ID, ProjectID: m.ProjectID, ProjectTitle: m.ProjectTitle, ProjectAmountYuan: m.ProjectAmountYuan,
		RegionCode: m.RegionCode, InstitutionID: m.InstitutionID, ProductID: m.ProductID, ProductVersion: m.ProductVersion,
		Role: string(m.Role), Rank: m.Rank, Stage: string(m.Stage), DueAt: timePtr(m.DueAt), Overdue: m.Overdue(now),
		Score: m.Score, ApprovedAmountYuan: m.ApprovedAmountYuan, ApprovedRateBps: m.ApprovedRateBps,
		ApprovedTermMonths: m.ApprovedTermMonths, DisbursedYuan: m.DisbursedYuan(), DeclineReason: m.DeclineReason,
		DeclineNote: m.DeclineNote, Read: m.Read, CreatedAt: m.CreatedAt, UpdatedAt: m.UpdatedAt,
		Components: []componentJSON{}, Tranches: []trancheJSON{}, AllowedActions: []string{}}
	for _, c := range m.Components {
		out.Components = append(out.Components, componentJSON{Name: c.Name, Value: c.Value})
	}
	for _, t := range m.Tranches {
		out.Tranches = append(out.Tranches, trancheJSON{AmountYuan: t.AmountYuan, Date: t.Date})
	}
	if a.CanActOnMatch(m) {
		out.AllowedActions = strs(m.Stage.Actions())
	}
	if withEvents {
		for _, e := range m.Events {
			out.Events = append(out.Events, eventJSON{At: e.At, Actor: e.Actor, Action: e.Action, From: string(e.From), To: string(e.To), Note: e.Note})
		}
	}
	return out
}

// projectMatches lists a project's matches in push order; an institution
// sees only its own, never its competitors'.
func (s *Server) projectMatches(c *fiber.Ctx) error {
	p, err := s.loadProject(c)
	if err != nil {
		return err
	}
	a := actor(c)
	led, err := s.store.Ledger(c.UserContext(), p.ID)
	if err != nil {
		return err
	}
	var ids []string
	for _, e := range led.Entries {
		if !a.CanSeeProject(p) && e.InstitutionID != a.Org.ID {
			continue
		}
		ids = append(ids, finzone.MatchID(p.ID, e.InstitutionID))
	}
	ms, err := s.store.MatchesByID(c.UserContext(), ids)
	if err != nil {
		return err
	}
	now := s.now()
	out := listJSON[matchJSON]{Items: make([]matchJSON, len(ms))}
	for i, m := range ms {
		out.Items[i] = toMatchJSON(m, a, now, false)
	}
	return c.JSON(fiber.Map{"items": out.Items, "next": "", "exhausted": led.Exhausted})
}

// listMatches is an institution's inbox (soonest due first), an
// enterprise's view across its projects, or a coordinator's pipeline view
// over its regions; ?overdue=true keeps the late ones.
func (s *Server) listMatches(c *fiber.Ctx) error {
	a := actor(c)
	var probs finzone.Problems
	f := finzone.MatchFilter{ProjectID: c.Query("project_id")}
	if st := c.Query("stage"); st != "" {
		for _, one := range strings.Split(st, ",") {
			if !finzone.Stage(one).Valid() {
				probs.Add("stage", finzone.FCInvalid)
				break
			}
			f.Stages = append(f.Stages, finzone.Stage(one))
		}
	}
	switch c.Query("overdue") {
	case "", "false":
	case "true":
		f.OverdueAt = s.now()
	default:
		probs.Add("overdue", finzone.FCInvalid)
	}
	region := c.Query("region")
	if region != "" {
		if _, ok := finzone.LookupRegion(region); !ok {
			probs.Add("region", finzone.FCUnknown)
		}
	}
	pg, err := pageOf(c)
	if err != nil {
		return err
	}
	if len(probs) > 0 {
		return probs.Err()
	}
	switch {
	case a.IsInstitution():
		f.InstitutionID = a.Org.ID
	case a.IsEnterprise():
		f.OwnerOrgID = a.Org.ID
	case a.IsPlatformAdmin():
	case a.IsCoordinator():
		f.Regions = finzone.ExpandRegions(a.User.Regions)
	default:
		return finzone.Errorf(finzone.ECForbidden, "no match view for this account")
	}
	if region != "" {
		r := finzone.ExpandRegions([]string{region})
		if f.Regions != nil {
			r = intersect(f.Regions, r)
		}
		f.Regions = r
	}
	items, next, err := s.store.ListMatches(c.UserContext(), f, pg)
	if err != nil {
		return err
	}
	now := s.now()
	out := listJSON[matchJSON]{Items: make([]matchJSON, len(items)), Next: next}
	for i, m := range items {
		out.Items[i] = toMatchJSON(m, a, now, false)
	}
	return c.JSON(out)
}

// loadMatch finds a match the actor may see: its institution, or whoever
// may see the project.
func (s *Server) loadMatch(c *fiber.Ctx) (finzone.Match, finzone.Project, error) {
	m, err := s.store.Match(c.UserContext(), c.Params("id"))
	if err != nil {
		return m, finzone.Project{}, err
	}
	p, err := s.store.Project(c.UserContext(), m.ProjectID)
	if err != nil {
		return m, p, err
	}
	if !actor(c).CanSeeMatch(m, p) {
		return finzone.Match{}, finzone.Project{}, finzone.Errorf(finzone.ECNotFound, "match hidden from actor")
	}
	return m, p, nil
}

func (s *Server) getMatch(c *fiber.Ctx) error {
	m, _, err := s.loadMatch(c)
	if err != nil {
		return err
	}
	a := actor(c)
	if a.CanActOnMatch(m) && !m.Read {
		if err := s.store.SetMatchRead(c.UserContext(), m.ID, true); err != nil {
			return err
		}
		m.Read = true
	}
	return c.JSON(toMatchJSON(m, a, s.now(), true))
}

type actionBody struct {
	Action            *string    `json:"action"`
	ReasonCode        *string    `json:"reason_code"`
	Note              *string    `json:"note"`
	AmountYuan        *int64     `json:"amount_yuan"`
	RateBps           *int       `json:"rate_bps"`
	TermMonths        *int       `json:"term_months"`
	TrancheAmountYuan *int64     `json:"tranche_amount_yuan"`
	TrancheDate       *time.Time `json:"tranche_date"`
}

// matchAction moves a match one step for the JSON API.
func (s *Server) matchAction(c *fiber.Ctx) error {
	m, p, err := s.loadMatch(c)
	if err != nil {
		return err
	}
	a := actor(c)
	if !a.CanActOnMatch(m) {
		return finzone.Errorf(finzone.ECForbidden, "only the institution moves its match")
	}
	var body actionBody
	if err := decode(c, &body); err != nil {
		return err
	}
	in := actionInput{Action: finzone.Action(str(body.Action)), ReasonCode: str(body.ReasonCode), Note: str(body.Note),
		AmountYuan: body.AmountYuan, RateBps: body.RateBps, TermMonths: body.TermMonths,
		TrancheAmountYuan: body.TrancheAmountYuan, TrancheDate: body.TrancheDate}
	moved, err := s.applyAction(c, a, m, p, in)
	if err != nil {
		return err
	}
	return c.JSON(toMatchJSON(moved, a, s.now(), true))
}

// actionInput is one step an institution asks for, from JSON or a form.
// Nil numbers were not given.
type actionInput struct {
	Action            finzone.Action
	ReasonCode        string
	Note              string
	AmountYuan        *int64
	RateBps           *int
	TermMonths        *int
	TrancheAmountYuan *int64
	TrancheDate       *time.Time
}

// applyAction moves match m of project p one step for actor a. Only its
// institution may, only along the stage machine; the move is conditional
// on the stage it read, so two racing clicks cannot both apply. Field
// problems come back as a validation *finzone.Error named by the API's
// field names; a step the stage does not allow as invalid_state with the
// allowed actions.
func (s *Server) applyAction(c *fiber.Ctx, a finzone.Actor, m finzone.Match, p finzone.Project, in actionInput) (finzone.Match, error) {
	if !a.CanActOnMatch(m) {
		return finzone.Match{}, finzone.Errorf(finzone.ECForbidden, "only the institution moves its match")
	}
	action := in.Action
	if action == "" {
		var probs finzone.Problems
		probs.Add("action", finzone.FCRequired)
		return finzone.Match{}, probs.Err()
	}
	to, ok := m.Stage.Next(action)
	if !ok {
		e := finzone.Errorf(finzone.ECInvalidState, "%s not allowed in %s", action, m.Stage)
		e.Allowed = strs(m.Stage.Actions())
		return finzone.Match{}, e
	}
	now := s.now()
	note := strings.TrimSpace(in.Note)
	ch := finzone.MatchChange{To: to, KeepDue: true,
		Event: finzone.Event{At: now, Actor: a.User.ID, Action: string(action), From: m.Stage, To: to, Note: note}}
	var probs finzone.Problems
	probs.Text("note", note, false, 2000)
	switch action {
	case finzone.ActionDecline:
		reason := in.ReasonCode
		if reason == "" {
			probs.Add("reason_code", finzone.FCRequired)
		} else if !slices.Contains(finzone.DeclineReasons, reason) {
			probs.Add("reason_code", finzone.FCInvalid)
		}
		if note == "" {
			probs.Add("note", finzone.FCRequired) // a decline must say why, in words too
		}
		ch.DeclineReason, ch.DeclineNote = reason, note
	case finzone.ActionApprove:
		if in.AmountYuan == nil {
			probs.Add("amount_yuan", finzone.FCRequired)
		} else {
			probs.Range("amount_yuan", *in.AmountYuan, finzone.MinAmountYuan, p.AmountYuan)
		}
		if in.RateBps == nil {
			probs.Add("rate_bps", finzone.FCRequired)
		} else {
			probs.Range("rate_bps", int64(*in.RateBps), 1, finzone.MaxRateBps)
		}
		if in.TermMonths == nil {
			probs.Add("term_months", finzone.FCRequired)
		} else {
			probs.Range("term_months", int64(*in.TermMonths), 1, finzone.MaxTermMonths)
		}
		if len(probs) == 0 {
			ch.ApprovedAmountYuan, ch.ApprovedRateBps, ch.ApprovedTermMonths = *in.AmountYuan, *in.RateBps, *in.TermMonths
		}
	case finzone.ActionDisburse:
		limit := m.ApprovedAmountYuan - m.DisbursedYuan()
		if in.TrancheAmountYuan == nil {
			probs.Add("tranche_amount_yuan", finzone.FCRequired)
		} else {
			probs.Range("tranche_amount_yuan", *in.TrancheAmountYuan, 1, limit) // never more than approved
		}
		date := now
		if in.TrancheDate != nil {
			date = *in.TrancheDate
		}
		if date.After(now.Add(24 * time.Hour)) {
			probs.Add("tranche_date", finzone.FCInvalid) // a disbursement is recorded after it happens
		}
		if in.TrancheAmountYuan != nil {
			ch.Tranche = &finzone.Tranche{AmountYuan: *in.TrancheAmountYuan, Date: date}
		}
	}
	if len(probs) > 0 {
		return finzone.Match{}, probs.Err()
	}
	// Each stage with a deadline starts its own clock; the credit deadline
	// runs from first contact through review; later stages have none.
	if due, ok := s.deadlines.Due(to, now); ok {
		ch.DueAt, ch.KeepDue = due, false
	} else if to != finzone.StageDueDiligence && to != finzone.StageCreditReview {
		ch.DueAt, ch.KeepDue = time.Time{}, false
	}
	moved, err := s.store.MoveMatch(c.UserContext(), m.ID, m.Stage, ch)
	if err != nil {
		if finzone.IsCode(err, finzone.ECInvalidState) {
			if cur, gerr := s.store.Match(c.UserContext(), m.ID); gerr == nil {
				e := finzone.Errorf(finzone.ECInvalidState, "match moved to %s meanwhile", cur.Stage)
				e.Allowed = strs(cur.Stage.Actions())
				return finzone.Match{}, e
			}
		}
		return finzone.Match{}, err
	}
	s.notify(c, "match", func(pl finzone.Pipeline) error { return pl.MatchChanged(c.UserContext(), moved.ID) })
	return moved, nil
}
