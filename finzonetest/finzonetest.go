// Package finzonetest gives tests the real parts they run on: a
// MongoDB-wire server (an embedded FerretDB, or a real MongoDB at
// FINZONE_TEST_MONGO_URI) with a fresh database per test, the machine's
// Redis (FINZONE_TEST_REDIS_URL), and the platform's use cases over them.
// Tests of the edges use it so that they need not know the store.
package finzonetest

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"os"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/gofiber/fiber/v2"

	"finzone"
	"finzone/embedded"
	"finzone/mongodb"
	"finzone/usecase"
)

// Password is the password of every account the fixtures make.
const Password = "correct-horse-battery"

var (
	mongoURI string
	seq      atomic.Int64
)

// Main starts the store server a test binary shares, runs the tests and
// stops it; call it from TestMain: os.Exit(finzonetest.Main(m)).
func Main(m *testing.M) int {
	mongoURI = os.Getenv("FINZONE_TEST_MONGO_URI")
	if mongoURI == "" {
		dir, err := os.MkdirTemp("", "finzone-test-")
		if err != nil {
			fmt.Fprintln(os.Stderr, "temp dir:", err)
			return 1
		}
		defer os.RemoveAll(dir)
		srv, err := embedded.StartMongo(dir, "127.0.0.1:0")
		if err != nil {
			fmt.Fprintln(os.Stderr, "embedded mongo:", err)
			return 1
		}
		defer srv.Close()
		mongoURI = srv.URI
	}
	return m.Run()
}

// MongoURI is the shared store server's URI.
func MongoURI() string { return mongoURI }

// Seq is a number no other call in this test process returns.
func Seq() int64 { return seq.Add(1) }

// DBName names a database no other test or test process uses.
func DBName(prefix string) string {
	return fmt.Sprintf("finzone_%s_%d_%d", prefix, os.Getpid(), Seq())
}

// OpenStore opens database dbName at uri, closed (and with drop, dropped)
// when the test ends.
func OpenStore(t testing.TB, uri, dbName string, drop bool, opts ...mongodb.Option) *mongodb.DB {
	t.Helper()
	ctx := context.Background()
	db, err := mongodb.Open(ctx, uri, dbName, opts...)
	if err != nil {
		t.Fatalf("open store %s: %v", dbName, err)
	}
	t.Cleanup(func() {
		if drop {
			_ = db.DropAndClose(ctx)
			return
		}
		_ = db.Close(ctx)
	})
	return db
}

// NewStore is a fresh database on the shared server.
func NewStore(t testing.TB, opts ...mongodb.Option) *mongodb.DB {
	t.Helper()
	name := strings.ToLower(strings.NewReplacer("/", "_", " ", "_").Replace(t.Name()))
	if len(name) > 20 {
		name = name[:20]
	}
	return OpenStore(t, mongoURI, DBName(name), true, opts...)
}

// RedisURL is the machine's Redis for tests, database db of it unless
// FINZONE_TEST_REDIS_URL names one. Tests never flush it: they use their own
// database numbers, key prefixes and queue names.
func RedisURL(db int) string {
	if u := os.Getenv("FINZONE_TEST_REDIS_URL"); u != "" {
		return u
	}
	return fmt.Sprintf("redis://127.0.0.1:6379/%d", db)
}

// Logger logs errors to the test's output.
func Logger(t testing.TB) *slog.Logger {
	return slog.New(slog.NewTextHandler(t.Output(), &slog.HandlerOptions{Level: slog.LevelError}))
}

// Coordinator makes a coordinator scoped to regions (no route creates
// them) with Password, and returns their email.
func Coordinator(t testing.TB, uc *usecase.Service, regions ...string) string {
	t.Helper()
	email := fmt.Sprintf("coordinator-%d@example.cn", Seq())
	if _, err := uc.CreateStaff(context.Background(), usecase.Console,
		usecase.StaffInput{Email: email, Name: "李四", Password: Password, Regions: regions}); err != nil {
		t.Fatalf("create coordinator: %v", err)
	}
	return email
}

// USCC is a valid unified social credit code no other call returns.
func USCC() string {
	body := fmt.Sprintf("91340000%09d", Seq())
	c, ok := finzone.USCCCheck(body)
	if !ok {
		panic("finzonetest: bad credit-code body " + body)
	}
	return body + string(c)
}

// Email is an address no other call returns.
func Email(prefix string) string { return fmt.Sprintf("%s-%d@example.cn", prefix, Seq()) }

// Response is one HTTP answer, read in full.
type Response struct {
	Status int
	Header http.Header
	Body   []byte
}

func (r Response) String() string { return fmt.Sprintf("%d %s", r.Status, r.Body) }

// Cookie is the value of a cookie the answer sets, or "".
func (r Response) Cookie(name string) string {
	for _, c := range (&http.Response{Header: r.Header}).Cookies() {
		if c.Name == name {
			return c.Value
		}
	}
	return ""
}

// Send runs req through app over real HTTP handling (Fiber's app.Test, no
// timeout) and reads the whole answer.
func Send(t testing.TB, app *fiber.App, req *http.Request) Response {
	t.Helper()
	res, err := app.Test(req, -1)
	if err != nil {
		t.Fatalf("%s %s: %v", req.Method, req.URL, err)
	}
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	if err != nil {
		t.Fatalf("%s %s: read body: %v", req.Method, req.URL, err)
	}
	return Response{Status: res.StatusCode, Header: res.Header, Body: b}
}
