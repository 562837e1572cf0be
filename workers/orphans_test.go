package workers

import "testing"

func TestRescueTaskID(t *testing.T) {
	for _, c := range []struct{ id, want string }{
		{"project:fill:p1", "project:fill:p1~rescue1"},
		{"project:fill:p1~rescue1", "project:fill:p1~rescue2"},
		{"project:fill:p1~rescue9", "project:fill:p1~rescue10"},
		{"3f0c6f0e-uuid", "3f0c6f0e-uuid~rescue1"},
		{"odd~rescue", "odd~rescue~rescue1"},
		{"odd~rescue0", "odd~rescue0~rescue1"},
	} {
		if got := rescueTaskID(c.id); got != c.want {
			t.Errorf("rescueTaskID(%q) = %q, want %q", c.id, got, c.want)
		}
	}
}
