package matching

import (
	"runtime"
	"sync"
	"time"

	"finzone"
)

// SelectAll selects for many projects at once on every core: the rematch a
// worker runs after the catalogue changes. Results are in project order.
func (x *Index) SelectAll(projects []finzone.Project, now time.Time) []Selection {
	out := make([]Selection, len(projects))
	workers := min(runtime.GOMAXPROCS(0), max(len(projects), 1))
	var next sync.WaitGroup
	var mu sync.Mutex
	i := 0
	const batch = 64
	for range workers {
		next.Go(func() {
			for {
				mu.Lock()
				start := i
				i += batch
				mu.Unlock()
				if start >= len(projects) {
					return
				}
				for j := start; j < min(start+batch, len(projects)); j++ {
					out[j] = x.Select(projects[j], now)
				}
			}
		})
	}
	next.Wait()
	return out
}
