package embedded

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/hibiken/asynq"
	"github.com/redis/go-redis/v9"
)

// The credentials are made once, private to the owner, and the same at every
// start; a file others may read is refused.
func TestCredentialsFileIsPrivateAndReused(t *testing.T) {
	path := filepath.Join(t.TempDir(), "data", CredentialsFile)
	first, err := LoadCredentials(path)
	if err != nil {
		t.Fatal(err)
	}
	if len(first.MongoPassword) < 40 || len(first.RedisPassword) < 40 || first.MongoPassword == first.RedisPassword {
		t.Errorf("passwords %d and %d characters, want two different of 40 or more", len(first.MongoPassword), len(first.RedisPassword))
	}
	fi, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if fi.Mode().Perm() != 0o600 {
		t.Errorf("credentials file mode %v, want 0600", fi.Mode().Perm())
	}
	again, err := LoadCredentials(path)
	if err != nil || again != first {
		t.Errorf("second load: different credentials (err %v)", err)
	}
	if err := os.Chmod(path, 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := LoadCredentials(path); err == nil || !strings.Contains(err.Error(), "chmod 600") {
		t.Errorf("load of a 0644 file: %v, want it refused", err)
	}
	if _, err := ReadCredentials(path); err == nil {
		t.Error("read of a 0644 file: no error, want it refused")
	}
}

// The embedded Redis answers NOAUTH until a client has the password; the URL
// it gives carries it, for go-redis and asynq alike.
func TestRedisRequiresPassword(t *testing.T) {
	ctx := context.Background()
	r, err := StartRedisWithPassword("127.0.0.1:0", "redis-password")
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	stranger := redis.NewClient(&redis.Options{Addr: r.Addr()})
	defer stranger.Close()
	if err := stranger.Set(ctx, "k", "v", 0).Err(); err == nil || !strings.Contains(err.Error(), "NOAUTH") {
		t.Errorf("SET without password: %v, want NOAUTH", err)
	}
	wrong := redis.NewClient(&redis.Options{Addr: r.Addr(), Password: "guess"})
	defer wrong.Close()
	if err := wrong.Ping(ctx).Err(); err == nil {
		t.Error("PING with a wrong password: no error")
	}
	if strings.Contains(r.PublicURL(), "redis-password") {
		t.Errorf("PublicURL %s shows the password", r.PublicURL())
	}
	opt, err := redis.ParseURL(r.URL())
	if err != nil {
		t.Fatal(err)
	}
	c := redis.NewClient(opt)
	defer c.Close()
	if err := c.Set(ctx, "k", "v", 0).Err(); err != nil {
		t.Errorf("SET with the URL's password: %v", err)
	}
	aopt, err := asynq.ParseRedisURI(r.URL())
	if err != nil {
		t.Fatal(err)
	}
	insp := asynq.NewInspector(aopt)
	defer insp.Close()
	if _, err := insp.Queues(); err != nil {
		t.Errorf("asynq with the URL's password: %v", err)
	}
}
