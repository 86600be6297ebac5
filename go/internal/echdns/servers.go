// Package echdns finds Encrypted Client Hello configurations: the ech= parameter of a
// name's DNS HTTPS record (RFC 9460), asked over UDP of the servers set with SetServers
// (by default the system's, from /etc/resolv.conf), with a TTL cache shared by the process.
package echdns

import (
	"net"
	"net/netip"
	"os"
	"strings"
	"sync"

	"httpcloakpy/internal/errs"
)

var (
	serversMu sync.RWMutex
	custom    []string // nil: the system's
)

// SetServers sets the DNS servers ECH lookups ask, in order ("ip" or "ip:port", port 53 by
// default); none restores the system's. The cache is emptied: its answers came from others.
func SetServers(list []string) error {
	normalised := make([]string, 0, len(list))
	for _, s := range list {
		addr, err := normaliseServer(s)
		if err != nil {
			return err
		}
		normalised = append(normalised, addr)
	}
	if len(normalised) == 0 {
		normalised = nil
	}
	serversMu.Lock()
	custom = normalised
	serversMu.Unlock()
	cache.clear()
	return nil
}

// Servers are the servers lookups ask now: those set, else the system's.
func Servers() []string {
	serversMu.RLock()
	list := custom
	serversMu.RUnlock()
	if list != nil {
		return append([]string(nil), list...)
	}
	return systemServers()
}

// normaliseServer takes "ip" or "ip:port" (IPv6 in brackets with a port) to "ip:port". A
// name is refused: resolving the resolver would need a resolver.
func normaliseServer(s string) (string, error) {
	text := strings.TrimSpace(s)
	host, port, err := net.SplitHostPort(text)
	if err != nil {
		host, port = strings.Trim(text, "[]"), "53"
	}
	ip, ipErr := netip.ParseAddr(host)
	p, portErr := netip.ParseAddrPort(net.JoinHostPort(host, port))
	if ipErr != nil || portErr != nil || p.Port() == 0 {
		return "", errs.New(errs.KindInvalidArgument, "ECH DNS server %q must be an IP address, optionally with a port (\"10.0.0.53\", \"10.0.0.53:53\", \"[::1]:5353\")", s)
	}
	return netip.AddrPortFrom(ip.Unmap(), p.Port()).String(), nil
}

// systemServers are the nameserver lines of /etc/resolv.conf (none when unreadable).
func systemServers() []string {
	raw, err := os.ReadFile(resolvConf)
	if err != nil {
		return nil
	}
	return resolvConfServers(string(raw))
}

// resolvConfServers are the nameservers a resolv.conf text names, as host:port.
func resolvConfServers(conf string) []string {
	var out []string
	for _, line := range strings.Split(conf, "\n") {
		fields := strings.Fields(line)
		if len(fields) >= 2 && fields[0] == "nameserver" {
			if addr, err := normaliseServer(strings.SplitN(fields[1], "%", 2)[0]); err == nil {
				out = append(out, addr)
			}
		}
	}
	return out
}

var resolvConf = "/etc/resolv.conf"
