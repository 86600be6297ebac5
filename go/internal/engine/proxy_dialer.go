package engine

import (
	"bufio"
	"context"
	"encoding/base64"
	"fmt"
	"net"
	"net/http"
	"net/url"

	"httpcloakpy/internal/errs"
	"httpcloakpy/internal/wire"

	"golang.org/x/net/proxy"
)

// proxyDialer reaches targets through an HTTP CONNECT proxy (http://, or https:// spoken to
// over TLS) or SOCKS5. It owns its deadlines: the context (our connect timeout, a cancel)
// bounds the whole handshake.
type proxyDialer struct {
	proxyURL *url.URL
	address  string // host:port of the proxy, the scheme's default port filled in
	direct   net.Dialer
	connect  connectRequest // the CONNECT head, as the preset's browser writes it
	tls      *proxyTLS      // set for https:// proxies
}

// newProxyDialer dials through raw; connect shapes the CONNECT request and tlsTo is how
// an https:// proxy is spoken to.
func newProxyDialer(raw string, connect connectRequest, tlsTo *proxyTLS) (*proxyDialer, error) {
	u, err := url.Parse(raw)
	if err != nil {
		return nil, errs.New(errs.KindInvalidArgument, "invalid proxy URL: %v", wire.RedactedURLError(err))
	}
	d := &proxyDialer{proxyURL: u, address: u.Host, connect: connect}
	if u.Port() == "" {
		d.address = net.JoinHostPort(u.Hostname(), defaultProxyPorts[u.Scheme])
	}
	if u.Scheme == "https" {
		d.tls = tlsTo
	}
	return d, nil
}

// The ports browsers and curl assume when a proxy URL names none.
var defaultProxyPorts = map[string]string{"http": "80", "https": "443", "socks5": "1080", "socks5h": "1080"}

func (d *proxyDialer) DialContext(ctx context.Context, network, addr string) (net.Conn, error) {
	switch d.proxyURL.Scheme {
	case "socks5", "socks5h":
		return d.dialSOCKS5(ctx, network, addr)
	default:
		return d.dialCONNECT(ctx, addr)
	}
}

func (d *proxyDialer) fail(err error) error {
	return &errs.ProxyError{Host: d.address, Err: err}
}

func (d *proxyDialer) dialSOCKS5(ctx context.Context, network, addr string) (net.Conn, error) {
	var auth *proxy.Auth
	if d.proxyURL.User != nil {
		password, _ := d.proxyURL.User.Password()
		auth = &proxy.Auth{User: d.proxyURL.User.Username(), Password: password}
	}
	socks, err := proxy.SOCKS5("tcp", d.address, auth, &d.direct)
	if err != nil {
		return nil, d.fail(err)
	}
	conn, err := socks.(proxy.ContextDialer).DialContext(ctx, network, addr)
	if err != nil {
		return nil, d.fail(err)
	}
	return conn, nil
}

func (d *proxyDialer) dialCONNECT(ctx context.Context, addr string) (net.Conn, error) {
	raw, err := d.direct.DialContext(ctx, "tcp", d.address)
	if err != nil {
		return nil, d.fail(err)
	}
	// A cancel or our connect timeout must interrupt a proxy that never answers.
	stop := context.AfterFunc(ctx, func() { _ = raw.Close() })
	defer stop()
	conn, err := d.secure(ctx, raw)
	if err != nil {
		_ = raw.Close()
		return nil, err
	}
	head, err := d.connect.head(addr, d.authorization())
	if err != nil {
		_ = conn.Close()
		return nil, errs.New(errs.KindInvalidArgument, "%v", err)
	}
	if _, err := conn.Write(head); err != nil {
		_ = conn.Close()
		return nil, d.fail(err)
	}
	reader := bufio.NewReader(conn)
	resp, err := http.ReadResponse(reader, &http.Request{Method: http.MethodConnect})
	if err != nil {
		_ = conn.Close()
		return nil, d.fail(err)
	}
	_ = resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		_ = conn.Close()
		return nil, d.fail(fmt.Errorf("CONNECT %s answered %s", addr, resp.Status))
	}
	if reader.Buffered() > 0 {
		_ = conn.Close()
		return nil, d.fail(fmt.Errorf("CONNECT %s: proxy sent data before the tunnel opened", addr))
	}
	return conn, nil
}

// secure runs the TLS handshake with an https:// proxy (raw as it is otherwise). A
// certificate the session does not trust is a TLS error: the same check, and the same
// error, as an origin's certificate.
func (d *proxyDialer) secure(ctx context.Context, raw net.Conn) (net.Conn, error) {
	if d.tls == nil {
		return raw, nil
	}
	conn, err := d.tls.handshake(ctx, raw, d.proxyURL.Hostname())
	if err == nil {
		return conn, nil
	}
	if ctx.Err() == nil && errs.ClassifyKind(err, "connect") == errs.KindTLS {
		return nil, errs.New(errs.KindTLS, "proxy %s: TLS handshake with the proxy failed: %v", d.address, err)
	}
	return nil, d.fail(fmt.Errorf("TLS handshake with the proxy: %w", err))
}

// authorization is the Basic credentials of the proxy URL, or "".
func (d *proxyDialer) authorization() string {
	if d.proxyURL.User == nil {
		return ""
	}
	password, _ := d.proxyURL.User.Password()
	return "Basic " + base64.StdEncoding.EncodeToString([]byte(d.proxyURL.User.Username()+":"+password))
}
