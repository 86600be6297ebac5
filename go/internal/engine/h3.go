package engine

// HTTP/3 for http_version="h3": the provisional core negotiates protocols over TCP only, so
// QUIC comes from its companion module quic-go-utls, which speaks the same request and
// response types. Its QUIC Initial is the preset's browser's where captured (quic_initial.go,
// patched quic-go), else quic-go's own.

import (
	"context"
	"errors"
	"io"
	"net"
	"net/url"
	"strings"
	"syscall"
	"time"

	"httpcloakpy/internal/errs"
	"httpcloakpy/internal/fingerprint"
	"httpcloakpy/internal/ticketcache"
	"httpcloakpy/internal/wire"

	http "github.com/bogdanfinn/fhttp"
	tls "github.com/bogdanfinn/utls"

	quic "github.com/bogdanfinn/quic-go-utls"
	"github.com/bogdanfinn/quic-go-utls/http3"
)

const (
	// QUIC closes a connection that hears nothing for its idle timeout; a keep-alive
	// below it keeps a quiet Server-Sent Events stream open for hours, as on TCP.
	h3IdleTimeout = 90 * time.Second
	// UDP has no refused connection: a closed port is only silence. Give up on a server
	// that has not answered the handshake for this long (a shorter connect timeout wins).
	h3HandshakeSilence = 10 * time.Second
	h3KeepAlivePeriod  = 15 * time.Second
)

type h3Engine struct {
	transport *http3.Transport
	headers   [][2]string
	wire      fingerprint.H3Wire
	dialer    *h3Dialer          // dials every QUIC connection (see newH3Engine)
	tickets   *ticketcache.Cache // nil: the preset's generic QUIC hello does not resume
}

func newH3Engine(cfg Config, p fingerprint.Preset, profile fingerprint.Profile, trust ticketcache.Trust) (*h3Engine, error) {
	roots := trust.Roots
	// proxy= means every protocol, so for HTTP/3 it must carry UDP as udp_proxy= does.
	quicProxy, what := cfg.UDPProxy, "udp_proxy"
	if quicProxy == "" {
		quicProxy, what = cfg.Proxy, "proxy"
	}
	var socks *socksUDPDialer
	if quicProxy != "" {
		if err := checkSOCKS5ForQUIC(quicProxy, what); err != nil {
			return nil, err
		}
		u, err := url.Parse(quicProxy)
		if err != nil {
			return nil, errs.New(errs.KindInvalidArgument, "invalid proxy URL: %v", wire.RedactedURLError(err))
		}
		socks = &socksUDPDialer{proxyURL: u, localIP: cfg.Net.localAddr}
	}
	quicConfig := h3QUICConfig(cfg.Net.quicIdle)
	// H3_DATAGRAM=1 in SETTINGS needs QUIC datagrams (max_datagram_frame_size), RFC 9297.
	quicConfig.EnableDatagrams = profile.H3.SendsDatagramSetting()
	if socks != nil {
		// Each datagram through the relay carries a SOCKS5 header: stay at QUIC's
		// minimum packet size instead of probing the path for more.
		quicConfig.DisablePathMTUDiscovery = true
	}
	transport := &http3.Transport{
		TLSClientConfig: &tls.Config{
			RootCAs:            roots,
			InsecureSkipVerify: !cfg.Verify,
			ClientSessionCache: tls.NewLRUClientSessionCache(64),
			KeyLogWriter:       cfg.Net.keyLog,
		},
		QUICConfig: quicConfig,
		// Bodies are decoded by our layer for every protocol alike (package body).
		DisableCompression: true,
		Wire:               newClientWire(profile.H3),
	}
	// Always our dialer, even without custom network options: the transport dials with the
	// context of the first request that needs a connection, and h3Dialer.dial detaches the
	// dial from it so that request's timeout or cancel does not fail the others.
	e := &h3Engine{transport: transport, headers: p.Headers, wire: profile.H3}
	e.dialer = newH3Dialer(newNetDialer(cfg.Net, nil), socks)
	e.dialer.pins = cfg.Pins
	e.tickets = useQUICSpec(transport, e.dialer, profile.QUIC, cfg, trust) // the preset's QUIC Initial
	if socks != nil {
		socks.direct.LocalAddr = e.dialer.dialer.base.LocalAddr
	}
	transport.Dial = e.dialer.dial
	return e, nil
}

// h3QUICConfig applies quic_idle_timeout (0: the default), keeping the keep-alive below it.
func h3QUICConfig(idle time.Duration) *quic.Config {
	if idle <= 0 {
		idle = h3IdleTimeout
	}
	return &quic.Config{
		HandshakeIdleTimeout: h3HandshakeSilence,
		MaxIdleTimeout:       idle,
		KeepAlivePeriod:      min(h3KeepAlivePeriod, idle/2),
		MaxIncomingStreams:   -1, // a client accepts no bidirectional streams (as the transport sets)
	}
}

func (e *h3Engine) PresetHeaders() [][2]string { return e.headers }

func (e *h3Engine) WaitsInSlices(*Request) bool { return false }

func (e *h3Engine) Close() {
	e.dialer.stopDials() // first: the transport's Close waits for the dials in flight
	_ = e.transport.Close()
	e.dialer.close()
}

func (e *h3Engine) RoundTrip(ctx context.Context, out *Request) (*Response, error) {
	if out.URL.Scheme != "https" {
		// Refused before any packet: HTTP/3 is QUIC with TLS, there is no plain variant.
		return nil, errs.New(errs.KindInvalidArgument, "http_version \"h3\" needs an https:// URL, got %s://", out.URL.Scheme)
	}
	return e.roundTripOn(ctx, e.transport, out)
}

// roundTripOn sends out over HTTP/3 through rt: the engine's transport, or one QUIC
// connection raced beside TCP (auto.go).
func (e *h3Engine) roundTripOn(ctx context.Context, rt http.RoundTripper, out *Request) (*Response, error) {
	onWire := *out
	onWire.Headers = h3Headers(e.wire, out.URL.Host, out.Headers)
	req, err := fhttpRequest(ctx, &onWire)
	if err != nil {
		return nil, err
	}
	resp, err := rt.RoundTrip(req)
	if err != nil {
		if _, transport := rt.(*http3.Transport); !transport && req.Body != nil {
			_ = req.Body.Close() // the transport closes it itself, a connection does not
		}
		return nil, h3ConnectError(err)
	}
	in := incomingFrom(resp)
	in.Body = h3Body{in.Body}
	return in, nil
}

// h3Body names QUIC's ways of cutting a body short in the words the other protocols use.
type h3Body struct{ io.ReadCloser }

func (b h3Body) Read(p []byte) (int, error) {
	n, err := b.ReadCloser.Read(p)
	if err == nil || err == io.EOF {
		return n, err
	}
	var h3err *http3.Error
	var idle *quic.IdleTimeoutError
	switch {
	case errors.As(err, &h3err) && h3err.Remote:
		return n, errs.New(errs.KindTruncated, "the server reset the HTTP/3 stream before the body ended (%v)", err)
	case errors.As(err, &idle):
		return n, errs.New(errs.KindTruncated, "the QUIC connection went silent and timed out before the body ended (%v)", err)
	}
	return n, err
}

// h3ConnectError sorts failures before the response headers: QUIC carries TLS alerts as
// CRYPTO_ERROR transport codes, and a peer that never answers ends in a handshake timeout.
func h3ConnectError(err error) error {
	var transportErr *quic.TransportError
	var handshake *quic.HandshakeTimeoutError
	var idle *quic.IdleTimeoutError
	switch {
	case errors.As(err, &transportErr) && transportErr.ErrorCode.IsCryptoError():
		return errs.New(errs.KindTLS, "TLS handshake over QUIC failed: %v", err)
	case errors.As(err, &handshake):
		return errs.New(errs.KindConnect, "no QUIC handshake with the server: %v", err)
	case errors.As(err, &idle):
		return errs.New(errs.KindConnect, "the server sent nothing within the QUIC idle timeout (no handshake, or a connection gone silent): %v", err)
	case refusedOverUDP(err):
		return errs.New(errs.KindConnect, "nothing listens on the server's UDP port (ICMP port unreachable): %v", err)
	}
	return err
}

// refusedOverUDP: a datagram of ours drew an ICMP port unreachable (nothing listens there);
// not a proxy's TCP port refusing the connection, which keeps its own error.
func refusedOverUDP(err error) bool {
	var op *net.OpError
	return errors.As(err, &op) && strings.HasPrefix(op.Net, "udp") && errors.Is(err, syscall.ECONNREFUSED)
}
