package api_test

import (
	"net/http"
	"testing"
)

func TestProductLifecycle(t *testing.T) {
	e := newEnv(t)
	bank := e.institution("341200")
	coord := e.coordinator("341200")
	ent := e.enterprise("341221")

	p := e.createProduct(bank.Token, productBody("集群贷"))
	if p.OwnerOrgID != bank.OrgID {
		t.Errorf("owner: got %q, want %q", p.OwnerOrgID, bank.OrgID)
	}
	path := "/api/v1/products/" + p.ID

	// A draft is for its owner (and reviewers) only.
	wantError(t, e.do("GET", path, ent.Token, nil), http.StatusNotFound, "not_found")
	if got := e.listProducts(ent.Token, "").find(p.ID); len(got) != 0 {
		t.Errorf("public list shows a draft: %+v", got)
	}
	if got := e.listProducts(bank.Token, "?owner=me").find(p.ID); len(got) != 1 || got[0].Status != "draft" {
		t.Errorf("owner=me: got %+v, want the draft", got)
	}

	// Drafts are edited in place.
	var edited productOut
	e.ok(http.StatusOK, "PATCH", path, bank.Token, map[string]any{"name": "集群贷（修订）"}, &edited)
	if edited.Name != "集群贷（修订）" || edited.Version != 1 || edited.Status != "draft" {
		t.Errorf("patch draft: got %+v, want renamed version 1 draft", edited)
	}

	var pending productOut
	e.ok(http.StatusOK, "POST", path+"/publish", bank.Token, nil, &pending)
	if pending.Status != "pending_review" || pending.Version != 1 {
		t.Errorf("publish: got %+v, want version 1 pending_review", pending)
	}
	wantError(t, e.do("PATCH", path, bank.Token, map[string]any{"name": "改"}), http.StatusConflict, "invalid_state")
	wantError(t, e.do("POST", path+"/publish", bank.Token, nil), http.StatusConflict, "invalid_state")
	if got := e.listProducts(coord.Token, "?status=pending_review").find(p.ID); len(got) != 1 {
		t.Errorf("coordinator's review queue: got %+v, want the pending product", got)
	}

	// A rejection must say why.
	r := e.do("POST", path+"/review", coord.Token, map[string]any{"decision": "reject"})
	wantError(t, r, http.StatusBadRequest, "validation_failed", fieldCode{"note", "required"})
	r = e.do("POST", path+"/review", coord.Token, map[string]any{"decision": "reject", "note": "   "})
	wantError(t, r, http.StatusBadRequest, "validation_failed", fieldCode{"note", "required"})
	wantError(t, e.do("POST", path+"/review", coord.Token, map[string]any{"decision": "maybe"}),
		http.StatusBadRequest, "validation_failed", fieldCode{"decision", "invalid_value"})
	wantError(t, e.do("POST", path+"/review", coord.Token, map[string]any{}),
		http.StatusBadRequest, "validation_failed", fieldCode{"decision", "required"})
	var rejected productOut
	e.ok(http.StatusOK, "POST", path+"/review", coord.Token, map[string]any{"decision": "reject", "note": "利率区间需说明"}, &rejected)
	if rejected.Status != "rejected" || rejected.ReviewNote != "利率区间需说明" || rejected.ReviewedBy != coord.UserID {
		t.Errorf("reject: got %+v, want rejected with the note and reviewer", rejected)
	}
	wantError(t, e.do("POST", path+"/review", coord.Token, map[string]any{"decision": "approve"}), http.StatusConflict, "invalid_state")

	// A rejected version is mended in place and sent again.
	e.ok(http.StatusOK, "PATCH", path, bank.Token, map[string]any{"rate_floor_bps": 320}, &edited)
	if edited.Status != "draft" || edited.Version != 1 {
		t.Errorf("patch rejected: got %+v, want version 1 back to draft", edited)
	}
	v1 := e.publishProduct(bank.Token, coord.Token, p.ID)
	if v1.Version != 1 || v1.ReviewedBy != coord.UserID {
		t.Errorf("approve: got %+v, want version 1 reviewed by %s", v1, coord.UserID)
	}
	var seen productOut
	e.ok(http.StatusOK, "GET", path, ent.Token, nil, &seen)
	if seen.Status != "published" || seen.Version != 1 || len(seen.Versions) != 0 {
		t.Errorf("enterprise sees: got %+v, want published version 1 without the version history", seen)
	}
	if got := e.listProducts(ent.Token, ""); len(got.find(p.ID)) != 1 {
		t.Errorf("public list: got %+v, want the published product once", got.Items)
	}

	// Editing a published version makes version 2, a draft; version 1 stays
	// published, listed and readable until version 2 is approved.
	var v2 productOut
	e.ok(http.StatusCreated, "PATCH", path, bank.Token, map[string]any{"amount_max_yuan": 80_000_000}, &v2)
	if v2.ID != p.ID || v2.Version != 2 || v2.Status != "draft" || v2.ReviewedBy != "" {
		t.Fatalf("patch published: got %+v, want version 2 draft of %s with no review", v2, p.ID)
	}
	e.ok(http.StatusOK, "GET", path, ent.Token, nil, &seen)
	if seen.Version != 1 || seen.Status != "published" {
		t.Errorf("enterprise while v2 is a draft: got version %d %s, want version 1 published", seen.Version, seen.Status)
	}
	e.ok(http.StatusOK, "GET", path+"?version=1", ent.Token, nil, &seen)
	if seen.Version != 1 || seen.Status != "published" {
		t.Errorf("?version=1: got version %d %s, want 1 published", seen.Version, seen.Status)
	}
	wantError(t, e.do("GET", path+"?version=2", ent.Token, nil), http.StatusNotFound, "not_found")
	if got := e.listProducts(ent.Token, "").find(p.ID); len(got) != 1 || got[0].Version != 1 {
		t.Errorf("public list while v2 is a draft: got %+v, want version 1 only", got)
	}
	var head productOut
	e.ok(http.StatusOK, "GET", path, bank.Token, nil, &head)
	if head.Version != 2 || len(head.Versions) != 2 || head.Versions[0].Status != "published" || head.Versions[1].Status != "draft" {
		t.Errorf("owner sees: got %+v, want version 2 with history [published, draft]", head)
	}
	if got := e.listProducts(bank.Token, "?owner=me").find(p.ID); len(got) != 1 || got[0].Version != 2 {
		t.Errorf("owner=me: got %+v, want only the head, version 2", got)
	}

	e.ok(http.StatusOK, "POST", path+"/publish", bank.Token, nil, nil)
	e.ok(http.StatusOK, "GET", path+"?version=1", ent.Token, nil, &seen)
	if seen.Status != "published" {
		t.Errorf("v1 while v2 is pending: got %s, want published", seen.Status)
	}
	var approved productOut
	e.ok(http.StatusOK, "POST", path+"/review", coord.Token, map[string]any{"decision": "approve", "note": "同意"}, &approved)
	if approved.Version != 2 || approved.Status != "published" {
		t.Errorf("approve v2: got %+v", approved)
	}
	e.ok(http.StatusOK, "GET", path+"?version=1", ent.Token, nil, &seen)
	if seen.Version != 1 || seen.Status != "superseded" {
		t.Errorf("v1 after v2 approved: got version %d %s, want 1 superseded", seen.Version, seen.Status)
	}
	if got := e.listProducts(ent.Token, "").find(p.ID); len(got) != 1 || got[0].Version != 2 {
		t.Errorf("public list after v2 approved: got %+v, want version 2 only", got)
	}

	// Bad version numbers.
	wantError(t, e.do("GET", path+"?version=0", ent.Token, nil), http.StatusBadRequest, "validation_failed", fieldCode{"version", "invalid_value"})
	wantError(t, e.do("GET", path+"?version=x", ent.Token, nil), http.StatusBadRequest, "validation_failed", fieldCode{"version", "invalid_value"})
	wantError(t, e.do("GET", path+"?version=9", ent.Token, nil), http.StatusNotFound, "not_found")
	wantError(t, e.do("GET", "/api/v1/products/nope", ent.Token, nil), http.StatusNotFound, "not_found")

	// Who may do what.
	wantError(t, e.do("POST", "/api/v1/products", ent.Token, productBody("企业不能发产品")), http.StatusForbidden, "forbidden")
	wantError(t, e.do("POST", "/api/v1/products", coord.Token, productBody("协调员不能发产品")), http.StatusForbidden, "forbidden")
	wantError(t, e.do("GET", "/api/v1/products?owner=me", ent.Token, nil), http.StatusForbidden, "forbidden")
	wantError(t, e.do("GET", "/api/v1/products?owner=them", bank.Token, nil), http.StatusBadRequest, "validation_failed", fieldCode{"owner", "invalid_value"})
	wantError(t, e.do("POST", path+"/review", ent.Token, map[string]any{"decision": "approve"}), http.StatusForbidden, "forbidden")
	wantError(t, e.do("PATCH", path, ent.Token, map[string]any{"name": "x"}), http.StatusForbidden, "forbidden")
}

// A superseded version stays readable by everyone who may read the product's
// live version, also while the owner drafts the next one.
func TestProductHistoryWhileNextDraft(t *testing.T) {
	e := newEnv(t)
	bank := e.institution("341200")
	coord := e.coordinator("341200")
	ent := e.enterprise("341221")
	p := e.createProduct(bank.Token, productBody("设备更新贷"))
	path := "/api/v1/products/" + p.ID
	e.publishProduct(bank.Token, coord.Token, p.ID)
	e.ok(http.StatusCreated, "PATCH", path, bank.Token, map[string]any{"name": "设备更新贷二版"}, nil)
	e.publishProduct(bank.Token, coord.Token, p.ID)
	// Version 3, a draft, is now the head; version 2 is live.
	e.ok(http.StatusCreated, "PATCH", path, bank.Token, map[string]any{"name": "设备更新贷三版"}, nil)

	var seen productOut
	e.ok(http.StatusOK, "GET", path, ent.Token, nil, &seen)
	if seen.Version != 2 || seen.Status != "published" {
		t.Fatalf("live version: got %d %s, want 2 published", seen.Version, seen.Status)
	}
	r := e.do("GET", path+"?version=1", ent.Token, nil)
	if r.Status != http.StatusOK {
		t.Fatalf("?version=1 while version 2 is live and version 3 a draft: got %s, want 200 superseded", r)
	}
	mustJSON(t, r, &seen)
	if seen.Version != 1 || seen.Status != "superseded" {
		t.Errorf("?version=1: got %d %s, want 1 superseded", seen.Version, seen.Status)
	}
}

func TestProductListFilters(t *testing.T) {
	e := newEnv(t)
	bank := e.institution("341200")
	coord := e.coordinator("340000")
	ent := e.enterprise("341221")

	loan := e.createProduct(bank.Token, productBody("阜阳贷", "341200"))
	e.publishProduct(bank.Token, coord.Token, loan.ID)
	lease := productBody("滁州租赁", "341100")
	lease["category"] = "leasing"
	lease["project_types"] = []string{"digital_transformation"}
	leasing := e.createProduct(bank.Token, lease)
	e.publishProduct(bank.Token, coord.Token, leasing.ID)
	draft := e.createProduct(bank.Token, productBody("草稿"))

	for _, tt := range []struct {
		query string
		want  []string
	}{
		{"", []string{loan.ID, leasing.ID}},
		{"?status=published", []string{loan.ID, leasing.ID}},
		{"?category=leasing", []string{leasing.ID}},
		{"?type=working_capital", []string{loan.ID}},
		{"?region=341100", []string{leasing.ID}},
	} {
		l := e.listProducts(ent.Token, tt.query)
		if len(l.Items) != len(tt.want) {
			t.Errorf("products%s: got %d items %+v, want %v", tt.query, len(l.Items), l.Items, tt.want)
			continue
		}
		for _, id := range tt.want {
			if len(l.find(id)) != 1 {
				t.Errorf("products%s: got %+v, want %s listed", tt.query, l.Items, id)
			}
		}
	}
	first := e.listProducts(ent.Token, "?limit=1&sort=created_at")
	if len(first.Items) != 1 || first.Next == "" {
		t.Fatalf("limit=1: got %+v, want one item and a next cursor", first)
	}
	second := e.listProducts(ent.Token, "?limit=1&sort=created_at&cursor="+first.Next)
	if len(second.Items) != 1 || second.Items[0].ID == first.Items[0].ID || second.Next != "" {
		t.Errorf("second page: got %+v, want the other product and no next", second)
	}
	// Other statuses are for owners and reviewers.
	wantError(t, e.do("GET", "/api/v1/products?status=draft", ent.Token, nil), http.StatusForbidden, "forbidden")
	if got := e.listProducts(bank.Token, "?status=draft"); len(got.Items) != 1 || got.Items[0].ID != draft.ID {
		t.Errorf("bank's drafts: got %+v, want only %s", got.Items, draft.ID)
	}
	if got := e.listProducts(coord.Token, "?status=draft"); len(got.find(draft.ID)) != 1 {
		t.Errorf("province coordinator's drafts: got %+v, want %s", got.Items, draft.ID)
	}
	wantError(t, e.do("GET", "/api/v1/products?category=bond", ent.Token, nil), http.StatusBadRequest, "validation_failed", fieldCode{"category", "invalid_value"})
	wantError(t, e.do("GET", "/api/v1/products?region=999999", ent.Token, nil), http.StatusBadRequest, "unknown_region", fieldCode{"region", "unknown_region"})
	wantError(t, e.do("GET", "/api/v1/products?limit=500", ent.Token, nil), http.StatusBadRequest, "validation_failed", fieldCode{"limit", "out_of_range"})
}

func TestVerifyInstitution(t *testing.T) {
	e := newEnv(t)
	bank := e.institution("341221")
	other := e.institution("341126") // 滁州 凤阳县
	coord := e.coordinator("341200")
	ent := e.enterprise("341221")

	var queue struct {
		Items []orgOut `json:"items"`
		Next  string   `json:"next"`
	}
	e.ok(http.StatusOK, "GET", "/api/v1/institutions?verified=false", coord.Token, nil, &queue)
	if len(queue.Items) != 1 || queue.Items[0].ID != bank.OrgID || queue.Items[0].Verified {
		t.Fatalf("verification queue: got %+v, want only the unverified bank in 阜阳", queue.Items)
	}

	var v orgOut
	e.ok(http.StatusOK, "POST", "/api/v1/institutions/"+bank.OrgID+"/verify", coord.Token, nil, &v)
	if v.ID != bank.OrgID || !v.Verified || v.VerifiedAt == nil {
		t.Errorf("verify: got %+v, want verified with a time", v)
	}
	var me sessionOut
	e.ok(http.StatusOK, "GET", "/api/v1/me", bank.Token, nil, &me)
	if !me.Org.Verified {
		t.Errorf("bank after verification: got unverified")
	}
	e.ok(http.StatusOK, "GET", "/api/v1/institutions?verified=false", coord.Token, nil, &queue)
	if len(queue.Items) != 0 {
		t.Errorf("queue after verification: got %+v, want empty", queue.Items)
	}
	// Verifying again keeps the first verification.
	var again orgOut
	e.ok(http.StatusOK, "POST", "/api/v1/institutions/"+bank.OrgID+"/verify", coord.Token, nil, &again)
	if !again.Verified || !again.VerifiedAt.Equal(*v.VerifiedAt) {
		t.Errorf("verify twice: got %+v, want the first verification kept", again)
	}

	// Outside the coordinator's scope, not an institution, or not a coordinator.
	wantError(t, e.do("POST", "/api/v1/institutions/"+other.OrgID+"/verify", coord.Token, nil), http.StatusNotFound, "not_found")
	wantError(t, e.do("POST", "/api/v1/institutions/"+ent.OrgID+"/verify", coord.Token, nil), http.StatusNotFound, "not_found")
	wantError(t, e.do("POST", "/api/v1/institutions/nope/verify", coord.Token, nil), http.StatusNotFound, "not_found")
	wantError(t, e.do("POST", "/api/v1/institutions/"+other.OrgID+"/verify", ent.Token, nil), http.StatusForbidden, "forbidden")
	wantError(t, e.do("POST", "/api/v1/institutions/"+other.OrgID+"/verify", bank.Token, nil), http.StatusForbidden, "forbidden")
	wantError(t, e.do("GET", "/api/v1/institutions", bank.Token, nil), http.StatusForbidden, "forbidden")
	wantError(t, e.do("GET", "/api/v1/institutions?verified=maybe", coord.Token, nil), http.StatusBadRequest, "validation_failed", fieldCode{"verified", "invalid_value"})
	var otherMe sessionOut
	e.ok(http.StatusOK, "GET", "/api/v1/me", other.Token, nil, &otherMe)
	if otherMe.Org.Verified {
		t.Errorf("institution outside scope: got verified, want unverified")
	}
}
