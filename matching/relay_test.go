package matching

import (
	"fmt"
	"reflect"
	"testing"
	"time"

	"finzone"
)

// Institutions of the relay tests: b* are banks (they may lead), i* are
// insurers (they may not), c1 is an insurer allowed to lead individually;
// x1 is not in the table (unverified since), so it may not lead either.
var relayInsts = func() map[string]Institution {
	m := map[string]Institution{"c1": {ID: "c1", Kind: finzone.KindInsurer, CanLead: true}}
	for i := 1; i <= 12; i++ {
		b, in := fmt.Sprintf("b%d", i), fmt.Sprintf("i%d", i)
		m[b] = Institution{ID: b, Kind: finzone.KindBank}
		m[in] = Institution{ID: in, Kind: finzone.KindInsurer}
	}
	return m
}()

var relayNow = time.Date(2026, 6, 1, 9, 0, 0, 0, time.UTC)

func relayPick(id string) Pick {
	return Pick{InstitutionID: id, ProductID: "pd-" + id, ProductVersion: 2, Score: 61.5,
		Components: []Component{{Name: "rate", Value: 20, Max: 20}, {Name: "term", Value: 41.5, Max: 80}}}
}

// sel is a selection in the given order (All's order is what relay uses).
func sel(ids ...string) Selection {
	var s Selection
	for _, id := range ids {
		s.Waitlist = append(s.Waitlist, relayPick(id))
	}
	return s
}

// entry is a ledger entry as a previous fill wrote it.
func entry(id string, role finzone.MatchRole, rank int) finzone.LedgerEntry {
	return finzone.LedgerEntry{InstitutionID: id, ProductID: "pd-" + id, Role: role, Rank: rank,
		PushedAt: relayNow.Add(-72 * time.Hour)}
}

// pushed is the entry the plan adds for a pick of sel.
func pushed(id string, role finzone.MatchRole, rank int) finzone.LedgerEntry {
	return finzone.LedgerEntry{InstitutionID: id, ProductID: "pd-" + id, ProductVersion: 2, Role: role, Rank: rank,
		Score: 61.5, Components: []finzone.ScoreComponent{{Name: "rate", Value: 20}, {Name: "term", Value: 41.5}},
		PushedAt: relayNow}
}

// stages gives each institution's match its stage; an institution left out
// has no match.
func stages(kv ...string) map[string]finzone.Match {
	m := map[string]finzone.Match{}
	for i := 0; i+1 < len(kv); i += 2 {
		m[kv[i]] = finzone.Match{InstitutionID: kv[i], Stage: finzone.Stage(kv[i+1])}
	}
	return m
}

const (
	lead    = finzone.RoleLead
	partner = finzone.RolePartner
)

func TestPlanRelay(t *testing.T) {
	two := Config{Partners: 2}
	tests := []struct {
		name    string
		led     finzone.Ledger
		matches map[string]finzone.Match
		sel     Selection
		cfg     Config
		want    RelayPlan
	}{
		{
			name: "fresh push: a lead, then partners in selection order",
			sel:  sel("b1", "i1", "b2", "i2"), cfg: two,
			want: RelayPlan{Promoted: -1, Changed: true,
				Add: []finzone.LedgerEntry{pushed("b1", lead, 1), pushed("i1", partner, 2), pushed("b2", partner, 3)}},
		},
		{
			name: "fresh push: the lead is the first that may lead, ranked first",
			sel:  sel("i1", "x1", "i2", "b1"), cfg: two,
			want: RelayPlan{Promoted: -1, Changed: true,
				Add: []finzone.LedgerEntry{pushed("b1", lead, 1), pushed("i1", partner, 2), pushed("x1", partner, 3)}},
		},
		{
			name: "fresh push: defaults give ten partners",
			sel:  sel("b1", "i1", "i2", "i3", "i4", "i5", "i6", "i7", "i8", "i9", "i10", "i11", "i12"),
			want: RelayPlan{Promoted: -1, Changed: true, Add: []finzone.LedgerEntry{
				pushed("b1", lead, 1), pushed("i1", partner, 2), pushed("i2", partner, 3), pushed("i3", partner, 4),
				pushed("i4", partner, 5), pushed("i5", partner, 6), pushed("i6", partner, 7), pushed("i7", partner, 8),
				pushed("i8", partner, 9), pushed("i9", partner, 10), pushed("i10", partner, 11)}},
		},
		{
			name:    "relay after a decline: the next untried candidate, never the one that declined",
			led:     finzone.Ledger{Entries: []finzone.LedgerEntry{entry("b1", lead, 1), entry("i1", partner, 2), entry("i2", partner, 3)}},
			matches: stages("b1", "pushed", "i1", "declined", "i2", "accepted"),
			sel:     sel("b1", "i1", "i2", "i3", "i4"), cfg: two,
			want: RelayPlan{Promoted: -1, Changed: true, Add: []finzone.LedgerEntry{pushed("i3", partner, 4)}},
		},
		{
			name:    "relay after an expiry: slots full again, nobody left, not exhausted",
			led:     finzone.Ledger{Entries: []finzone.LedgerEntry{entry("b1", lead, 1), entry("i1", partner, 2), entry("i2", partner, 3)}},
			matches: stages("b1", "accepted", "i1", "pushed", "i2", "expired"),
			sel:     sel("b1", "i1", "i2", "i3"), cfg: two,
			want: RelayPlan{Promoted: -1, Changed: true, Add: []finzone.LedgerEntry{pushed("i3", partner, 4)}},
		},
		{
			name:    "withdrawn counts as freed too",
			led:     finzone.Ledger{Entries: []finzone.LedgerEntry{entry("b1", lead, 1), entry("i1", partner, 2), entry("i2", partner, 3)}},
			matches: stages("b1", "pushed", "i1", "withdrawn", "i2", "closed"),
			sel:     sel("b1", "i1", "i2", "i3", "i4"), cfg: two,
			want: RelayPlan{Promoted: -1, Changed: true, Add: []finzone.LedgerEntry{pushed("i3", partner, 4)}},
		},
		{
			name: "lead promotion: the best-ranked live partner that may lead, then its slot refilled",
			led: finzone.Ledger{Entries: []finzone.LedgerEntry{entry("b1", lead, 1), entry("b5", partner, 2),
				entry("i1", partner, 3), entry("b2", partner, 4)}},
			matches: stages("b1", "expired", "b5", "declined", "i1", "pushed", "b2", "accepted"),
			sel:     sel("b1", "b5", "i1", "b2", "i3", "i4"), cfg: two,
			want: RelayPlan{Promoted: 3, Changed: true, Add: []finzone.LedgerEntry{pushed("i3", partner, 5)}},
		},
		{
			name: "lead promotion goes by rank, not by ledger order",
			led: finzone.Ledger{Entries: []finzone.LedgerEntry{entry("b1", lead, 1), entry("b3", partner, 4),
				entry("b2", partner, 3), entry("i1", partner, 2)}},
			matches: stages("b1", "declined", "b3", "pushed", "b2", "pushed", "i1", "pushed"),
			sel:     sel("b1", "i1", "b2", "b3", "i2"), cfg: two,
			want: RelayPlan{Promoted: 2, Changed: true},
		},
		{
			name:    "an institution allowed to lead individually is promoted",
			led:     finzone.Ledger{Entries: []finzone.LedgerEntry{entry("b1", lead, 1), entry("i1", partner, 2), entry("c1", partner, 3)}},
			matches: stages("b1", "declined", "i1", "pushed", "c1", "pushed"),
			sel:     sel("b1", "i1", "c1", "i2"), cfg: two,
			want: RelayPlan{Promoted: 2, Changed: true, Add: []finzone.LedgerEntry{pushed("i2", partner, 4)}},
		},
		{
			name: "lead replaced when no live partner may lead",
			led: finzone.Ledger{Entries: []finzone.LedgerEntry{entry("b1", lead, 1), entry("i1", partner, 2),
				entry("b2", partner, 3), entry("x1", partner, 4)}},
			matches: stages("b1", "declined", "i1", "pushed", "b2", "declined", "x1", "pushed"),
			sel:     sel("b1", "i1", "b2", "x1", "i3", "b3", "i4"), cfg: two,
			want: RelayPlan{Promoted: -1, Changed: true, Add: []finzone.LedgerEntry{pushed("b3", lead, 5)}},
		},
		{
			name:    "exhausted: no lead left to ask, partners still filled",
			led:     finzone.Ledger{Entries: []finzone.LedgerEntry{entry("b1", lead, 1), entry("i1", partner, 2)}},
			matches: stages("b1", "declined", "i1", "pushed"),
			sel:     sel("b1", "i1", "i2"), cfg: two,
			want: RelayPlan{Promoted: -1, Exhausted: true, Changed: true, Add: []finzone.LedgerEntry{pushed("i2", partner, 3)}},
		},
		{
			name:    "exhausted: a partner slot open and nobody untried",
			led:     finzone.Ledger{Entries: []finzone.LedgerEntry{entry("b1", lead, 1), entry("i1", partner, 2), entry("i2", partner, 3)}},
			matches: stages("b1", "pushed", "i1", "declined", "i2", "pushed"),
			sel:     sel("b1", "i1", "i2"), cfg: two,
			want: RelayPlan{Promoted: -1, Exhausted: true, Changed: true},
		},
		{
			name:    "still exhausted: nothing to save",
			led:     finzone.Ledger{Exhausted: true, Entries: []finzone.LedgerEntry{entry("b1", lead, 1), entry("i1", partner, 2)}},
			matches: stages("b1", "pushed", "i1", "declined"),
			sel:     sel("b1", "i1"), cfg: two,
			want: RelayPlan{Promoted: -1, Exhausted: true},
		},
		{
			name:    "un-exhausted: a new candidate fills the open slot",
			led:     finzone.Ledger{Exhausted: true, Entries: []finzone.LedgerEntry{entry("b1", lead, 1), entry("i1", partner, 2)}},
			matches: stages("b1", "pushed", "i1", "declined"),
			sel:     sel("b1", "i5", "i1", "i6"), cfg: two,
			want: RelayPlan{Promoted: -1, Changed: true,
				Add: []finzone.LedgerEntry{pushed("i5", partner, 3), pushed("i6", partner, 4)}},
		},
		{
			name:    "still exhausted after pushing the last one",
			led:     finzone.Ledger{Exhausted: true, Entries: []finzone.LedgerEntry{entry("b1", lead, 1), entry("i1", partner, 2)}},
			matches: stages("b1", "pushed", "i1", "declined"),
			sel:     sel("b1", "i5", "i1"), cfg: Config{Partners: 3},
			want: RelayPlan{Promoted: -1, Exhausted: true, Changed: true,
				Add: []finzone.LedgerEntry{pushed("i5", partner, 3)}},
		},
		{
			name:    "a missing match counts as live",
			led:     finzone.Ledger{Entries: []finzone.LedgerEntry{entry("b1", lead, 1), entry("i1", partner, 2), entry("i2", partner, 3)}},
			matches: stages("i2", "pushed"),
			sel:     sel("b1", "i1", "i2", "b3", "i3"), cfg: two,
			want: RelayPlan{Promoted: -1},
		},
		{
			name:    "all live and full: nothing changes",
			led:     finzone.Ledger{Entries: []finzone.LedgerEntry{entry("b1", lead, 1), entry("i1", partner, 2), entry("i2", partner, 3)}},
			matches: stages("b1", "contracted", "i1", "due_diligence", "i2", "pushed"),
			sel:     sel("i9", "b9"), cfg: two,
			want: RelayPlan{Promoted: -1},
		},
		{
			name: "ranks continue the ledger",
			led: finzone.Ledger{Entries: []finzone.LedgerEntry{entry("b1", lead, 1), entry("i1", partner, 2),
				entry("i2", partner, 3), entry("i3", partner, 4), entry("i4", partner, 5)}},
			matches: stages("b1", "declined", "i1", "declined", "i2", "expired", "i3", "pushed", "i4", "withdrawn"),
			sel:     sel("i5", "b1", "i1", "b2", "i6", "i7"), cfg: Config{Partners: 3},
			want: RelayPlan{Promoted: -1, Changed: true, Add: []finzone.LedgerEntry{
				pushed("b2", lead, 6), pushed("i5", partner, 7), pushed("i6", partner, 8)}},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			before := fmt.Sprint(tt.led)
			got := PlanRelay(tt.led, tt.matches, tt.sel, relayInsts, tt.cfg, relayNow)
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("PlanRelay:\n got %+v\nwant %+v", got, tt.want)
			}
			if after := fmt.Sprint(tt.led); after != before {
				t.Errorf("PlanRelay changed the ledger:\n got %s\nwant %s", after, before)
			}
		})
	}
}

func TestRelayPlanApply(t *testing.T) {
	led := finzone.Ledger{ProjectID: "pj1", Version: 4,
		Entries: []finzone.LedgerEntry{entry("b1", lead, 1), entry("b2", partner, 2), entry("i1", partner, 3)}}
	plan := PlanRelay(led, stages("b1", "declined", "b2", "pushed", "i1", "declined"), sel("b1", "b2", "i1"),
		relayInsts, Config{Partners: 2}, relayNow)
	got := plan.Apply(led)
	want := finzone.Ledger{ProjectID: "pj1", Version: 4, Exhausted: true,
		Entries: []finzone.LedgerEntry{entry("b1", lead, 1), entry("b2", lead, 2), entry("i1", partner, 3)}}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("Apply:\n got %+v\nwant %+v", got, want)
	}
	if led.Entries[1].Role != partner {
		t.Errorf("Apply changed the ledger it was given: entry 1 is %s, want %s", led.Entries[1].Role, partner)
	}
}

func TestPlanEnhancers(t *testing.T) {
	// g* are guarantee products, n* insurance.
	category := func(productID string) finzone.ProductCategory {
		if productID[3] == 'g' {
			return finzone.CategoryGuarantee
		}
		return finzone.CategoryInsurance
	}
	guarantee := []finzone.ProductCategory{finzone.CategoryGuarantee}
	both := []finzone.ProductCategory{finzone.CategoryGuarantee, finzone.CategoryInsurance}
	lenders := []finzone.LedgerEntry{entry("b1", finzone.RoleLead, 1), entry("b2", finzone.RolePartner, 2)}
	for _, tt := range []struct {
		name    string
		entries []finzone.LedgerEntry
		matches map[string]finzone.Match
		want    []finzone.ProductCategory
		got     []string
	}{
		{"none wanted", lenders, nil, nil, nil},
		{"only the wanted kind, up to three", lenders, nil, guarantee, []string{"g1", "g2", "g3"}},
		{"either kind", lenders, nil, both, []string{"g1", "n1", "g2"}},
		{"a live enhancer keeps its place; a declined one is not asked again",
			append(append([]finzone.LedgerEntry(nil), lenders...), entry("g1", finzone.RoleEnhancer, 3), entry("g2", finzone.RoleEnhancer, 4)),
			stages("g1", "declined", "g2", "assessing"), guarantee, []string{"g3", "g4"}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			led := finzone.Ledger{Entries: tt.entries}
			add := PlanEnhancers(led, tt.matches, sel("g1", "n1", "g2", "g3", "n2", "g4"), tt.want, category, Config{}, len(tt.entries), relayNow)
			var ids []string
			for i, e := range add {
				ids = append(ids, e.InstitutionID)
				if e.Role != finzone.RoleEnhancer || e.Rank != len(tt.entries)+i+1 {
					t.Errorf("entry %+v: want an enhancer ranked after the ledger", e)
				}
			}
			if !reflect.DeepEqual(ids, tt.got) {
				t.Errorf("got %v, want %v", ids, tt.got)
			}
		})
	}
	// Enhancer entries never count as lender slots.
	led := finzone.Ledger{Entries: []finzone.LedgerEntry{entry("g1", finzone.RoleEnhancer, 1)}}
	plan := PlanRelay(led, nil, sel("b1", "b2"), relayInsts, Config{Partners: 1}, relayNow)
	if len(plan.Add) != 2 || plan.Add[0].Role != finzone.RoleLead {
		t.Errorf("with only an enhancer in the ledger: adds %+v, want a lead and a partner", plan.Add)
	}
}

func TestPlanAssign(t *testing.T) {
	full := finzone.Ledger{Entries: []finzone.LedgerEntry{entry("b1", finzone.RoleLead, 1)}}
	ms := map[string]finzone.Match{"b1": {Stage: finzone.StageContacted}}
	for i := 2; i <= 11; i++ {
		id := fmt.Sprintf("b%d", i)
		full.Entries = append(full.Entries, entry(id, finzone.RolePartner, i))
		ms[id] = finzone.Match{Stage: finzone.StagePushed}
	}
	ms["b11"] = finzone.Match{Stage: finzone.StageAccepted} // has accepted: stays
	assign := []finzone.ProjectEvent{{Action: finzone.EventAssign, InstitutionID: "x1", ProductID: "px"}}

	add, replace := PlanAssign(full, ms, assign, Config{}, len(full.Entries), relayNow)
	if len(add) != 1 || add[0].InstitutionID != "x1" || add[0].Role != finzone.RolePartner || add[0].Rank != 12 || add[0].ProductID != "px" {
		t.Errorf("full slots: add %+v", add)
	}
	if !reflect.DeepEqual(replace, []string{"b10"}) {
		t.Errorf("replaced %v, want the lowest-ranked partner not yet accepted (b10)", replace)
	}
	short := finzone.Ledger{Entries: full.Entries[:3]}
	if add, replace := PlanAssign(short, ms, assign, Config{}, 3, relayNow); len(add) != 1 || len(replace) != 0 {
		t.Errorf("free slots: add %v replace %v, want a push and no replacement", add, replace)
	}
	for id, m := range ms {
		if id != "b1" {
			m.Stage = finzone.StageDueDiligence
			ms[id] = m
		}
	}
	if add, _ := PlanAssign(full, ms, assign, Config{}, 11, relayNow); len(add) != 0 {
		t.Errorf("every partner working: add %v, want the assignment to wait", add)
	}
}
