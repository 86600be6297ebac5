package main

import (
	"context"
	"crypto/tls"
	"errors"
	"log"
	"net"
	"net/http"
	"time"

	"golang.org/x/net/http2"
)

// tlsFront accepts TCP connections, runs the TLS handshake itself (so the
// raw ClientHello and the decrypted stream can be observed), then hands
// each connection to the HTTP/2 server or the HTTP/1.1 server by ALPN.
type tlsFront struct {
	listener *trackedListener
	config   *tls.Config
	handler  http.Handler
	h1Server *http.Server
	h1Conns  *handoffListener
	h2Server *http2.Server
}

const tlsHandshakeTimeout = 10 * time.Second

func newTLSFront(ln *trackedListener, cert tls.Certificate, handler http.Handler) *tlsFront {
	front := &tlsFront{
		listener: ln,
		config: &tls.Config{
			Certificates: []tls.Certificate{cert},
			NextProtos:   []string{"h2", "http/1.1"},
		},
		handler:  handler,
		h1Server: newHTTP1Server(handler),
		h1Conns:  newHandoffListener(ln.Addr()),
		h2Server: &http2.Server{IdleTimeout: 2 * time.Minute},
	}
	return front
}

func (f *tlsFront) serve() {
	go f.h1Server.Serve(f.h1Conns)
	for {
		c, err := f.listener.Accept()
		if err != nil {
			if !errors.Is(err, net.ErrClosed) {
				log.Printf("https accept: %v", err)
			}
			return
		}
		go f.handle(c.(*trackedConn))
	}
}

func (f *tlsFront) close() {
	f.h1Server.Close() // closes h1Conns too
	f.listener.Close()
}

func (f *tlsFront) handle(raw *trackedConn) {
	info := raw.info
	capture := &helloCapture{}
	raw.onRead = capture.observe
	tlsConn := tls.Server(raw, f.config)

	ctx, cancel := context.WithTimeout(context.Background(), tlsHandshakeTimeout)
	err := tlsConn.HandshakeContext(ctx)
	cancel()
	raw.onRead = nil // the ClientHello is captured; later reads are encrypted app data
	hello, parseErr := capture.parsed()
	if err != nil {
		info.setHandshakeError(hello, err)
		raw.Close()
		return
	}
	if parseErr != nil {
		log.Printf("conn %d: cannot parse ClientHello: %v", info.id, parseErr)
	}
	state := tlsConn.ConnectionState()
	info.setTLS(&state, hello)

	conn := &decryptedConn{Conn: tlsConn, info: info}
	if state.NegotiatedProtocol == http2.NextProtoTLS {
		info.attachH2(newH2FrameSniffer())
		conn.onRead = info.h2.observe
		f.h2Server.ServeConn(conn, &http2.ServeConnOpts{
			Context:    withConnInfo(context.Background(), info),
			BaseConfig: f.h1Server,
			Handler:    f.handler,
		})
		conn.Close()
		return
	}
	info.attachH1(newH1HeaderSniffer())
	conn.onRead = info.h1.observe
	f.h1Conns.push(conn)
}

// decryptedConn is the plaintext side of a TLS connection. Embedding
// *tls.Conn keeps ConnectionState, which the HTTP/2 server uses to fill
// Request.TLS; being a distinct type keeps net/http from redoing TLS.
type decryptedConn struct {
	*tls.Conn
	info   *connInfo
	onRead func([]byte)
}

func (c *decryptedConn) Read(p []byte) (int, error) {
	n, err := c.Conn.Read(p)
	if n > 0 && c.onRead != nil {
		c.onRead(p[:n])
	}
	return n, err
}
