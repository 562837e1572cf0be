package usecase_test

import (
	"context"
	"os"
	"testing"

	"finzone"
	"finzone/finzonetest"
	"finzone/usecase"
)

func TestMain(m *testing.M) { os.Exit(finzonetest.Main(m)) }

// TestCreateStaff: only a platform admin (the console is one) creates
// staff; a coordinator joins the finance office of their first region,
// made once and shared; bad input names its fields and writes nothing.
func TestCreateStaff(t *testing.T) {
	ctx := context.Background()
	db := finzonetest.NewStore(t)
	uc := usecase.New(db, usecase.Config{Log: finzonetest.Logger(t)})
	in := usecase.StaffInput{Email: " Fuyang@Example.CN ", Name: "阜阳协调员", Password: finzonetest.Password, Regions: []string{"341200"}}
	a, err := uc.CreateStaff(ctx, usecase.Console, in)
	if err != nil {
		t.Fatalf("create coordinator: %v", err)
	}
	in.Email, in.Regions = "fuyang2@example.cn", []string{"341200", "341221"}
	b, err := uc.CreateStaff(ctx, usecase.Console, in)
	if err != nil {
		t.Fatal(err)
	}
	if a.Email != "fuyang@example.cn" || a.OrgID == "" || a.OrgID != b.OrgID || len(b.Regions) != 2 {
		t.Errorf("coordinators: got %+v and %+v, want one shared office and their regions", a, b)
	}
	office, err := db.Org(ctx, a.OrgID)
	if err != nil || office.Kind != finzone.KindCoordinator || office.RegionCode != "341200" {
		t.Errorf("office: got %+v, %v", office, err)
	}
	signedIn, err := uc.SignIn(ctx, finzone.Actor{}, usecase.SignInInput{Email: a.Email, Password: finzonetest.Password})
	if err != nil {
		t.Fatalf("sign in: %v", err)
	}
	coord, err := uc.Authenticate(ctx, signedIn.Token)
	if err != nil || !coord.IsCoordinator() || !coord.Covers("341221") || coord.Covers("340100") {
		t.Errorf("the coordinator acts as %+v, %v; want Fuyang's scope", coord, err)
	}

	if _, err := uc.CreateStaff(ctx, coord, usecase.StaffInput{Email: "x@example.cn", Name: "x", Password: finzonetest.Password, PlatformAdmin: true}); !finzone.IsCode(err, finzone.ECForbidden) {
		t.Errorf("a coordinator creates an admin: got %v, want forbidden", err)
	}
	for _, tt := range []struct {
		in     usecase.StaffInput
		code   string
		fields []string
	}{
		{usecase.StaffInput{Email: "c@example.cn", Name: "c", Password: finzonetest.Password}, finzone.ECValidation, []string{"regions"}},
		{usecase.StaffInput{Email: "c@example.cn", Name: "c", Password: finzonetest.Password, Regions: []string{"110000"}}, finzone.ECUnknownRegion, []string{"regions"}},
		{usecase.StaffInput{Email: "bad", Name: "", Password: "short", PlatformAdmin: true}, finzone.ECValidation, []string{"email", "name", "password"}},
		{usecase.StaffInput{Email: "fuyang@example.cn", Name: "again", Password: finzonetest.Password, PlatformAdmin: true}, finzone.ECConflict, []string{"email"}},
	} {
		_, err := uc.CreateStaff(ctx, usecase.Console, tt.in)
		if got := finzone.ErrorCode(err); got != tt.code {
			t.Errorf("%+v: got %v, want %s", tt.in, err, tt.code)
			continue
		}
		var got []string
		for _, f := range finzone.FieldErrors(err) {
			got = append(got, f.Field)
		}
		if len(got) != len(tt.fields) {
			t.Errorf("%+v: fields %v, want %v", tt.in, got, tt.fields)
		}
	}
	if _, err := db.UserByEmail(ctx, "c@example.cn"); !finzone.IsCode(err, finzone.ECNotFound) {
		t.Errorf("a refused staff member was stored: %v", err)
	}
}
