package outbound_test

import (
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"strings"
	"testing"
	"time"

	"finzone/outbound"
)

func TestPublic(t *testing.T) {
	for _, tt := range []struct {
		ip   string
		want bool
	}{
		{"8.8.8.8", true}, {"114.114.114.114", true}, {"2001:4860:4860::8888", true},
		{"127.0.0.1", false}, {"127.8.8.8", false}, {"::1", false},
		{"10.1.2.3", false}, {"172.16.0.1", false}, {"192.168.1.1", false},
		{"169.254.169.254", false}, {"fe80::1", false}, {"100.64.0.1", false},
		{"224.0.0.1", false}, {"ff02::1", false}, {"0.0.0.0", false}, {"::", false},
		{"255.255.255.255", false}, {"fc00::1", false}, {"fd12:3456::1", false},
		{"::ffff:127.0.0.1", false}, {"::ffff:10.0.0.1", false}, {"64:ff9b::a00:1", false},
	} {
		if got := outbound.Public(netip.MustParseAddr(tt.ip)); got != tt.want {
			t.Errorf("%s: got %v, want %v", tt.ip, got, tt.want)
		}
	}
}

func TestCheckURL(t *testing.T) {
	ctx := context.Background()
	strict := outbound.Policy{}
	for _, raw := range []string{
		"https://127.0.0.1/hook", "https://[::1]/hook", "https://169.254.169.254/latest/meta-data",
		"https://10.0.0.8:8443/x", "https://localhost/hook", "http://8.8.8.8/hook", "https://user:pw@8.8.8.8/",
		"https://[::ffff:192.168.0.1]/", "ftp://8.8.8.8/",
	} {
		if err := strict.CheckURL(ctx, raw); err == nil {
			t.Errorf("%s accepted", raw)
		}
	}
	if err := strict.CheckURL(ctx, "https://8.8.8.8/hook"); err != nil {
		t.Errorf("a public address refused: %v", err)
	}
	if err := (outbound.Policy{AllowLoopback: true}).CheckURL(ctx, "http://127.0.0.1:9/hook"); err != nil {
		t.Errorf("tests' loopback refused: %v", err)
	}
}

// TestClientRefusesInternalAddressesAtDialTime: a URL that passed its check
// cannot reach loopback later, and the error says only its class.
func TestClientRefusesInternalAddressesAtDialTime(t *testing.T) {
	hit := false
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { hit = true }))
	defer srv.Close()
	_, err := outbound.Policy{}.Client(2*time.Second).Post(srv.URL, "application/json", strings.NewReader("{}"))
	if !errors.Is(err, outbound.ErrNotPublic) || outbound.Class(err) != outbound.ClassNotPublic || hit {
		t.Errorf("got %v (class %s), hit %v; want refused before dialling", err, outbound.Class(err), hit)
	}
}

// TestClientNeverFollowsRedirects: a 307 to another address is the
// answer, not a second request carrying the signed body.
func TestClientNeverFollowsRedirects(t *testing.T) {
	landed := false
	target := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { landed = true }))
	defer target.Close()
	hop := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, target.URL+"/landed", http.StatusTemporaryRedirect)
	}))
	defer hop.Close()
	res, err := outbound.Policy{AllowLoopback: true}.Client(2*time.Second).Post(hop.URL, "application/json", strings.NewReader("{}"))
	if err != nil {
		t.Fatal(err)
	}
	_, _ = io.Copy(io.Discard, res.Body)
	res.Body.Close()
	if res.StatusCode != http.StatusTemporaryRedirect || landed {
		t.Errorf("got %d, landed %v; want the 307 itself and nothing sent on", res.StatusCode, landed)
	}
}
