// Package keys holds the platform's one secret key and derives from it the
// keys each purpose uses: page tokens, list cursors, webhook secrets at rest.
// The key comes from configuration (FINZONE_SECRET_KEY, for processes on
// several machines) or from a file in the data directory created at first
// start with mode 0600. A purpose's key is HMAC-SHA256(master, purpose), so
// one leaked derived key tells nothing of the others.
package keys

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
)

// Size is the length of the master key in bytes.
const Size = 32

// Purposes name the derived keys; a new use takes a new name.
const (
	PageToken     = "page-token"
	Cursor        = "cursor"
	WebhookSecret = "webhook-secret"
)

// Ring derives the keys for each purpose from one master key. The zero Ring
// has no key; use New, Random or Load.
type Ring struct{ master []byte }

// New wraps a master key of at least Size bytes.
func New(master []byte) (Ring, error) {
	if len(master) < Size {
		return Ring{}, fmt.Errorf("secret key: %d bytes, want at least %d", len(master), Size)
	}
	return Ring{master: append([]byte(nil), master...)}, nil
}

// Random is a fresh key that lives as long as the process: fine for a
// single process and for tests, wrong for several processes that must
// verify each other's tokens.
func Random() Ring {
	b := make([]byte, Size)
	_, _ = rand.Read(b)
	return Ring{master: b}
}

// Parse reads a base64 (standard or URL, padded or not) master key.
func Parse(s string) (Ring, error) {
	s = strings.TrimSpace(s)
	for _, enc := range []*base64.Encoding{base64.StdEncoding, base64.RawStdEncoding, base64.URLEncoding, base64.RawURLEncoding} {
		if b, err := enc.DecodeString(s); err == nil {
			return New(b)
		}
	}
	return Ring{}, errors.New("secret key: not base64")
}

// Load reads the master key from path, creating it with mode 0600 if it does
// not exist. A key file that others may read is refused rather than used.
func Load(path string) (Ring, error) {
	b, err := os.ReadFile(path)
	if errors.Is(err, os.ErrNotExist) {
		return create(path)
	}
	if err != nil {
		return Ring{}, fmt.Errorf("secret key: %w", err)
	}
	if err := PrivateFile(path); err != nil {
		return Ring{}, err
	}
	return Parse(string(b))
}

func create(path string) (Ring, error) {
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return Ring{}, fmt.Errorf("secret key: %w", err)
	}
	r := Random()
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if errors.Is(err, os.ErrExist) {
		return Load(path) // another process created it first
	}
	if err != nil {
		return Ring{}, fmt.Errorf("secret key: %w", err)
	}
	_, err = f.WriteString(base64.StdEncoding.EncodeToString(r.master) + "\n")
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		_ = os.Remove(path)
		return Ring{}, fmt.Errorf("secret key: %w", err)
	}
	return r, nil
}

// PrivateFile refuses a secret file that its owner's group or others may
// read or write.
func PrivateFile(path string) error {
	fi, err := os.Stat(path)
	if err != nil {
		return fmt.Errorf("secret file: %w", err)
	}
	if fi.Mode().Perm()&0o077 != 0 {
		return fmt.Errorf("secret file %s has mode %v; it must be readable by its owner only (chmod 600)", path, fi.Mode().Perm())
	}
	return nil
}

// Empty reports a Ring with no key.
func (r Ring) Empty() bool { return len(r.master) == 0 }

func (r Ring) derive(purpose string) []byte {
	if r.Empty() {
		panic("keys: empty Ring used")
	}
	m := hmac.New(sha256.New, r.master)
	m.Write([]byte(purpose))
	return m.Sum(nil)
}

// MAC is HMAC-SHA256 of msg under the purpose's key.
func (r Ring) MAC(purpose string, msg []byte) []byte {
	m := hmac.New(sha256.New, r.derive(purpose))
	m.Write(msg)
	return m.Sum(nil)
}

// Verify reports whether mac is msg's MAC under the purpose's key, in
// constant time.
func (r Ring) Verify(purpose string, msg, mac []byte) bool {
	return hmac.Equal(r.MAC(purpose, msg), mac)
}

// Seal encrypts and authenticates plaintext with AES-256-GCM under the
// purpose's key; the random nonce leads the result.
func (r Ring) Seal(purpose string, plaintext []byte) []byte {
	aead := r.aead(purpose)
	nonce := make([]byte, aead.NonceSize())
	_, _ = rand.Read(nonce)
	return aead.Seal(nonce, nonce, plaintext, []byte(purpose))
}

// ErrOpen is returned for a sealed value that was altered, or sealed under
// another key or purpose.
var ErrOpen = errors.New("keys: cannot open sealed value")

// Open reverses Seal.
func (r Ring) Open(purpose string, sealed []byte) ([]byte, error) {
	aead := r.aead(purpose)
	if len(sealed) < aead.NonceSize() {
		return nil, ErrOpen
	}
	out, err := aead.Open(nil, sealed[:aead.NonceSize()], sealed[aead.NonceSize():], []byte(purpose))
	if err != nil {
		return nil, ErrOpen
	}
	return out, nil
}

func (r Ring) aead(purpose string) cipher.AEAD {
	block, err := aes.NewCipher(r.derive(purpose))
	if err != nil {
		panic(err) // a 32-byte key always makes a cipher
	}
	aead, err := cipher.NewGCM(block)
	if err != nil {
		panic(err)
	}
	return aead
}
