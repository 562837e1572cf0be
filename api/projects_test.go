package api_test

import (
	"context"
	"net/http"
	"slices"
	"testing"

	"finzone"
)

func TestProjectLifecycle(t *testing.T) {
	e := newEnv(t)
	ent := e.enterprise("341221")

	p := e.createProject(ent.Token, projectBody("年产10万吨食品加工线"))
	if p.Status != "draft" || p.OwnerOrgID != ent.OrgID || p.RegionCode != "341221" || p.AmountYuan != 5_000_000 {
		t.Fatalf("created: got %+v, want a draft of %s in the enterprise's region 341221", p, ent.OrgID)
	}
	path := "/api/v1/projects/" + p.ID

	var got projectOut
	e.ok(http.StatusOK, "GET", path, ent.Token, nil, &got)
	if got != p {
		t.Errorf("get: got %+v, want %+v", got, p)
	}

	// A draft is edited in place; only the fields sent change.
	var patched projectOut
	e.ok(http.StatusOK, "PATCH", path, ent.Token, map[string]any{"title": "二期生产线", "amount_yuan": 8_000_000}, &patched)
	if patched.Title != "二期生产线" || patched.AmountYuan != 8_000_000 || patched.TermMonths != 36 || patched.Status != "draft" {
		t.Errorf("patch: got %+v, want new title and amount, term kept", patched)
	}
	e.ok(http.StatusOK, "GET", path, ent.Token, nil, &got)
	if got.Title != "二期生产线" || got.AmountYuan != 8_000_000 {
		t.Errorf("after patch, stored: got %+v", got)
	}
	// An invalid edit is refused and changes nothing.
	r := e.do("PATCH", path, ent.Token, map[string]any{"term_months": 0})
	wantError(t, r, http.StatusBadRequest, "validation_failed", fieldCode{"term_months", "out_of_range"})
	e.ok(http.StatusOK, "GET", path, ent.Token, nil, &got)
	if got.TermMonths != 36 {
		t.Errorf("after refused patch: got term %d, want 36", got.TermMonths)
	}

	var submitted projectOut
	e.ok(http.StatusOK, "POST", path+"/submit", ent.Token, nil, &submitted)
	if submitted.Status != "submitted" || submitted.SubmittedAt == nil {
		t.Errorf("submit: got %+v, want submitted with submitted_at", submitted)
	}
	// Only drafts are edited, deleted or submitted; the refusal says what
	// the owner may do instead.
	for _, r := range []resp{
		e.do("PATCH", path, ent.Token, map[string]any{"title": "改"}),
		e.do("DELETE", path, ent.Token, nil),
		e.do("POST", path+"/submit", ent.Token, nil),
	} {
		got := wantError(t, r, http.StatusConflict, "invalid_state")
		if !slices.Equal(got.AllowedActions, []string{"withdraw"}) {
			t.Errorf("submitted project refused with allowed_actions %q, want [withdraw]", got.AllowedActions)
		}
	}
	e.ok(http.StatusOK, "GET", path, ent.Token, nil, &got)
	if got.Status != "submitted" || got.Title != "二期生产线" {
		t.Errorf("after refused changes: got %+v, want submitted and unchanged", got)
	}

	var withdrawn projectOut
	e.ok(http.StatusOK, "POST", path+"/withdraw", ent.Token, nil, &withdrawn)
	if withdrawn.Status != "withdrawn" || withdrawn.WithdrawnAt == nil {
		t.Errorf("withdraw: got %+v, want withdrawn with withdrawn_at", withdrawn)
	}
	if got := wantError(t, e.do("POST", path+"/withdraw", ent.Token, nil), http.StatusConflict, "invalid_state"); len(got.AllowedActions) != 0 {
		t.Errorf("withdrawn project refused with allowed_actions %q, want none", got.AllowedActions)
	}

	// A draft cannot be withdrawn, but it can be deleted.
	draft := e.createProject(ent.Token, projectBody("临时草稿"))
	dpath := "/api/v1/projects/" + draft.ID
	got2 := wantError(t, e.do("POST", dpath+"/withdraw", ent.Token, nil), http.StatusConflict, "invalid_state")
	if !slices.Equal(got2.AllowedActions, []string{"edit", "delete", "submit"}) {
		t.Errorf("draft refused withdrawal with allowed_actions %q, want [edit delete submit]", got2.AllowedActions)
	}
	if r := e.do("DELETE", dpath, ent.Token, nil); r.Status != http.StatusNoContent {
		t.Fatalf("delete draft: got %s, want 204", r)
	}
	wantError(t, e.do("GET", dpath, ent.Token, nil), http.StatusNotFound, "not_found")
	wantError(t, e.do("DELETE", dpath, ent.Token, nil), http.StatusNotFound, "not_found")
	if _, err := e.db.Project(context.Background(), draft.ID); !finzone.IsCode(err, finzone.ECNotFound) {
		t.Errorf("deleted draft in store: got err %v, want not_found", err)
	}

	// IDs that are not IDs are simply not found.
	wantError(t, e.do("GET", "/api/v1/projects/not-an-id", ent.Token, nil), http.StatusNotFound, "not_found")
	wantError(t, e.do("POST", "/api/v1/projects/000000000000000000000000/submit", ent.Token, nil), http.StatusNotFound, "not_found")

	// Only enterprises post or list projects.
	bank := e.institution("341200")
	wantError(t, e.do("POST", "/api/v1/projects", bank.Token, projectBody("银行不能发项目")), http.StatusForbidden, "forbidden")
	wantError(t, e.do("GET", "/api/v1/projects", bank.Token, nil), http.StatusForbidden, "forbidden")
}

func TestProjectClusterAndRegion(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	cl := finzone.Cluster{ID: "65a000000000000000000001", Name: "临泉县食品加工产业集群", CountyCode: "341221", LeadingIndustry: "C13"}
	if err := e.db.UpsertCluster(ctx, cl); err != nil {
		t.Fatalf("upsert cluster: %v", err)
	}
	ent := e.enterprise("341221")

	body := projectBody("集群项目")
	body["cluster_id"] = cl.ID
	body["region_code"] = "341222"
	p := e.createProject(ent.Token, body)
	if p.RegionCode != "341222" {
		t.Errorf("region: got %q, want 341222 as sent", p.RegionCode)
	}
	e.createProject(ent.Token, projectBody("非集群项目"))
	l := e.listProjects(ent.Token, "?cluster_id="+cl.ID)
	if got := projectIDs(l); !slices.Equal(got, []string{p.ID}) {
		t.Errorf("cluster filter: got %v, want [%s]", got, p.ID)
	}

	for _, tt := range []struct {
		name  string
		field string
		value any
		want  fieldCode
		code  string
	}{
		{"unknown cluster", "cluster_id", "65a0000000000000000000ff", fieldCode{"cluster_id", "invalid_value"}, "validation_failed"},
		{"cluster id that is no id", "cluster_id", "xyz", fieldCode{"cluster_id", "invalid_value"}, "validation_failed"},
		{"province is no project region", "region_code", "340000", fieldCode{"region_code", "unknown_region"}, "unknown_region"},
		{"region outside Anhui", "region_code", "110101", fieldCode{"region_code", "unknown_region"}, "unknown_region"},
		{"unknown industry", "industry_code", "Z99", fieldCode{"industry_code", "invalid_value"}, "validation_failed"},
		{"unknown type", "project_type", "moonshot", fieldCode{"project_type", "invalid_value"}, "validation_failed"},
		{"unknown collateral", "collateral", []string{"goodwill"}, fieldCode{"collateral", "invalid_value"}, "validation_failed"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			body := projectBody("坏项目")
			body[tt.field] = tt.value
			wantError(t, e.do("POST", "/api/v1/projects", ent.Token, body), http.StatusBadRequest, tt.code, tt.want)
		})
	}
}

func TestProjectListFiltersAndPaging(t *testing.T) {
	e := newEnv(t)
	ent := e.enterprise("341221")
	specs := []struct {
		typ    string
		amount int64
		region string
		submit bool
	}{
		{"manufacturing_medium_long", 3_000_000, "341221", true},
		{"working_capital", 1_000_000, "341221", false},
		{"working_capital", 7_000_000, "341222", true},
		{"green_low_carbon", 3_000_000, "341226", false}, // same amount as the first: ties page by id
		{"tech_innovation", 9_000_000, "341221", false},
		{"manufacturing_medium_long", 5_000_000, "341126", false}, // another city (滁州)
	}
	var all []string
	for _, s := range specs {
		body := projectBody("项目")
		body["project_type"], body["amount_yuan"], body["region_code"] = s.typ, s.amount, s.region
		p := e.createProject(ent.Token, body)
		if s.submit {
			e.ok(http.StatusOK, "POST", "/api/v1/projects/"+p.ID+"/submit", ent.Token, nil, nil)
		}
		all = append(all, p.ID)
	}

	l := e.listProjects(ent.Token, "")
	if got := projectIDs(l); len(got) != len(all) || l.Next != "" {
		t.Fatalf("default list: got %v next %q, want all %d and no next", got, l.Next, len(all))
	}
	if got, want := projectIDs(l), reversed(all); !slices.Equal(got, want) {
		t.Errorf("default order: got %v, want newest first %v", got, want)
	}

	filters := []struct {
		query string
		want  []int // indexes into specs
	}{
		{"?status=submitted", []int{0, 2}},
		{"?status=draft", []int{1, 3, 4, 5}},
		{"?type=working_capital", []int{1, 2}},
		{"?region=341222", []int{2}},
		{"?region=341200", []int{0, 1, 2, 3, 4}},
		{"?region=341100", []int{5}},
		{"?type=working_capital&status=submitted", []int{2}},
		{"?status=funded", nil},
	}
	for _, f := range filters {
		got := projectIDs(e.listProjects(ent.Token, f.query))
		var want []string
		for _, i := range f.want {
			want = append(want, all[i])
		}
		slices.Sort(got)
		slices.Sort(want)
		if !slices.Equal(got, want) {
			t.Errorf("list %s: got %v, want %v", f.query, got, want)
		}
	}

	t.Run("sort", func(t *testing.T) {
		amounts := func(l projectList) []int64 {
			var out []int64
			for _, p := range l.Items {
				out = append(out, p.AmountYuan)
			}
			return out
		}
		asc := amounts(e.listProjects(ent.Token, "?sort=amount_yuan"))
		if !slices.IsSorted(asc) || len(asc) != len(all) {
			t.Errorf("sort=amount_yuan: got %v, want ascending, %d items", asc, len(all))
		}
		desc := amounts(e.listProjects(ent.Token, "?sort=-amount_yuan"))
		if len(desc) != len(all) || desc[0] != 9_000_000 || desc[len(desc)-1] != 1_000_000 {
			t.Errorf("sort=-amount_yuan: got %v, want descending from 9000000 to 1000000", desc)
		}
	})

	t.Run("cursor paging", func(t *testing.T) {
		for _, sort := range []string{"", "&sort=amount_yuan", "&sort=-amount_yuan", "&sort=created_at"} {
			var seen []string
			cursor := ""
			pages := 0
			for {
				q := "?limit=4" + sort
				if cursor != "" {
					q += "&cursor=" + cursor
				}
				l := e.listProjects(ent.Token, q)
				pages++
				if len(l.Items) > 4 {
					t.Fatalf("%s: page of %d, want at most 4", q, len(l.Items))
				}
				seen = append(seen, projectIDs(l)...)
				if l.Next == "" {
					break
				}
				if pages > len(all) {
					t.Fatalf("%s: paging does not end", q)
				}
				cursor = l.Next
			}
			if pages != 2 || len(seen) != len(all) {
				t.Errorf("paging%s: got %d pages, %d items %v; want 2 pages, %d items", sort, pages, len(seen), seen, len(all))
			}
			uniq := slices.Clone(seen)
			slices.Sort(uniq)
			if len(slices.Compact(uniq)) != len(all) {
				t.Errorf("paging%s: got duplicates in %v", sort, seen)
			}
		}
		// Pages of one: every item once, in the same order as one big page.
		var seen []string
		cursor := ""
		for i := 0; i <= len(all); i++ {
			l := e.listProjects(ent.Token, "?limit=1&sort=amount_yuan&cursor="+cursor)
			seen = append(seen, projectIDs(l)...)
			if cursor = l.Next; cursor == "" {
				break
			}
		}
		if want := projectIDs(e.listProjects(ent.Token, "?limit=100&sort=amount_yuan")); !slices.Equal(seen, want) {
			t.Errorf("pages of one: got %v, want %v", seen, want)
		}
	})

	t.Run("bad queries", func(t *testing.T) {
		for _, tt := range []struct {
			query string
			code  string
			field fieldCode
		}{
			{"?limit=0", "validation_failed", fieldCode{"limit", "out_of_range"}},
			{"?limit=101", "validation_failed", fieldCode{"limit", "out_of_range"}},
			{"?limit=ten", "validation_failed", fieldCode{"limit", "out_of_range"}},
			{"?sort=password", "validation_failed", fieldCode{"sort", "invalid_value"}},
			{"?cursor=garbage", "invalid_cursor", fieldCode{"cursor", "invalid_cursor"}},
			{"?cursor=AAAA", "invalid_cursor", fieldCode{"cursor", "invalid_cursor"}},
			{"?status=pending", "validation_failed", fieldCode{"status", "invalid_value"}},
			{"?type=moonshot", "validation_failed", fieldCode{"type", "invalid_value"}},
			{"?region=110000", "unknown_region", fieldCode{"region", "unknown_region"}},
		} {
			wantError(t, e.do("GET", "/api/v1/projects"+tt.query, ent.Token, nil), http.StatusBadRequest, tt.code, tt.field)
		}
		if got := len(e.listProjects(ent.Token, "?limit=100").Items); got != len(all) {
			t.Errorf("limit=100: got %d items, want %d", got, len(all))
		}
	})
}

func reversed(s []string) []string {
	out := slices.Clone(s)
	slices.Reverse(out)
	return out
}
