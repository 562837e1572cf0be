package api_test

import (
	"net/http"
	"slices"
	"testing"
)

// Another tenant's project is not found, never forbidden: its existence must
// not leak.
func TestProjectTenancy(t *testing.T) {
	e := newEnv(t)
	a := e.enterprise("341221")
	b := e.enterprise("341221") // same county, so only ownership separates them
	pa := e.createProject(a.Token, projectBody("A 的项目"))
	pb := e.createProject(b.Token, projectBody("B 的项目"))
	path := "/api/v1/projects/" + pa.ID

	for _, tt := range []struct {
		method, path string
		body         any
	}{
		{"GET", path, nil},
		{"PATCH", path, map[string]any{"title": "被 B 改了"}},
		{"DELETE", path, nil},
		{"POST", path + "/submit", nil},
		{"POST", path + "/withdraw", nil},
	} {
		wantError(t, e.do(tt.method, tt.path, b.Token, tt.body), http.StatusNotFound, "not_found")
	}
	if got := projectIDs(e.listProjects(b.Token, "")); !slices.Equal(got, []string{pb.ID}) {
		t.Errorf("B's list: got %v, want only [%s]", got, pb.ID)
	}
	if got := projectIDs(e.listProjects(b.Token, "?region=341221")); !slices.Equal(got, []string{pb.ID}) {
		t.Errorf("B's list by region: got %v, want only [%s]", got, pb.ID)
	}
	var got projectOut
	e.ok(http.StatusOK, "GET", path, a.Token, nil, &got)
	if got.Title != "A 的项目" || got.Status != "draft" {
		t.Errorf("A's project after B's attempts: got %+v, want unchanged draft", got)
	}
}

func TestCoordinatorScope(t *testing.T) {
	e := newEnv(t)
	linquan := e.enterprise("341221")  // 阜阳市 临泉县
	taihe := e.enterprise("341222")    // 阜阳市 太和县
	fengyang := e.enterprise("341126") // 滁州市 凤阳县
	pl := e.createProject(linquan.Token, projectBody("临泉项目"))
	pt := e.createProject(taihe.Token, projectBody("太和项目"))
	pf := e.createProject(fengyang.Token, projectBody("凤阳项目"))
	e.ok(http.StatusOK, "POST", "/api/v1/projects/"+pl.ID+"/submit", linquan.Token, nil, nil)

	city := e.coordinator("341200")
	county := e.coordinator("341222")
	province := e.coordinator("340000")

	sorted := func(ids ...string) []string { slices.Sort(ids); return ids }
	for _, tt := range []struct {
		name    string
		token   string
		query   string
		want    []string
		visible []string
		hidden  []string
	}{
		{"city", city.Token, "", sorted(pl.ID, pt.ID), []string{pl.ID, pt.ID}, []string{pf.ID}},
		{"city asking for another city", city.Token, "?region=341100", nil, nil, nil},
		{"city narrowed to a county", city.Token, "?region=341222", []string{pt.ID}, nil, nil},
		{"city by status", city.Token, "?status=submitted", []string{pl.ID}, nil, nil},
		{"county", county.Token, "", []string{pt.ID}, []string{pt.ID}, []string{pl.ID, pf.ID}},
		{"province", province.Token, "", sorted(pl.ID, pt.ID, pf.ID), []string{pl.ID, pf.ID}, nil},
	} {
		t.Run(tt.name, func(t *testing.T) {
			got := projectIDs(e.listProjects(tt.token, tt.query))
			slices.Sort(got)
			if !slices.Equal(got, tt.want) {
				t.Errorf("list%s: got %v, want %v", tt.query, got, tt.want)
			}
			for _, id := range tt.visible {
				e.ok(http.StatusOK, "GET", "/api/v1/projects/"+id, tt.token, nil, nil)
			}
			for _, id := range tt.hidden {
				wantError(t, e.do("GET", "/api/v1/projects/"+id, tt.token, nil), http.StatusNotFound, "not_found")
			}
		})
	}

	// Coordinators see, but never change, enterprises' projects.
	wantError(t, e.do("PATCH", "/api/v1/projects/"+pt.ID, city.Token, map[string]any{"title": "改"}), http.StatusForbidden, "forbidden")
	wantError(t, e.do("POST", "/api/v1/projects/"+pl.ID+"/withdraw", city.Token, nil), http.StatusForbidden, "forbidden")
	wantError(t, e.do("DELETE", "/api/v1/projects/"+pf.ID, city.Token, nil), http.StatusNotFound, "not_found")
	wantError(t, e.do("POST", "/api/v1/projects", city.Token, projectBody("协调员不能发项目")), http.StatusForbidden, "forbidden")
}

func TestProductTenancy(t *testing.T) {
	e := newEnv(t)
	x := e.institution("341200")
	y := e.institution("341200")
	fuyang := e.coordinator("341200")
	chuzhou := e.coordinator("341100")
	ent := e.enterprise("341221")

	p := e.createProduct(x.Token, productBody("X 银行的产品", "341221"))
	path := "/api/v1/products/" + p.ID

	// Another institution's draft is not found, whatever it tries.
	for _, tt := range []struct {
		method, path string
		body         any
	}{
		{"GET", path, nil},
		{"GET", path + "?version=1", nil},
		{"PATCH", path, map[string]any{"name": "Y 改的"}},
		{"POST", path + "/publish", nil},
		{"POST", path + "/review", map[string]any{"decision": "approve"}},
	} {
		wantError(t, e.do(tt.method, tt.path, y.Token, tt.body), http.StatusNotFound, "not_found")
		wantError(t, e.do(tt.method, tt.path, ent.Token, tt.body), http.StatusNotFound, "not_found")
	}
	if got := e.listProducts(y.Token, "?owner=me").find(p.ID); len(got) != 0 {
		t.Errorf("Y's own list shows X's product: %+v", got)
	}
	if got := e.listProducts(y.Token, "?status=draft").find(p.ID); len(got) != 0 {
		t.Errorf("Y's drafts show X's product: %+v", got)
	}

	e.ok(http.StatusOK, "POST", path+"/publish", x.Token, nil, nil)
	// An institution never reviews its own product.
	wantError(t, e.do("POST", path+"/review", x.Token, map[string]any{"decision": "approve"}), http.StatusForbidden, "forbidden")
	// A coordinator whose region the product does not serve does not see it.
	wantError(t, e.do("POST", path+"/review", chuzhou.Token, map[string]any{"decision": "approve"}), http.StatusNotFound, "not_found")
	wantError(t, e.do("GET", path, chuzhou.Token, nil), http.StatusNotFound, "not_found")
	if got := e.listProducts(chuzhou.Token, "?status=pending_review").find(p.ID); len(got) != 0 {
		t.Errorf("滁州 coordinator's queue shows a 临泉 product: %+v", got)
	}
	// The city coordinator reviews a product serving one of its counties.
	var seen productOut
	e.ok(http.StatusOK, "GET", path, fuyang.Token, nil, &seen)
	if seen.Status != "pending_review" || len(seen.Versions) != 1 {
		t.Errorf("reviewer sees: got %+v, want pending with its history", seen)
	}
	e.ok(http.StatusOK, "POST", path+"/review", fuyang.Token, map[string]any{"decision": "approve"}, nil)
	wantError(t, e.do("POST", path+"/review", x.Token, map[string]any{"decision": "approve"}), http.StatusForbidden, "forbidden")

	// Published: every signed-in user sees it; only X changes it.
	for _, a := range []account{x, y, ent, chuzhou, fuyang} {
		e.ok(http.StatusOK, "GET", path, a.Token, nil, &seen)
		if seen.Status != "published" {
			t.Errorf("published product as %s: got %s", a.Email, seen.Status)
		}
		if got := e.listProducts(a.Token, "").find(p.ID); len(got) != 1 {
			t.Errorf("public list as %s: got %+v, want the product", a.Email, got)
		}
	}
	wantError(t, e.do("PATCH", path, y.Token, map[string]any{"name": "Y 改的"}), http.StatusForbidden, "forbidden")
	wantError(t, e.do("POST", path+"/publish", y.Token, nil), http.StatusForbidden, "forbidden")
	wantError(t, e.do("GET", "/api/v1/products", "", nil), http.StatusUnauthorized, "unauthenticated")
}

// TestCoordinatorReviewsOnlyWithinItsRegions: 阜阳's coordinator sees a
// pending product that serves its city among others, but may approve only
// one whose every region lies within 阜阳; the province's coordinator
// approves the rest.
func TestCoordinatorReviewsOnlyWithinItsRegions(t *testing.T) {
	e := newEnv(t)
	x := e.institution("341200")
	fuyang := e.coordinator("341200")
	province := e.coordinator("340000")
	for _, tt := range []struct {
		regions []string
		fuyang  int
	}{
		{[]string{"340000"}, http.StatusForbidden},
		{[]string{"341221", "340100"}, http.StatusForbidden},
		{[]string{"341200", "340121"}, http.StatusForbidden},
		{[]string{"341221", "341222"}, http.StatusOK},
	} {
		p := e.createProduct(x.Token, productBody("区域产品", tt.regions...))
		path := "/api/v1/products/" + p.ID
		e.ok(http.StatusOK, "POST", path+"/publish", x.Token, nil, nil)
		r := e.do("POST", path+"/review", fuyang.Token, map[string]any{"decision": "approve"})
		if r.Status != tt.fuyang {
			t.Errorf("阜阳 approves a product serving %v: got %s, want %d", tt.regions, r, tt.fuyang)
			continue
		}
		var got productOut
		e.ok(http.StatusOK, "GET", path, x.Token, nil, &got)
		if tt.fuyang != http.StatusOK {
			wantError(t, r, http.StatusForbidden, "forbidden")
			if got.Status != "pending_review" {
				t.Errorf("after a refused review: %s", got.Status)
			}
			e.ok(http.StatusOK, "POST", path+"/review", province.Token, map[string]any{"decision": "approve"}, nil)
		} else if got.Status != "published" {
			t.Errorf("after 阜阳's approval within its city: %s", got.Status)
		}
	}
}
