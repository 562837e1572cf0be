package finzone

import (
	"strings"
	"testing"
)

// FuzzUSCC: the credit-code check never panics; a code it accepts is 18
// characters of the GB 32100 alphabet ending in its check character, and
// changing any one character to another of the alphabet makes it invalid
// (the check detects every single substitution); any 17 characters of the
// alphabet with their check character are accepted; normalizing twice
// changes nothing. Its seeds run with the tests; .ci/run fuzzes it for 30 s.
func FuzzUSCC(f *testing.F) {
	for _, s := range []string{"914403001922038216", "91440300708461136T", "91340000123456789X", "9144030070846113IT",
		"", "91440300708461136", " 91440300708461136t ", "ÿ14403001922038216"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if n := NormalizeUSCC(s); NormalizeUSCC(n) != n {
			t.Fatalf("NormalizeUSCC(%q) = %q is not normalized", s, n)
		}
		if len(s) >= 17 {
			if c, ok := USCCCheck(s[:17]); ok && !ValidUSCC(s[:17]+string(c)) {
				t.Fatalf("%q with its check character %c is refused", s[:17], c)
			}
		}
		if !ValidUSCC(s) {
			return
		}
		if len(s) != 18 || strings.Trim(s, usccAlphabet) != "" {
			t.Fatalf("accepted %q: not 18 characters of the alphabet", s)
		}
		if c, _ := USCCCheck(s[:17]); c != s[17] {
			t.Fatalf("accepted %q whose check character should be %c", s, c)
		}
		for i := range 18 {
			for _, c := range []byte(usccAlphabet) {
				if c != s[i] && ValidUSCC(s[:i]+string(c)+s[i+1:]) {
					t.Fatalf("accepted %q and %q, one character apart", s, s[:i]+string(c)+s[i+1:])
				}
			}
		}
	})
}
