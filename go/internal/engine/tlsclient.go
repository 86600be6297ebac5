package engine

// The provisional engine: github.com/bogdanfinn/tls-client, because the Go module proxy
// refuses github.com/sardanioss/httpcloak here (see README, "Which engine", for every file
// that knows the engine; replacing the core rewrites those against the engine interface).

import (
	"context"
	"crypto/x509"
	"io"
	"net"
	"sort"
	"strings"
	"time"

	"httpcloakpy/internal/errs"
	"httpcloakpy/internal/fingerprint"
	"httpcloakpy/internal/ticketcache"

	http "github.com/bogdanfinn/fhttp"
	tlsclient "github.com/bogdanfinn/tls-client"
	"github.com/bogdanfinn/tls-client/profiles"
	"golang.org/x/net/proxy"
)

type tlsClientEngine struct {
	client  tlsclient.HttpClient
	headers [][2]string
	tickets *ticketcache.Cache // nil when the profile does not resume TLS sessions
}

// Pool and buffer sizes chosen for streaming: 64 KiB socket reads, and enough idle
// connections per host that eight concurrent HTTP/1.1 streams are all reused afterwards.
const (
	engineIOBufferSize     = 64 << 10
	engineIdleConnsPerHost = 64
	engineIdleTimeout      = 90 * time.Second
)

func New(cfg Config) (Engine, error) {
	p, profile, fpOpts, err := fingerprint.Resolve(cfg.Preset, cfg.HTTPVersion, cfg.Fingerprint)
	if err != nil {
		return nil, err
	}
	idle := engineIdleTimeout
	transport := &tlsclient.TransportOptions{
		IdleConnTimeout:     &idle,
		MaxIdleConns:        1024,
		MaxIdleConnsPerHost: engineIdleConnsPerHost,
		ReadBufferSize:      engineIOBufferSize,
		WriteBufferSize:     engineIOBufferSize,
		// Bodies are decoded by our layer for every protocol alike (package body).
		DisableCompression: true,
	}
	trust, err := ticketcache.LoadTrust(cfg.Verify, cfg.CAFile)
	if err != nil {
		return nil, err
	}
	transport.RootCAs = trust.Roots
	opts := []tlsclient.HttpClientOption{
		tlsclient.WithClientProfile(profile),
		// Zero disables the client-wide deadline: ours are per phase (package client).
		tlsclient.WithTimeoutSeconds(0),
		tlsclient.WithNotFollowRedirects(),
		tlsclient.WithTransportOptions(transport),
		// Direct dials check a local proxy's target guard on the address really dialled,
		// and set the tcp_* options.
		tlsclient.WithDialer(net.Dialer{ControlContext: cfg.Net.control}),
	}
	opts = append(opts, fpOpts...)
	if !cfg.Verify {
		opts = append(opts, tlsclient.WithInsecureSkipVerify())
	}
	transport.KeyLogWriter = cfg.Net.keyLog
	if cfg.Proxy != "" || cfg.Net.customDial() {
		var viaProxy *proxyDialer
		if cfg.Proxy != "" {
			if viaProxy, err = sessionProxyDialer(cfg, p, profile, transport.RootCAs); err != nil {
				return nil, err
			}
			opts = append(opts, tlsclient.WithProxyUrl(cfg.Proxy))
		}
		dialer := newNetDialer(cfg.Net, viaProxy)
		// Our own dialer: the engine's gives a CONNECT handshake a deadline of its
		// client-wide timeout, which we keep at zero (streams have no hidden deadline).
		// The engine uses the factory's dialer with or without a proxy URL.
		opts = append(opts, tlsclient.WithProxyDialerFactory(
			func(string, time.Duration, *net.TCPAddr, http.Header, tlsclient.Logger) (proxy.ContextDialer, error) {
				return dialer, nil
			}))
	}
	switch cfg.HTTPVersion {
	case "", "auto", "h2":
		opts = append(opts, tlsclient.WithDisableHttp3())
	case "h1":
		opts = append(opts, tlsclient.WithForceHttp1(), tlsclient.WithDisableHttp3())
	case "h3":
		return newH3Engine(cfg, p, transport.RootCAs)
	default:
		return nil, errs.New(errs.KindInvalidArgument, "http_version must be \"auto\", \"h1\", \"h2\" or \"h3\", got %q", cfg.HTTPVersion)
	}
	client, err := tlsclient.NewHttpClient(tlsclient.NewNoopLogger(), opts...)
	if err != nil {
		return nil, errs.Classify(err, nil, "connect")
	}
	tickets, err := installTicketCache(client, profile, cfg.Tickets, cfg.Shared, trust)
	if err != nil {
		return nil, errs.New(errs.KindInternal, "keeping TLS session tickets: %v", err)
	}
	// After the ticket cache, which is installed on the unwrapped transport.
	if err := shieldLocations(client); err != nil {
		return nil, errs.New(errs.KindInternal, "wrapping the engine transport: %v", err)
	}
	return &tlsClientEngine{client: client, headers: p.Headers, tickets: tickets}, nil
}

// sessionProxyDialer reaches cfg.proxy as the preset's browser would: its CONNECT request,
// and for an https:// proxy its ClientHello, checked with the session's trust settings.
func sessionProxyDialer(cfg Config, p fingerprint.Preset, profile profiles.ClientProfile, roots *x509.CertPool) (*proxyDialer, error) {
	tlsTo := &proxyTLS{verify: cfg.Verify, roots: roots, hello: profile.GetClientHelloId(), keyLog: cfg.Net.keyLog}
	d, err := newProxyDialer(cfg.Proxy, connectRequestFor(p.Profile, p.Headers), tlsTo)
	if err != nil {
		return nil, err
	}
	d.direct.ControlContext = cfg.Net.socketControl // the tcp_* options shape the SYN to the proxy
	return d, nil
}

// TunnelDialer is sessionProxyDialer for an engine configuration alone (the local
// proxy's tunnels go through its session's proxy this way).
func TunnelDialer(cfg Config) (*proxyDialer, error) {
	p, profile, _, err := fingerprint.Resolve(cfg.Preset, cfg.HTTPVersion, cfg.Fingerprint)
	if err != nil {
		return nil, err
	}
	trust, err := ticketcache.LoadTrust(cfg.Verify, cfg.CAFile)
	if err != nil {
		return nil, err
	}
	return sessionProxyDialer(cfg, p, profile, trust.Roots)
}

func (e *tlsClientEngine) PresetHeaders() [][2]string { return e.headers }

func (e *tlsClientEngine) TicketStore() *ticketcache.Cache { return e.tickets }

func (e *tlsClientEngine) Close() { e.client.CloseIdleConnections() }

func (e *tlsClientEngine) RoundTrip(ctx context.Context, out *Request) (*Response, error) {
	req, err := fhttpRequest(ctx, out)
	if err != nil {
		return nil, err
	}
	resp, err := e.client.Do(req)
	if err != nil {
		return nil, err
	}
	return incomingFrom(resp), nil
}

// fhttpRequest builds the engine's request from ours, keeping the header order on the wire.
func fhttpRequest(ctx context.Context, out *Request) (*http.Request, error) {
	var body io.Reader
	if sizeOf(out.Body) > 0 {
		body = out.Body.Reader()
	}
	if out.Stream != nil {
		body = out.Stream
	}
	req, err := http.NewRequestWithContext(ctx, out.Method, out.URL.String(), body)
	if err != nil {
		return nil, errs.New(errs.KindInvalidArgument, "%v", err)
	}
	if out.Stream != nil {
		req.ContentLength = out.StreamLength
	} else if n := sizeOf(out.Body); n > 0 {
		// Each attempt (an HTTP/2 retry after GOAWAY, say) reads the body from its start.
		req.ContentLength = n
		req.GetBody = func() (io.ReadCloser, error) { return out.Body.Reader(), nil }
	}
	// Browsers send Host first on HTTP/1.1.
	order := append(make([]string, 0, len(out.Headers)+1), "host")
	for _, h := range out.Headers {
		name := strings.ToLower(h[0])
		switch name {
		case "host":
			req.Host = h[1]
			continue
		default:
			req.Header.Add(h[0], h[1])
		}
		order = append(order, name)
	}
	req.Header[http.HeaderOrderKey] = order
	return req, nil
}

func incomingFrom(resp *http.Response) *Response {
	return &Response{
		Status:        resp.StatusCode,
		Reason:        reasonOf(resp.Status),
		Proto:         protoName(resp.ProtoMajor),
		Headers:       headerPairs(resp.Header),
		ContentLength: resp.ContentLength,
		Body:          resp.Body,
	}
}

func protoName(major int) string {
	switch major {
	case 2:
		return "h2"
	case 3:
		return "h3"
	}
	return "h1"
}

// reasonOf takes "200 OK" to "OK".
func reasonOf(status string) string {
	if _, reason, ok := strings.Cut(status, " "); ok {
		return reason
	}
	return ""
}

// headerPairs flattens a header map; Go keeps no order across names, so names are sorted
// to make the result stable, and each name's values keep their received order.
func headerPairs(h http.Header) [][2]string {
	names := make([]string, 0, len(h))
	for name := range h {
		names = append(names, name)
	}
	// By lower-cased name: a shielded Location is filed under "location" (location.go).
	sort.Slice(names, func(i, j int) bool { return strings.ToLower(names[i]) < strings.ToLower(names[j]) })
	pairs := make([][2]string, 0, len(h))
	for _, name := range names {
		for _, v := range h[name] {
			pairs = append(pairs, [2]string{strings.ToLower(name), v})
		}
	}
	return pairs
}
