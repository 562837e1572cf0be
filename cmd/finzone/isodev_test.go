package main

import (
	"os"
	"testing"
	"time"
)

func TestIsoDev(t *testing.T) {
	if os.Getenv("ISODEV") == "" {
		t.Skip("dev only")
	}
	base, stop := startAll(t, t.TempDir(), "-live-demo=false")
	defer stop()
	time.Sleep(20 * time.Second)
	testIsolationMatrix(t, base)
}
