package api_test

import (
	"net/http"
	"sync"
	"testing"
)

// Racing requests cannot both win: status changes are conditional and
// product versions are unique, so exactly one succeeds and the others get a
// 409, never a 500 or a lost update.
func TestConcurrentChanges(t *testing.T) {
	e := newEnv(t)
	ent := e.enterprise("341221")
	bank := e.institution("341200")
	coord := e.coordinator("341200")
	const n = 6

	race := func(method, path, token string, body any) []resp {
		var wg sync.WaitGroup
		out := make([]resp, n)
		for i := range out {
			wg.Add(1)
			go func() {
				defer wg.Done()
				out[i] = e.do(method, path, token, body)
			}()
		}
		wg.Wait()
		return out
	}
	count := func(rs []resp) map[int]int {
		m := map[int]int{}
		for _, r := range rs {
			m[r.Status]++
			if r.Status >= 400 {
				parseError(t, r)
			}
		}
		return m
	}

	// A few rounds, as a race that two requests can both win will not show
	// itself every time.
	for round := 0; round < 4; round++ {
		p := e.createProject(ent.Token, projectBody("并发提交"))
		got := count(race("POST", "/api/v1/projects/"+p.ID+"/submit", ent.Token, nil))
		if got[http.StatusOK] != 1 || got[http.StatusConflict] != n-1 {
			t.Errorf("round %d, %d concurrent submits of one draft: got statuses %v, want one 200 and %d 409",
				round, n, got, n-1)
		}
	}

	prod := e.createProduct(bank.Token, productBody("并发编辑"))
	e.publishProduct(bank.Token, coord.Token, prod.ID)
	// Each edit of the published version tries to make version 2; an edit
	// that starts after version 2 exists edits that draft in place.
	got := count(race("PATCH", "/api/v1/products/"+prod.ID, bank.Token, map[string]any{"rate_floor_bps": 350}))
	if got[http.StatusCreated] != 1 || got[http.StatusCreated]+got[http.StatusOK]+got[http.StatusConflict] != n {
		t.Errorf("concurrent edits of a published product: got statuses %v, want one 201, the rest 200 or 409", got)
	}
	var head productOut
	e.ok(http.StatusOK, "GET", "/api/v1/products/"+prod.ID, bank.Token, nil, &head)
	if head.Version != 2 || len(head.Versions) != 2 || head.Versions[0].Status != "published" {
		t.Errorf("after concurrent edits: got %+v, want version 2 over the published version 1", head)
	}
}
