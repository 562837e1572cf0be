package finzone

import (
	"strings"
	"time"
)

// OrgKind says what an organization is.
type OrgKind string

const (
	KindEnterprise  OrgKind = "enterprise"
	KindBank        OrgKind = "bank"
	KindInsurer     OrgKind = "insurer"
	KindLeasing     OrgKind = "leasing"
	KindGuarantee   OrgKind = "guarantee"
	KindCoordinator OrgKind = "coordinator_office"
)

// OrgKinds lists every kind, in display order.
var OrgKinds = []OrgKind{KindEnterprise, KindBank, KindInsurer, KindLeasing, KindGuarantee, KindCoordinator}

// RegistrableKinds are the kinds that register themselves: every kind but
// the coordinators' offices, which platform admins create.
var RegistrableKinds = []OrgKind{KindEnterprise, KindBank, KindInsurer, KindLeasing, KindGuarantee}

// IsInstitution reports whether the kind is a financial institution, one that
// lists products and answers pushed projects.
func (k OrgKind) IsInstitution() bool {
	return k == KindBank || k == KindInsurer || k == KindLeasing || k == KindGuarantee
}

// Valid reports whether k is a known kind.
func (k OrgKind) Valid() bool {
	for _, v := range OrgKinds {
		if v == k {
			return true
		}
	}
	return false
}

// Size is an enterprise size class (大型, 中型, 小型, 微型).
type Size string

const (
	SizeLarge  Size = "large"
	SizeMedium Size = "medium"
	SizeSmall  Size = "small"
	SizeMicro  Size = "micro"
)

// Sizes lists every size class.
var Sizes = []Size{SizeLarge, SizeMedium, SizeSmall, SizeMicro}

// Valid reports whether s is a known size class.
func (s Size) Valid() bool {
	for _, v := range Sizes {
		if v == s {
			return true
		}
	}
	return false
}

// Organization is an enterprise, a financial institution or a coordinators'
// office. Every user belongs to exactly one.
type Organization struct {
	ID         string
	Kind       OrgKind
	Name       string
	USCC       string // unified social credit code, GB 32100
	RegionCode string // GB/T 2260 Anhui division
	// Enterprise-only.
	ClusterID    string
	IndustryCode string // GB/T 4754 division, e.g. "C36"
	Size         Size
	// Institutions start unverified; a coordinator verifies them before their
	// products can be matched.
	Verified   bool
	VerifiedBy string
	VerifiedAt time.Time
	CreatedAt  time.Time
}

// Normalize trims user input in place.
func (o *Organization) Normalize() {
	o.Name = strings.TrimSpace(o.Name)
	o.USCC = NormalizeUSCC(o.USCC)
	o.RegionCode = strings.TrimSpace(o.RegionCode)
	o.IndustryCode = strings.ToUpper(strings.TrimSpace(o.IndustryCode))
}

// Validate checks an organization as registered; prefix names the JSON
// object it came from (for example "org.").
func (o *Organization) Validate(prefix string) error {
	var p Problems
	if !o.Kind.Valid() {
		p.OneOf(prefix+"kind", Names(OrgKinds))
	}
	p.Text(prefix+"name", o.Name, true, 100)
	switch {
	case o.USCC == "":
		p.Add(prefix+"uscc", FCRequired)
	case !ValidUSCC(o.USCC):
		p.Add(prefix+"uscc", FCInvalidUSCC)
	}
	switch {
	case o.RegionCode == "":
		p.Add(prefix+"region_code", FCRequired)
	default:
		if _, ok := LookupRegion(o.RegionCode); !ok {
			p.Add(prefix+"region_code", FCUnknown)
		}
	}
	if o.Kind == KindEnterprise {
		if o.IndustryCode == "" {
			p.Add(prefix+"industry_code", FCRequired)
		} else if !ValidIndustryDivision(o.IndustryCode) {
			p.Add(prefix+"industry_code", FCInvalid)
		}
		if o.Size == "" {
			p.Add(prefix+"size", FCRequired)
		} else if !o.Size.Valid() {
			p.OneOf(prefix+"size", Names(Sizes))
		}
	} else {
		if o.ClusterID != "" {
			p.Add(prefix+"cluster_id", FCInvalid)
		}
		if o.IndustryCode != "" && !ValidIndustryDivision(o.IndustryCode) {
			p.Add(prefix+"industry_code", FCInvalid)
		}
		if o.Size != "" && !o.Size.Valid() {
			p.OneOf(prefix+"size", Names(Sizes))
		}
	}
	return p.Err()
}

// Cluster is a county characteristic industrial cluster (县域特色产业集群).
type Cluster struct {
	ID              string
	Name            string
	NameEN          string
	CountyCode      string
	LeadingIndustry string // GB/T 4754 division
}

// OfficeUSCC is the credit code the platform gives a region's finance
// office (地方金融管理局): derived from the region, so every process finds
// the same office. ok is false for an unknown region.
func OfficeUSCC(region string) (string, bool) {
	if _, known := LookupRegion(region); !known {
		return "", false
	}
	body := "11" + region + "MB0000000"
	check, ok := USCCCheck(body)
	if !ok {
		return "", false
	}
	return body + string(check), true
}
