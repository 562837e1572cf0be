package embedded

import (
	"crypto/sha256"
	"errors"
	"fmt"
	"net"
	"net/url"
	"os"
	"path/filepath"
	"sync/atomic"
	"syscall"
	"time"
)

// ErrInUse is returned by Start when another server (usually another
// process) serves the data directory already.
var ErrInUse = errors.New("another server serves this data directory")

// socketName is FerretDB's Unix socket in the data directory. Drivers take a
// host ending in .sock for a Unix socket.
const socketName = "mongodb.sock"

// maxSocketPath keeps under the smallest sun_path (104 bytes on macOS and
// the BSDs, 108 on Linux), with its terminating NUL.
const maxSocketPath = 103

// SocketURI is the URI of the Unix socket of the server for data directory
// dir, for a process of the same OS user when another one serves it.
func SocketURI(dir string) (string, error) {
	abs, err := filepath.Abs(dir)
	if err != nil {
		return "", err
	}
	sock, _, err := socketPath(abs, socketName)
	if err != nil {
		return "", err
	}
	return "mongodb://" + url.QueryEscape(sock) + "/", nil
}

// privateDir makes dir (and its parents) and gives dir mode 0700: it holds
// the data and the socket, which only the owner may reach.
func privateDir(dir string) (string, error) {
	abs, err := filepath.Abs(dir)
	if err != nil {
		return "", err
	}
	if err := os.MkdirAll(abs, 0o700); err != nil {
		return "", err
	}
	if err := os.Chmod(abs, 0o700); err != nil {
		return "", err
	}
	return abs, nil
}

// socketPath is where FerretDB's socket name for data directory dir goes:
// in dir, or when that path is too long, in a private directory of this OS
// user under os.TempDir named after dir (elsewhere is then true).
func socketPath(dir, name string) (path string, elsewhere bool, err error) {
	path = filepath.Join(dir, name)
	if len(path) <= maxSocketPath {
		return path, false, nil
	}
	sum := sha256.Sum256([]byte(dir))
	priv := filepath.Join(os.TempDir(), fmt.Sprintf("finzone-%d-%x", os.Getuid(), sum[:8]))
	if err := os.Mkdir(priv, 0o700); err != nil && !errors.Is(err, os.ErrExist) {
		return "", false, err
	}
	// The directory may have been made by someone else before us.
	fi, err := os.Lstat(priv)
	if err != nil {
		return "", false, err
	}
	st, ok := fi.Sys().(*syscall.Stat_t)
	if !fi.IsDir() || !ok || int(st.Uid) != os.Getuid() || fi.Mode().Perm() != 0o700 {
		return "", false, fmt.Errorf("socket directory %s is not a directory of mode 0700 owned by this user", priv)
	}
	path = filepath.Join(priv, name)
	if len(path) > maxSocketPath {
		return "", false, fmt.Errorf("socket path %s too long; set TMPDIR to a shorter directory", path)
	}
	return path, true, nil
}

// clearStaleSocket removes a socket left by a server that died without
// closing it, and refuses to start beside a live one.
func clearStaleSocket(path string) error {
	if _, err := os.Lstat(path); errors.Is(err, os.ErrNotExist) {
		return nil
	}
	if c, err := net.DialTimeout("unix", path, time.Second); err == nil {
		c.Close()
		return fmt.Errorf("%w (%s)", ErrInUse, path)
	}
	if err := os.Remove(path); err != nil {
		return fmt.Errorf("embedded mongo: stale socket: %w", err)
	}
	return nil
}

var extraSockets atomic.Int64

// extraSocketName names the socket of a second server on a data directory
// another server serves already.
func extraSocketName() string {
	return fmt.Sprintf("mongodb-%d-%d.sock", os.Getpid(), extraSockets.Add(1))
}
