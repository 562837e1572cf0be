package finzone

import "testing"

func TestRegionCovers(t *testing.T) {
	tests := []struct {
		scope, code string
		want        bool
	}{
		{ProvinceCode, "341221", true},  // province covers 临泉县
		{"341200", "341221", true},      // 阜阳市 covers 临泉县
		{"341200", "341200", true},      // a city covers itself
		{"341100", "341221", false},     // 滁州市 does not cover 临泉县
		{"341221", "341221", true},      // a county covers itself
		{"341221", "341222", false},     // but not its neighbour
		{ProvinceCode, "110000", false}, // Beijing is not in Anhui
	}
	for _, tt := range tests {
		if got := RegionCovers(tt.scope, tt.code); got != tt.want {
			t.Errorf("RegionCovers(%s, %s) = %v, want %v", tt.scope, tt.code, got, tt.want)
		}
	}
}

func TestRegionFlags(t *testing.T) {
	r, ok := LookupRegion("341126") // 凤阳县 is northern Anhui though 滁州 is not
	if !ok || !r.Wanbei {
		t.Errorf("凤阳县: got %+v, %v; want wanbei", r, ok)
	}
	r, ok = LookupRegion("341500")
	if !ok || !r.Dabie {
		t.Errorf("六安市: got %+v, %v; want dabieshan", r, ok)
	}
	if got := len(ExpandRegions([]string{"341200"})); got < 5 {
		t.Errorf("阜阳市 expands to %d codes, want at least 5", got)
	}
}
