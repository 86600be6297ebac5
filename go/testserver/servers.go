package main

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"log"
	"net"
	"net/http"
	"time"
)

// runningServers owns every listener so shutdown can close them together.
type runningServers struct {
	plainListener *trackedListener
	plainServer   *http.Server
	tls           *tlsFront
	h3            *h3Front // nil if HTTP/3 could not start
	httpProxy     *proxyServer
	httpsProxy    *proxyServer
	socks5Proxy   *proxyServer
	ech           *echServer
	dns           *dnsServer
}

func startServers(ip net.IP, cert tls.Certificate, handler http.Handler) (*runningServers, error) {
	plainTCP, err := net.ListenTCP("tcp", &net.TCPAddr{IP: ip})
	if err != nil {
		return nil, fmt.Errorf("http listener: %w", err)
	}
	tlsTCP, err := net.ListenTCP("tcp", &net.TCPAddr{IP: ip})
	if err != nil {
		plainTCP.Close()
		return nil, fmt.Errorf("https listener: %w", err)
	}

	s := &runningServers{
		plainListener: newTrackedListener(plainTCP, listenerHTTP),
		plainServer:   newHTTP1Server(handler),
	}
	s.tls = newTLSFront(newTrackedListener(tlsTCP, listenerHTTPS), cert, handler)

	go func() {
		err := s.plainServer.Serve(&h1SniffingListener{s.plainListener})
		if err != nil && !errors.Is(err, http.ErrServerClosed) {
			log.Printf("http serve: %v", err)
		}
	}()
	go s.tls.serve()

	if s.httpProxy, err = startProxyServer(ip, "http proxy", handleHTTPProxyConn); err != nil {
		s.close()
		return nil, fmt.Errorf("http proxy listener: %w", err)
	}
	if s.httpsProxy, err = startProxyServer(ip, "https proxy", handleHTTPSProxyConn(cert)); err != nil {
		s.close()
		return nil, fmt.Errorf("https proxy listener: %w", err)
	}
	if s.socks5Proxy, err = startProxyServer(ip, "socks5 proxy", handleSOCKS5Conn); err != nil {
		s.close()
		return nil, fmt.Errorf("socks5 proxy listener: %w", err)
	}

	keys, err := newECHKeys()
	if err != nil {
		s.close()
		return nil, fmt.Errorf("ECH keys: %w", err)
	}
	if s.ech, err = startECHServer(ip, cert, keys); err != nil {
		s.close()
		return nil, fmt.Errorf("ech listener: %w", err)
	}
	if s.dns, err = startDNSServer(ip, keys); err != nil {
		s.close()
		return nil, fmt.Errorf("dns listener: %w", err)
	}

	s.h3, err = startH3(ip, tlsTCP.Addr().(*net.TCPAddr).Port, cert, handler)
	if err != nil {
		// HTTP/3 is the least important listener; keep serving the others.
		log.Printf("HTTP/3 disabled: %v", err)
	}
	return s, nil
}

func (s *runningServers) httpPort() int        { return s.plainListener.Addr().(*net.TCPAddr).Port }
func (s *runningServers) httpsPort() int       { return s.tls.listener.Addr().(*net.TCPAddr).Port }
func (s *runningServers) httpProxyPort() int   { return s.httpProxy.port() }
func (s *runningServers) httpsProxyPort() int  { return s.httpsProxy.port() }
func (s *runningServers) socks5ProxyPort() int { return s.socks5Proxy.port() }

// h3Port is 0 when HTTP/3 failed to start.
func (s *runningServers) h3Port() int {
	if s.h3 == nil {
		return 0
	}
	return s.h3.port()
}

func (s *runningServers) close() {
	s.plainServer.Close() // closes plainListener too, so Serve reports ErrServerClosed
	s.tls.close()
	if s.h3 != nil {
		s.h3.close()
	}
	if s.ech != nil {
		s.ech.close()
	}
	if s.dns != nil {
		s.dns.close()
	}
	for _, p := range []*proxyServer{s.httpProxy, s.httpsProxy, s.socks5Proxy} {
		if p != nil {
			p.close()
		}
	}
}

// h1SniffingListener attaches the header-order sniffer to plaintext conns.
type h1SniffingListener struct {
	*trackedListener
}

func (l *h1SniffingListener) Accept() (net.Conn, error) {
	c, err := l.trackedListener.Accept()
	if err != nil {
		return nil, err
	}
	tc := c.(*trackedConn)
	tc.info.h1 = newH1HeaderSniffer()
	tc.onRead = tc.info.h1.observe
	return tc, nil
}

// connWithInfo is implemented by the connections our listeners produce.
type connWithInfo interface {
	connInfo() *connInfo
}

func (c *decryptedConn) connInfo() *connInfo { return c.info }
func (c *trackedConn) connInfo() *connInfo   { return c.info }

// newHTTP1Server builds the net/http server for plaintext HTTP/1.1 and for
// HTTP/1.1 over TLS. No read/write timeouts: several endpoints stall on purpose.
func newHTTP1Server(handler http.Handler) *http.Server {
	return &http.Server{
		Handler:           handler,
		ReadHeaderTimeout: 30 * time.Second,
		IdleTimeout:       2 * time.Minute,
		ErrorLog:          log.Default(),
		ConnContext: func(ctx context.Context, c net.Conn) context.Context {
			if withInfo, ok := c.(connWithInfo); ok {
				return withConnInfo(ctx, withInfo.connInfo())
			}
			return ctx
		},
	}
}
