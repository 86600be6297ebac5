package main

import (
	"crypto/subtle"
	"errors"
	"io"
	"log"
	"net"
	"sync"
	"sync/atomic"
	"time"
)

// Fixed proxy credentials: the test suite reads them from the README, so the
// ready line can carry credential-free URLs.
const (
	proxyUser     = "proxyuser"
	proxyPassword = "proxy-secret"
)

func proxyCredentialsOK(user, password string) bool {
	userOK := subtle.ConstantTimeCompare([]byte(user), []byte(proxyUser))
	passOK := subtle.ConstantTimeCompare([]byte(password), []byte(proxyPassword))
	return userOK&passOK == 1
}

// proxyStats feeds the "proxy" object of /stats, so tests can prove that
// traffic really went through a proxy.
var proxyStats struct {
	httpConnect  atomic.Int64 // CONNECT tunnels opened
	httpForward  atomic.Int64 // absolute-URI requests forwarded
	socks5       atomic.Int64 // SOCKS5 tunnels opened
	authFailures atomic.Int64 // 407s and SOCKS5 auth rejections, both proxies
	udpAssoc     atomic.Int64 // SOCKS5 UDP associations opened
	udpOpen      atomic.Int64 // SOCKS5 UDP associations open now
	udpDatagrams atomic.Int64 // datagrams relayed, both directions

	httpsHandshakes    atomic.Int64 // TLS handshakes the https proxy completed
	httpsBadHandshakes atomic.Int64 // TLS handshakes it saw fail (an untrusting client)
	httpsPlaintext     atomic.Int64 // connections that spoke plaintext to it
}

func proxyStatsJSON() map[string]int64 {
	return map[string]int64{
		"http_connect":     proxyStats.httpConnect.Load(),
		"http_forward":     proxyStats.httpForward.Load(),
		"socks5":           proxyStats.socks5.Load(),
		"auth_failures":    proxyStats.authFailures.Load(),
		"udp_associations": proxyStats.udpAssoc.Load(),
		"udp_open":         proxyStats.udpOpen.Load(),
		"udp_datagrams":    proxyStats.udpDatagrams.Load(),

		"https_handshakes":     proxyStats.httpsHandshakes.Load(),
		"https_bad_handshakes": proxyStats.httpsBadHandshakes.Load(),
		"https_plaintext":      proxyStats.httpsPlaintext.Load(),
	}
}

// proxyServer runs one handler goroutine per accepted connection and
// remembers the open connections, so close also ends live tunnels.
type proxyServer struct {
	name     string
	listener net.Listener
	handle   func(net.Conn)

	mu     sync.Mutex
	conns  map[net.Conn]struct{}
	closed bool
}

func startProxyServer(ip net.IP, name string, handle func(net.Conn)) (*proxyServer, error) {
	ln, err := net.ListenTCP("tcp", &net.TCPAddr{IP: ip})
	if err != nil {
		return nil, err
	}
	p := &proxyServer{name: name, listener: ln, handle: handle, conns: map[net.Conn]struct{}{}}
	go p.serve()
	return p, nil
}

func (p *proxyServer) port() int { return p.listener.Addr().(*net.TCPAddr).Port }

func (p *proxyServer) serve() {
	for {
		c, err := p.listener.Accept()
		if err != nil {
			if !errors.Is(err, net.ErrClosed) {
				log.Printf("%s accept: %v", p.name, err)
			}
			return
		}
		if !p.track(c) {
			c.Close()
			return
		}
		go func() {
			defer p.untrack(c)
			p.handle(c)
		}()
	}
}

func (p *proxyServer) track(c net.Conn) bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.closed {
		return false
	}
	p.conns[c] = struct{}{}
	return true
}

func (p *proxyServer) untrack(c net.Conn) {
	lingeringClose(c)
	p.mu.Lock()
	delete(p.conns, c)
	p.mu.Unlock()
}

// close stops accepting and drops every client connection; the handlers
// then fail their copies and close the onward side themselves.
func (p *proxyServer) close() {
	p.listener.Close()
	p.mu.Lock()
	defer p.mu.Unlock()
	p.closed = true
	for c := range p.conns {
		c.Close()
	}
}

// lingeringClose sends FIN first and drains briefly before closing, so
// unread request bytes do not turn the close into a reset that could
// destroy the error reply just sent.
func lingeringClose(c net.Conn) {
	if tcp, ok := c.(*net.TCPConn); ok && tcp.CloseWrite() == nil {
		tcp.SetReadDeadline(time.Now().Add(500 * time.Millisecond))
		io.Copy(io.Discard, io.LimitReader(tcp, 256<<10))
	}
	c.Close()
}
