package finzone

import "time"

// Throttle limits failures (wrong passwords) to Max per Window. Failures are
// counted in fixed windows; a key is refused while its count in the current
// window plus its previous window's count, weighed by the share of the
// previous window still inside the last Window, reaches Max. This is a
// sliding window kept in two counters: a burst across a window's edge gets
// no more than Max through, and a key left alone is free again at most two
// windows after its last failure, so nobody is locked out for good.
type Throttle struct {
	Max    int
	Window time.Duration
}

// Sign-in throttles (our decision): five failures per account and twenty
// per source address in any fifteen minutes. The account's limit stops
// guessing one password; the address's, trying one password on many
// accounts, and it is higher because one office's users may share an
// address.
var (
	AccountThrottle = Throttle{Max: 5, Window: 15 * time.Minute}
	SourceThrottle  = Throttle{Max: 20, Window: 15 * time.Minute}
)

// Slot is the window now falls in, and how far into it now is.
func (t Throttle) Slot(now time.Time) (window int64, into time.Duration) {
	n := now.UnixNano()
	w := int64(t.Window)
	return n / w, time.Duration(n % w)
}

// Wait is how long a key with prev failures in the previous window and cur
// in the current one, into the current window, must wait before its next
// attempt counts; 0 when it may try now. Attempts refused meanwhile are not
// counted, so waiting this long always frees it.
func (t Throttle) Wait(prev, cur int64, into time.Duration) time.Duration {
	w, max := float64(t.Window), float64(t.Max)
	left := float64(t.Window - into)
	if float64(prev)*left/w+float64(cur) < max {
		return 0
	}
	if float64(cur) < max {
		// Within this window, once enough of the previous one has slid out.
		return ceilSecond(time.Duration(left - w*(max-float64(cur))/float64(prev)))
	}
	// The next window, once this one has slid out far enough.
	return ceilSecond(time.Duration(left + w*(float64(cur)-max)/float64(cur)))
}

// ceilSecond is the first whole second strictly after d (at the limit
// itself the key is still refused): what a Retry-After header can say.
func ceilSecond(d time.Duration) time.Duration {
	if d < 0 {
		d = 0
	}
	return d/time.Second*time.Second + time.Second
}
