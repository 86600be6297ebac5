package engine

import (
	"context"
	"crypto/x509"
	"io"
	"net"
	"slices"

	"httpcloakpy/internal/fingerprint"
	"httpcloakpy/internal/ticketcache"

	tls "github.com/bogdanfinn/utls"
)

// tlsDialer opens the engine's TLS connections to origins: a TCP connection from our own
// dialer (proxy, connect_to, local_address, target guard), then the preset's ClientHello,
// made fresh for every handshake, checked with the session's trust settings.
type tlsDialer struct {
	tcp     *netDialer
	hello   func() (tls.ClientHelloSpec, error)
	h1Only  bool               // http_version="h1": ALPN offers http/1.1 alone
	tickets *ticketcache.Cache // nil: the preset does not resume sessions
	verify  bool
	roots   *x509.CertPool // nil: the system's
	keyLog  io.Writer      // key_log_file, when set
	pins    []CertPin      // certificate pins (certpin.go)
	ech     *echPolicy     // nil: no ECH lookups (ech.go)
}

func newTLSDialer(tcp *netDialer, profile fingerprint.Profile, h1Only bool, tickets *ticketcache.Cache, verify bool, roots *x509.CertPool, keyLog io.Writer) *tlsDialer {
	return &tlsDialer{tcp: tcp, hello: profile.Hello, h1Only: h1Only, tickets: tickets, verify: verify, roots: roots, keyLog: keyLog}
}

// dial connects to addr ("host:port") and completes the TLS handshake; ctx bounds both.
func (d *tlsDialer) dial(ctx context.Context, addr string) (*tls.UConn, error) {
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		host = addr
	}
	echConfigs := d.ech.begin(ctx, host) // the HTTPS record lookup runs while TCP connects
	raw, err := d.tcp.DialContext(ctx, "tcp", addr)
	if err != nil {
		return nil, err
	}
	cfg := d.config(host)
	cfg.EncryptedClientHelloConfigList = echConfigs()
	conn, err := handshakeTLS(ctx, raw, cfg, d.hello, d.h1Only)
	if err == nil {
		return conn, nil
	}
	_ = raw.Close()
	retry, ok := echRetryConfigs(err, cfg.EncryptedClientHelloConfigList)
	if !ok {
		return nil, err
	}
	// The server rejected ECH (and proved it speaks for the config's public name): once
	// more on a new connection, with its retry configs or without ECH.
	if raw, err = d.tcp.DialContext(ctx, "tcp", addr); err != nil {
		return nil, err
	}
	cfg = d.config(host)
	cfg.EncryptedClientHelloConfigList = retry
	if conn, err = handshakeTLS(ctx, raw, cfg, d.hello, d.h1Only); err != nil {
		_ = raw.Close()
		return nil, err
	}
	return conn, nil
}

// config is the TLS configuration of one handshake with host.
func (d *tlsDialer) config(host string) *tls.Config {
	cfg := &tls.Config{
		ServerName:         host,
		RootCAs:            d.roots,
		InsecureSkipVerify: !d.verify,
		KeyLogWriter:       d.keyLog,
		OmitEmptyPsk:       true,
		// A hello without session extensions simply does not resume (never a panic).
		PreferSkipResumptionOnNilExtension: true,
		VerifyConnection:                   pinCheck(d.pins, host),
	}
	if d.tickets != nil {
		cfg.ClientSessionCache = d.tickets
	}
	return cfg
}

// handshakeTLS runs the client handshake over raw with the ClientHello hello makes, fitted
// to TCP by fitHelloToTCP.
func handshakeTLS(ctx context.Context, raw net.Conn, cfg *tls.Config, hello func() (tls.ClientHelloSpec, error), h1Only bool) (*tls.UConn, error) {
	spec, err := hello()
	if err != nil {
		return nil, err
	}
	fitHelloToTCP(&spec, h1Only)
	conn := tls.UClient(raw, cfg, tls.HelloCustom, false, false, false)
	if err := conn.ApplyPreset(&spec); err != nil {
		return nil, err
	}
	if err := conn.HandshakeContext(ctx); err != nil {
		return nil, err
	}
	return conn, nil
}

// fitHelloToTCP takes h3 out of ALPN and ALPS (a TCP connection never speaks it), and with
// h1Only offers http/1.1 alone in ALPN. The extensions changed are copies: the spec's own
// values may be shared by the preset.
func fitHelloToTCP(spec *tls.ClientHelloSpec, h1Only bool) {
	for i, ext := range spec.Extensions {
		switch e := ext.(type) {
		case *tls.ALPNExtension:
			fitted := &tls.ALPNExtension{AlpnProtocols: withoutH3(e.AlpnProtocols)}
			if h1Only {
				fitted.AlpnProtocols = []string{"http/1.1"}
			}
			spec.Extensions[i] = fitted
		case *tls.ApplicationSettingsExtensionNew:
			fitted := *e
			fitted.SupportedProtocols = withoutH3(e.SupportedProtocols)
			spec.Extensions[i] = &fitted
		}
	}
}

func withoutH3(protocols []string) []string {
	return slices.DeleteFunc(slices.Clone(protocols), func(p string) bool { return p == "h3" })
}
