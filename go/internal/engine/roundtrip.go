package engine

// The engine over TCP: our own round trip on github.com/bogdanfinn/utls (the preset's
// ClientHello) and github.com/bogdanfinn/fhttp (HTTP/1.1, and its http2 with the preset's
// SETTINGS, priorities and pseudo-header order), dialled by our dialer and proxy code.
// HTTP/3 is h3.go.

import (
	"context"
	"crypto/x509"
	"io"
	"net"
	"net/textproto"
	"net/url"
	"slices"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"httpcloakpy/internal/callerwait"
	"httpcloakpy/internal/errs"
	"httpcloakpy/internal/fingerprint"
	"httpcloakpy/internal/ticketcache"

	http "github.com/bogdanfinn/fhttp"
	"github.com/bogdanfinn/fhttp/http2"
	"github.com/bogdanfinn/fhttp/httptrace"
	tls "github.com/bogdanfinn/utls"
)

type tcpEngine struct {
	pool    *connPool
	headers [][2]string
	tickets *ticketcache.Cache // nil when the profile does not resume TLS sessions
}

// Pool and buffer sizes chosen for streaming: 64 KiB socket reads, and enough idle
// connections per host that eight concurrent HTTP/1.1 streams are all reused afterwards.
const (
	engineIOBufferSize     = 64 << 10
	engineMaxIdleConns     = 1024
	engineIdleConnsPerHost = 64
	engineIdleTimeout      = 90 * time.Second
)

// resolved is what an engine is built from: cfg's preset, its wire shape and the trust.
func resolved(cfg Config) (fingerprint.Preset, fingerprint.Profile, ticketcache.Trust, error) {
	p, profile, err := fingerprint.ResolveProfile(cfg.Preset, cfg.HTTPVersion, cfg.Fingerprint)
	if err != nil {
		return p, profile, ticketcache.Trust{}, err
	}
	trust, err := ticketcache.LoadTrust(cfg.Verify, cfg.CAFile)
	return p, profile, trust, err
}

func New(cfg Config) (Engine, error) {
	p, profile, trust, err := resolved(cfg)
	if err != nil {
		return nil, err
	}
	h1Only := false
	switch cfg.HTTPVersion {
	case "", "auto", "h2":
	case "h1":
		h1Only = true
	case "h3":
		return newH3Engine(cfg, p, profile, trust)
	default:
		return nil, errs.New(errs.KindInvalidArgument, "http_version must be \"auto\", \"h1\", \"h2\" or \"h3\", got %q", cfg.HTTPVersion)
	}
	var viaProxy *proxyDialer
	if cfg.Proxy != "" {
		if viaProxy, err = sessionProxyDialer(cfg, p, profile, trust.Roots); err != nil {
			return nil, err
		}
	}
	var tickets *ticketcache.Cache
	if profile.ResumesSessions {
		// Resumption only where the preset's hello offers it (pre_shared_key).
		if tickets = cfg.Tickets; tickets == nil {
			tickets = ticketcache.NewCache(profile.ID, cfg.Shared)
		}
		tickets.SetTrust(trust)
	}
	dialer := newNetDialer(cfg.Net, viaProxy)
	pool := &connPool{
		tls:   newTLSDialer(dialer, profile, h1Only, tickets, cfg.Verify, trust.Roots, cfg.Net.keyLog),
		proto: map[string]string{},
		h2s:   map[string][]*http2.ClientConn{},
		dials: map[string]*dialCall{},
		spare: map[string][]net.Conn{},
		busy:  map[*http2.ClientConn]int{},
	}
	pool.tls.pins = cfg.Pins
	if pool.tls.ech, err = newECHPolicy(cfg, profile); err != nil {
		return nil, err
	}
	pool.h1 = &http.Transport{
		DialContext:         dialer.DialContext,
		DialTLSContext:      pool.dialTLSForH1,
		TLSNextProto:        map[string]func(string, *tls.Conn) http.RoundTripper{}, // HTTP/2 is ours, not fhttp's upgrade
		IdleConnTimeout:     engineIdleTimeout,
		MaxIdleConns:        engineMaxIdleConns,
		MaxIdleConnsPerHost: engineIdleConnsPerHost,
		ReadBufferSize:      engineIOBufferSize,
		WriteBufferSize:     engineIOBufferSize,
		// Bodies are decoded by our layer for every protocol alike (package body).
		DisableCompression: true,
	}
	pool.plainH1 = &h1Exchanges{dial: dialer.DialContext}
	pool.h2 = newH2Transport(profile.H2, pool)
	tcp := &tcpEngine{pool: pool, headers: p.Headers, tickets: tickets}
	if h1Only || cfg.HTTPVersion == "h2" {
		return tcp, nil
	}
	return newAutoEngine(cfg, tcp, trust), nil // auto: HTTP/3 where Alt-Svc offers it
}

// newH2Transport is fhttp's HTTP/2 transport speaking the preset's preface, connections
// coming from pool.
func newH2Transport(spec fingerprint.H2Spec, pool http2.ClientConnPool) *http2.Transport {
	pseudo := spec.PseudoHeaderOrder
	if pseudo == nil {
		pseudo = []string{}
	}
	t := &http2.Transport{
		ConnPool:           pool,
		Settings:           spec.Settings,
		SettingsOrder:      spec.SettingsOrder,
		ConnectionFlow:     spec.ConnectionFlow,
		Priorities:         spec.Priorities,
		HeaderPriority:     spec.HeaderPriority,
		PseudoHeaderOrder:  pseudo,
		PushHandler:        &http2.DefaultPushHandler{},
		IdleConnTimeout:    engineIdleTimeout,
		DisableCompression: true,
	}
	spec.Wire.Configure(t) // the browser's framing and HPACK beyond the preface
	return t
}

// sessionProxyDialer reaches cfg.proxy as the preset's browser would: its CONNECT request,
// and for an https:// proxy its ClientHello, checked with the session's trust settings.
func sessionProxyDialer(cfg Config, p fingerprint.Preset, profile fingerprint.Profile, roots *x509.CertPool) (*proxyDialer, error) {
	tlsTo := &proxyTLS{verify: cfg.Verify, roots: roots, hello: profile.Hello, keyLog: cfg.Net.keyLog}
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
	p, profile, trust, err := resolved(cfg)
	if err != nil {
		return nil, err
	}
	return sessionProxyDialer(cfg, p, profile, trust.Roots)
}

func (e *tcpEngine) PresetHeaders() [][2]string { return e.headers }

// WaitsInSlices: a request without a body that h1Exchanges sends (plain http://), or that
// goes on an HTTP/2 connection already open to its origin (fhttp patch 0010 slices its
// waits). Not a first contact (a dial and a handshake), nor HTTP/1.1 over TLS.
func (e *tcpEngine) WaitsInSlices(req *Request) bool {
	hasBody := sizeOf(req.Body) > 0 || req.Stream != nil
	has := func(name string) bool {
		return slices.ContainsFunc(req.Headers, func(h [2]string) bool { return strings.EqualFold(h[0], name) })
	}
	if req.URL.Scheme == "https" {
		return bareRequest(req.Method, hasBody, has) && e.pool.takesH2Now(originAddress("https", req.URL.Host))
	}
	return bareExchange(req.URL.Scheme, req.Method, hasBody, has)
}

func (e *tcpEngine) TicketStore() *ticketcache.Cache { return e.tickets }

func (e *tcpEngine) Close() { e.pool.CloseIdleConnections() }

func (e *tcpEngine) RoundTrip(ctx context.Context, out *Request) (*Response, error) {
	ex := &exchange{}
	var carrier atomic.Pointer[net.Conn] // the HTTP/1.1 connection the response came on
	if out.URL.Scheme == "https" && callerwait.Here(ctx) {
		ctx = http2.ContextWithWaitSlices(ctx, callerwait.SlicesOf(ctx)) // an HTTP/2 exchange's waits
	}
	ctx = httptrace.WithClientTrace(ctx, &httptrace.ClientTrace{GotConn: func(info httptrace.GotConnInfo) {
		carrier.Store(&info.Conn)
	}})
	req, err := fhttpRequest(context.WithValue(ctx, exchangeKey{}, ex), out)
	if err != nil {
		return nil, err
	}
	resp, err := e.pool.RoundTrip(req)
	if err != nil {
		e.pool.release(ex)
		if req.Body != nil {
			_ = req.Body.Close()
		}
		// Worded as Go's http.Client words it: "Get "https://host/": reason".
		return nil, &url.Error{Op: requestOp(out.Method), URL: redactedURL(out.URL), Err: err}
	}
	in := incomingFrom(resp)
	in.Body = &exchangeBody{ReadCloser: in.Body, release: func() { e.pool.release(ex) }}
	in.SetReadDeadline = bodyReadDeadline(resp, carrier.Load())
	if body, ok := resp.Body.(*h1Body); ok && body.pollable() {
		in.WaitReadable = body.waitReadable
	}
	return in, nil
}

// bodyReadDeadline is how a read of resp's body is bounded on the caller's thread: the
// HTTP/1.1 connection's read deadline (fhttp patch 0006), or the HTTP/2 stream's own
// (patch 0008, which leaves the connection's other streams alone). Nil when neither is
// there: the body is then read through the pump.
func bodyReadDeadline(resp *http.Response, conn *net.Conn) func(time.Time) error {
	switch resp.ProtoMajor {
	case 1:
		if conn != nil && *conn != nil {
			return (*conn).SetReadDeadline
		}
	case 2:
		if stream, ok := resp.Body.(interface{ SetReadDeadline(time.Time) error }); ok {
			return stream.SetReadDeadline
		}
	}
	return nil
}

// exchangeBody ends the exchange's claim on its connection when the body is closed.
type exchangeBody struct {
	io.ReadCloser
	release func()
	once    sync.Once
}

func (b *exchangeBody) Close() error {
	err := b.ReadCloser.Close()
	b.once.Do(b.release)
	return err
}

func requestOp(method string) string {
	if method == "" {
		return "Get"
	}
	return method[:1] + strings.ToLower(method[1:])
}

// redactedURL is u with its password, if any, hidden.
func redactedURL(u *url.URL) string {
	if _, has := u.User.Password(); has {
		return u.Redacted()
	}
	return u.String()
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
	// Sized for every field and the four the writers add (Host, User-Agent,
	// Content-Length, the order key): a map that grows while it is filled allocates
	// most of a plain GET's request.
	req.Header = make(http.Header, len(out.Headers)+4)
	// Browsers send Host first on HTTP/1.1.
	order := append(make([]string, 0, len(out.Headers)+1), "host")
	values := make([]string, len(out.Headers)) // one backing array for single values
	for i, h := range out.Headers {
		name := strings.ToLower(h[0])
		if name == "host" {
			req.Host = h[1]
			continue
		}
		key := textproto.CanonicalMIMEHeaderKey(h[0])
		if held, ok := req.Header[key]; ok {
			req.Header[key] = append(held, h[1])
		} else {
			values[i] = h[1]
			req.Header[key] = values[i : i+1 : i+1]
		}
		order = append(order, name)
	}
	req.Header[http.HeaderOrderKey] = order
	if _, ok := req.Header["User-Agent"]; !ok {
		// A key with no values: fhttp's HTTP/1.1 writer then sends no User-Agent at all,
		// instead of its default "Go-http-client/1.1" (a request without one, as
		// exact_headers or tls_only ask, must not name Go). HTTP/2: see below.
		req.Header["user-agent"] = []string{}
	}
	return req, nil
}

// withoutDefaultUserAgentH2 is req as fhttp's HTTP/2 writer needs it to send no
// User-Agent: one empty value (a key with none makes it add "Go-http-client/2.0").
func withoutDefaultUserAgentH2(req *http.Request) *http.Request {
	if ua, ok := req.Header["user-agent"]; ok && len(ua) == 0 {
		delete(req.Header, "user-agent")
		req.Header["User-Agent"] = []string{""}
	}
	return req
}

func incomingFrom(resp *http.Response) *Response {
	in := &Response{
		Status:        resp.StatusCode,
		Reason:        reasonOf(resp.Status),
		Proto:         protoName(resp.ProtoMajor),
		ContentLength: resp.ContentLength,
		Body:          resp.Body,
		// Read only after the body's EOF, by the goroutine that saw it: fhttp fills
		// resp.Trailer before returning io.EOF.
		Trailers: func() [][2]string { return headerPairs(resp.Trailer) },
	}
	if resp.HeaderNames != nil {
		in.Headers, in.WireNames = orderedHeaderPairs(resp.Header, resp.HeaderNames)
	} else {
		in.Headers = headerPairs(resp.Header)
	}
	return in
}

// orderedHeaderPairs lays h out in the order its fields were received (names, from fhttp
// patch 0004), with each pair's name as received; fields the reader added or removed since
// (Cache-Control from Pragma, Trailer) are left out or come last, sorted.
func orderedHeaderPairs(h http.Header, names []string) ([][2]string, []string) {
	pairs := make([][2]string, 0, len(names))
	wire := make([]string, 0, len(names))
	taken := make(map[string]int, len(h))
	for _, name := range names {
		key := http.CanonicalHeaderKey(name)
		values := h[key]
		if i := taken[key]; i < len(values) {
			pairs = append(pairs, [2]string{strings.ToLower(name), values[i]})
			wire = append(wire, name)
			taken[key] = i + 1
		}
	}
	if len(pairs) == valueCount(h) {
		return pairs, wire // the usual case: every field was received as it is
	}
	for _, rest := range headerPairs(h) {
		key := http.CanonicalHeaderKey(rest[0])
		if taken[key] < len(h[key]) {
			// Its value index: whatever was not taken above, in its own order.
			pairs = append(pairs, [2]string{rest[0], h[key][taken[key]]})
			wire = append(wire, rest[0])
			taken[key]++
		}
	}
	return pairs, wire
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

func valueCount(h http.Header) int {
	n := 0
	for _, values := range h {
		n += len(values)
	}
	return n
}

// headerPairs flattens a header map; Go keeps no order across names, so names are sorted
// to make the result stable, and each name's values keep their received order.
func headerPairs(h http.Header) [][2]string {
	names := make([]string, 0, len(h))
	for name := range h {
		names = append(names, name)
	}
	sort.Slice(names, func(i, j int) bool { return strings.ToLower(names[i]) < strings.ToLower(names[j]) })
	pairs := make([][2]string, 0, len(h))
	for _, name := range names {
		for _, v := range h[name] {
			pairs = append(pairs, [2]string{strings.ToLower(name), v})
		}
	}
	return pairs
}
