package finzone

import "testing"

func TestValidUSCC(t *testing.T) {
	tests := []struct {
		code string
		want bool
	}{
		{"914403001922038216", true},
		{"91440300708461136T", true},
		{"914403001922038217", false}, // check character changed
		{"914403001922038316", false}, // body changed
		{"91440300708461136U", false},
		{"91440300708461136", false},   // too short
		{"91440300708461136TT", false}, // too long
		{"9144030070846113IT", false},  // I is not in the alphabet
		{"", false},
	}
	for _, tt := range tests {
		if got := ValidUSCC(tt.code); got != tt.want {
			t.Errorf("ValidUSCC(%q) = %v, want %v", tt.code, got, tt.want)
		}
	}
}

func TestUSCCEveryOneCharacterChangeFails(t *testing.T) {
	const good = "91440300708461136T"
	for i := 0; i < len(good); i++ {
		for _, c := range []byte(usccAlphabet) {
			if c == good[i] {
				continue
			}
			b := []byte(good)
			b[i] = c
			if ValidUSCC(string(b)) {
				t.Errorf("changing position %d to %c still validates: %s", i+1, c, b)
			}
		}
	}
}
