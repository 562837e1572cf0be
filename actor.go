package finzone

// Actor is who is asking: a signed-in user and their organization. Every
// permission decision in the platform goes through its methods, so the API,
// the pages and the workers agree on who may see or change what.
type Actor struct {
	User User
	Org  Organization
}

// IsEnterprise reports whether the actor acts for an enterprise.
func (a Actor) IsEnterprise() bool { return a.Org.Kind == KindEnterprise }

// IsInstitution reports whether the actor acts for a financial institution.
func (a Actor) IsInstitution() bool { return a.Org.Kind.IsInstitution() }

// IsCoordinator reports whether the actor is government finance staff with at
// least one region in scope.
func (a Actor) IsCoordinator() bool {
	return a.Org.Kind == KindCoordinator && len(a.User.Regions) > 0
}

// IsPlatformAdmin reports whether the actor runs the platform.
func (a Actor) IsPlatformAdmin() bool { return a.User.PlatformAdmin }

// IsStaff reports whether the actor is government finance staff or runs the
// platform: the people who review, verify and watch the pipeline.
func (a Actor) IsStaff() bool { return a.IsCoordinator() || a.IsPlatformAdmin() }

// HasInbox reports whether the actor's organization receives the
// pipeline's notices: enterprises, institutions, and coordinators' finance
// offices (screening, escalations).
func (a Actor) HasInbox() bool {
	return a.Org.ID != "" && (a.IsEnterprise() || a.IsInstitution() || a.Org.Kind == KindCoordinator)
}

// CanManageWebhook: an institution's admins set its webhook and read its
// delivery log.
func (a Actor) CanManageWebhook() bool { return a.IsInstitution() && a.User.Role == RoleAdmin }

// Scope is the division codes the actor's lists cover, narrowed to region
// when one is asked for: a coordinator's scope, or everything (nil) for a
// platform admin. An unknown region narrows nothing.
func (a Actor) Scope(region string) []string {
	var out []string
	if !a.IsPlatformAdmin() {
		out = ExpandRegions(a.User.Regions)
	}
	if _, ok := LookupRegion(region); !ok {
		return out
	}
	want := ExpandRegions([]string{region})
	if out == nil {
		return want
	}
	return Intersect(out, want)
}

// Intersect returns the codes of a that are also in b, in a's order.
func Intersect(a, b []string) []string {
	in := make(map[string]bool, len(b))
	for _, v := range b {
		in[v] = true
	}
	out := []string{}
	for _, v := range a {
		if in[v] {
			out = append(out, v)
		}
	}
	return out
}

// Covers reports whether a region code lies in the actor's coordinator scope.
// Platform admins cover everything.
func (a Actor) Covers(code string) bool {
	if a.IsPlatformAdmin() {
		_, ok := LookupRegion(code)
		return ok
	}
	if !a.IsCoordinator() {
		return false
	}
	for _, s := range a.User.Regions {
		if RegionCovers(s, code) {
			return true
		}
	}
	return false
}

// CanSeeProject: the owner, and coordinators whose scope covers the project.
// (Institutions see projects through the matches pushed to them.)
func (a Actor) CanSeeProject(p Project) bool {
	return p.OwnerOrgID == a.Org.ID || a.Covers(p.RegionCode)
}

// CanCoordinate: coordinators (and platform admins) whose scope covers the
// project screen it, assign institutions, extend deadlines and urge.
func (a Actor) CanCoordinate(p Project) bool {
	return a.IsStaff() && a.Covers(p.RegionCode)
}

// CanChangeProject: only the owner changes its project.
func (a Actor) CanChangeProject(p Project) bool {
	return a.IsEnterprise() && p.OwnerOrgID == a.Org.ID
}

// CanSeeProduct: the owner sees every version; everyone signed in sees
// published ones; coordinators see what serves their regions, to review it.
func (a Actor) CanSeeProduct(p Product) bool {
	if p.OwnerOrgID == a.Org.ID || p.Status == ReviewPublished || a.IsPlatformAdmin() {
		return true
	}
	return a.IsCoordinator() && a.servesScope(p)
}

// CanChangeProduct: only the owning institution edits and publishes.
func (a Actor) CanChangeProduct(p Product) bool {
	return a.IsInstitution() && p.OwnerOrgID == a.Org.ID
}

// CanReviewProduct: coordinators (never the owner) whose scope covers every
// region the product serves, and platform admins. A city's coordinator
// cannot publish a product province-wide or in another city.
func (a Actor) CanReviewProduct(p Product) bool {
	if p.OwnerOrgID == a.Org.ID {
		return false
	}
	return a.IsPlatformAdmin() || (a.IsCoordinator() && a.coversAll(p.Regions))
}

// coversAll reports whether every region lies within the actor's scope: a
// coordinator publishes a product only for the regions it answers for.
func (a Actor) coversAll(regions []string) bool {
	for _, r := range regions {
		if !a.Covers(r) {
			return false
		}
	}
	return len(regions) > 0
}

// CanVerifyInstitution: coordinators whose scope covers the institution's
// region, and platform admins.
func (a Actor) CanVerifyInstitution(o Organization) bool {
	return o.Kind.IsInstitution() && a.Covers(o.RegionCode)
}

// servesScope reports whether the product serves any region inside, or
// around, the coordinator's scope: a province-wide product serves a county
// coordinator's county too.
func (a Actor) servesScope(p Product) bool {
	for _, r := range p.Regions {
		for _, s := range a.User.Regions {
			if RegionCovers(s, r) || RegionCovers(r, s) {
				return true
			}
		}
	}
	return false
}

// ProductScopeRegions returns every served-region code that puts a product in
// view of a coordinator with these scopes: the codes inside the scopes plus
// the cities and province that contain them. Stores use it as an $in filter.
func ProductScopeRegions(scopes []string) []string {
	codes := ExpandRegions(scopes)
	seen := map[string]bool{}
	for _, c := range codes {
		seen[c] = true
	}
	for _, s := range scopes {
		if r, ok := LookupRegion(s); ok {
			for _, up := range []string{r.CityCode, ProvinceCode} {
				if !seen[up] {
					seen[up] = true
					codes = append(codes, up)
				}
			}
		}
	}
	return codes
}
