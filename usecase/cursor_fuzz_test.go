package usecase

import (
	"bytes"
	"testing"

	"finzone/keys"
)

// FuzzCursorSignature: a signed cursor opens to the store cursor it was
// made from, for its own list and sort only; any token that opens is
// exactly what signCursor makes of its payload (no second spelling of a
// MAC gets through). Its seeds run with the tests.
func FuzzCursorSignature(f *testing.F) {
	ring, err := keys.New(bytes.Repeat([]byte{7}, keys.Size))
	if err != nil {
		f.Fatal(err)
	}
	good := signCursor(ring, "projects", "", "GAAAAAJ2AAIAAAB4AAdpZABl4rAAAPEAAAAAAQA")
	for _, tt := range [][2]string{{good, ""}, {good, "-created_at"}, {good + "A", ""}, {"", ""}, {".", ""},
		{"abc.", "title"}, {"a.b.c", ""}, {good[:len(good)-1], ""}} {
		f.Add(tt[0], tt[1])
	}
	f.Fuzz(func(t *testing.T, token, sort string) {
		if payload, ok := openCursor(ring, "projects", sort, token); ok && signCursor(ring, "projects", sort, payload) != token {
			t.Fatalf("opened %q (sort %q) to %q, which signs as %q", token, sort, payload, signCursor(ring, "projects", sort, payload))
		}
		if token == "" {
			return
		}
		signed := signCursor(ring, "projects", sort, token)
		if got, ok := openCursor(ring, "projects", sort, signed); !ok || got != token {
			t.Fatalf("signed %q (sort %q) opens to %q, %v", token, sort, got, ok)
		}
		if _, ok := openCursor(ring, "matches", sort, signed); ok {
			t.Fatalf("a projects cursor opened as a matches cursor")
		}
		if _, ok := openCursor(ring, "projects", sort+"x", signed); ok {
			t.Fatalf("a cursor for sort %q opened for sort %q", sort, sort+"x")
		}
	})
}
