package main

import (
	"context"
	"crypto/tls"
	"errors"
	"log"
	"net"
	"net/http"
	"time"

	"github.com/quic-go/quic-go"
	"github.com/quic-go/quic-go/http3"
)

// h3Front serves HTTP/3 on UDP through quic-go, on both loopback addresses
// (the -host one first): Chromium forced onto QUIC for localhost dials ::1.
// Every socket is wrapped so the capture sees the client's packets.
type h3Front struct {
	sockets    []*net.UDPConn
	transports []*quic.Transport
	listeners  []*quic.EarlyListener
	server     *http3.Server
}

// quicServerConnIDLength is the length of the connection IDs this server
// picks, which short header packets carry and the capture must skip.
const quicServerConnIDLength = 8

// quicCloser is the part of *quic.Conn that /capture/goaway uses.
type quicCloser interface {
	CloseWithError(quic.ApplicationErrorCode, string) error
}

// listenUDPPreferPort binds the UDP port the TLS listener uses when it is
// free, so clients following Alt-Svc conventions find HTTP/3 on the same
// port; otherwise any port.
func listenUDPPreferPort(ip net.IP, port int) (*net.UDPConn, error) {
	udp, err := net.ListenUDP("udp", &net.UDPAddr{IP: ip, Port: port})
	if err == nil {
		return udp, nil
	}
	log.Printf("udp port %d busy (%v); using another port for HTTP/3", port, err)
	return net.ListenUDP("udp", &net.UDPAddr{IP: ip, Port: 0})
}

// otherLoopback is the loopback address of the other IP family.
func otherLoopback(ip net.IP) net.IP {
	if ip.To4() != nil {
		return net.IPv6loopback
	}
	return net.IPv4(127, 0, 0, 1)
}

func startH3(ip net.IP, preferredPort int, cert tls.Certificate, handler http.Handler) (*h3Front, error) {
	udp, err := listenUDPPreferPort(ip, preferredPort)
	if err != nil {
		return nil, err
	}
	f := &h3Front{server: &http3.Server{
		Handler:     handler,
		IdleTimeout: 2 * time.Minute,
		ConnContext: func(ctx context.Context, c *quic.Conn) context.Context {
			if info := connInfoFrom(c.Context()); info != nil {
				state := c.ConnectionState().TLS
				info.setTLS(&state, nil)
				info.mu.Lock()
				info.quicConn = c
				info.mu.Unlock()
				return withConnInfo(ctx, info)
			}
			return ctx
		},
	}}
	if err := f.serve(udp, cert); err != nil {
		udp.Close()
		return nil, err
	}
	// The other family on the same port; a host without IPv6 just lacks it.
	if second, err := net.ListenUDP("udp", &net.UDPAddr{IP: otherLoopback(ip), Port: f.port()}); err != nil {
		log.Printf("HTTP/3 on %s: %v (serving %s only)", otherLoopback(ip), err, ip)
	} else if err := f.serve(second, cert); err != nil {
		second.Close()
		log.Printf("HTTP/3 on %s: %v", otherLoopback(ip), err)
	}
	return f, nil
}

// serve runs the HTTP/3 server on one more UDP socket.
func (f *h3Front) serve(udp *net.UDPConn, cert tls.Certificate) error {
	counters := connCounters[listenerH3]
	packets := newCapturingPacketConn(udp)
	transport := &quic.Transport{
		Conn:               packets,
		ConnectionIDLength: quicServerConnIDLength,
		// Every QUIC connection gets its connInfo here; the TLS callback and
		// the request contexts all derive from this context.
		ConnContext: func(ctx context.Context, client *quic.ClientInfo) (context.Context, error) {
			counters.accepted.Add(1)
			counters.open.Add(1)
			info := &connInfo{id: nextConnID(), listener: listenerH3, quic: true,
				remote: client.RemoteAddr.String(), quicCapture: packets.lookup(client.RemoteAddr)}
			ctx = withConnInfo(ctx, info)
			captureOpened(info)
			context.AfterFunc(ctx, func() {
				counters.open.Add(-1)
				captureClosed(info)
				packets.forget(client.RemoteAddr, info.quicCapture)
			})
			return ctx, nil
		},
	}
	base := &tls.Config{Certificates: []tls.Certificate{cert}}
	tlsConfig := http3.ConfigureTLSConfig(&tls.Config{
		Certificates: []tls.Certificate{cert},
		GetConfigForClient: func(hello *tls.ClientHelloInfo) (*tls.Config, error) {
			info := connInfoFrom(hello.Context())
			if info == nil {
				return nil, nil // keep the base config
			}
			info.setTLS(nil, helloFromInfo(hello))
			// The connection's own key log lets the capture decrypt its 1-RTT packets.
			config := base.Clone()
			config.KeyLogWriter = connKeyLog{info}
			return config, nil
		},
	})
	listener, err := transport.ListenEarly(tlsConfig, &quic.Config{
		MaxIdleTimeout: time.Minute,
		Allow0RTT:      true,
	})
	if err != nil {
		return err
	}
	f.sockets = append(f.sockets, udp)
	f.transports = append(f.transports, transport)
	f.listeners = append(f.listeners, listener)
	go func() {
		if err := f.server.ServeListener(listener); err != nil && !errors.Is(err, http.ErrServerClosed) && !errors.Is(err, quic.ErrServerClosed) {
			log.Printf("http3 serve: %v", err)
		}
	}()
	return nil
}

func (f *h3Front) port() int { return f.sockets[0].LocalAddr().(*net.UDPAddr).Port }

func (f *h3Front) close() {
	f.server.Close()
	for i := range f.listeners {
		f.listeners[i].Close()
		f.transports[i].Close()
		f.sockets[i].Close()
	}
}
