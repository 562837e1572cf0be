package api_test

import (
	"encoding/base64"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"

	"finzone/finzonetest"
	"finzone/keys"
	"finzone/usecase"
)

// TestCursorIsSignedForItsList: a list's next cursor is opaque and signed.
// Sent back as given, it pages on; with any one byte flipped, sent to
// another list or with another sort, made under another key, or in the
// store's unsigned form, it is 400 invalid_cursor, and the store never
// decodes it.
func TestCursorIsSignedForItsList(t *testing.T) {
	ring := keys.Random()
	e := newEnvWith(t, finzonetest.NewStore(t), usecase.Config{Checks: redisReady(redisClient), Keys: ring})
	ent := e.enterprise("341221")
	for _, title := range []string{"项目一", "项目二", "项目三"} {
		e.createProject(ent.Token, projectBody(title))
	}
	first := e.listProjects(ent.Token, "?limit=2")
	if len(first.Items) != 2 || first.Next == "" {
		t.Fatalf("first page: %d items, next %q", len(first.Items), first.Next)
	}
	second := e.listProjects(ent.Token, "?limit=2&cursor="+url.QueryEscape(first.Next))
	if len(second.Items) != 1 || second.Next != "" || slices.Contains(projectIDs(first), second.Items[0].ID) {
		t.Errorf("second page: %v after %v, want the one left", projectIDs(second), projectIDs(first))
	}

	bad := func(what, path string) {
		t.Helper()
		r := e.do("GET", path, ent.Token, nil)
		if r.Status != http.StatusBadRequest || !strings.Contains(string(r.Body), `"code":"invalid_cursor"`) {
			t.Errorf("%s: got %s, want 400 invalid_cursor", what, r)
		}
	}
	for i := range len(first.Next) {
		b := []byte(first.Next)
		b[i] ^= 1
		bad(fmt.Sprintf("byte %d flipped", i), "/api/v1/projects?limit=2&cursor="+url.QueryEscape(string(b)))
	}
	payload, _, _ := strings.Cut(first.Next, ".")
	bad("the store's unsigned cursor", "/api/v1/projects?limit=2&cursor="+url.QueryEscape(payload))
	bad("another sort", "/api/v1/projects?limit=2&sort=created_at&cursor="+url.QueryEscape(first.Next))
	bad("another list", "/api/v1/matches?limit=2&cursor="+url.QueryEscape(first.Next))
	other := keys.Random().MAC(keys.Cursor, []byte("projects\x00\x00"+payload))
	bad("another key", "/api/v1/projects?limit=2&cursor="+url.QueryEscape(payload+"."+base64.RawURLEncoding.EncodeToString(other)))

	// The same key in another process (FINZONE_SECRET_KEY shared) pages on.
	twin := newEnvWith(t, e.db, usecase.Config{Checks: redisReady(redisClient), Keys: ring})
	if got := twin.listProjects(ent.Token, "?limit=2&cursor="+url.QueryEscape(first.Next)); len(got.Items) != 1 {
		t.Errorf("another process with the same key: %d items, want 1", len(got.Items))
	}
}
