package server_test

import (
	"bufio"
	"encoding/json"
	"io"
	"log/slog"
	"net"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/gofiber/fiber/v2"

	"finzone/server"
)

// serve runs app on a loopback port, so requests come from 127.0.0.1 as
// from a proxy on the same machine, and returns its base URL.
func serve(t *testing.T, app *fiber.App) string {
	t.Helper()
	app.Get("/proto", func(c *fiber.Ctx) error { return c.SendString(c.Protocol()) })
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go func() { _ = app.Listener(ln) }()
	t.Cleanup(func() { _ = app.Shutdown() })
	return "http://" + ln.Addr().String()
}

// TestHSTSBehindATrustedProxyOnly: X-Forwarded-Proto: https from a
// configured proxy makes the request https (HSTS sent); the same header
// from anyone else, or with no proxy configured, is ignored.
func TestHSTSBehindATrustedProxyOnly(t *testing.T) {
	for _, tt := range []struct {
		name      string
		trusted   []string
		wantProto string
	}{
		{"trusted proxy", []string{"127.0.0.1"}, "https"},
		{"trusted range", []string{"10.0.0.0/8", "127.0.0.0/8"}, "https"},
		{"untrusted client", []string{"10.0.0.0/8", "192.0.2.1"}, "http"},
		{"no proxies configured", nil, "http"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			proto, hsts := forwardedHTTPS(t, server.NewWith(server.Config{TrustedProxies: tt.trusted}))
			if proto != tt.wantProto || (hsts != "") != (tt.wantProto == "https") {
				t.Errorf("protocol %q, HSTS %q; want %s (HSTS only over https)", proto, hsts, tt.wantProto)
			}
		})
	}
	// server.New, as callers without proxies use it, trusts none.
	if proto, hsts := forwardedHTTPS(t, server.New(nil)); proto != "http" || hsts != "" {
		t.Errorf("server.New believed a client's X-Forwarded-Proto: %s, HSTS %q", proto, hsts)
	}
}

// forwardedHTTPS sends app a request saying X-Forwarded-Proto: https and
// returns the protocol the app saw and the HSTS header it answered.
func forwardedHTTPS(t *testing.T, app *fiber.App) (proto, hsts string) {
	t.Helper()
	req, _ := http.NewRequest("GET", serve(t, app)+"/proto", nil)
	req.Header.Set("X-Forwarded-Proto", "https")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	return string(body), resp.Header.Get("Strict-Transport-Security")
}

func TestParseProxies(t *testing.T) {
	got, err := server.ParseProxies(" 10.0.0.1, 192.168.0.0/16 ,::1,, 2001:db8::/32")
	if want := []string{"10.0.0.1", "192.168.0.0/16", "::1", "2001:db8::/32"}; err != nil || !slices.Equal(got, want) {
		t.Errorf("got %v, %v; want %v", got, err, want)
	}
	for _, bad := range []string{"proxy.local", "10.0.0.300", "10.0.0.0/33"} {
		if _, err := server.ParseProxies(bad); err == nil {
			t.Errorf("%q: accepted", bad)
		}
	}
}

// TestSlowRequestIs408: a request that has not arrived whole within the
// read timeout is answered 408 request_timeout, in the one error shape,
// and not logged as a server failure (it was a 500 internal before).
func TestSlowRequestIs408(t *testing.T) {
	var logged strings.Builder
	log := slog.New(slog.NewTextHandler(&logged, &slog.HandlerOptions{Level: slog.LevelError}))
	addr := strings.TrimPrefix(serve(t, server.NewWith(server.Config{Log: log, ReadTimeout: 200 * time.Millisecond})), "http://")
	conn, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	if _, err := io.WriteString(conn, "GET /proto HTTP/1.1\r\nHost: "+addr+"\r\n"); err != nil { // headers never end
		t.Fatal(err)
	}
	_ = conn.SetReadDeadline(time.Now().Add(10 * time.Second))
	resp, err := http.ReadResponse(bufio.NewReader(conn), nil)
	if err != nil {
		t.Fatalf("no answer to a request cut short: %v", err)
	}
	defer resp.Body.Close()
	var body server.ErrorBody
	if err := json.NewDecoder(resp.Body).Decode(&body); err != nil {
		t.Fatal(err)
	}
	if resp.StatusCode != http.StatusRequestTimeout || body.Error.Code != "request_timeout" || body.Error.Message == "" {
		t.Errorf("a request cut short: %d %+v, want 408 request_timeout with a message", resp.StatusCode, body.Error)
	}
	if logged.Len() > 0 {
		t.Errorf("a client's slow request logged as a server failure: %s", logged.String())
	}
}
