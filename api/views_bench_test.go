package api_test

import (
	"net/http"
	"testing"
)

// BenchmarkGetProject times GET /api/v1/projects/{id} through the whole
// app on the embedded store, for docs/benchmarks.md: the owner's reads
// (never logged), a coordinator's repeated reads of one project (one
// visit, remembered in the process), and a coordinator's first reads of
// as many projects (each a new visit: a read and a versioned write of the
// project's view log).
func BenchmarkGetProject(b *testing.B) {
	e := newEnv(b)
	ent := e.enterprise("341221")
	coord := e.coordinator("341200")
	one := e.createProject(ent.Token, projectBody("年产5万吨粮油加工项目")).ID
	get := func(token, id string) { e.ok(http.StatusOK, "GET", "/api/v1/projects/"+id, token, nil, nil) }
	b.Run("owner", func(b *testing.B) {
		for b.Loop() {
			get(ent.Token, one)
		}
	})
	b.Run("coordinator repeated", func(b *testing.B) {
		for b.Loop() {
			get(coord.Token, one)
		}
	})
	b.Run("coordinator first read", func(b *testing.B) {
		ids := make([]string, b.N)
		for i := range ids {
			ids[i] = e.createProject(ent.Token, projectBody("年产5万吨粮油加工项目")).ID
		}
		b.ResetTimer()
		for i := 0; i < b.N; i++ {
			get(coord.Token, ids[i])
		}
	})
}
