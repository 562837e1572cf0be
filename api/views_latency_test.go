package api_test

import (
	"net/http"
	"os"
	"slices"
	"strconv"
	"testing"
	"time"
)

// TestGetProjectLatency times GET /api/v1/projects/{id} through the whole
// app on the embedded store, for docs/benchmarks.md: the owner's reads
// (never logged), a coordinator's repeated reads (one visit), and a
// coordinator's first reads of as many projects (each a new visit: a read
// and a versioned write of the project's view log). It only runs with
// FINZONE_BENCH_VIEWS=1; FINZONE_BENCH_N sets the requests per case.
func TestGetProjectLatency(t *testing.T) {
	if os.Getenv("FINZONE_BENCH_VIEWS") == "" {
		t.Skip("set FINZONE_BENCH_VIEWS=1 to time project reads")
	}
	n := 300
	if s := os.Getenv("FINZONE_BENCH_N"); s != "" {
		var err error
		if n, err = strconv.Atoi(s); err != nil {
			t.Fatal(err)
		}
	}
	e := newEnv(t)
	ent := e.enterprise("341221")
	coord := e.coordinator("341200")
	ids := make([]string, n)
	for i := range ids {
		ids[i] = e.createProject(ent.Token, projectBody("年产5万吨粮油加工项目")).ID
	}
	time1 := func(token, id string) time.Duration {
		start := time.Now()
		e.ok(http.StatusOK, "GET", "/api/v1/projects/"+id, token, nil, nil)
		return time.Since(start)
	}
	for range 20 { // warm up the connection pool and the page caches
		time1(ent.Token, ids[0])
	}
	for _, c := range []struct {
		name  string
		token string
		id    func(i int) string
	}{
		{"owner", ent.Token, func(int) string { return ids[0] }},
		{"coordinator, first read of each project", coord.Token, func(i int) string { return ids[i] }},
		{"coordinator, repeated read", coord.Token, func(int) string { return ids[0] }},
	} {
		var d []time.Duration
		for i := range n {
			d = append(d, time1(c.token, c.id(i)))
		}
		slices.Sort(d)
		var sum time.Duration
		for _, x := range d {
			sum += x
		}
		t.Logf("%-42s n=%d mean=%v p50=%v p90=%v p99=%v", c.name, n, (sum / time.Duration(n)).Round(time.Microsecond),
			d[n/2].Round(time.Microsecond), d[n*9/10].Round(time.Microsecond), d[n*99/100].Round(time.Microsecond))
	}
}
