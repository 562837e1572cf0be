package api_test

import (
	"net/http"
	"testing"

	"finzone/embedded"
	"finzone/finzonetest"
)

// Data outlives the process: stop the store and the embedded server, start a
// new server on the same directory, and read everything back through the API.
func TestRestartPersistence(t *testing.T) {
	t.Parallel() // stopping FerretDB waits for its connections to drain
	dir := t.TempDir()
	const dbName = "finzone_restart"

	srv, err := embedded.StartMongo(dir, "127.0.0.1:0")
	if err != nil {
		t.Fatalf("start embedded mongo: %v", err)
	}
	db := finzonetest.OpenStore(t, srv.URI, dbName, false)
	e := newEnvOn(t, db)
	ent := e.enterprise("341221")
	bank := e.institution("341200")
	p := e.createProject(ent.Token, projectBody("重启前创建的项目"))
	e.ok(http.StatusOK, "POST", "/api/v1/projects/"+p.ID+"/submit", ent.Token, nil, nil)
	prod := e.createProduct(bank.Token, productBody("重启前的产品"))
	if err := db.Close(t.Context()); err != nil {
		t.Fatalf("close store: %v", err)
	}
	srv.Close()

	srv2, err := embedded.StartMongo(dir, "127.0.0.1:0")
	if err != nil {
		t.Fatalf("restart embedded mongo on %s: %v", dir, err)
	}
	t.Cleanup(srv2.Close)
	e2 := newEnvOn(t, finzonetest.OpenStore(t, srv2.URI, dbName, false))

	var login sessionOut
	e2.ok(http.StatusOK, "POST", "/api/v1/auth/login", "", map[string]any{"email": ent.Email, "password": testPassword}, &login)
	if login.User.ID != ent.UserID || login.Org.ID != ent.OrgID {
		t.Errorf("login after restart: got user %s org %s, want %s %s", login.User.ID, login.Org.ID, ent.UserID, ent.OrgID)
	}
	var got projectOut
	e2.ok(http.StatusOK, "GET", "/api/v1/projects/"+p.ID, login.Token, nil, &got)
	if got.Title != "重启前创建的项目" || got.Status != "submitted" || got.SubmittedAt == nil || got.OwnerOrgID != ent.OrgID {
		t.Errorf("project after restart: got %+v, want the submitted project", got)
	}
	if ids := projectIDs(e2.listProjects(login.Token, "")); len(ids) != 1 || ids[0] != p.ID {
		t.Errorf("list after restart: got %v, want [%s]", ids, p.ID)
	}
	// Sessions persist too: the token from before the restart still works.
	var me sessionOut
	e2.ok(http.StatusOK, "GET", "/api/v1/me", bank.Token, nil, &me)
	if me.Org.ID != bank.OrgID {
		t.Errorf("bank session after restart: got org %s, want %s", me.Org.ID, bank.OrgID)
	}
	var gotProd productOut
	e2.ok(http.StatusOK, "GET", "/api/v1/products/"+prod.ID, bank.Token, nil, &gotProd)
	if gotProd.Name != "重启前的产品" || gotProd.Version != 1 || gotProd.Status != "draft" {
		t.Errorf("product after restart: got %+v", gotProd)
	}
	// Unique indexes survive the restart: the credit code is still taken.
	r := e2.do("POST", "/api/v1/auth/register", "", registerBody("enterprise", "341221", login.Org.USCC, finzonetest.Email("again")))
	wantError(t, r, http.StatusConflict, "conflict", fieldCode{"org.uscc", "taken"})
}
