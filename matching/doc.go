// Package matching is the matching engine of the cluster finance zone: it
// picks the "1+10" institutions for a financing project from the catalogue
// of published products, explains why a product is out ("why not"), and
// splits a syndicated loan among institutions under the NFRA rules.
//
// It is pure Go over domain values: no clock (callers pass now), no store,
// no queue. A typical worker keeps one Index for the catalogue:
//
//	idx := matching.NewIndex(matching.DefaultConfig())
//	idx.Upsert(product, matching.InstitutionOf(org))
//	sel := idx.Select(project, now)
//	if matching.NeedsSyndicate(project, sel.Lead(), cfg) {
//		alloc := matching.Allocate(project.AmountYuan, matching.Candidates(sel), matching.DefaultRules())
//	}
//
// A match is not a credit decision (仅供初步评估，以金融机构审批为准).
package matching
