package main

import (
	"context"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"finzone/embedded"
)

// startDB runs `finzone db` in this test process until stop.
func startDB(t *testing.T, dataDir, addr string) (stop func()) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() {
		done <- dbCmd(ctx, []string{"-data-dir", dataDir, "-embedded-mongo-addr", addr, "-log-level", "error"})
	}()
	deadline := time.Now().Add(20 * time.Second)
	for {
		c, err := net.DialTimeout("tcp", addr, 200*time.Millisecond)
		if err == nil {
			c.Close()
			break
		}
		select {
		case err := <-done:
			t.Fatalf("finzone db exited: %v", err)
		default:
		}
		if time.Now().After(deadline) {
			t.Fatalf("finzone db not listening on %s within 20 s", addr)
		}
		time.Sleep(50 * time.Millisecond)
	}
	return func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("finzone db: %v", err)
		}
	}
}

// `finzone db` takes only clients with the data directory's credentials:
// admin create-coordinator pointed at its port without them fails, and
// works when given the data directory; the credentials file is 0600, the
// same after a restart, and refused once others may read it.
func TestDBRequiresTheDataDirectorysCredentials(t *testing.T) {
	ctx := context.Background()
	dataDir, addr := t.TempDir(), freeAddr(t)
	stop := startDB(t, dataDir, addr)
	credPath := filepath.Join(dataDir, embedded.CredentialsFile)
	creds, err := embedded.ReadCredentials(credPath)
	if err != nil {
		t.Fatal(err)
	}
	coordinator := func(email string, flags ...string) error {
		args := append([]string{"create-coordinator", "-email", email, "-password", "a-long-coordinator-secret",
			"-name", "李四", "-regions", "340000", "-log-level", "error", "-redis-url", "", "-data-dir", t.TempDir()}, flags...)
		return adminCmd(ctx, args)
	}
	err = coordinator("stranger@example.cn", "-mongo-uri", "mongodb://"+addr+"/")
	if err == nil || !strings.Contains(err.Error(), "requires authentication") {
		t.Errorf("create-coordinator on the port without credentials: %v, want requires authentication", err)
	}
	if err := coordinator("owner@example.cn", "-mongo-uri", "", "-data-dir", dataDir); err != nil {
		t.Errorf("create-coordinator given the data directory: %v", err)
	}
	stop()

	stop = startDB(t, dataDir, addr)
	defer stop()
	again, err := embedded.ReadCredentials(credPath)
	if err != nil || again != creds {
		t.Fatalf("credentials after a restart: changed (err %v)", err)
	}
	client, err := mongo.Connect(options.Client().ApplyURI(creds.MongoURI(addr, "finzone")).SetTimeout(10 * time.Second))
	if err != nil {
		t.Fatal(err)
	}
	defer client.Disconnect(ctx)
	users := client.Database("finzone").Collection("users")
	for email, want := range map[string]int64{"owner@example.cn": 1, "stranger@example.cn": 0} {
		if n, err := users.CountDocuments(ctx, bson.D{{Key: "email", Value: email}}); err != nil || n != want {
			t.Errorf("users %s: %d, %v; want %d", email, n, err, want)
		}
	}
	if fi, err := os.Stat(credPath); err != nil || fi.Mode().Perm() != 0o600 {
		t.Fatalf("credentials file: %v, want mode 0600", err)
	}
	if err := os.Chmod(credPath, 0o644); err != nil {
		t.Fatal(err)
	}
	err = dbCmd(ctx, []string{"-data-dir", dataDir, "-embedded-mongo-addr", freeAddr(t), "-log-level", "error"})
	if err == nil || !strings.Contains(err.Error(), "chmod 600") {
		t.Errorf("finzone db with a 0644 credentials file: %v, want it refused", err)
	}
}
