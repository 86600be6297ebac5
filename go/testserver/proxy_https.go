package main

import (
	"bufio"
	"context"
	"crypto/tls"
	"io"
	"net"
)

// handleHTTPSProxyConn serves the HTTP proxy behind TLS (an https:// proxy URL): the
// handshake first, with the server's certificate, then the same proxy as http_proxy. A
// client that speaks plaintext here (a CONNECT, credentials and all, in clear) is counted,
// its head recorded as not-TLS, and answered 400.
func handleHTTPSProxyConn(cert tls.Certificate) func(net.Conn) {
	config := &tls.Config{Certificates: []tls.Certificate{cert}, NextProtos: []string{"http/1.1"}}
	return func(c net.Conn) {
		br := bufio.NewReader(c)
		first, err := br.Peek(1)
		if err != nil {
			return
		}
		if first[0] != 0x16 { // not a TLS handshake record
			proxyStats.httpsPlaintext.Add(1)
			if head, err := readHead(br); err == nil {
				if method, _, _, ok := splitRequestLine(head.first); ok && method == "CONNECT" {
					recordConnect("https", false, head)
				}
			}
			_, _ = io.WriteString(c, "HTTP/1.1 400 Bad Request\r\nConnection: close\r\nContent-Length: 0\r\n\r\n")
			return
		}
		conn := tls.Server(&peekedConn{Conn: c, r: br}, config)
		ctx, cancel := context.WithTimeout(context.Background(), tlsHandshakeTimeout)
		err = conn.HandshakeContext(ctx)
		cancel()
		if err != nil {
			proxyStats.httpsBadHandshakes.Add(1)
			return
		}
		proxyStats.httpsHandshakes.Add(1)
		serveHTTPProxyConn(conn, "https", true)
	}
}

// peekedConn reads through the reader that peeked at the first bytes.
type peekedConn struct {
	net.Conn
	r *bufio.Reader
}

func (p *peekedConn) Read(b []byte) (int, error) { return p.r.Read(b) }
