// Package matching is the matching engine of the cluster finance zone: it
// picks the "1+10" institutions for a financing project from the catalogue
// of published products, explains why a product is out ("why not"), and
// allocates a syndicated loan's book among the committed banks under the
// NFRA rules.
//
// It is pure Go over domain values: no clock (callers pass now), no store,
// no queue. A typical worker keeps one Index for the catalogue:
//
//	idx := matching.NewIndex(matching.DefaultConfig())
//	idx.Upsert(product, matching.InstitutionOf(org))
//	sel := idx.Select(project, now)
//	if reason := matching.SyndicateReason(project, sel.Lead(), cfg); reason != "" {
//		// suggest a syndicate; once banks commit, matching.AllocateBook
//		// allocates the book under matching.DefaultRules().
//	}
//
// A match is not a credit decision (仅供初步评估，以金融机构审批为准).
package matching
