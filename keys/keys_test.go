package keys

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"
)

func TestLoadCreatesAPrivateKeyOnceAndRereadsIt(t *testing.T) {
	path := filepath.Join(t.TempDir(), "sub", "secret-key")
	a, err := Load(path)
	if err != nil {
		t.Fatal(err)
	}
	fi, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if fi.Mode().Perm() != 0o600 {
		t.Fatalf("key file mode %v, want 0600", fi.Mode().Perm())
	}
	b, err := Load(path)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(a.MAC(Cursor, []byte("x")), b.MAC(Cursor, []byte("x"))) {
		t.Fatal("a reloaded key derives other MACs")
	}
	if err := os.Chmod(path, 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := Load(path); err == nil {
		t.Fatal("a key file others can read was accepted")
	}
}

func TestPurposesDeriveDifferentKeys(t *testing.T) {
	r := Random()
	msg := []byte("session-1")
	if bytes.Equal(r.MAC(PageToken, msg), r.MAC(Cursor, msg)) {
		t.Fatal("two purposes share a key")
	}
	if !r.Verify(PageToken, msg, r.MAC(PageToken, msg)) || r.Verify(PageToken, []byte("session-2"), r.MAC(PageToken, msg)) {
		t.Fatal("Verify does not tell a MAC from another message's")
	}
	if Random().Verify(PageToken, msg, r.MAC(PageToken, msg)) {
		t.Fatal("another key verified the MAC")
	}
}

func TestSealOpens(t *testing.T) {
	r := Random()
	sealed := r.Seal(WebhookSecret, []byte("whsec_abc"))
	if bytes.Contains(sealed, []byte("whsec_abc")) {
		t.Fatal("sealed value holds the plaintext")
	}
	got, err := r.Open(WebhookSecret, sealed)
	if err != nil || string(got) != "whsec_abc" {
		t.Fatalf("Open = %q, %v", got, err)
	}
	tests := map[string]func() ([]byte, error){
		"altered":       func() ([]byte, error) { s := bytes.Clone(sealed); s[len(s)-1] ^= 1; return r.Open(WebhookSecret, s) },
		"other purpose": func() ([]byte, error) { return r.Open(Cursor, sealed) },
		"other key":     func() ([]byte, error) { return Random().Open(WebhookSecret, sealed) },
		"truncated":     func() ([]byte, error) { return r.Open(WebhookSecret, sealed[:5]) },
	}
	for name, open := range tests {
		if _, err := open(); err != ErrOpen {
			t.Errorf("%s: err = %v, want ErrOpen", name, err)
		}
	}
}

func TestParseRefusesShortKeys(t *testing.T) {
	if _, err := Parse("c2hvcnQ="); err == nil {
		t.Fatal("a 5-byte key was accepted")
	}
	if _, err := Parse("not base64 !!"); err == nil {
		t.Fatal("garbage was accepted")
	}
}
