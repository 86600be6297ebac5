package main

import (
	"context"
	"crypto/tls"
	"net"
	"sync"
	"sync/atomic"
)

// Listener names, used as keys in /stats and as connInfo.listener.
const (
	listenerHTTP  = "http"
	listenerHTTPS = "https"
	listenerH3    = "h3"
)

// connInfo is everything the handlers may want to know about the
// transport connection a request arrived on. One per TCP or QUIC connection.
type connInfo struct {
	id       uint64
	listener string
	// raw is the TCP connection under any TLS layer; closing it drops the
	// connection without a TLS close_notify, which is how aborts are simulated.
	raw net.Conn

	mu           sync.Mutex
	tlsState     *tls.ConnectionState
	hello        *clientHello
	handshakeErr string // a failed TLS handshake's error
	quic         bool
	// HTTP/3 connections: the client's datagrams, its address, and the
	// connection (for /capture/goaway).
	quicCapture *quicCapture
	remote      string
	quicConn    quicCloser
	quicSecrets map[string][]byte // TLS key log of the connection, by label

	// Set before the connection is served (under mu for the capture, which
	// may read them from elsewhere at shutdown); handlers read them freely.
	h1 *h1HeaderSniffer // set for HTTP/1.x connections
	h2 *h2FrameSniffer  // set for HTTP/2 connections

	captureWritten sync.Once // -capture-dir writes the record once
}

func (c *connInfo) setTLS(state *tls.ConnectionState, hello *clientHello) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if state != nil {
		c.tlsState = state
	}
	if hello != nil {
		c.hello = hello
	}
}

func (c *connInfo) setHandshakeError(hello *clientHello, err error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.hello, c.handshakeErr = hello, err.Error()
}

func (c *connInfo) attachH1(s *h1HeaderSniffer) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.h1 = s
}

func (c *connInfo) attachH2(s *h2FrameSniffer) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.h2 = s
}

func (c *connInfo) tlsDetails() (*tls.ConnectionState, *clientHello) {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.tlsState, c.hello
}

var lastConnID atomic.Uint64

func nextConnID() uint64 { return lastConnID.Add(1) }

type connInfoKey struct{}

func withConnInfo(ctx context.Context, info *connInfo) context.Context {
	return context.WithValue(ctx, connInfoKey{}, info)
}

// connInfoFrom returns nil when the context carries no connection info.
func connInfoFrom(ctx context.Context) *connInfo {
	info, _ := ctx.Value(connInfoKey{}).(*connInfo)
	return info
}

// listenerCounters feed /stats.
type listenerCounters struct {
	accepted atomic.Int64
	open     atomic.Int64
}

var connCounters = map[string]*listenerCounters{
	listenerHTTP:  {},
	listenerHTTPS: {},
	listenerH3:    {},
}
