package matching

import (
	"math"

	"finzone"
)

// Unlimited is the capacity of an institution that keeps no ledger of what
// it has committed.
const Unlimited int64 = math.MaxInt64

// Institution is what matching needs to know about a financial institution
// beyond its products: who it is, whether it may be matched, how much it can
// still lend and how it has behaved.
type Institution struct {
	ID         string
	Kind       finzone.OrgKind
	RegionCode string
	Verified   bool
	// CanLead lets an institution lead although Config.LeadKinds omits its kind.
	CanLead bool
	// CapacityLeftYuan is what the institution can still commit; a product's
	// own CapacityYuan, when set, caps it further.
	CapacityLeftYuan int64
	// Track record: share of pushed matches answered and approved, in basis
	// points, over Pushed matches so far. Pushed 0 means no record yet, which
	// scores as average rather than as worst.
	ResponseRateBps, ApprovalRateBps int
	Pushed                           int
	// LiveLoad is how many matches the institution is working on now.
	LiveLoad int
}

// InstitutionOf returns an organization as an institution with unlimited
// capacity and no track record; callers with a ledger fill those in.
func InstitutionOf(o finzone.Organization) Institution {
	return Institution{ID: o.ID, Kind: o.Kind, RegionCode: o.RegionCode, Verified: o.Verified, CapacityLeftYuan: Unlimited}
}

// capacityLeft is what the institution can still lend through one product.
func capacityLeft(p *finzone.Product, in *Institution) int64 {
	c := in.CapacityLeftYuan
	if p.CapacityYuan > 0 && p.CapacityYuan < c {
		c = p.CapacityYuan
	}
	return c
}

// Syndicable reports whether a product can join a syndicated loan: loans
// that are syndicated by design, can lead one, or state a syndicate ticket.
// Such a product passes the amount filter above its AmountMaxYuan, since it
// takes only a ticket of the facility.
func Syndicable(p *finzone.Product) bool {
	switch p.Category {
	case finzone.CategorySyndicatedLoan:
		return true
	case finzone.CategoryLoan:
		return p.CanLeadSyndicate || p.MaxTicketYuan > 0
	}
	return false
}
