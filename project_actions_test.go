package finzone

import (
	"slices"
	"testing"
)

func TestProjectOwnerActions(t *testing.T) {
	for _, tt := range []struct {
		status ProjectStatus
		want   []string
	}{
		{ProjectDraft, []string{"edit", "delete", "submit"}},
		{ProjectScreening, []string{"withdraw"}},
		{ProjectSubmitted, []string{"withdraw"}},
		{ProjectMatching, []string{"withdraw"}},
		{ProjectInProgress, []string{"withdraw"}},
		{ProjectPartiallyFunded, []string{"withdraw"}},
		{ProjectFunded, []string{}},
		{ProjectClosed, []string{}},
		{ProjectWithdrawn, []string{}},
	} {
		p := Project{Status: tt.status}
		if got := p.OwnerActions(); !slices.Equal(got, tt.want) {
			t.Errorf("%s: actions %q, want %q", tt.status, got, tt.want)
		}
		e := p.Refused("no")
		if e.Code != ECInvalidState || !slices.Equal(e.Allowed, tt.want) {
			t.Errorf("%s: refused with %s %q, want invalid_state %q", tt.status, e.Code, e.Allowed, tt.want)
		}
	}
	if len(ProjectStatuses) != 9 {
		t.Errorf("a status was added (%d now): give it its row above", len(ProjectStatuses))
	}
}
