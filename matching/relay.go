package matching

import (
	"slices"
	"time"

	"finzone"
)

// RelayPlan is what one fill does to a project's ledger: the 1 lead and up
// to Config.Partners partners kept live, freed slots relayed down the
// current ranking.
type RelayPlan struct {
	// Add are the institutions to push now, ranked after the ledger's
	// entries: a lead first if the project still has none, then partners.
	Add []finzone.LedgerEntry
	// Promoted is the index in the ledger's entries of the partner promoted
	// to lead, or -1.
	Promoted int
	// Exhausted: slots are open and nobody untried is left to ask.
	Exhausted bool
	// Changed: the ledger must be saved (entries added, a promotion, or
	// Exhausted flipped).
	Changed bool
}

// PlanRelay plans a fill of a project from its ledger, the matches of the
// ledger's institutions by institution ID, a fresh selection and the
// institutions the selection was made from. An entry is live while its
// match is live, or missing (the match is about to be created, or created
// again after a crash). When no live entry leads, the best-ranked live
// partner that may lead is promoted; if there is none, a lead is pushed from
// the candidates never tried. Free partner slots are then filled with
// untried candidates in selection order. led is left as it is.
func PlanRelay(led finzone.Ledger, matches map[string]finzone.Match, sel Selection,
	insts map[string]Institution, cfg Config, now time.Time) RelayPlan {
	cfg = cfg.withDefaults()
	mayLead := func(id string) bool {
		in, ok := insts[id]
		return ok && cfg.mayLead(in)
	}
	live := func(e finzone.LedgerEntry) bool {
		m, ok := matches[e.InstitutionID]
		return !ok || m.Stage.Live()
	}
	plan := RelayPlan{Promoted: -1}
	tried := make(map[string]bool, len(led.Entries))
	hasLead, livePartners := false, 0
	for _, e := range led.Entries {
		tried[e.InstitutionID] = true
		if !e.Role.Lends() {
			continue // enhancers sit beside the 1+10
		}
		if live(e) {
			if e.Role == finzone.RoleLead {
				hasLead = true
			} else {
				livePartners++
			}
		}
	}
	if !hasLead {
		// The lead dropped out: promote the best live partner able to lead.
		for i, e := range led.Entries {
			if e.Role == finzone.RolePartner && live(e) && mayLead(e.InstitutionID) &&
				(plan.Promoted < 0 || e.Rank < led.Entries[plan.Promoted].Rank) {
				plan.Promoted = i
			}
		}
		if plan.Promoted >= 0 {
			hasLead, livePartners = true, livePartners-1
		}
	}
	push := func(pk Pick, role finzone.MatchRole) {
		tried[pk.InstitutionID] = true
		plan.Add = append(plan.Add, finzone.LedgerEntry{InstitutionID: pk.InstitutionID, ProductID: pk.ProductID,
			ProductVersion: pk.ProductVersion, Role: role, Rank: len(led.Entries) + len(plan.Add) + 1, Score: pk.Score,
			Components: toComponents(pk.Components), PushedAt: now})
	}
	candidates := sel.All()
	if !hasLead {
		for _, pk := range candidates {
			if !tried[pk.InstitutionID] && mayLead(pk.InstitutionID) {
				push(pk, finzone.RoleLead)
				hasLead = true
				break
			}
		}
	}
	for _, pk := range candidates {
		if livePartners >= cfg.Partners {
			break
		}
		if !tried[pk.InstitutionID] {
			push(pk, finzone.RolePartner)
			livePartners++
		}
	}
	plan.Exhausted = (!hasLead || livePartners < cfg.Partners) &&
		!slices.ContainsFunc(candidates, func(pk Pick) bool { return !tried[pk.InstitutionID] })
	plan.Changed = len(plan.Add) > 0 || plan.Promoted >= 0 || plan.Exhausted != led.Exhausted
	return plan
}

// Apply returns led with the plan carried out: the promotion, the added
// entries and the exhausted flag. led's own entries are not modified.
func (p RelayPlan) Apply(led finzone.Ledger) finzone.Ledger {
	entries := slices.Clone(led.Entries)
	if p.Promoted >= 0 {
		entries[p.Promoted].Role = finzone.RoleLead
	}
	led.Entries, led.Exhausted = append(entries, p.Add...), p.Exhausted
	return led
}

// PlanEnhancers picks the credit enhancers to push beside a project's 1+10:
// untried institutions from the enhancers' selection whose product is of a
// wanted category (category names a product's), until the project has
// cfg.Enhancers live. Their ranks follow rank (the ledger's length after
// the lenders' relay).
func PlanEnhancers(led finzone.Ledger, matches map[string]finzone.Match, sel Selection, want []finzone.ProductCategory,
	category func(productID string) finzone.ProductCategory, cfg Config, rank int, now time.Time) []finzone.LedgerEntry {
	cfg = cfg.withDefaults()
	if len(want) == 0 {
		return nil
	}
	tried := make(map[string]bool, len(led.Entries))
	live := 0
	for _, e := range led.Entries {
		tried[e.InstitutionID] = true
		if e.Role.Lends() {
			continue
		}
		if m, ok := matches[e.InstitutionID]; !ok || m.Stage.Live() {
			live++
		}
	}
	var out []finzone.LedgerEntry
	for _, pk := range sel.All() {
		if live >= cfg.Enhancers {
			break
		}
		if tried[pk.InstitutionID] || !slices.Contains(want, category(pk.ProductID)) {
			continue
		}
		tried[pk.InstitutionID] = true
		live++
		rank++
		out = append(out, finzone.LedgerEntry{InstitutionID: pk.InstitutionID, ProductID: pk.ProductID,
			ProductVersion: pk.ProductVersion, Role: finzone.RoleEnhancer, Rank: rank, Score: pk.Score,
			Components: toComponents(pk.Components), PushedAt: now})
	}
	return out
}

func toComponents(cs []Component) []finzone.ScoreComponent {
	out := make([]finzone.ScoreComponent, len(cs))
	for i, c := range cs {
		out[i] = finzone.ScoreComponent{Name: c.Name, Value: c.Value}
	}
	return out
}

// PlanAssign places coordinators' assignments in the 1+10: each assigned
// institution is pushed as a partner through the product named. When the
// lender slots are full, the lowest-ranked partner that has not accepted
// (still pushed) makes way: its institution is returned in replace. An
// assignment with no such partner to replace waits (it is not returned).
// rank is the ledger's length so far.
func PlanAssign(led finzone.Ledger, matches map[string]finzone.Match, pending []finzone.ProjectEvent,
	cfg Config, rank int, now time.Time) (add []finzone.LedgerEntry, replace []string) {
	cfg = cfg.withDefaults()
	live := map[string]bool{}
	n := 0
	for _, e := range led.Entries {
		m, ok := matches[e.InstitutionID]
		if e.Role.Lends() && (!ok || m.Stage.Live()) {
			live[e.InstitutionID] = true
			n++
		}
	}
	for _, a := range pending {
		if n >= cfg.Leads+cfg.Partners {
			victim := ""
			for _, e := range led.Entries {
				m, ok := matches[e.InstitutionID]
				if e.Role == finzone.RolePartner && live[e.InstitutionID] && ok && m.Stage == finzone.StagePushed &&
					(victim == "" || e.Rank > rankOf(led, victim)) {
					victim = e.InstitutionID
				}
			}
			if victim == "" {
				continue
			}
			live[victim] = false
			replace = append(replace, victim)
			n--
		}
		rank++
		n++
		add = append(add, finzone.LedgerEntry{InstitutionID: a.InstitutionID, ProductID: a.ProductID, Role: finzone.RolePartner,
			Rank: rank, Components: []finzone.ScoreComponent{{Name: "assigned", Value: 0}}, PushedAt: now})
	}
	return add, replace
}

func rankOf(led finzone.Ledger, inst string) int {
	for _, e := range led.Entries {
		if e.InstitutionID == inst {
			return e.Rank
		}
	}
	return 0
}
