package engine

// http_version="auto" as Chrome does it: over TCP first (ALPN picks HTTP/2 or HTTP/1.1);
// an origin that announced HTTP/3 with Alt-Svc gets a QUIC connection made beside TCP on a
// later request, and once that handshake completed its requests go over HTTP/3. A QUIC
// handshake that fails (UDP blocked, a refused or broken handshake) never fails a request:
// TCP carries on, and the alternative is left alone for a while (altsvc.go).

import (
	"context"
	"slices"
	"sync"
	"time"

	"httpcloakpy/internal/callerwait"
	"httpcloakpy/internal/fingerprint"
	"httpcloakpy/internal/ticketcache"

	quic "github.com/bogdanfinn/quic-go-utls"
	"github.com/bogdanfinn/quic-go-utls/http3"
)

// altSvcHandshakeSilence bounds a raced QUIC handshake that hears nothing: TCP already
// proved the origin reachable, so silence this long means UDP does not get through.
const altSvcHandshakeSilence = 3 * time.Second

type autoEngine struct {
	*tcpEngine
	h3  *h3Engine // its dialer, TLS and QUIC settings and HTTP/3 wire; its transport is unused
	alt *altSvcCache

	mu     sync.Mutex
	quic   map[string]*racedQUIC // alternative "host:port" -> its connection, dialling or up
	closed bool
}

// racedQUIC is one QUIC connection to an alternative; up is closed once it is usable.
type racedQUIC struct {
	up   chan struct{}
	conn *quic.Conn
	cc   *http3.ClientConn
}

var _ TicketKeeper = (*autoEngine)(nil)

// newAutoEngine races QUIC beside tcp where the session may speak HTTP/3: not with
// disable_http3, not with ja3/akamai/extra_fp (they shape TCP only), not through a proxy
// (HTTP/3 goes through one only as udp_proxy= with "h3"), not with ech_config_domain (our
// QUIC hello has no ECH: the name would go out in clear); else it is tcp alone.
func newAutoEngine(cfg Config, tcp *tcpEngine, trust ticketcache.Trust) Engine {
	if cfg.Net.noHTTP3 || cfg.Proxy != "" || cfg.UDPProxy != "" || cfg.Net.ech.domain != "" {
		return tcp
	}
	p, profile, err := fingerprint.ResolveProfile(cfg.Preset, "h3", cfg.Fingerprint)
	if err != nil {
		return tcp // this preset or fingerprint has no HTTP/3
	}
	h3, err := newH3Engine(cfg, p, profile, trust)
	if err != nil {
		return tcp
	}
	return &autoEngine{tcpEngine: tcp, h3: h3, alt: newAltSvcCache(), quic: map[string]*racedQUIC{}}
}

func (e *autoEngine) TicketStore() *ticketcache.Cache { return e.tcpEngine.TicketStore() }

func (e *autoEngine) Close() {
	e.mu.Lock()
	e.closed = true
	raced := e.quic
	e.quic = map[string]*racedQUIC{}
	e.mu.Unlock()
	e.tcpEngine.Close()
	e.h3.Close() // ends the dials in flight and the UDP socket
	for _, q := range raced {
		select {
		case <-q.up:
			_ = q.conn.CloseWithError(0, "")
		default:
		}
	}
}

func (e *autoEngine) RoundTrip(ctx context.Context, out *Request) (*Response, error) {
	if out.URL.Scheme != "https" {
		return e.tcpEngine.RoundTrip(ctx, out)
	}
	origin := originAddress(out.URL.Scheme, out.URL.Host)
	if alt, ok := e.alt.lookup(origin, time.Now()); ok {
		if callerwait.Here(ctx) {
			// HTTP/3's waits are not sliced: on a goroutine, the caller waiting in slices.
			return callerwait.Do(ctx, func(ctx context.Context) (*Response, error) { return e.RoundTrip(ctx, out) },
				func(resp *Response) { _ = resp.Body.Close() })
		}
		if q := e.quicTo(alt, out.URL.Hostname()); q != nil {
			resp, err := e.h3.roundTripOn(ctx, q.cc, out)
			if err == nil {
				e.alt.learn(origin, headerValues(resp.Headers, "alt-svc"), time.Now())
				return resp, nil
			}
			if out.Stream != nil || ctx.Err() != nil {
				return nil, err
			}
			switch {
			case http3.IsConnUnusable(err):
				// Never sent (GOAWAY, connection gone): over TCP, and a new QUIC
				// connection is raced by a later request.
				e.forget(alt, q)
			case q.conn.Context().Err() != nil && replayable(out.Method):
				// The connection died under the request (its server's UDP port gone, a
				// silent path) before any answer: as Chrome, the alternative is broken for
				// a while and the request goes again over TCP. (The context has ended by the
				// time the stream fails: quic-go-utls patch 0057.)
				e.forget(alt, q)
				e.alt.markBroken(alt, time.Now())
			default:
				return nil, err
			}
		}
	}
	resp, err := e.tcpEngine.RoundTrip(ctx, out)
	if err == nil {
		e.alt.learn(origin, headerValues(resp.Headers, "alt-svc"), time.Now())
	}
	return resp, err
}

// WaitsInSlices: as over TCP, unless the origin has an HTTP/3 alternative.
func (e *autoEngine) WaitsInSlices(req *Request) bool {
	if req.URL.Scheme == "https" {
		if _, ok := e.alt.lookup(originAddress("https", req.URL.Host), time.Now()); ok {
			return false
		}
	}
	return e.tcpEngine.WaitsInSlices(req)
}

// quicTo is the QUIC connection to alt when it is up; otherwise it starts one (if none is
// on its way) and returns nil: this request goes over TCP.
func (e *autoEngine) quicTo(alt, serverName string) *racedQUIC {
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.closed {
		return nil
	}
	if q := e.quic[alt]; q != nil {
		select {
		case <-q.up:
			if q.conn.Context().Err() == nil {
				return q
			}
			delete(e.quic, alt) // closed since (idle, GOAWAY): a new one is raced
		default:
			return nil // still dialling
		}
	}
	q := &racedQUIC{up: make(chan struct{})}
	e.quic[alt] = q
	go e.race(alt, serverName, q)
	return nil
}

// forget drops q, the connection to alt, if it is still the one kept.
func (e *autoEngine) forget(alt string, q *racedQUIC) {
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.quic[alt] == q {
		delete(e.quic, alt)
	}
}

// race makes the QUIC connection to alt; it is usable only once its handshake completed.
func (e *autoEngine) race(alt, serverName string, q *racedQUIC) {
	tlsCfg := e.h3.transport.TLSClientConfig.Clone()
	tlsCfg.ServerName = serverName
	tlsCfg.NextProtos = []string{http3.NextProtoH3}
	quicCfg := e.h3.transport.QUICConfig.Clone()
	quicCfg.HandshakeIdleTimeout = min(quicCfg.HandshakeIdleTimeout, altSvcHandshakeSilence)
	conn, err := e.h3.dialer.dial(context.Background(), alt, tlsCfg, quicCfg)
	if err == nil {
		select {
		case <-conn.HandshakeComplete():
		case <-conn.Context().Done():
			err = context.Cause(conn.Context())
		}
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	if err != nil || e.closed {
		delete(e.quic, alt)
		if conn != nil {
			_ = conn.CloseWithError(0, "")
		}
		if err != nil && !e.closed {
			e.alt.markBroken(alt, time.Now())
		}
		return
	}
	e.alt.markWorking(alt)
	q.conn, q.cc = conn, e.h3.transport.NewClientConn(conn)
	close(q.up)
}

// IdempotentMethods may be sent again after a connection failed under them (RFC 9110
// 9.2.2), as net/http and browsers retry them.
var IdempotentMethods = []string{"GET", "HEAD", "OPTIONS", "PUT", "DELETE", "TRACE"}

func replayable(method string) bool { return slices.Contains(IdempotentMethods, method) }

// headerValues are the values of the header name (lower case) in pairs.
func headerValues(pairs [][2]string, name string) []string {
	var values []string
	for _, h := range pairs {
		if h[0] == name {
			values = append(values, h[1])
		}
	}
	return values
}
