package api_test

import (
	"context"
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"

	"finzone"
	"finzone/finzonetest"
	"finzone/usecase"
)

// TestRegistrationNeedsPrivacyConsent: no consent, or consent to another
// version of the notice, is a field error in both languages, and nobody is
// registered; consent to the current version is recorded on the user.
func TestRegistrationNeedsPrivacyConsent(t *testing.T) {
	e := newEnv(t)
	for _, consent := range []any{nil, "", "2025-01-01", true} {
		email := finzonetest.Email("consent")
		body := registerBody("enterprise", "341221", finzonetest.USCC(), email)
		delete(body, "privacy_consent")
		if consent != nil {
			body["privacy_consent"] = consent
		}
		if consent == true {
			wantError(t, e.do("POST", "/api/v1/auth/register", "", body), http.StatusBadRequest, "validation_failed",
				fieldCode{"privacy_consent", "wrong_type"})
			continue
		}
		var msgs []string
		for _, lang := range []string{"zh-CN", "en"} {
			r := e.send(req{method: "POST", path: "/api/v1/auth/register", lang: lang, body: body})
			ae := wantError(t, r, http.StatusBadRequest, "validation_failed", fieldCode{"privacy_consent", "consent_required"})
			for _, f := range ae.Fields {
				if f.Field == "privacy_consent" {
					msgs = append(msgs, f.Message)
				}
			}
		}
		if len(msgs) != 2 || !hasHan(msgs[0]) || !isASCII(msgs[1]) || !strings.Contains(msgs[1], finzone.PrivacyVersion) {
			t.Errorf("consent %v: messages %q, want Chinese then English naming %s", consent, msgs, finzone.PrivacyVersion)
		}
		wantError(t, e.do("POST", "/api/v1/auth/login", "", map[string]any{"email": email, "password": testPassword}),
			http.StatusUnauthorized, "invalid_credentials")
	}

	before := time.Now().Add(-time.Second)
	ent := e.enterprise("341221")
	u, err := e.db.User(context.Background(), ent.UserID)
	if err != nil {
		t.Fatal(err)
	}
	if u.ConsentVersion != finzone.PrivacyVersion || u.ConsentAt.Before(before) || u.ConsentAt.After(time.Now()) {
		t.Errorf("stored consent: got %q at %v, want %q now", u.ConsentVersion, u.ConsentAt, finzone.PrivacyVersion)
	}
}

type exportOut struct {
	PrivacyVersion string `json:"privacy_version"`
	User           struct {
		ID, Email, Name string
	} `json:"user"`
	Consents []struct {
		Version string     `json:"version"`
		At      *time.Time `json:"at"`
		Basis   string     `json:"basis"`
	} `json:"consents"`
	Org *struct {
		ID string `json:"id"`
	} `json:"organization"`
	Members []struct {
		ID, Name, Email string
	} `json:"members"`
	Projects      []projectOut      `json:"projects"`
	Matches       []matchOut        `json:"matches"`
	Notifications []json.RawMessage `json:"notifications"`
	ProjectViews  []viewLogOut      `json:"project_views"`
}

type viewLogOut struct {
	ProjectID string `json:"project_id"`
	Count     int64  `json:"count"`
	Items     []struct {
		UserID  string    `json:"user_id"`
		OrgID   string    `json:"org_id"`
		OrgName string    `json:"org_name"`
		Role    string    `json:"role"`
		At      time.Time `json:"at"`
	} `json:"items"`
}

// export downloads an account's data and checks it is a JSON attachment
// without secrets.
func (e *env) export(a account) (exportOut, resp) {
	e.t.Helper()
	var out exportOut
	r := e.ok(http.StatusOK, "GET", "/api/v1/me/export", a.Token, nil, &out)
	if cd := r.Header.Get("Content-Disposition"); !strings.HasPrefix(cd, "attachment;") || !strings.Contains(cd, ".json") {
		e.t.Errorf("Content-Disposition: got %q, want an attachment named *.json", cd)
	}
	for _, secret := range []string{"password", "$2a$", "token", a.Token} {
		if strings.Contains(string(r.Body), secret) {
			e.t.Errorf("export holds %q", secret)
		}
	}
	return out, r
}

// TestExportIsTheUsersAndOrgsData: profile, consent, organization and its
// members, projects, matches as the enterprise sees them, notifications
// and its projects' view logs.
func TestExportIsTheUsersAndOrgsData(t *testing.T) {
	e := newEnv(t)
	ent := e.enterprise("341221")
	p := e.createProject(ent.Token, projectBody("年产5万吨粮油加工项目"))
	coord := e.coordinator("341200")
	e.ok(http.StatusOK, "GET", "/api/v1/projects/"+p.ID, coord.Token, nil, nil)

	x, _ := e.export(ent)
	if x.PrivacyVersion != finzone.PrivacyVersion || x.User.ID != ent.UserID || x.User.Email != ent.Email {
		t.Errorf("export user: got %+v (version %q), want %s", x.User, x.PrivacyVersion, ent.Email)
	}
	if len(x.Consents) != 1 || x.Consents[0].Version != finzone.PrivacyVersion || x.Consents[0].At == nil || x.Consents[0].Basis != "consent" {
		t.Errorf("export consents: got %+v, want the registration's", x.Consents)
	}
	if x.Org == nil || x.Org.ID != ent.OrgID || len(x.Members) != 1 || x.Members[0].ID != ent.UserID {
		t.Errorf("export org %+v members %+v, want the enterprise and its one user", x.Org, x.Members)
	}
	if len(x.Projects) != 1 || x.Projects[0].ID != p.ID || x.Matches == nil || x.Notifications == nil {
		t.Errorf("export projects %+v, matches %v, notifications %v: want the one project and [] lists", x.Projects, x.Matches, x.Notifications)
	}
	if len(x.ProjectViews) != 1 || x.ProjectViews[0].Count != 1 || x.ProjectViews[0].Items[0].UserID != coord.UserID {
		t.Errorf("export views: got %+v, want the coordinator's one visit", x.ProjectViews)
	}

	// Staff were not asked for consent, and the export says so.
	cx, _ := e.export(coord)
	if len(cx.Consents) != 1 || cx.Consents[0].Basis != "staff" || cx.Consents[0].Version != "" {
		t.Errorf("coordinator's consents: got %+v, want basis staff", cx.Consents)
	}
	wantError(t, e.do("GET", "/api/v1/me/export", "", nil), http.StatusUnauthorized, "unauthenticated")
}

// TestDeleteAccountAnonymisesAndKeepsTheRecords: deletion needs the
// password; then the person cannot sign in, their sessions are gone, a
// colleague's export no longer shows them, and the organization's projects
// stay. The last user of an organization may delete themselves too.
func TestDeleteAccountAnonymisesAndKeepsTheRecords(t *testing.T) {
	e := newEnv(t)
	ent := e.enterprise("341221")
	p := e.createProject(ent.Token, projectBody("中药饮片智能工厂"))
	colleague := e.colleague(ent, "赵六", finzonetest.Email("colleague"))
	second := e.login(ent.Email) // a second session of the same person

	wantError(t, e.do("POST", "/api/v1/me/delete", ent.Token, map[string]any{"password": "not-my-password-1"}),
		http.StatusBadRequest, "validation_failed", fieldCode{"password", "incorrect"})
	wantError(t, e.do("POST", "/api/v1/me/delete", ent.Token, map[string]any{}),
		http.StatusBadRequest, "validation_failed", fieldCode{"password", "required"})
	r := e.do("POST", "/api/v1/me/delete", ent.Token, map[string]any{"password": testPassword})
	if r.Status != http.StatusNoContent {
		t.Fatalf("delete: got %s, want 204", r)
	}
	for _, tok := range []string{ent.Token, second} {
		wantError(t, e.do("GET", "/api/v1/me", tok, nil), http.StatusUnauthorized, "unauthenticated")
	}
	wantError(t, e.do("POST", "/api/v1/auth/login", "", map[string]any{"email": ent.Email, "password": testPassword}),
		http.StatusUnauthorized, "invalid_credentials")

	x, body := e.export(colleague)
	for _, personal := range []string{ent.Email, "张三"} {
		if strings.Contains(string(body.Body), personal) {
			t.Errorf("colleague's export still shows %q", personal)
		}
	}
	if len(x.Members) != 2 || len(x.Projects) != 1 || x.Projects[0].ID != p.ID {
		t.Errorf("colleague's export: members %+v, projects %+v; want both users (one anonymised) and the project", x.Members, x.Projects)
	}
	e.ok(http.StatusOK, "GET", "/api/v1/projects/"+p.ID, colleague.Token, nil, nil)

	// The last user goes too; the organization and its project stay.
	e.ok(http.StatusNoContent, "POST", "/api/v1/me/delete", colleague.Token, map[string]any{"password": testPassword}, nil)
	if _, err := e.db.Org(context.Background(), ent.OrgID); err != nil {
		t.Errorf("organization after its last user left: %v", err)
	}
	if _, err := e.db.Project(context.Background(), p.ID); err != nil {
		t.Errorf("project after its organization's users left: %v", err)
	}
}

// colleague adds a second user to a's organization (no route does yet)
// and signs them in.
func (e *env) colleague(a account, name, email string) account {
	e.t.Helper()
	hash, err := usecase.HashPassword(testPassword)
	if err != nil {
		e.t.Fatal(err)
	}
	u := finzone.User{Email: email, Name: name, PasswordHash: hash, OrgID: a.OrgID, Role: finzone.RoleMember}
	if err := e.db.CreateUser(context.Background(), &u); err != nil {
		e.t.Fatal(err)
	}
	return account{Token: e.login(email), UserID: u.ID, OrgID: a.OrgID, Email: email}
}

func (e *env) login(email string) string {
	e.t.Helper()
	var out sessionOut
	e.ok(http.StatusOK, "POST", "/api/v1/auth/login", "", map[string]any{"email": email, "password": testPassword}, &out)
	return out.Token
}

// pushTo writes the match the pipeline would make, so inst sees the project.
func (e *env) pushTo(p projectOut, inst account) {
	e.t.Helper()
	db, ok := e.db.(interface {
		InsertMatches(ctx context.Context, ms []finzone.Match) error
	})
	if !ok {
		e.t.Fatal("the store cannot insert matches")
	}
	now := time.Now()
	m := finzone.Match{ID: finzone.MatchID(p.ID, inst.OrgID), ProjectID: p.ID, InstitutionID: inst.OrgID, ProjectTitle: p.Title,
		OwnerOrgID: p.OwnerOrgID, RegionCode: p.RegionCode, Role: finzone.RolePartner, Rank: 1, Stage: finzone.StagePushed,
		DueAt: now.Add(72 * time.Hour), CreatedAt: now, UpdatedAt: now}
	if err := db.InsertMatches(context.Background(), []finzone.Match{m}); err != nil {
		e.t.Fatal(err)
	}
}

// TestProjectViewLog: institutions' and coordinators' reads of a project's
// details are recorded, one per person per hour, never the enterprise's
// own; only the enterprise reads the log.
func TestProjectViewLog(t *testing.T) {
	e := newEnv(t)
	ent := e.enterprise("341221")
	p := e.createProject(ent.Token, projectBody("年产5万吨粮油加工项目"))
	e.ok(http.StatusOK, "POST", "/api/v1/projects/"+p.ID+"/submit", ent.Token, nil, nil)
	coord, bank := e.coordinator("341200"), e.institution("341200")
	e.pushTo(p, bank)
	other := e.enterprise("341221")

	for _, a := range []account{coord, coord, bank, ent, bank, coord} {
		e.ok(http.StatusOK, "GET", "/api/v1/projects/"+p.ID, a.Token, nil, nil)
	}
	var l viewLogOut
	e.ok(http.StatusOK, "GET", "/api/v1/projects/"+p.ID+"/views", ent.Token, nil, &l)
	if l.ProjectID != p.ID || l.Count != 2 || len(l.Items) != 2 {
		t.Fatalf("views: got %+v, want 2 visits (coordinator, then bank)", l)
	}
	newest, oldest := l.Items[0], l.Items[1]
	if newest.UserID != bank.UserID || newest.OrgID != bank.OrgID || newest.Role != "institution" || !strings.Contains(newest.OrgName, "bank") ||
		oldest.UserID != coord.UserID || oldest.OrgID != coord.OrgID || oldest.Role != "coordinator" || oldest.At.After(newest.At) {
		t.Errorf("views: got %+v, want the bank's visit then the coordinator's", l.Items)
	}

	wantError(t, e.do("GET", "/api/v1/projects/"+p.ID+"/views", coord.Token, nil), http.StatusForbidden, "forbidden")
	wantError(t, e.do("GET", "/api/v1/projects/"+p.ID+"/views", bank.Token, nil), http.StatusForbidden, "forbidden")
	wantError(t, e.do("GET", "/api/v1/projects/"+p.ID+"/views", other.Token, nil), http.StatusNotFound, "not_found")
	// A project someone may not see records nothing.
	wantError(t, e.do("GET", "/api/v1/projects/"+p.ID, other.Token, nil), http.StatusNotFound, "not_found")
	e.ok(http.StatusOK, "GET", "/api/v1/projects/"+p.ID+"/views", ent.Token, nil, &l)
	if l.Count != 2 {
		t.Errorf("views after a refused read: count %d, want 2", l.Count)
	}
}
