package engine

import (
	"io"
	"net"
	"net/url"
	"os"
	"strings"
	"time"

	"httpcloakpy/internal/errs"
	"httpcloakpy/internal/wire"

	quic "github.com/bogdanfinn/quic-go-utls"
)

// NetOptions are the session options that shape how connections are made (issue #8).
type NetOptions struct {
	TCPProxy        string
	UDPProxy        string
	ConnectTo       map[string]string
	PreferIPv4      bool
	LocalAddress    string
	KeyLogFile      string
	TLSOnly         bool
	DisableHTTP3    bool
	QUICIdleTimeout *float64
	ECHConfigDomain string
	DisableECH      bool
	SocketOptions   // tcp_ttl, tcp_mss, ... (sockopts.go)
}

// NetConfig is the validated form an engine is built with.
type NetConfig struct {
	connectTo   map[string]string // "host" or "host:port" (lower case) -> "host" or "host:port"
	preferIPv4  bool
	localAddr   net.IP // nil: the system picks
	keyLog      io.Writer
	quicIdle    time.Duration // 0: the engine's default
	keyLogOwner *os.File      // closed with the session
	keyLogPath  string        // to open it again for a fork
	socket      socketConfig  // tcp_* options, set on every TCP socket
	ech         echOptions    // ech_config_domain, disable_ech (ech.go)
	noHTTP3     bool          // disable_http3: "auto" never races QUIC (auto.go)
	// quicTokens keeps the servers' QUIC address-validation tokens (NEW_TOKEN) for the
	// session's next connections, across engine rebuilds, as a browser does.
	quicTokens quic.TokenStore
}

// customDial reports whether dialling differs from the plain system dialer.
func (c NetConfig) customDial() bool {
	return len(c.connectTo) > 0 || c.preferIPv4 || c.localAddr != nil
}

// ResolveProxy checks proxy, tcp_proxy and udp_proxy together and returns the proxy
// (proxy= or tcp_proxy=) and the UDP proxy. This engine uses TCP for "auto", "h1" and
// "h2" and UDP only for "h3", so tcp_proxy with "h3" and udp_proxy without it would be
// ignored: both are refused. proxy= means every protocol: with "h3" it must be SOCKS5.
func (o *NetOptions) ResolveProxy(proxy, httpVersion string) (string, string, error) {
	if o.TCPProxy != "" && proxy != "" {
		return "", "", errs.New(errs.KindInvalidArgument, "give either proxy= (all protocols) or tcp_proxy= (HTTP/1.1 and HTTP/2), not both")
	}
	if o.UDPProxy != "" && proxy != "" {
		return "", "", errs.New(errs.KindInvalidArgument, "give either proxy= (all protocols) or udp_proxy= (HTTP/3), not both")
	}
	if o.TCPProxy != "" && httpVersion == "h3" {
		return "", "", errs.New(errs.KindInvalidArgument, "tcp_proxy does not apply to http_version \"h3\", which runs over UDP; use udp_proxy or proxy with a socks5:// URL")
	}
	if err := CheckUDPProxy(o.UDPProxy, httpVersion); err != nil {
		return "", "", err
	}
	if o.TCPProxy != "" {
		return o.TCPProxy, o.UDPProxy, nil
	}
	return proxy, o.UDPProxy, nil
}

// CheckUDPProxy refuses a udp_proxy this engine cannot use: one for a session that never
// speaks HTTP/3, or one that cannot carry UDP.
func CheckUDPProxy(raw, httpVersion string) error {
	if raw == "" {
		return nil
	}
	if httpVersion != "h3" {
		return errs.New(errs.KindInvalidArgument,
			"udp_proxy applies only to http_version=\"h3\" (this engine's \"auto\" never picks HTTP/3); use proxy= or tcp_proxy= for HTTP/1.1 and HTTP/2")
	}
	if err := wire.ValidateProxy(raw); err != nil {
		return err
	}
	return checkSOCKS5ForQUIC(raw, "udp_proxy")
}

// checkSOCKS5ForQUIC: only a SOCKS5 proxy (UDP ASSOCIATE) can carry QUIC here.
func checkSOCKS5ForQUIC(raw, what string) error {
	u, err := url.Parse(raw)
	if err != nil {
		return errs.New(errs.KindInvalidArgument, "invalid proxy URL: %v", wire.RedactedURLError(err))
	}
	switch u.Scheme {
	case "socks5", "socks5h":
		return nil
	}
	return errs.New(errs.KindInvalidArgument,
		"%s %s:// cannot carry HTTP/3: QUIC runs over UDP, which HTTP CONNECT cannot tunnel (MASQUE is not supported); use a socks5:// proxy with UDP ASSOCIATE, or http_version \"h2\"/\"auto\" with this proxy", what, u.Scheme)
}

// Build validates the options. The key log file is opened here (append mode), so the
// caller must close keyLogOwner if building the session fails later.
func (o *NetOptions) Build(httpVersion string) (NetConfig, error) {
	c := NetConfig{quicTokens: quic.NewLRUTokenStore(quicTokenOrigins, 1)}
	ech, err := o.echOptions(httpVersion)
	if err != nil {
		return c, err
	}
	c.ech = ech
	if o.DisableHTTP3 && httpVersion == "h3" {
		return c, errs.New(errs.KindInvalidArgument, "disable_http3=True conflicts with http_version=\"h3\"")
	}
	c.noHTTP3 = o.DisableHTTP3
	if o.QUICIdleTimeout != nil {
		d, err := wire.Seconds("quic_idle", o.QUICIdleTimeout)
		if err != nil {
			return c, err
		}
		if o.DisableHTTP3 {
			return c, errs.New(errs.KindInvalidArgument, "quic_idle_timeout has no effect with disable_http3=True")
		}
		c.quicIdle = d
	}
	socket, err := o.SocketOptions.build(httpVersion)
	if err != nil {
		return c, err
	}
	c.socket = socket
	connectTo, err := parseConnectTo(o.ConnectTo)
	if err != nil {
		return c, err
	}
	c.connectTo = connectTo
	c.preferIPv4 = o.PreferIPv4
	if o.LocalAddress != "" {
		ip := net.ParseIP(strings.Trim(o.LocalAddress, "[]"))
		if ip == nil {
			return c, errs.New(errs.KindInvalidArgument, "local_address must be an IP address, got %q", o.LocalAddress)
		}
		c.localAddr = ip
	}
	if o.KeyLogFile != "" {
		f, err := os.OpenFile(o.KeyLogFile, os.O_WRONLY|os.O_CREATE|os.O_APPEND, 0o600)
		if err != nil {
			return c, errs.New(errs.KindInvalidArgument, "cannot open key_log_file: %v", err)
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
			return nil, errs.New(errs.KindInvalidArgument, "connect_to key %q: %v", from, err)
		}
		value, err := normaliseEndpoint(to)
		if err != nil {
			return nil, errs.New(errs.KindInvalidArgument, "connect_to value %q for %q: %v", to, from, err)
		}
		out[key] = value
	}
	return out, nil
}

// normaliseEndpoint lower-cases a "host" or "host:port" ([v6]:port, or a bare v6 address).
func normaliseEndpoint(s string) (string, error) {
	s = strings.ToLower(strings.TrimSpace(s))
	if host, port, err := net.SplitHostPort(s); err == nil {
		if host == "" || !wire.ValidPort(port) {
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

var errBadEndpoint = errs.New(errs.KindInvalidArgument, "expected \"host\" or \"host:port\"")

// mapAddress applies connect_to to a "host:port" dial address: an exact "host:port" key
// wins over a "host" key; a value without a port keeps the original port.
func (c NetConfig) mapAddress(addr string) string {
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

func (c NetConfig) Close() {
	if c.keyLogOwner != nil {
		_ = c.keyLogOwner.Close()
	}
}
