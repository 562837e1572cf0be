package finzone

import (
	"slices"
	"time"
)

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

// Lead is the lead arranger's institution ID, or "".
func (s Syndicate) Lead() string {
	for _, m := range s.Members {
		if m.Role == SyndicateLead {
			return m.InstitutionID
		}
	}
	return ""
}

// ParseShareAnswer reads a member's answer to its share: "accept" or
// "decline".
func ParseShareAnswer(decision string) (ShareStatus, error) {
	switch decision {
	case "accept":
		return ShareAccepted, nil
	case "decline":
		return ShareDeclined, nil
	}
	var probs Problems
	if decision == "" {
		probs.Add("decision", FCRequired)
	} else {
		probs.Add("decision", FCInvalid)
	}
	return "", probs.Err()
}

// Answer records institution's answer to its proposed share. Only members
// answer, each once, before signing; the syndicate is committed when every
// share is accepted and nothing is uncovered. A decline is reallocated by
// the pipeline.
func (s Syndicate) Answer(institutionID string, answer ShareStatus) (Syndicate, error) {
	i := slices.IndexFunc(s.Members, func(m SyndicateMember) bool { return m.InstitutionID == institutionID })
	if i < 0 {
		return s, Errorf(ECForbidden, "only members answer for their share")
	}
	if s.State == SyndicateSigned || s.Members[i].Status != ShareProposed {
		return s, Errorf(ECInvalidState, "share already %s, syndicate %s", s.Members[i].Status, s.State)
	}
	s.Members = slices.Clone(s.Members)
	s.Members[i].Status = answer
	if s.Committed() {
		s.State = SyndicateCommitted
	}
	return s, nil
}

// Sign marks a committed syndicate signed; only its lead arranger signs.
func (s Syndicate) Sign(institutionID string) (Syndicate, error) {
	if lead := s.Lead(); lead == "" || lead != institutionID {
		return s, Errorf(ECForbidden, "only the lead arranger signs")
	}
	if s.State != SyndicateCommitted {
		return s, Errorf(ECInvalidState, "syndicate is %s, not committed", s.State)
	}
	s.State = SyndicateSigned
	return s, nil
}
