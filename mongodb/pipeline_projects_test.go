package mongodb_test

import (
	"context"
	"slices"
	"testing"

	"finzone"
)

// TestPipelineProjects: one scan finds the projects in the statuses asked
// for and the exhausted ones in the others, with the fields matching reads
// and none of the rest.
func TestPipelineProjects(t *testing.T) {
	ctx := context.Background()
	db := openDB(t)
	made := map[string]string{}
	add := func(name string, status finzone.ProjectStatus, attention bool) {
		p := project("owner-a", 5_000_000)
		p.Status, p.NeedsAttention, p.Green = status, attention, true
		if err := db.CreateProject(ctx, &p); err != nil {
			t.Fatal(err)
		}
		made[p.ID] = name
	}
	add("submitted", finzone.ProjectSubmitted, false)
	add("withdrawn", finzone.ProjectWithdrawn, false)
	add("matching", finzone.ProjectMatching, false)
	add("matching, exhausted", finzone.ProjectMatching, true)
	add("in progress, exhausted", finzone.ProjectInProgress, true)
	add("funded, flag left over", finzone.ProjectFunded, true)
	add("draft", finzone.ProjectDraft, false)

	got, err := db.PipelineProjects(ctx, []finzone.ProjectStatus{finzone.ProjectSubmitted, finzone.ProjectWithdrawn},
		[]finzone.ProjectStatus{finzone.ProjectMatching, finzone.ProjectInProgress})
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, p := range got {
		names = append(names, made[p.ID])
		if p.Title != "" || p.Purpose != "" {
			t.Errorf("%s: fields matching does not read came back: %q %q", made[p.ID], p.Title, p.Purpose)
		}
		if p.OwnerOrgID != "owner-a" {
			t.Errorf("%s: owner %q, want owner-a: the reconciler checks whether a held need's enterprise is verified", made[p.ID], p.OwnerOrgID)
		}
		if p.AmountYuan != 5_000_000 || p.Type != finzone.TypeManufacturingLong || p.RegionCode != "341221" ||
			p.IndustryCode != "C13" || !p.Green || len(p.Collateral) != 1 || p.EnterpriseSize != finzone.SizeSmall {
			t.Errorf("%s: a field matching reads is missing: %+v", made[p.ID], p)
		}
	}
	slices.Sort(names)
	want := []string{"in progress, exhausted", "matching, exhausted", "submitted", "withdrawn"}
	if !slices.Equal(names, want) {
		t.Errorf("got %q, want %q", names, want)
	}
}
