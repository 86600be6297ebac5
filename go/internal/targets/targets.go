// Package targets decides which hosts and addresses a local proxy may reach, before a
// request and again on every connection the engine dials for it.
package targets

import (
	"context"
	"errors"
	"net"
	"net/netip"
	"strconv"
	"strings"
	"syscall"

	"httpcloakpy/internal/errs"
	"httpcloakpy/internal/wire"
)

// Guard is what a local proxy may reach. Two checks, both must pass:
//
//   - allowed: host:port patterns ("example.com:443", "*.example.com:*", "*:443",
//     "[::1]:8080"); none given means any host and port.
//   - private networks (loopback, RFC 1918 / ULA, link-local and cloud metadata, CGNAT,
//     unspecified, multicast, reserved) are refused unless allowPrivate: whoever reaches
//     the proxy's port must not reach, with the session's identity, the services only this
//     machine can (a database on 127.0.0.1, a router's admin page, 169.254.169.254).
//
// A name is checked by its addresses: before the request (resolved here when the proxy
// dials itself) and again when the connection is made (DialControl), so a name that changes
// address in between gains nothing. The engine dials every connection, HTTP/2 ones after
// a GOAWAY included, with a request's context, so DialControl sees its guard.
type Guard struct {
	allowed      []targetPattern
	allowPrivate bool
}

type targetPattern struct {
	host string // lower case; "*" any, "*.suffix" any subdomain; an IP in canonical form
	port int    // 0: any
}

// errTargetForbidden opens every refusal's message, so callers can answer 403.
var errTargetForbidden = errors.New("target not allowed by this local proxy")

func NewGuard(patterns []string, allowPrivate bool) (*Guard, error) {
	g := &Guard{allowPrivate: allowPrivate}
	for _, raw := range patterns {
		p, err := parseTargetPattern(raw)
		if err != nil {
			return nil, err
		}
		g.allowed = append(g.allowed, p)
	}
	return g, nil
}

func parseTargetPattern(raw string) (targetPattern, error) {
	host, port, err := net.SplitHostPort(raw)
	if err != nil || host == "" || port == "" {
		return targetPattern{}, errs.New(errs.KindInvalidArgument, "allowed target %q must be host:port (\"*\" for any host or port, \"*.example.com\" for subdomains, IPv6 in brackets)", raw)
	}
	p := targetPattern{host: targetHost(host)}
	if p.host != "*" && strings.Contains(strings.TrimPrefix(p.host, "*."), "*") {
		return targetPattern{}, errs.New(errs.KindInvalidArgument, "allowed target %q: \"*\" may only be the whole host or its first label (\"*.example.com\")", raw)
	}
	if port != "*" {
		if p.port, err = strconv.Atoi(port); err != nil || p.port < 1 || p.port > 65535 {
			return targetPattern{}, errs.New(errs.KindInvalidArgument, "allowed target %q: port must be 1-65535 or \"*\"", raw)
		}
	}
	return p, nil
}

// targetHost is a name as wire.CanonicalHost writes it, or an IP literal written one
// way (::ffff:1.2.3.4 is 1.2.3.4).
func targetHost(host string) string {
	if addr, err := netip.ParseAddr(host); err == nil {
		return addr.Unmap().String()
	}
	return wire.CanonicalHost(host)
}

func (p targetPattern) matches(host string, port int) bool {
	if p.port != 0 && p.port != port {
		return false
	}
	switch {
	case p.host == "*":
		return true
	case strings.HasPrefix(p.host, "*."):
		return strings.HasSuffix(host, p.host[1:])
	}
	return p.host == host
}

// Check refuses host:port before anything is sent. resolve looks a name up; nil when the
// name is not resolved here (an upstream proxy resolves it, or DialControl checks the dial).
func (g *Guard) Check(ctx context.Context, host string, port int, resolve func(context.Context, string) ([]net.IPAddr, error)) error {
	host = targetHost(host)
	if len(g.allowed) > 0 && !g.matchesAny(host, port) {
		return errs.New(errs.KindInvalidArgument, "%v: %s is not in allowed_targets", errTargetForbidden, net.JoinHostPort(host, strconv.Itoa(port)))
	}
	if g.allowPrivate {
		return nil
	}
	if addr, err := netip.ParseAddr(host); err == nil {
		return g.checkAddr(addr)
	}
	if host == "localhost" || strings.HasSuffix(host, ".localhost") { // RFC 6761: always loopback
		return g.refusePrivate(host)
	}
	if resolve == nil {
		return nil
	}
	found, err := resolve(ctx, host)
	if err != nil {
		return nil // the request fails on its own, with the resolver's reason
	}
	for _, a := range found {
		if addr, ok := netip.AddrFromSlice(a.IP); ok {
			if err := g.checkAddr(addr); err != nil {
				return err
			}
		}
	}
	return nil
}

func (g *Guard) matchesAny(host string, port int) bool {
	for _, p := range g.allowed {
		if p.matches(host, port) {
			return true
		}
	}
	return false
}

func (g *Guard) checkAddr(addr netip.Addr) error {
	if g.allowPrivate || !privateAddress(addr) {
		return nil
	}
	return g.refusePrivate(addr.Unmap().String())
}

func (g *Guard) refusePrivate(what string) error {
	return errs.New(errs.KindInvalidArgument, "%v: %s is a loopback, private or reserved address (allow_private_networks=True lets the proxy reach it)", errTargetForbidden, what)
}

// IsForbidden tells a refusal of the guard (its message starts with
// errTargetForbidden's) from other failures, also after it crossed the engine.
func IsForbidden(err error) bool {
	var failure *errs.Error
	return errors.As(err, &failure) && strings.HasPrefix(failure.Msg, errTargetForbidden.Error())
}

// Ranges beyond what net/netip names (IsPrivate, IsLoopback, ...), from the IANA special
// purpose registries: "this network", shared address space (CGNAT), benchmarking,
// reserved, the IPv4 broadcast, deprecated site-local IPv6.
var reservedPrefixes = []netip.Prefix{
	netip.MustParsePrefix("0.0.0.0/8"),
	netip.MustParsePrefix("100.64.0.0/10"),
	netip.MustParsePrefix("192.0.0.0/24"),
	netip.MustParsePrefix("198.18.0.0/15"),
	netip.MustParsePrefix("240.0.0.0/4"),
	netip.MustParsePrefix("fec0::/10"),
}

// nat64 carries an IPv4 address in its last 32 bits (RFC 6052): judged by that address.
var nat64 = netip.MustParsePrefix("64:ff9b::/96")

func privateAddress(addr netip.Addr) bool {
	addr = addr.Unmap()
	if nat64.Contains(addr) {
		b := addr.As16()
		return privateAddress(netip.AddrFrom4([4]byte{b[12], b[13], b[14], b[15]}))
	}
	if addr.IsLoopback() || addr.IsPrivate() || addr.IsLinkLocalUnicast() || addr.IsLinkLocalMulticast() ||
		addr.IsInterfaceLocalMulticast() || addr.IsMulticast() || addr.IsUnspecified() {
		return true
	}
	for _, p := range reservedPrefixes {
		if p.Contains(addr) {
			return true
		}
	}
	return false
}

type targetGuardKey struct{}

// WithGuard marks a request's context: its connections are checked by DialControl.
func WithGuard(ctx context.Context, g *Guard) context.Context {
	return context.WithValue(ctx, targetGuardKey{}, g)
}

// DialControl is the engine dialers' ControlContext: it runs with the address really being
// connected to, after name resolution, and refuses it when the request's guard would.
func DialControl(ctx context.Context, _, address string, _ syscall.RawConn) error {
	g, _ := ctx.Value(targetGuardKey{}).(*Guard)
	if g == nil {
		return nil
	}
	host, _, err := net.SplitHostPort(address)
	if err != nil {
		return err
	}
	addr, err := netip.ParseAddr(host)
	if err != nil {
		return nil // not an address: nothing to judge here
	}
	return g.checkAddr(addr)
}
