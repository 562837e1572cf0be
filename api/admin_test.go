package api_test

import (
	"context"
	"net/http"
	"testing"

	"finzone/finzonetest"
	"finzone/usecase"
)

// A platform admin belongs to no organization: signing in through the JSON
// API must still work, and the admin sees every tenant's projects.
func TestPlatformAdminSignsIn(t *testing.T) {
	e := newEnv(t)
	admin, err := e.uc.CreateStaff(context.Background(), usecase.Console,
		usecase.StaffInput{Email: finzonetest.Email("admin"), Name: "管理员", Password: testPassword, PlatformAdmin: true})
	if err != nil {
		t.Fatal(err)
	}
	var out struct {
		Token string
		User  struct {
			PlatformAdmin bool `json:"platform_admin"`
		}
		Org *struct{ ID string }
	}
	e.ok(http.StatusOK, "POST", "/api/v1/auth/login", "", map[string]any{"email": admin.Email, "password": testPassword}, &out)
	if out.Token == "" || !out.User.PlatformAdmin || out.Org != nil {
		t.Fatalf("login: %+v, want a token, platform_admin and no org", out)
	}
	var me struct{ Org *struct{ ID string } }
	e.ok(http.StatusOK, "GET", "/api/v1/me", out.Token, nil, &me)
	if me.Org != nil {
		t.Errorf("me: org %+v, want none", me.Org)
	}
	a, b := e.enterprise("341221"), e.enterprise("341523")
	e.createProject(a.Token, projectBody("甲项目"))
	e.createProject(b.Token, projectBody("乙项目"))
	if got := e.listProjects(out.Token, ""); len(got.Items) != 2 {
		t.Errorf("admin sees %d projects, want both tenants' 2", len(got.Items))
	}
}
