package matching

import (
	"fmt"
	"testing"
	"time"

	"pgregory.net/rapid"

	"finzone"
)

func TestSyndicateReason(t *testing.T) {
	pj := baseProject()
	lead := &Pick{MaxTicketYuan: 10_000_000, CapacityLeftYuan: Unlimited}
	for _, tt := range []struct {
		amount int64
		lead   *Pick
		want   string
	}{
		{5_000_000, lead, ""},
		{10_000_001, lead, finzone.SyndicateReasonLeadTicket},
		{150_000_000, nil, finzone.SyndicateReasonThreshold},
		{150_000_000, lead, finzone.SyndicateReasonThreshold},
		{5_000_000, nil, ""},
		{5_000_000, &Pick{MaxTicketYuan: 10_000_000, CapacityLeftYuan: 4_000_000}, finzone.SyndicateReasonLeadCapacity},
	} {
		pj.AmountYuan = tt.amount
		if got := SyndicateReason(pj, tt.lead, Config{}); got != tt.want {
			t.Errorf("amount %d lead %v: got %q, want %q", tt.amount, tt.lead, got, tt.want)
		}
		if NeedsSyndicate(pj, tt.lead, Config{}) != (tt.want != "") {
			t.Errorf("amount %d: NeedsSyndicate disagrees with %q", tt.amount, tt.want)
		}
	}
}

const yi = 100_000_000 // ¥1亿

// book is a syndicate in book-building with the given tranches (in yuan)
// and commitments: member → tranche → yuan. Member "L" leads; "C…"
// members are co-leads.
func book(tranches []int64, commits map[string]map[string]int64, order ...string) finzone.Syndicate {
	s := finzone.Syndicate{State: finzone.SyndicateBookBuilding, LeadID: "L"}
	for i, a := range tranches {
		s.Facility.Tranches = append(s.Facility.Tranches, finzone.TrancheGroup{ID: string(rune('A' + i)), AmountYuan: a, TermMonths: 36})
		s.Facility.AmountYuan += a
	}
	s.Facility.AgentID = "L"
	for _, id := range order {
		role := finzone.SyndicateParticipant
		switch id[0] {
		case 'L':
			role = finzone.SyndicateLead
		case 'C':
			role = finzone.SyndicateCoLead
		}
		m := finzone.SyndicateMember{InstitutionID: id, Role: role, Status: finzone.MemberInvited}
		for tr, a := range commits[id] {
			m.Status = finzone.MemberCommitted
			m.Commitments = append(m.Commitments, finzone.TrancheAmount{Tranche: tr, AmountYuan: a})
		}
		s.Members = append(s.Members, m)
	}
	return s
}

func shareOf(s finzone.Syndicate, id string) int64 {
	m, _ := s.Member(id)
	return m.AllocatedYuan()
}

func TestAllocateBook(t *testing.T) {
	for _, tt := range []struct {
		name     string
		s        finzone.Syndicate
		gap      int64
		binding  string
		want     map[string]int64 // member → allocated yuan
		signable bool
	}{
		{
			name: "¥8亿 in two tranches, ¥9.5亿 committed: scaled back pro rata to exactly ¥8亿",
			s: book([]int64{5 * yi, 3 * yi}, map[string]map[string]int64{
				"L":  {"A": 2 * yi, "B": 1 * yi},
				"P1": {"A": 2 * yi},
				"P2": {"A": 1.5 * yi},
				"P3": {"B": 1.5 * yi},
				"P4": {"B": 1 * yi},
			}, "L", "P1", "P2", "P3", "P4"),
			// A: 5.5亿 committed for 5亿 → ×10/11; B: 3.5亿 for 3亿 → ×6/7.
			// L: A 18,182 units (18,181.8 rounded up, largest remainder) + B 8,572.
			want:     map[string]int64{"L": 267_540_000, "P1": 181_820_000, "P2": 136_360_000, "P3": 128_570_000, "P4": 85_710_000},
			signable: true,
		},
		{
			name: "under-subscribed: everyone keeps its commitment, the gap is reported, no rule binds",
			s: book([]int64{2 * yi}, map[string]map[string]int64{"L": {"A": 0.8 * yi}, "P1": {"A": 0.7 * yi}},
				"L", "P1"),
			gap: 0.5 * yi, want: map[string]int64{"L": 0.8 * yi, "P1": 0.7 * yi},
		},
		{
			name: "a lead committing all but one bank's ticket is cut to 70 %: distribute_min binds",
			s: book([]int64{2 * yi}, map[string]map[string]int64{"L": {"A": 2 * yi}, "P1": {"A": 0.2 * yi}},
				"L", "P1"),
			gap: 0.4 * yi, binding: finzone.RuleDistribute, want: map[string]int64{"L": 1.4 * yi, "P1": 0.2 * yi},
		},
		{
			name: "the lead's 15 % is kept while an over-subscribed book is scaled back",
			s: book([]int64{10 * yi}, map[string]map[string]int64{"L": {"A": 1.6 * yi}, "P1": {"A": 7 * yi}, "P2": {"A": 7 * yi}},
				"L", "P1", "P2"),
			want: map[string]int64{"L": 1.5 * yi, "P1": 4.25 * yi, "P2": 4.25 * yi}, signable: true,
		},
		{
			name: "a lead committing less than 15 % names lead_min",
			s: book([]int64{2 * yi}, map[string]map[string]int64{"L": {"A": 0.2 * yi}, "P1": {"A": 1 * yi}, "P2": {"A": 1 * yi}},
				"L", "P1", "P2"),
			binding: finzone.RuleLeadMin, want: map[string]int64{"L": 0.2 * yi, "P1": 0.9 * yi, "P2": 0.9 * yi},
		},
		{
			name: "with a co-lead each lead holds 10 %",
			s: book([]int64{4 * yi}, map[string]map[string]int64{"L": {"A": 0.4 * yi}, "C1": {"A": 0.4 * yi}, "P1": {"A": 4 * yi}, "P2": {"A": 1 * yi}},
				"L", "C1", "P1", "P2"),
			// P1 is cut to 70 % (¥2.8亿) and scaled back with P2 by 16/19.
			want: map[string]int64{"L": 0.4 * yi, "C1": 0.4 * yi, "P1": 235_790_000, "P2": 84_210_000}, signable: true,
		},
		{
			name: "a bank cut to 70 % with nobody to take the rest names member_max",
			s: book([]int64{4 * yi}, map[string]map[string]int64{"L": {"A": 0.4 * yi}, "C1": {"A": 0.4 * yi}, "P1": {"A": 4 * yi}},
				"L", "C1", "P1"),
			gap: 0.4 * yi, binding: finzone.RuleMemberMax, want: map[string]int64{"P1": 2.8 * yi},
		},
		{
			name: "a tranche with one bank names tranche_banks",
			s: book([]int64{1 * yi, 1 * yi}, map[string]map[string]int64{"L": {"A": 0.5 * yi, "B": 0.2 * yi}, "P1": {"A": 0.5 * yi}, "P2": {"A": 0.8 * yi}},
				"L", "P1", "P2"),
			gap: 0.8 * yi, binding: finzone.RuleTrancheBanks,
		},
	} {
		t.Run(tt.name, func(t *testing.T) {
			got := AllocateBook(tt.s, DefaultRules())
			if got.GapYuan != tt.gap || got.Binding != tt.binding {
				t.Fatalf("gap %d binding %q, want %d %q; checks %+v", got.GapYuan, got.Binding, tt.gap, tt.binding, got.Checks)
			}
			for id, want := range tt.want {
				if g := shareOf(got, id); g != want {
					t.Errorf("%s: got ¥%d, want ¥%d", id, g, want)
				}
			}
			if got.AllocatedYuan()+got.GapYuan != got.Facility.AmountYuan {
				t.Errorf("allocated %d + gap %d != facility %d", got.AllocatedYuan(), got.GapYuan, got.Facility.AmountYuan)
			}
			if got.Signable() != tt.signable {
				t.Errorf("signable %v, want %v (checks %+v)", got.Signable(), tt.signable, got.Checks)
			}
		})
	}
}

// Over random books, the allocation never gives a bank more than it
// committed nor a tranche more than its amount; it sums exactly to the
// facility or reports the gap; it either keeps every rule or names the one
// that binds; an over-subscribed book (after the cap) with leads that
// committed their minimum is covered; and banks scaled back in a tranche
// keep the same fraction of their commitment, to within rounding.
func TestAllocateBookProperties(t *testing.T) {
	r := DefaultRules()
	rapid.Check(t, func(t *rapid.T) {
		s := genBook(t)
		got := AllocateBook(s, r)
		for t2, tr := range got.Facility.Tranches {
			var in int64
			for i, m := range got.Members {
				a := m.AllocatedIn(tr.ID)
				c := s.Members[i].CommittedIn(tr.ID)
				if s.Members[i].Status != finzone.MemberCommitted {
					c = 0
				}
				if a < 0 || a > c || a%r.UnitYuan != 0 {
					t.Fatalf("tranche %d member %s: allocated %d of commitment %d", t2, m.InstitutionID, a, c)
				}
				in += a
			}
			if in > tr.AmountYuan {
				t.Fatalf("tranche %s: allocated %d > %d", tr.ID, in, tr.AmountYuan)
			}
		}
		if got.AllocatedYuan()+got.GapYuan != got.Facility.AmountYuan || got.GapYuan < 0 {
			t.Fatalf("allocated %d + gap %d != %d", got.AllocatedYuan(), got.GapYuan, got.Facility.AmountYuan)
		}
		failed := ""
		for _, c := range got.Checks {
			if !c.OK && c.Rule != finzone.RuleCovered && failed == "" {
				failed = c.Rule
			}
		}
		if failed != "" && got.Binding == "" {
			t.Fatalf("rule %s broken but not reported: %+v", failed, got.Checks)
		}
		if got.GapYuan == 0 && got.Binding == "" && !got.Signable() {
			t.Fatalf("covered, nothing binds, yet not signable: %+v", got.Checks)
		}
		if coveredAfterCap(s, r) && got.GapYuan != 0 {
			t.Fatalf("over-subscribed book left a gap of %d", got.GapYuan)
		}
		proRata(t, s, got)
	})
}

// coveredAfterCap: every tranche is over-subscribed by participants alone
// even after the cap, so leads' reserves cannot starve it.
func coveredAfterCap(s finzone.Syndicate, r Rules) bool {
	capYuan := s.Facility.AmountYuan * r.MemberMaxBps / 10_000
	for _, tr := range s.Facility.Tranches {
		var in int64
		for _, m := range s.Members {
			if m.Status == finzone.MemberCommitted && m.Role == finzone.SyndicateParticipant && m.CommittedYuan() <= capYuan {
				in += m.CommittedIn(tr.ID)
			}
		}
		if in < tr.AmountYuan {
			return false
		}
	}
	return true
}

// proRata: two participants under the cap, scaled back in the same
// tranche, hold the same fraction of their commitments to within one unit
// each.
func proRata(t *rapid.T, s, got finzone.Syndicate) {
	capYuan := s.Facility.AmountYuan * DefaultRules().MemberMaxBps / 10_000
	for _, tr := range s.Facility.Tranches {
		type fr struct{ a, c int64 }
		var fs []fr
		for i, m := range got.Members {
			c := s.Members[i].CommittedIn(tr.ID)
			a := m.AllocatedIn(tr.ID)
			if m.Role == finzone.SyndicateParticipant && s.Members[i].Status == finzone.MemberCommitted && c > 0 && a < c && s.Members[i].CommittedYuan() <= capYuan {
				fs = append(fs, fr{a, c})
			}
		}
		for i := 1; i < len(fs); i++ {
			x, y := float64(fs[0].a)/float64(fs[0].c), float64(fs[i].a)/float64(fs[i].c)
			tol := 10_000/float64(fs[0].c) + 10_000/float64(fs[i].c) + 1e-9
			if x-y > tol || y-x > tol {
				t.Fatalf("tranche %s: fractions %.6f and %.6f differ by more than rounding (%v)", tr.ID, x, y, fs)
			}
		}
	}
}

func genBook(t *rapid.T) finzone.Syndicate {
	nt := rapid.IntRange(1, finzone.MaxTrancheGroups).Draw(t, "tranches")
	tranches := make([]int64, nt)
	for i := range tranches {
		tranches[i] = rapid.Int64Range(10, 200_000).Draw(t, "tranche万") * 10_000
	}
	s := book(tranches, nil)
	ids := []string{"L"}
	for i := range rapid.IntRange(0, finzone.MaxCoLeads).Draw(t, "co-leads") {
		ids = append(ids, fmt.Sprintf("C%d", i))
	}
	for i := range rapid.IntRange(0, 8).Draw(t, "participants") {
		ids = append(ids, fmt.Sprintf("P%d", i))
	}
	for _, id := range ids {
		role := finzone.SyndicateParticipant
		if id[0] == 'L' {
			role = finzone.SyndicateLead
		} else if id[0] == 'C' {
			role = finzone.SyndicateCoLead
		}
		m := finzone.SyndicateMember{InstitutionID: id, Role: role,
			Status: rapid.SampledFrom([]finzone.MemberStatus{finzone.MemberCommitted, finzone.MemberCommitted, finzone.MemberInvited, finzone.MemberWithdrawn}).Draw(t, "status")}
		for _, tr := range s.Facility.Tranches {
			if rapid.Bool().Draw(t, "in tranche") {
				c := tr.AmountYuan * rapid.Int64Range(1, 120).Draw(t, "commit%") / 100 / 10_000 * 10_000
				if c > 0 {
					m.Commitments = append(m.Commitments, finzone.TrancheAmount{Tranche: tr.ID, AmountYuan: c})
				}
			}
		}
		s.Members = append(s.Members, m)
	}
	s.Facility.CommitBy = time.Now().Add(time.Hour)
	return s
}
