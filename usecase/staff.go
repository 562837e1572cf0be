package usecase

import (
	"context"
	"strings"

	"finzone"
)

// Console is the operator at the machine's console (the finzone admin
// command), who acts as a platform admin.
var Console = finzone.Actor{User: finzone.User{ID: "console", Name: "finzone admin", PlatformAdmin: true}}

// StaffInput is a new platform admin, or a coordinator with the regions
// they may see (a province, city or county code each).
type StaffInput struct {
	Email, Name, Password string
	PlatformAdmin         bool
	Regions               []string
}

// CreateStaff creates a platform admin or a coordinator; nobody registers
// as either. A coordinator joins the finance office (地方金融管理局) of their
// first region, created the first time. Platform admins create them.
func (s *Service) CreateStaff(ctx context.Context, a finzone.Actor, in StaffInput) (finzone.User, error) {
	if !a.IsPlatformAdmin() {
		return finzone.User{}, forbidden("only platform admins create staff")
	}
	u := finzone.User{Email: finzone.NormalizeEmail(in.Email), Name: strings.TrimSpace(in.Name), Role: finzone.RoleAdmin,
		PlatformAdmin: in.PlatformAdmin}
	probs := finzone.ValidateSignup("", u.Email, u.Name, in.Password)
	if !in.PlatformAdmin {
		for _, r := range in.Regions {
			if _, ok := finzone.LookupRegion(r); !ok {
				probs.Add("regions", finzone.FCUnknown)
				break
			}
		}
		if len(in.Regions) == 0 {
			probs.Add("regions", finzone.FCRequired)
		}
	}
	if err := probs.Err(); err != nil {
		return finzone.User{}, err
	}
	if !in.PlatformAdmin {
		office, err := s.coordinatorOffice(ctx, in.Regions[0])
		if err != nil {
			return finzone.User{}, err
		}
		u.OrgID, u.Regions = office.ID, in.Regions
	}
	hash, err := HashPassword(in.Password)
	if err != nil {
		return finzone.User{}, err
	}
	u.PasswordHash = hash
	if err := s.users.CreateUser(ctx, &u); err != nil {
		if finzone.IsCode(err, finzone.ECConflict) {
			return finzone.User{}, taken("email")
		}
		return finzone.User{}, err
	}
	return u, nil
}

// coordinatorOffice finds or creates the finance office for a region. Its
// credit code is derived from the region so it is stable.
func (s *Service) coordinatorOffice(ctx context.Context, region string) (finzone.Organization, error) {
	r, _ := finzone.LookupRegion(region)
	uscc, _ := finzone.OfficeUSCC(region) // the caller checked the region
	o, err := s.orgs.OrgByUSCC(ctx, uscc)
	if err == nil || !finzone.IsCode(err, finzone.ECNotFound) {
		return o, err
	}
	o = finzone.Organization{Kind: finzone.KindCoordinator, Name: r.Name + "地方金融管理局", USCC: uscc, RegionCode: region, Verified: true}
	if err := s.orgs.CreateOrg(ctx, &o); err != nil {
		if finzone.IsCode(err, finzone.ECConflict) {
			return s.orgs.OrgByUSCC(ctx, uscc) // another process made it first
		}
		return o, err
	}
	return o, nil
}
