package finzone

import (
	"testing"
	"time"
)

var synNow = time.Date(2026, 12, 1, 10, 0, 0, 0, time.UTC)

func kinds(id string) (OrgKind, bool) {
	switch id[0] {
	case 'b', 'L':
		return KindBank, true
	case 'i':
		return KindInsurer, true
	case 'g':
		return KindGuarantee, true
	}
	return "", false
}

func isBank(id string) bool { k, _ := kinds(id); return k == KindBank }

func in3Days(int) time.Time { return synNow.Add(72 * time.Hour) }

// building is a ¥2亿 facility in one tranche, lead L, with b1 and b2
// invited.
func building(t *testing.T) Syndicate {
	t.Helper()
	s := SuggestSyndicate(Project{ID: "p", AmountYuan: 2e8, TermMonths: 60}, SyndicateReasonThreshold, "L", synNow)
	s, err := s.Mandate("L", []string{"L", "b9"}, "u", "ent", synNow)
	if err != nil {
		t.Fatal(err)
	}
	if s, err = s.SetFacility(FacilityInput{AmountYuan: 2e8, CommitDays: 3, ArrangementFeeBps: 50}, 2e8, SyndicateRules{}, isBank, in3Days, "u", "L", synNow); err != nil {
		t.Fatal(err)
	}
	if s, err = s.Invite([]string{"b1", "b2"}, SyndicateParticipant, 20, kinds, "u", "L", synNow); err != nil {
		t.Fatal(err)
	}
	return s
}

// alloc gives L, b1 and b2 the shares named (all in tranche A) and checks.
func alloc(s Syndicate, l, b1, b2 int64) Syndicate {
	shares := map[string][]TrancheAmount{}
	for id, n := range map[string]int64{"L": l, "b1": b1, "b2": b2} {
		if n > 0 {
			shares[id] = []TrancheAmount{{"A", n}}
		}
	}
	return s.Allocated(shares, false, SyndicateRules{})
}

func wantCode(t *testing.T, err error, code string) {
	t.Helper()
	if ErrorCode(err) != code {
		t.Fatalf("got %v, want %s", err, code)
	}
}

func wantField(t *testing.T, err error, field, code string) {
	t.Helper()
	for _, f := range FieldErrors(err) {
		if f.Field == field && f.Code == code {
			return
		}
	}
	t.Fatalf("got %v, want %s on %s", err, code, field)
}

func TestSyndicateMandateAndFacility(t *testing.T) {
	s := SuggestSyndicate(Project{ID: "p", AmountYuan: 3e8, TermMonths: 60}, SyndicateReasonThreshold, "L", synNow)
	_, err := s.Mandate("b7", []string{"L"}, "u", "ent", synNow)
	wantField(t, err, "institution_id", FCNotEligible)
	m, err := s.Mandate("L", []string{"L"}, "u", "ent", synNow)
	if err != nil || m.State != SyndicateMandated || m.LeadID != "L" || m.Members[0].Role != SyndicateLead {
		t.Fatalf("mandate: %+v %v", m, err)
	}
	for _, tt := range []struct {
		name  string
		in    FacilityInput
		room  int64
		field string
		code  string
	}{
		{"not whole ¥1万", FacilityInput{AmountYuan: 2e8 + 1, CommitDays: 3}, 3e8, "amount_yuan", FCNotWholeUnit},
		{"more than the need left", FacilityInput{AmountYuan: 3e8, CommitDays: 3}, 2e8, "amount_yuan", FCOutOfRange},
		{"tranches that do not add up", FacilityInput{AmountYuan: 3e8, CommitDays: 3, Tranches: []TrancheInput{{1e8, 36}, {1e8, 60}}}, 3e8, "tranches", FCSumMismatch},
		{"one tranche short of the facility", FacilityInput{AmountYuan: 3e8, CommitDays: 3, Tranches: []TrancheInput{{1e8, 36}}}, 3e8, "tranches", FCSumMismatch},
		{"four tranches", FacilityInput{AmountYuan: 4e8, CommitDays: 3, Tranches: []TrancheInput{{1e8, 36}, {1e8, 36}, {1e8, 36}, {1e8, 36}}}, 4e8, "tranches", FCOutOfRange},
		{"an insurer as agent", FacilityInput{AmountYuan: 3e8, CommitDays: 3, AgentID: "i1"}, 3e8, "agent_id", FCNotBank},
		{"fees past 10 %", FacilityInput{AmountYuan: 3e8, CommitDays: 3, AgencyFeeBps: 1001}, 3e8, "agency_fee_bps", FCOutOfRange},
		{"no deadline", FacilityInput{AmountYuan: 3e8}, 3e8, "commit_days", FCOutOfRange},
	} {
		t.Run(tt.name, func(t *testing.T) {
			_, err := m.SetFacility(tt.in, tt.room, SyndicateRules{}, isBank, in3Days, "u", "L", synNow)
			wantField(t, err, tt.field, tt.code)
		})
	}
	f, err := m.SetFacility(FacilityInput{AmountYuan: 3e8, CommitDays: 3, Tranches: []TrancheInput{{2e8, 60}, {1e8, 36}}}, 3e8,
		SyndicateRules{}, isBank, in3Days, "u", "L", synNow)
	if err != nil || f.State != SyndicateBookBuilding || f.Facility.AgentID != "L" || len(f.Facility.Tranches) != 2 ||
		f.Facility.Tranches[1].ID != "B" || !f.Facility.CommitBy.Equal(in3Days(3)) {
		t.Fatalf("facility: %+v %v", f.Facility, err)
	}
	if _, err := f.Mandate("L", []string{"L"}, "u", "ent", synNow); ErrorCode(err) != ECInvalidState {
		t.Fatalf("re-mandate during book-building: %v", err)
	}
}

func TestSyndicateInvitations(t *testing.T) {
	s := building(t)
	for _, tt := range []struct {
		name  string
		ids   []string
		role  SyndicateRole
		field string
		code  string
	}{
		{"an insurer", []string{"i1"}, SyndicateParticipant, "institution_ids[0]", FCNotBank},
		{"a guarantee firm", []string{"b5", "g1"}, SyndicateParticipant, "institution_ids[1]", FCNotBank},
		{"a bank invited already", []string{"b1"}, SyndicateParticipant, "institution_ids[0]", FCTaken},
		{"a third co-lead", []string{"b5", "b6", "b7"}, SyndicateCoLead, "institution_ids[2]", FCOutOfRange},
		{"nobody", nil, SyndicateParticipant, "institution_ids", FCRequired},
		{"an unknown role", []string{"b5"}, "agent", "role", FCInvalid},
	} {
		t.Run(tt.name, func(t *testing.T) {
			got, err := s.Invite(tt.ids, tt.role, 0, kinds, "u", "L", synNow)
			wantField(t, err, tt.field, tt.code)
			if len(got.Members) != len(s.Members) {
				t.Fatalf("a refused invitation changed the members")
			}
		})
	}
}

func TestSyndicateAnswers(t *testing.T) {
	s := building(t)
	late := synNow.Add(73 * time.Hour)
	for _, tt := range []struct {
		name string
		do   func() (Syndicate, error)
		code string
	}{
		{"a commitment after the deadline", func() (Syndicate, error) { return s.Commit("b1", "", 5e7, SyndicateRules{}, "u", late) }, ECDeadlinePassed},
		{"a decline after the deadline", func() (Syndicate, error) { return s.Decline("b1", "capacity", "额度已满", "u", late) }, ECDeadlinePassed},
		{"a bank not invited", func() (Syndicate, error) { return s.Commit("b8", "", 5e7, SyndicateRules{}, "u", synNow) }, ECForbidden},
		{"an unknown tranche", func() (Syndicate, error) { return s.Commit("b1", "B", 5e7, SyndicateRules{}, "u", synNow) }, ECValidation},
		{"part of ¥1万", func() (Syndicate, error) { return s.Commit("b1", "", 5e7+5, SyndicateRules{}, "u", synNow) }, ECValidation},
		{"a decline without a reason", func() (Syndicate, error) { return s.Decline("b1", "", "", "u", synNow) }, ECValidation},
		{"the lead declining its mandate", func() (Syndicate, error) { return s.Decline("L", "capacity", "x", "u", synNow) }, ECInvalidState},
		{"withdrawing with nothing committed", func() (Syndicate, error) { return s.Withdraw("b1", "", "u", synNow) }, ECInvalidState},
		{"signing with a gap", func() (Syndicate, error) { return alloc(s, 1.2e8, 5e7, 0).Sign("u", "L", synNow) }, ECSyndicateRule},
		{"signing before book-building", func() (Syndicate, error) {
			return SuggestSyndicate(Project{ID: "p"}, "", "", synNow).Sign("u", "L", synNow)
		}, ECInvalidState},
	} {
		t.Run(tt.name, func(t *testing.T) {
			_, err := tt.do()
			wantCode(t, err, tt.code)
		})
	}
	c, err := s.Commit("b1", "", 5e7, SyndicateRules{}, "u", synNow)
	if err != nil {
		t.Fatal(err)
	}
	if c, err = c.Commit("b1", "A", 8e7, SyndicateRules{}, "u", synNow); err != nil {
		t.Fatal(err)
	}
	if m, _ := c.Member("b1"); m.Status != MemberCommitted || m.CommittedYuan() != 8e7 {
		t.Fatalf("a second commitment replaces the first: %+v", m)
	}
	if m, _ := s.Member("b1"); m.Status != MemberInvited {
		t.Fatalf("Commit changed the syndicate it was given")
	}
	w, err := c.Withdraw("b1", "credit committee said no", "u", synNow)
	if m, _ := w.Member("b1"); err != nil || m.Status != MemberWithdrawn || m.CommittedYuan() != 0 {
		t.Fatalf("withdraw: %+v %v", m, err)
	}
	d, err := s.Decline("b2", "capacity", "额度已满", "u", synNow)
	if m, _ := d.Member("b2"); err != nil || m.Status != MemberDeclined || m.DeclineReason != "capacity" {
		t.Fatalf("decline: %+v %v", m, err)
	}
	if _, err := d.Commit("b2", "", 1e7, SyndicateRules{}, "u", synNow); ErrorCode(err) != ECInvalidState {
		t.Fatalf("commit after declining: %v", err)
	}
}

func TestSyndicateRuleChecks(t *testing.T) {
	s := building(t)
	for _, tt := range []struct {
		name       string
		l, b1, b2  int64
		binding    string
		signable   bool
		failedRule string
	}{
		{"15 % lead, everyone within 70 %", 0.3e8, 1e8, 0.7e8, "", true, ""},
		{"lead below 15 %", 0.2e8, 1e8, 0.8e8, RuleLeadMin, false, RuleLeadMin},
		{"lead above 70 %", 1.6e8, 0.2e8, 0.2e8, RuleDistribute, false, RuleMemberMax},
		{"a participant above 70 %", 0.3e8, 1.5e8, 0.2e8, RuleMemberMax, false, RuleMemberMax},
		{"a gap only", 0.3e8, 1e8, 0.5e8, "", false, RuleCovered},
	} {
		t.Run(tt.name, func(t *testing.T) {
			got := alloc(s, tt.l, tt.b1, tt.b2)
			if got.Binding != tt.binding || got.Signable() != tt.signable {
				t.Fatalf("binding %q signable %v, want %q %v; checks %+v", got.Binding, got.Signable(), tt.binding, tt.signable, got.Checks)
			}
			for _, c := range got.Checks {
				if c.Rule == tt.failedRule && c.OK {
					t.Fatalf("rule %s passes: %+v", tt.failedRule, got.Checks)
				}
			}
		})
	}
}

func signed(t *testing.T) Syndicate {
	t.Helper()
	s := building(t)
	for id, n := range map[string]int64{"L": 0.6e8, "b1": 1e8, "b2": 0.4e8} {
		var err error
		if s, err = s.Commit(id, "", int64(n), SyndicateRules{}, "u", synNow); err != nil {
			t.Fatal(err)
		}
	}
	s = alloc(s, 0.6e8, 1e8, 0.4e8)
	s, err := s.Sign("u", "L", synNow)
	if err != nil || s.State != SyndicateSigned {
		t.Fatalf("sign: %v", err)
	}
	return s
}

func TestSyndicateDrawdowns(t *testing.T) {
	s := signed(t)
	// Three uneven drawdowns: each member's drawn total follows its share
	// (30 %, 50 %, 20 %) and reaches it exactly when the tranche is drawn.
	drawn := map[string]int64{}
	for i, amt := range []int64{33_333_333, 100_000_001, 66_666_666} {
		var d Drawdown
		var err error
		s, d, err = s.Draw(string(rune('a'+i)), "", "", amt, "u", synNow)
		if err != nil {
			t.Fatal(err)
		}
		var sum int64
		for _, sp := range d.Splits {
			drawn[sp.InstitutionID] += sp.AmountYuan
			sum += sp.AmountYuan
		}
		if sum != amt {
			t.Fatalf("drawdown %d split into %d", amt, sum)
		}
	}
	if drawn["L"] != 0.6e8 || drawn["b1"] != 1e8 || drawn["b2"] != 0.4e8 {
		t.Fatalf("drawn in full, members hold %v", drawn)
	}
	_, _, err := s.Draw("d", "", "", 1, "u", synNow)
	wantField(t, err, "amount_yuan", FCOutOfRange)
	_, _, err = building(t).Draw("d", "", "", 1, "u", synNow)
	wantCode(t, err, ECInvalidState)
}

// A drawdown sent again with the agent's reference is recorded once; the
// reference cannot name a different drawdown.
func TestSyndicateDrawdownReference(t *testing.T) {
	s := signed(t)
	once, d, err := s.Draw("d1", "PAY-2026-001", "", 5e7, "u", synNow)
	if err != nil || d.Ref != "PAY-2026-001" {
		t.Fatalf("first: %+v %v", d, err)
	}
	again, d2, err := once.Draw("d2", "PAY-2026-001", "", 5e7, "u", synNow.Add(time.Minute))
	if err != nil || len(again.Drawdowns) != 1 || again.DrawnYuan("") != 5e7 || d2.ID != "d1" {
		t.Fatalf("a retry recorded %d drawdowns, %d drawn (%v)", len(again.Drawdowns), again.DrawnYuan(""), err)
	}
	_, _, err = once.Draw("d2", "PAY-2026-001", "", 6e7, "u", synNow)
	wantCode(t, err, ECConflict)
	_, _, err = once.Draw("d2", "付款 1", "", 1e7, "u", synNow)
	wantField(t, err, "reference", FCInvalid)
}

func TestSyndicateTransfers(t *testing.T) {
	s := signed(t)
	for _, tt := range []struct {
		name     string
		from, to string
		amount   int64
		code     string
		rule     string
	}{
		{"the lead below its 15 %", "L", "b1", 0.4e8, ECSyndicateRule, RuleLeadMin},
		{"to an insurer", "b1", "i1", 0.1e8, ECValidation, ""},
		{"more than the share", "b2", "b5", 0.5e8, ECValidation, ""},
		{"by a stranger", "b7", "b5", 0.1e8, ECForbidden, ""},
	} {
		t.Run(tt.name, func(t *testing.T) {
			_, err := s.Transfer(tt.from, tt.to, "", tt.amount, kinds, SyndicateRules{}, "u", synNow)
			wantCode(t, err, tt.code)
			if tt.rule != "" {
				if e, ok := err.(*Error); !ok || e.Params["rule"] != tt.rule {
					t.Fatalf("rule: got %v, want %s", err, tt.rule)
				}
			}
		})
	}
	// b1 takes 15 % from the lead (65 %, allowed), then b2's 20 % would
	// take it past 70 %.
	more, err := s.Transfer("L", "b1", "", 0.3e8, kinds, SyndicateRules{}, "u", synNow)
	if err != nil {
		t.Fatal(err)
	}
	_, err = more.Transfer("b2", "b1", "", 0.4e8, kinds, SyndicateRules{}, "u", synNow)
	if e, ok := err.(*Error); !ok || e.Code != ECSyndicateRule || e.Params["rule"] != RuleMemberMax {
		t.Fatalf("past 70 %%: got %v, want syndicate_rule member_max", err)
	}
	left, err := s.Transfer("b2", "b5", "", 0.4e8, kinds, SyndicateRules{}, "u", synNow)
	if err != nil {
		t.Fatal(err)
	}
	if m, _ := left.Member("b2"); m.Status != MemberLeft || m.AllocatedYuan() != 0 {
		t.Fatalf("b2 after passing its whole share: %+v", m)
	}
	if m, _ := left.Member("b5"); m.AllocatedYuan() != 0.4e8 || left.Events[len(left.Events)-1].Action != "left" {
		t.Fatalf("b5 after taking b2's share: %+v", m)
	}
	drawn, _, _ := s.Draw("d", "", "", 1e7, "u", synNow)
	_, err = drawn.Transfer("b2", "b5", "", 0.1e8, kinds, SyndicateRules{}, "u", synNow)
	wantCode(t, err, ECInvalidState)
}

func TestSyndicateFeesSeenBy(t *testing.T) {
	s := building(t)
	for _, tt := range []struct {
		viewer string
		see    map[string]int
	}{
		{"L", map[string]int{"b1": 20, "b2": 20}},
		{"b1", map[string]int{"b1": 20, "b2": 0}},
		{"ent", map[string]int{"b1": 0, "b2": 0}},
	} {
		got := s.SeenBy(tt.viewer)
		for id, fee := range tt.see {
			if m, _ := got.Member(id); m.FeeBps != fee {
				t.Errorf("%s sees %s's fee %d, want %d", tt.viewer, id, m.FeeBps, fee)
			}
		}
	}
	if m, _ := s.Member("b2"); m.FeeBps != 20 {
		t.Fatalf("SeenBy changed the syndicate it was given")
	}
}
