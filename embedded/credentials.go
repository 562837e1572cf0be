package embedded

import (
	"bufio"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"strings"

	"finzone/keys"
)

// CredentialsFile is the name, in the data directory, of the file holding
// the embedded servers' passwords.
const CredentialsFile = "embedded-credentials"

// MongoUser is the one user of the embedded MongoDB-wire server. Clients
// authenticate with SCRAM-SHA-256; the proxy accepts any authSource, and
// the README shows authSource=admin.
const MongoUser = "finzone"

// Credentials are the passwords of the embedded MongoDB-wire server (user
// MongoUser) and of the embedded Redis (default user).
type Credentials struct {
	MongoPassword string
	RedisPassword string
}

// MongoURI is a URI for the embedded server's TCP address that carries the
// credentials, naming database db (may be empty).
func (c Credentials) MongoURI(addr, db string) string {
	u := url.URL{Scheme: "mongodb", User: url.UserPassword(MongoUser, c.MongoPassword), Host: addr, Path: "/" + db,
		RawQuery: "authSource=admin&authMechanism=SCRAM-SHA-256"}
	return u.String()
}

// LoadCredentials reads the credentials file at path, creating it (mode
// 0600, fresh random passwords) if it does not exist. A file that its
// owner's group or others may read is refused, as is one without both
// passwords.
func LoadCredentials(path string) (Credentials, error) {
	c, err := ReadCredentials(path)
	if errors.Is(err, os.ErrNotExist) {
		return createCredentials(path)
	}
	return c, err
}

// ReadCredentials reads an existing credentials file, for clients of a
// server another process started on the same data directory.
func ReadCredentials(path string) (Credentials, error) {
	f, err := os.Open(path)
	if err != nil {
		return Credentials{}, fmt.Errorf("embedded credentials: %w", err)
	}
	defer f.Close()
	if err := keys.PrivateFile(path); err != nil {
		return Credentials{}, err
	}
	var c Credentials
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		k, v, _ := strings.Cut(strings.TrimSpace(sc.Text()), "=")
		switch k {
		case "mongo_password":
			c.MongoPassword = v
		case "redis_password":
			c.RedisPassword = v
		}
	}
	if err := sc.Err(); err != nil {
		return Credentials{}, fmt.Errorf("embedded credentials: %w", err)
	}
	if c.MongoPassword == "" || c.RedisPassword == "" {
		return Credentials{}, fmt.Errorf("embedded credentials: %s lacks mongo_password or redis_password", path)
	}
	return c, nil
}

func createCredentials(path string) (Credentials, error) {
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return Credentials{}, fmt.Errorf("embedded credentials: %w", err)
	}
	c := Credentials{MongoPassword: randomPassword(), RedisPassword: randomPassword()}
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if errors.Is(err, os.ErrExist) {
		return ReadCredentials(path) // another process created it first
	}
	if err != nil {
		return Credentials{}, fmt.Errorf("embedded credentials: %w", err)
	}
	_, err = fmt.Fprintf(f, "# Passwords of finzone's embedded servers. MongoDB-wire: user %s, SCRAM-SHA-256,\n"+
		"# authSource admin. Redis: default user. Keep this file private (mode 0600).\n"+
		"mongo_password=%s\nredis_password=%s\n", MongoUser, c.MongoPassword, c.RedisPassword)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		_ = os.Remove(path)
		return Credentials{}, fmt.Errorf("embedded credentials: %w", err)
	}
	return c, nil
}

// randomPassword is 32 random bytes in unpadded base64url: nothing in it
// needs escaping in a URI.
func randomPassword() string {
	b := make([]byte, 32)
	_, _ = rand.Read(b)
	return base64.RawURLEncoding.EncodeToString(b)
}
