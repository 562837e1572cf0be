package embedded

import (
	"context"
	"errors"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// FerretDB listens on a socket only its owner reaches; a second server on
// the same data directory is refused (or, asked, put beside), a socket left by a dead one is
// replaced, and a data directory too deep for a socket path gets one in a
// private directory under os.TempDir.
func TestMongoSocket(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "db")
	m, err := StartMongo(dir, "")
	if err != nil {
		t.Fatal(err)
	}
	for path, want := range map[string]os.FileMode{dir: 0o700, filepath.Join(dir, socketName): 0o600} {
		if fi, err := os.Stat(path); err != nil || fi.Mode().Perm() != want {
			t.Errorf("%s: %v, want mode %v", path, err, want)
		}
	}
	if uri, err := SocketURI(dir); err != nil || uri != m.URI {
		t.Errorf("SocketURI %q, %v; want %q", uri, err, m.URI)
	}
	if _, err := (MongoConfig{Dir: dir}).Start(); !errors.Is(err, ErrInUse) {
		t.Errorf("second server on the directory: %v, want ErrInUse", err)
	}
	// StartMongo (tests: two processes on the same files) gets a socket of
	// its own instead.
	beside, err := StartMongo(dir, "")
	if err != nil || beside.URI == m.URI {
		t.Fatalf("StartMongo beside a running server: %v", err)
	}
	c := connect(t, beside.URI)
	if err := c.Ping(context.Background(), nil); err != nil {
		t.Errorf("ping the server beside: %v", err)
	}
	_ = c.Disconnect(context.Background())
	beside.Close()
	m.Close()

	// A dead server's socket: a Unix socket file nobody accepts on.
	l, err := net.Listen("unix", filepath.Join(dir, socketName))
	if err != nil {
		t.Fatal(err)
	}
	l.(*net.UnixListener).SetUnlinkOnClose(false)
	l.Close()
	m, err = StartMongo(dir, "")
	if err != nil {
		t.Fatalf("start over a stale socket: %v", err)
	}
	m.Close()

	deep := filepath.Join(t.TempDir(), strings.Repeat("d", 60), strings.Repeat("e", 60))
	m, err = StartMongo(deep, "")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(m.URI, "mongodb://"+strings.ReplaceAll(os.TempDir(), "/", "%2F")) {
		t.Errorf("URI %s, want a socket under %s", m.URI, os.TempDir())
	}
	if err := connect(t, m.URI).Ping(context.Background(), nil); err != nil {
		t.Errorf("ping over %s: %v", m.URI, err)
	}
	t.Cleanup(func() {
		m.Close()
		if m.socketDir == "" {
			t.Error("no private socket directory")
		} else if _, err := os.Stat(m.socketDir); !os.IsNotExist(err) {
			t.Errorf("socket directory after Close: %v, want it removed", err)
		}
	})
}
