package main

import (
	"bufio"
	"context"
	"encoding/base64"
	"fmt"
	"net"
	"net/http"
	"net/url"

	"golang.org/x/net/proxy"
)

// proxyError marks a failure of the proxy itself (unreachable, refused, bad credentials),
// so it is classified as kindProxy whatever the underlying error looks like.
type proxyError struct {
	proxyHost string
	err       error
}

func (e *proxyError) Error() string { return fmt.Sprintf("proxy %s: %v", e.proxyHost, e.err) }
func (e *proxyError) Unwrap() error { return e.err }

// proxyDialer reaches targets through an HTTP CONNECT or SOCKS5 proxy. It owns its
// deadlines: the context (our connect timeout, a cancel) bounds the whole handshake.
type proxyDialer struct {
	proxyURL *url.URL
	direct   net.Dialer
}

func newProxyDialer(raw string) (*proxyDialer, error) {
	u, err := url.Parse(raw)
	if err != nil {
		return nil, newError(kindInvalidArgument, "invalid proxy URL: %v", redactedURLError(err))
	}
	return &proxyDialer{proxyURL: u}, nil
}

func (d *proxyDialer) DialContext(ctx context.Context, network, addr string) (net.Conn, error) {
	switch d.proxyURL.Scheme {
	case "socks5", "socks5h":
		return d.dialSOCKS5(ctx, network, addr)
	default:
		return d.dialCONNECT(ctx, addr)
	}
}

func (d *proxyDialer) fail(err error) error {
	return &proxyError{proxyHost: d.proxyURL.Host, err: err}
}

func (d *proxyDialer) dialSOCKS5(ctx context.Context, network, addr string) (net.Conn, error) {
	var auth *proxy.Auth
	if d.proxyURL.User != nil {
		password, _ := d.proxyURL.User.Password()
		auth = &proxy.Auth{User: d.proxyURL.User.Username(), Password: password}
	}
	socks, err := proxy.SOCKS5("tcp", d.proxyURL.Host, auth, &d.direct)
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
	conn, err := d.direct.DialContext(ctx, "tcp", d.proxyURL.Host)
	if err != nil {
		return nil, d.fail(err)
	}
	// A cancel or our connect timeout must interrupt a proxy that never answers.
	stop := context.AfterFunc(ctx, func() { _ = conn.Close() })
	defer stop()
	req := &http.Request{
		Method: http.MethodConnect,
		URL:    &url.URL{Opaque: addr},
		Host:   addr,
		Header: make(http.Header),
	}
	if d.proxyURL.User != nil {
		password, _ := d.proxyURL.User.Password()
		token := base64.StdEncoding.EncodeToString([]byte(d.proxyURL.User.Username() + ":" + password))
		req.Header.Set("Proxy-Authorization", "Basic "+token)
	}
	if err := req.Write(conn); err != nil {
		_ = conn.Close()
		return nil, d.fail(err)
	}
	reader := bufio.NewReader(conn)
	resp, err := http.ReadResponse(reader, req)
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
