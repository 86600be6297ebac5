package engine

import (
	"context"
	"net"
	"strings"
	"sync"

	http "github.com/bogdanfinn/fhttp"
	"github.com/bogdanfinn/fhttp/http2"
	tls "github.com/bogdanfinn/utls"
	"golang.org/x/net/idna"

	"httpcloakpy/internal/callerwait"
)

// connPool holds the engine's connections per origin (an engine has one proxy, so this is
// per origin and proxy) and sends each request over the protocol the origin chose. The
// first TLS connection to an origin learns that from ALPN: "h2" makes the origin an HTTP/2
// one (all its requests multiplex over the pool's HTTP/2 connections), anything else an
// HTTP/1.1 one (the HTTP/1.1 transport keeps its own keep-alive pool, starting with the
// connection that learnt it). Plain http:// is HTTP/1.1.
//
// It is also the HTTP/2 transport's ClientConnPool, so that every HTTP/2 connection, the
// first as the ones after a GOAWAY, is dialled with a request's context: its cancel, its
// timeouts and its target guard.
type connPool struct {
	tls     *tlsDialer
	h1      *http.Transport
	plainH1 *h1Exchanges // plain http:// requests without a body (h1_exchange.go)
	h2      *http2.Transport

	mu    sync.Mutex
	proto map[string]string              // origin address -> "h2" or "h1", once learnt
	h2s   map[string][]*http2.ClientConn // origin address -> its HTTP/2 connections
	dials map[string]*dialCall           // origin address -> the TLS connection being opened
	spare map[string][]net.Conn          // HTTP/1.1 connections that learnt the protocol, for the HTTP/1.1 transport
	// busy counts the exchanges on each HTTP/2 connection (from GetClientConn until their
	// body is closed): the idle ones are those CloseIdleConnections may close.
	busy map[*http2.ClientConn]int
}

// dialCall is one TLS connection being opened to an origin, shared by every request that
// needs a new connection there at that moment (a browser opens one, not one per request).
// It runs in a context of its own that keeps the first request's values (its target guard)
// but not its cancel: a request that gives up leaves the others waiting, and only when all
// have given up is the dial abandoned.
type dialCall struct {
	done    chan struct{}
	cc      *http2.ClientConn // the connection made, when it speaks HTTP/2
	err     error
	cancel  context.CancelFunc
	waiters int // guarded by connPool.mu
}

// originAddress is the "host:port" key of an origin, spelt as fhttp's transports spell it.
func originAddress(scheme, authority string) string {
	host, port, err := net.SplitHostPort(authority)
	if err != nil {
		host, port = authority, ""
	}
	host = strings.TrimSuffix(strings.TrimPrefix(host, "["), "]")
	if port == "" {
		port = "443"
		if scheme == "http" {
			port = "80"
		}
	}
	if ascii, err := idna.ToASCII(host); err == nil {
		host = ascii
	}
	return net.JoinHostPort(host, port)
}

func (p *connPool) RoundTrip(req *http.Request) (*http.Response, error) {
	if req.URL.Scheme != "https" {
		if p.plainH1.takes(req) {
			return p.plainH1.RoundTrip(req)
		}
		return p.h1.RoundTrip(req)
	}
	addr := originAddress(req.URL.Scheme, req.URL.Host)
	for {
		p.mu.Lock()
		proto := p.proto[addr]
		p.mu.Unlock()
		switch proto {
		case "h2":
			return p.h2.RoundTrip(withoutDefaultUserAgentH2(req))
		case "h1":
			return p.h1.RoundTrip(req)
		}
		// First contact: open a connection and learn the protocol from it.
		if _, err := p.connect(req.Context(), addr); err != nil {
			return nil, err
		}
	}
}

// connect opens (or waits for) a new TLS connection to addr and files it by its protocol;
// an HTTP/2 one is returned.
func (p *connPool) connect(ctx context.Context, addr string) (*http2.ClientConn, error) {
	p.mu.Lock()
	call := p.dials[addr]
	if call == nil {
		call = p.startDial(ctx, addr)
	}
	call.waiters++
	p.mu.Unlock()
	if err := waitDone(ctx, call.done); err != nil {
		p.mu.Lock()
		call.waiters--
		if call.waiters == 0 && p.dials[addr] == call {
			// Nobody wants it any more; a later request starts afresh.
			delete(p.dials, addr)
			call.cancel()
		}
		p.mu.Unlock()
		return nil, err
	}
	p.mu.Lock()
	call.waiters--
	p.mu.Unlock()
	return call.cc, call.err
}

// waitDone waits for done, in slices on a caller's thread; ctx's error if it ends first.
func waitDone(ctx context.Context, done <-chan struct{}) error {
	if callerwait.Here(ctx) {
		return callerwait.Wait(ctx, done)
	}
	select {
	case <-done:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// startDial begins a dial to addr; p.mu is held.
func (p *connPool) startDial(ctx context.Context, addr string) *dialCall {
	dialCtx, cancel := context.WithCancel(context.WithoutCancel(ctx))
	call := &dialCall{done: make(chan struct{}), cancel: cancel}
	p.dials[addr] = call
	go func() {
		defer close(call.done)
		defer cancel()
		conn, err := p.tls.dial(dialCtx, addr)
		if err == nil {
			call.cc, err = p.file(addr, conn)
		}
		call.err = err
		p.mu.Lock()
		if p.dials[addr] == call {
			delete(p.dials, addr)
		}
		p.mu.Unlock()
	}()
	return call
}

// file puts a new connection where its negotiated protocol is served from.
func (p *connPool) file(addr string, conn *tls.UConn) (*http2.ClientConn, error) {
	proto := "h1"
	if conn.ConnectionState().NegotiatedProtocol == http2.NextProtoTLS {
		proto = "h2"
	}
	var cc *http2.ClientConn
	if proto == "h2" {
		var err error
		if cc, err = p.h2.NewClientConn(conn); err != nil {
			_ = conn.Close()
			return nil, err
		}
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	// The latest connection says what the origin speaks now (a server may be reconfigured).
	p.proto[addr] = proto
	if cc != nil {
		p.h2s[addr] = append(p.h2s[addr], cc)
	} else {
		p.spare[addr] = append(p.spare[addr], conn)
	}
	return cc, nil
}

// dialTLSForH1 is the HTTP/1.1 transport's TLS dial: a connection that learnt the origin's
// protocol first, else a new one.
func (p *connPool) dialTLSForH1(ctx context.Context, _, addr string) (net.Conn, error) {
	p.mu.Lock()
	if spare := p.spare[addr]; len(spare) > 0 {
		conn := spare[len(spare)-1]
		p.spare[addr] = spare[:len(spare)-1]
		p.mu.Unlock()
		return conn, nil
	}
	p.mu.Unlock()
	return p.tls.dial(ctx, addr)
}

// CloseIdleConnections closes the connections no exchange uses (the others carry on).
func (p *connPool) CloseIdleConnections() {
	p.mu.Lock()
	var idle []*http2.ClientConn
	for _, conns := range p.h2s {
		for _, cc := range conns {
			if p.busy[cc] == 0 {
				idle = append(idle, cc)
			}
		}
	}
	spare := p.spare
	p.spare = map[string][]net.Conn{}
	p.mu.Unlock()
	for _, conns := range spare {
		for _, conn := range conns {
			_ = conn.Close()
		}
	}
	for _, cc := range idle {
		_ = cc.Close() // no stream to interrupt; MarkDead forgets it
	}
	p.h1.CloseIdleConnections()
	p.plainH1.idle.closeAll()
}
