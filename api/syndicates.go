package api

import (
	"github.com/gofiber/fiber/v2"

	"finzone"
)

type memberJSON struct {
	InstitutionID string `json:"institution_id"`
	Role          string `json:"role"`
	ShareYuan     int64  `json:"share_yuan"`
	Status        string `json:"status"`
}

type syndicateJSON struct {
	ProjectID     string       `json:"project_id"`
	AmountYuan    int64        `json:"amount_yuan"`
	State         string       `json:"state"`
	Members       []memberJSON `json:"members"`
	Coverage      float64      `json:"coverage"` // share of the facility allocated to members who have not declined, 0–1
	CommittedYuan int64        `json:"committed_yuan"`
	GapYuan       int64        `json:"gap_yuan"`
	Shortfall     string       `json:"shortfall,omitempty"`
	UpdatedAt     string       `json:"updated_at"`
}

func toSyndicateJSON(s finzone.Syndicate) syndicateJSON {
	out := syndicateJSON{ProjectID: s.ProjectID, AmountYuan: s.AmountYuan, State: string(s.State),
		Coverage: float64(s.CoverageBps()) / 10000, CommittedYuan: s.CommittedYuan(), GapYuan: s.GapYuan,
		Shortfall: s.Shortfall, UpdatedAt: s.UpdatedAt.UTC().Format("2006-01-02T15:04:05Z"), Members: []memberJSON{}}
	for _, m := range s.Members {
		out.Members = append(out.Members, memberJSON{InstitutionID: m.InstitutionID, Role: string(m.Role), ShareYuan: m.ShareYuan, Status: string(m.Status)})
	}
	return out
}

func (s *Server) getSyndicate(c *fiber.Ctx) error {
	p, err := s.loadProject(c)
	if err != nil {
		return err
	}
	syn, err := s.store.Syndicate(c.UserContext(), p.ID)
	if err != nil {
		return err
	}
	return c.JSON(toSyndicateJSON(syn))
}

type respondBody struct {
	Decision *string `json:"decision"`
}

// respondSyndicate records a member institution's answer to its share.
func (s *Server) respondSyndicate(c *fiber.Ctx) error {
	p, err := s.loadProject(c)
	if err != nil {
		return err
	}
	var body respondBody
	if err := decode(c, &body); err != nil {
		return err
	}
	syn, err := s.respondShare(c, actor(c), p, str(body.Decision))
	if err != nil {
		return err
	}
	return c.JSON(toSyndicateJSON(syn))
}

// respondShare records institution a's answer ("accept" or "decline") to
// its share of p's syndicate; a decline is reallocated by the pipeline. The
// write is conditional on the syndicate's version, so two members answering
// at once both land (the loser retries on fresh data).
func (s *Server) respondShare(c *fiber.Ctx, a finzone.Actor, p finzone.Project, decision string) (finzone.Syndicate, error) {
	status := finzone.ShareStatus("")
	switch decision {
	case "accept":
		status = finzone.ShareAccepted
	case "decline":
		status = finzone.ShareDeclined
	default:
		var probs finzone.Problems
		probs.Add("decision", finzone.FCInvalid)
		return finzone.Syndicate{}, probs.Err()
	}
	for attempt := 0; ; attempt++ {
		syn, err := s.store.Syndicate(c.UserContext(), p.ID)
		if err != nil {
			return finzone.Syndicate{}, err
		}
		i := -1
		for j, m := range syn.Members {
			if m.InstitutionID == a.Org.ID {
				i = j
			}
		}
		if i < 0 || !a.IsInstitution() {
			return finzone.Syndicate{}, finzone.Errorf(finzone.ECForbidden, "only members answer for their share")
		}
		if syn.State == finzone.SyndicateSigned || syn.Members[i].Status != finzone.ShareProposed {
			return finzone.Syndicate{}, finzone.Errorf(finzone.ECInvalidState, "share already %s", syn.Members[i].Status)
		}
		syn.Members[i].Status = status
		if syn.Committed() {
			syn.State = finzone.SyndicateCommitted
		}
		err = s.store.SaveSyndicate(c.UserContext(), &syn, syn.Version)
		if finzone.IsCode(err, finzone.ECConflict) && attempt < 3 {
			continue
		}
		if err != nil {
			return finzone.Syndicate{}, err
		}
		if status == finzone.ShareDeclined {
			s.notify(c, "syndicate", func(pl finzone.Pipeline) error {
				return pl.SyndicateDeclined(c.UserContext(), p.ID, a.Org.ID)
			})
		}
		return syn, nil
	}
}

// signSyndicate: the lead marks a committed syndicate signed.
func (s *Server) signSyndicate(c *fiber.Ctx) error {
	p, err := s.loadProject(c)
	if err != nil {
		return err
	}
	syn, err := s.signFor(c, actor(c), p)
	if err != nil {
		return err
	}
	return c.JSON(toSyndicateJSON(syn))
}

// syndicateLead is the lead arranger's institution ID, or "".
func syndicateLead(syn finzone.Syndicate) string {
	for _, m := range syn.Members {
		if m.Role == finzone.SyndicateLead {
			return m.InstitutionID
		}
	}
	return ""
}

// signFor marks p's committed syndicate signed for actor a, who must be its
// lead arranger. The write is conditional on the version read.
func (s *Server) signFor(c *fiber.Ctx, a finzone.Actor, p finzone.Project) (finzone.Syndicate, error) {
	syn, err := s.store.Syndicate(c.UserContext(), p.ID)
	if err != nil {
		return finzone.Syndicate{}, err
	}
	if lead := syndicateLead(syn); lead == "" || lead != a.Org.ID {
		return finzone.Syndicate{}, finzone.Errorf(finzone.ECForbidden, "only the lead arranger signs")
	}
	if syn.State != finzone.SyndicateCommitted {
		return finzone.Syndicate{}, finzone.Errorf(finzone.ECInvalidState, "syndicate is %s, not committed", syn.State)
	}
	syn.State = finzone.SyndicateSigned
	if err := s.store.SaveSyndicate(c.UserContext(), &syn, syn.Version); err != nil {
		return finzone.Syndicate{}, err
	}
	return syn, nil
}
