package matching

import (
	"reflect"
	"testing"
)

func TestAllocate(t *testing.T) {
	const yi = 100_000_000 // ¥1亿
	tests := []struct {
		name   string
		amount int64
		cands  []Candidate
		want   []Share
		gap    int64
		short  string
	}{
		{"lead takes 70%, one participant the rest", 10 * yi, []Candidate{
			{"a", 0, 20 * yi, Unlimited, true}, {"b", 0, 20 * yi, Unlimited, true}, {"c", 0, 20 * yi, Unlimited, false},
		}, []Share{{"a", RoleLead, 7 * yi}, {"b", RoleParticipant, 3 * yi}}, 0, ""},
		{"best-ranked lead-capable leads", 10 * yi, []Candidate{
			{"x", 0, 4 * yi, Unlimited, false}, {"a", 0, 5 * yi, Unlimited, true}, {"b", 0, 5 * yi, Unlimited, false},
		}, []Share{{"a", RoleLead, 5 * yi}, {"x", RoleParticipant, 4 * yi}, {"b", RoleParticipant, 1 * yi}}, 0, ""},
		{"capacity caps a share", 10 * yi, []Candidate{
			{"a", 0, 20 * yi, 2 * yi, true}, {"b", 0, 20 * yi, 3 * yi, true}, {"c", 0, 20 * yi, Unlimited, true},
		}, []Share{{"a", RoleLead, 2 * yi}, {"b", RoleParticipant, 3 * yi}, {"c", RoleParticipant, 5 * yi}}, 0, ""},
		{"minimum ticket met by trimming the lowest-ranked", 10 * yi, []Candidate{
			{"a", 0, 7 * yi, Unlimited, true}, {"b", 0, 2 * yi, Unlimited, false}, {"c", 2 * yi, 5 * yi, Unlimited, false},
		}, []Share{{"a", RoleLead, 7 * yi}, {"b", RoleParticipant, 1 * yi}, {"c", RoleParticipant, 2 * yi}}, 0, ""},
		{"co-leads when nobody holds 15%", 10 * yi, []Candidate{
			{"a", 0, 1.2 * yi, Unlimited, true}, {"b", 0, 1.2 * yi, Unlimited, true}, {"c", 0, 1.2 * yi, Unlimited, false},
		}, []Share{{"a", RoleLead, 1.2 * yi}, {"b", RoleCoLead, 1.2 * yi}, {"c", RoleParticipant, 1.2 * yi}}, 6.4 * yi, ShortCapacity},
		{"nobody may lead", 10 * yi, []Candidate{{"a", 0, 7 * yi, Unlimited, false}}, nil, 10 * yi, ShortNoLead},
		{"lead alone leaves 30% uncovered", 10 * yi, []Candidate{{"a", 0, 10 * yi, Unlimited, true}},
			[]Share{{"a", RoleLead, 7 * yi}}, 3 * yi, ShortCapacity},
		{"remainder below a unit goes to a member with room", 10*yi + 1234, []Candidate{
			{"a", 0, 20 * yi, Unlimited, true}, {"b", 0, 20 * yi, Unlimited, false},
		}, []Share{{"a", RoleLead, 7 * yi}, {"b", RoleParticipant, 3*yi + 1234}}, 0, ""},
		{"remainder to the lead when it has room", 10*yi + 1234, []Candidate{
			{"a", 0, 6*yi + 5000, Unlimited, true}, {"b", 0, 20 * yi, Unlimited, false},
		}, []Share{{"a", RoleLead, 6*yi + 1234}, {"b", RoleParticipant, 4 * yi}}, 0, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := Allocate(tt.amount, tt.cands, DefaultRules())
			if !reflect.DeepEqual(got.Shares, tt.want) || got.GapYuan != tt.gap || got.Shortfall != tt.short {
				t.Fatalf("got %+v, want shares %+v gap %d %q", got, tt.want, tt.gap, tt.short)
			}
			if err := CheckAllocation(got, tt.cands, DefaultRules()); err != nil {
				t.Fatalf("breaks the rules: %v", err)
			}
		})
	}
}

func TestReallocateKeepsOthers(t *testing.T) {
	const yi = 100_000_000
	cands := []Candidate{
		{"a", 0, 7 * yi, Unlimited, true}, {"b", 0, 2 * yi, Unlimited, true}, {"c", 0, 2 * yi, Unlimited, false},
		{"d", 0, 5 * yi, Unlimited, false},
	}
	prev := Allocate(10*yi, cands, DefaultRules())
	want := []Share{{"a", RoleLead, 7 * yi}, {"b", RoleParticipant, 2 * yi}, {"c", RoleParticipant, 1 * yi}}
	if !reflect.DeepEqual(prev.Shares, want) {
		t.Fatalf("allocate: got %+v", prev.Shares)
	}
	got := Reallocate(prev, "b", cands, DefaultRules())
	want = []Share{{"a", RoleLead, 7 * yi}, {"c", RoleParticipant, 1 * yi}, {"d", RoleParticipant, 2 * yi}}
	if !reflect.DeepEqual(got.Shares, want) || got.GapYuan != 0 {
		t.Fatalf("participant declined: got %+v, want %+v", got, want)
	}
	got = Reallocate(prev, "a", cands, DefaultRules())
	// b, c and d can take ¥9亿 between them: b leads, c keeps its share and
	// tops up, d joins, and the last ¥1亿 is a gap.
	want = []Share{{"b", RoleLead, 2 * yi}, {"c", RoleParticipant, 2 * yi}, {"d", RoleParticipant, 5 * yi}}
	if !reflect.DeepEqual(got.Shares, want) || got.GapYuan != yi {
		t.Fatalf("lead declined: got %+v, want %+v and a gap", got, want)
	}
	if err := CheckAllocation(got, cands[1:], DefaultRules()); err != nil {
		t.Fatal(err)
	}
	if same := Reallocate(prev, "zz", cands, DefaultRules()); !reflect.DeepEqual(same, prev) {
		t.Fatalf("non-member declined: got %+v", same)
	}
}

func TestNeedsSyndicate(t *testing.T) {
	pj := baseProject()
	lead := &Pick{MaxTicketYuan: 10_000_000, CapacityLeftYuan: Unlimited}
	for _, tt := range []struct {
		amount int64
		lead   *Pick
		want   bool
	}{
		{5_000_000, lead, false}, {10_000_001, lead, true}, {150_000_000, nil, true}, {5_000_000, nil, false},
		{5_000_000, &Pick{MaxTicketYuan: 10_000_000, CapacityLeftYuan: 4_000_000}, true},
	} {
		pj.AmountYuan = tt.amount
		if got := NeedsSyndicate(pj, tt.lead, Config{}); got != tt.want {
			t.Errorf("amount %d lead %v: got %v, want %v", tt.amount, tt.lead, got, tt.want)
		}
	}
}
