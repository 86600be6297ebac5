package main

import (
	"io"
	"net"
	"os"
	"strings"
	"time"
)

// netOptions are the session options that shape how connections are made (issue #8). They
// are embedded in sessionOptions, so their JSON fields sit at the top level.
type netOptions struct {
	TCPProxy        string            `json:"tcp_proxy"`
	UDPProxy        string            `json:"udp_proxy"`
	ConnectTo       map[string]string `json:"connect_to"`
	PreferIPv4      bool              `json:"prefer_ipv4"`
	LocalAddress    string            `json:"local_address"`
	KeyLogFile      string            `json:"key_log_file"`
	TLSOnly         bool              `json:"tls_only"`
	DisableHTTP3    bool              `json:"disable_http3"`
	QUICIdleTimeout *float64          `json:"quic_idle_timeout"`
	ECHConfigDomain string            `json:"ech_config_domain"`
}

// netConfig is the validated form an engine is built with.
type netConfig struct {
	connectTo   map[string]string // "host" or "host:port" (lower case) -> "host" or "host:port"
	preferIPv4  bool
	localAddr   net.IP // nil: the system picks
	keyLog      io.Writer
	quicIdle    time.Duration // 0: the engine's default
	keyLogOwner *os.File      // closed with the session
	keyLogPath  string        // to open it again for a fork
}

// customDial reports whether dialling differs from the plain system dialer.
func (c netConfig) customDial() bool {
	return len(c.connectTo) > 0 || c.preferIPv4 || c.localAddr != nil
}

// resolveProxy folds proxy and tcp_proxy (the same thing for this engine, whose only UDP
// protocol cannot be proxied) into one URL.
func (o *netOptions) resolveProxy(proxy, httpVersion string) (string, error) {
	if o.UDPProxy != "" {
		return "", newError(kindInvalidArgument,
			"udp_proxy is not supported: this engine's HTTP/3 cannot go through a proxy (QUIC over HTTP CONNECT is impossible and SOCKS5 UDP ASSOCIATE / MASQUE are not implemented)")
	}
	if o.TCPProxy != "" && proxy != "" {
		return "", newError(kindInvalidArgument, "give either proxy= (all protocols) or tcp_proxy= (HTTP/1.1 and HTTP/2), not both")
	}
	if o.TCPProxy != "" {
		if httpVersion == "h3" {
			return "", newError(kindInvalidArgument, "tcp_proxy does not apply to http_version \"h3\", which runs over UDP")
		}
		return o.TCPProxy, nil
	}
	return proxy, nil
}

// netConfig validates the options. The key log file is opened here (append mode), so the
// caller must close keyLogOwner if building the session fails later.
func (o *netOptions) netConfig(httpVersion string) (netConfig, error) {
	var c netConfig
	if o.ECHConfigDomain != "" {
		return c, newError(kindInvalidArgument,
			"ech_config_domain is not supported: this engine cannot be given an Encrypted Client Hello configuration (its presets send only GREASE ECH)")
	}
	if o.DisableHTTP3 && httpVersion == "h3" {
		return c, newError(kindInvalidArgument, "disable_http3=True conflicts with http_version=\"h3\"")
	}
	if o.QUICIdleTimeout != nil {
		d, err := secondsToDuration("quic_idle", o.QUICIdleTimeout)
		if err != nil {
			return c, err
		}
		if o.DisableHTTP3 {
			return c, newError(kindInvalidArgument, "quic_idle_timeout has no effect with disable_http3=True")
		}
		c.quicIdle = d
	}
	connectTo, err := parseConnectTo(o.ConnectTo)
	if err != nil {
		return c, err
	}
	c.connectTo = connectTo
	c.preferIPv4 = o.PreferIPv4
	if o.LocalAddress != "" {
		ip := net.ParseIP(strings.Trim(o.LocalAddress, "[]"))
		if ip == nil {
			return c, newError(kindInvalidArgument, "local_address must be an IP address, got %q", o.LocalAddress)
		}
		c.localAddr = ip
	}
	if o.KeyLogFile != "" {
		f, err := os.OpenFile(o.KeyLogFile, os.O_WRONLY|os.O_CREATE|os.O_APPEND, 0o600)
		if err != nil {
			return c, newError(kindInvalidArgument, "cannot open key_log_file: %v", err)
		}
		c.keyLog, c.keyLogOwner, c.keyLogPath = f, f, o.KeyLogFile
	}
	return c, nil
}

// parseConnectTo checks and normalises connect_to: keys are "host" or "host:port" of the
// request URL, values "host" (keep the request's port) or "host:port" to dial instead.
func parseConnectTo(in map[string]string) (map[string]string, error) {
	if len(in) == 0 {
		return nil, nil
	}
	out := make(map[string]string, len(in))
	for from, to := range in {
		key, err := normaliseEndpoint(from)
		if err != nil {
			return nil, newError(kindInvalidArgument, "connect_to key %q: %v", from, err)
		}
		value, err := normaliseEndpoint(to)
		if err != nil {
			return nil, newError(kindInvalidArgument, "connect_to value %q for %q: %v", to, from, err)
		}
		out[key] = value
	}
	return out, nil
}

// normaliseEndpoint lower-cases a "host" or "host:port" ([v6]:port, or a bare v6 address).
func normaliseEndpoint(s string) (string, error) {
	s = strings.ToLower(strings.TrimSpace(s))
	if host, port, err := net.SplitHostPort(s); err == nil {
		if host == "" || !validPort(port) {
			return "", errBadEndpoint
		}
		return net.JoinHostPort(host, port), nil
	}
	host := strings.Trim(s, "[]")
	if host == "" || strings.ContainsAny(host, "/ ") {
		return "", errBadEndpoint
	}
	return host, nil
}

var errBadEndpoint = newError(kindInvalidArgument, "expected \"host\" or \"host:port\"")

func validPort(p string) bool {
	if p == "" || len(p) > 5 {
		return false
	}
	n := 0
	for _, r := range p {
		if r < '0' || r > '9' {
			return false
		}
		n = n*10 + int(r-'0')
	}
	return n > 0 && n < 65536
}

// mapAddress applies connect_to to a "host:port" dial address: an exact "host:port" key
// wins over a "host" key; a value without a port keeps the original port.
func (c netConfig) mapAddress(addr string) string {
	if len(c.connectTo) == 0 {
		return addr
	}
	host, port, err := net.SplitHostPort(addr)
	if err != nil {
		return addr
	}
	host = strings.ToLower(host)
	to, ok := c.connectTo[net.JoinHostPort(host, port)]
	if !ok {
		if to, ok = c.connectTo[host]; !ok {
			return addr
		}
	}
	if _, _, err := net.SplitHostPort(to); err == nil {
		return to
	}
	return net.JoinHostPort(to, port)
}

func (c netConfig) close() {
	if c.keyLogOwner != nil {
		_ = c.keyLogOwner.Close()
	}
}
