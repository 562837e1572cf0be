// Package outbound is the one HTTP client for URLs that users supply
// (institutions' webhooks). It reaches public addresses only, checked when
// the URL is saved and again at dial time against the address actually
// dialled (so a name re-pointed at an internal address after the check —
// DNS rebinding — is refused), and it never follows a redirect. Errors are
// reduced to a few classes for the delivery log: the text of a dial error
// would tell a user which internal ports answer.
package outbound

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/netip"
	"net/url"
	"strings"
	"time"
)

// ErrNotPublic is a URL whose host is, or resolves to, an address the
// platform never calls: loopback, private, link-local, CGNAT, multicast,
// unspecified, IPv6 unique-local, or a mapped form of one.
var ErrNotPublic = errors.New("outbound: address not public")

// notPublic are the ranges refused besides what netip classifies.
var notPublic = []netip.Prefix{
	netip.MustParsePrefix("0.0.0.0/8"),      // "this network"
	netip.MustParsePrefix("100.64.0.0/10"),  // carrier-grade NAT
	netip.MustParsePrefix("192.0.0.0/24"),   // IETF protocol assignments
	netip.MustParsePrefix("198.18.0.0/15"),  // benchmarking
	netip.MustParsePrefix("240.0.0.0/4"),    // reserved, and broadcast
	netip.MustParsePrefix("64:ff9b::/96"),   // NAT64 of any IPv4, internal ones included
	netip.MustParsePrefix("64:ff9b:1::/48"), // local-use NAT64
	netip.MustParsePrefix("2002::/16"),      // 6to4 of any IPv4
	netip.MustParsePrefix("2001::/32"),      // Teredo
	netip.MustParsePrefix("fec0::/10"),      // deprecated site-local
}

// Public reports whether the platform may call ip.
func Public(ip netip.Addr) bool {
	ip = ip.Unmap()
	if !ip.IsValid() || ip.IsLoopback() || ip.IsPrivate() || ip.IsLinkLocalUnicast() || ip.IsLinkLocalMulticast() ||
		ip.IsInterfaceLocalMulticast() || ip.IsMulticast() || ip.IsUnspecified() {
		return false
	}
	for _, p := range notPublic {
		if p.Contains(ip) {
			return false
		}
	}
	return true
}

// Policy says what a client may reach. AllowLoopback (tests only) also
// permits plain http and loopback addresses, so tests can run a receiver.
type Policy struct {
	AllowLoopback bool
	// Resolver looks names up; nil uses net.DefaultResolver.
	Resolver *net.Resolver
}

func (p Policy) allowed(ip netip.Addr) bool {
	return Public(ip) || (p.AllowLoopback && ip.Unmap().IsLoopback())
}

func (p Policy) resolver() *net.Resolver {
	if p.Resolver != nil {
		return p.Resolver
	}
	return net.DefaultResolver
}

// resolve returns the host's addresses, all of which must be allowed.
func (p Policy) resolve(ctx context.Context, host string) ([]netip.Addr, error) {
	if ip, err := netip.ParseAddr(strings.Trim(host, "[]")); err == nil {
		if !p.allowed(ip) {
			return nil, ErrNotPublic
		}
		return []netip.Addr{ip}, nil
	}
	ips, err := p.resolver().LookupNetIP(ctx, "ip", host)
	if err != nil {
		return nil, err
	}
	if len(ips) == 0 {
		return nil, fmt.Errorf("outbound: %s has no address", host)
	}
	for _, ip := range ips {
		if !p.allowed(ip) {
			return nil, ErrNotPublic
		}
	}
	return ips, nil
}

// CheckURL checks a URL before it is saved: https (or, with AllowLoopback,
// http), a host, and every address the host resolves to allowed now.
func (p Policy) CheckURL(ctx context.Context, raw string) error {
	u, err := url.Parse(raw)
	if err != nil || u.Host == "" || u.User != nil || (u.Scheme != "https" && !(p.AllowLoopback && u.Scheme == "http")) {
		return fmt.Errorf("outbound: %q is not an https URL", raw)
	}
	_, err = p.resolve(ctx, u.Hostname())
	return err
}

// Client is the guarded client: it dials only the allowed addresses it
// resolved itself, ignores proxy settings, and returns a redirect as the
// answer instead of following it.
func (p Policy) Client(timeout time.Duration) *http.Client {
	dialer := &net.Dialer{Timeout: 5 * time.Second}
	transport := &http.Transport{
		Proxy: nil,
		DialContext: func(ctx context.Context, network, addr string) (net.Conn, error) {
			host, port, err := net.SplitHostPort(addr)
			if err != nil {
				return nil, err
			}
			ips, err := p.resolve(ctx, host)
			if err != nil {
				return nil, err
			}
			var last error
			for _, ip := range ips {
				conn, err := dialer.DialContext(ctx, network, net.JoinHostPort(ip.String(), port))
				if err == nil {
					return conn, nil
				}
				last = err
			}
			return nil, last
		},
		TLSHandshakeTimeout:   5 * time.Second,
		ResponseHeaderTimeout: timeout,
		MaxIdleConnsPerHost:   2,
		ForceAttemptHTTP2:     true,
	}
	return &http.Client{Timeout: timeout, Transport: transport,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
}

// Error classes for the delivery log.
const (
	ClassNotPublic  = "address_not_allowed"
	ClassTimeout    = "timeout"
	ClassTLS        = "tls_error"
	ClassConnection = "connection_failed"
	ClassStatus     = "http_status"
)

// Class reduces a send error to its class.
func Class(err error) string {
	var ne net.Error
	var cert *tls.CertificateVerificationError
	var unknown x509.UnknownAuthorityError
	var host x509.HostnameError
	var inv x509.CertificateInvalidError
	var rec tls.RecordHeaderError
	switch {
	case errors.Is(err, ErrNotPublic):
		return ClassNotPublic
	case errors.Is(err, context.DeadlineExceeded) || (errors.As(err, &ne) && ne.Timeout()):
		return ClassTimeout
	case errors.As(err, &cert) || errors.As(err, &unknown) || errors.As(err, &host) || errors.As(err, &inv) || errors.As(err, &rec):
		return ClassTLS
	}
	return ClassConnection
}
