package finzone

import (
	"testing"
	"time"
)

// TestThrottleWait: the wait frees a key exactly when its weighed count
// drops under the limit, and never sooner.
func TestThrottleWait(t *testing.T) {
	th := Throttle{Max: 5, Window: 15 * time.Minute}
	tests := []struct {
		name      string
		prev, cur int64
		into      time.Duration
		want      time.Duration
	}{
		{"nothing yet", 0, 0, 0, 0},
		{"under the limit", 0, 4, time.Minute, 0},
		{"at the limit one minute in", 0, 5, time.Minute, 14*time.Minute + time.Second},
		{"over the limit: into the next window", 0, 10, 5 * time.Minute, 10*time.Minute + 7*time.Minute + 30*time.Second + time.Second},
		// 10·(15−5−t)/15 < 5 once t > 2.5 min.
		{"the previous window still weighs", 10, 0, 5 * time.Minute, 2*time.Minute + 30*time.Second + time.Second},
		{"the previous window weighs little", 10, 0, 12 * time.Minute, 0},
	}
	for _, tt := range tests {
		got := th.Wait(tt.prev, tt.cur, tt.into)
		if got != tt.want {
			t.Errorf("%s: Wait(%d, %d, %v) = %v, want %v", tt.name, tt.prev, tt.cur, tt.into, got, tt.want)
		}
		if got == 0 {
			continue
		}
		// Just before the wait ends the key is still refused; at its end it
		// is free, whichever window that falls in.
		for _, c := range []struct {
			after time.Duration
			free  bool
		}{{got - time.Second, false}, {got, true}} {
			prev, cur, into := tt.prev, tt.cur, tt.into+c.after
			if into >= th.Window {
				prev, cur, into = cur, 0, into-th.Window
			}
			if free := th.Wait(prev, cur, into) == 0; free != c.free {
				t.Errorf("%s: %v later free = %v, want %v", tt.name, c.after, free, c.free)
			}
		}
	}
}
