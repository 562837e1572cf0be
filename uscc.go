package finzone

import "strings"

// usccAlphabet is GB 32100-2015's character set; a character's value is its
// index (I, O, S, V and Z are never used).
const usccAlphabet = "0123456789ABCDEFGHJKLMNPQRTUWXY"

var usccWeights = [17]int{1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28}

// USCCCheck returns the check character for the first 17 characters of a
// unified social credit code, or false if they are not in the alphabet.
func USCCCheck(first17 string) (byte, bool) {
	if len(first17) != 17 {
		return 0, false
	}
	sum := 0
	for i := 0; i < 17; i++ {
		v := strings.IndexByte(usccAlphabet, first17[i])
		if v < 0 {
			return 0, false
		}
		sum += v * usccWeights[i]
	}
	c := 31 - sum%31
	if c == 31 {
		c = 0
	}
	return usccAlphabet[c], true
}

// ValidUSCC reports whether s is an 18-character unified social credit code
// whose check character is right.
func ValidUSCC(s string) bool {
	if len(s) != 18 {
		return false
	}
	c, ok := USCCCheck(s[:17])
	return ok && c == s[17]
}

// NormalizeUSCC trims spaces and upper-cases a code as users type it.
func NormalizeUSCC(s string) string { return strings.ToUpper(strings.TrimSpace(s)) }
