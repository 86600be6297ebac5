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

// h3Front serves HTTP/3 on a UDP socket through quic-go.
type h3Front struct {
	udp       *net.UDPConn
	transport *quic.Transport
	listener  *quic.EarlyListener
	server    *http3.Server
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

func startH3(ip net.IP, preferredPort int, cert tls.Certificate, handler http.Handler) (*h3Front, error) {
	udp, err := listenUDPPreferPort(ip, preferredPort)
	if err != nil {
		return nil, err
	}
	counters := connCounters[listenerH3]
	transport := &quic.Transport{
		Conn: udp,
		// Every QUIC connection gets its connInfo here; the TLS callback and
		// the request contexts all derive from this context.
		ConnContext: func(ctx context.Context, _ *quic.ClientInfo) (context.Context, error) {
			counters.accepted.Add(1)
			counters.open.Add(1)
			info := &connInfo{id: nextConnID(), listener: listenerH3, quic: true}
			ctx = withConnInfo(ctx, info)
			context.AfterFunc(ctx, func() { counters.open.Add(-1) })
			return ctx, nil
		},
	}
	tlsConfig := http3.ConfigureTLSConfig(&tls.Config{
		Certificates: []tls.Certificate{cert},
		GetConfigForClient: func(hello *tls.ClientHelloInfo) (*tls.Config, error) {
			if info := connInfoFrom(hello.Context()); info != nil {
				info.setTLS(nil, helloFromInfo(hello))
			}
			return nil, nil // keep the base config
		},
	})
	listener, err := transport.ListenEarly(tlsConfig, &quic.Config{
		MaxIdleTimeout: time.Minute,
		Allow0RTT:      true,
	})
	if err != nil {
		udp.Close()
		return nil, err
	}
	server := &http3.Server{
		Handler:     handler,
		IdleTimeout: 2 * time.Minute,
		ConnContext: func(ctx context.Context, c *quic.Conn) context.Context {
			if info := connInfoFrom(c.Context()); info != nil {
				state := c.ConnectionState().TLS
				info.setTLS(&state, nil)
				return withConnInfo(ctx, info)
			}
			return ctx
		},
	}
	front := &h3Front{udp: udp, transport: transport, listener: listener, server: server}
	go func() {
		if err := server.ServeListener(listener); err != nil && !errors.Is(err, http.ErrServerClosed) {
			log.Printf("http3 serve: %v", err)
		}
	}()
	return front, nil
}

func (f *h3Front) port() int { return f.udp.LocalAddr().(*net.UDPAddr).Port }

func (f *h3Front) close() {
	f.server.Close()
	f.listener.Close()
	f.transport.Close()
	f.udp.Close()
}
