// Package localproxy is an HTTP proxy on loopback that sends other programs' requests out
// through a client session, reading its streams directly.
package localproxy

import (
	"context"
	"io"
	"net"
	"net/http"
	"sort"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"httpcloakpy/internal/client"
	"httpcloakpy/internal/engine"
	"httpcloakpy/internal/errs"
	"httpcloakpy/internal/targets"
	"httpcloakpy/internal/wire"

	"golang.org/x/net/netutil"
)

// Proxy is an HTTP proxy on loopback that sends other clients' requests out through a
// session, so they carry the session's preset fingerprint. Absolute-form requests
// ("GET http://host/path") are fingerprinted; `X-HTTPCloak-Scheme: https` upgrades such a
// request to https first. CONNECT is a plain tunnel: the client's own TLS goes through it.
type Proxy struct {
	listener net.Listener
	server   *http.Server
	port     int

	defaultSession *client.Session
	timeouts       client.Timeouts
	tlsOnly        bool
	tunnelDialer   func(ctx context.Context, network, addr string) (net.Conn, error)
	tunnelIdle     time.Duration     // 0: tunnels never time out
	credentials    *proxyCredentials // nil: no authentication
	guard          *targets.Guard    // the targets clients may reach
	upstreams      upstreamSessions  // sessions behind per-request upstream proxies (upstream.go)
	redact         func(string) string

	mu       sync.RWMutex
	routes   map[string]*client.Session // by X-HTTPCloak-Session id
	tunneled map[net.Conn]struct{}      // hijacked CONNECT connections: Server.Close skips them
	closed   bool
	running  atomic.Bool
	requests atomic.Int64
	tunnels  atomic.Int64
	active   atomic.Int64
	failures atomic.Int64
}

// Control headers a client sends to the proxy; never forwarded.
const (
	headerScheme        = "X-Httpcloak-Scheme"
	headerSession       = "X-Httpcloak-Session"
	headerTLSOnly       = "X-Httpcloak-Tlsonly"
	headerUpstreamProxy = "X-Upstream-Proxy"
	headerProxyError    = "X-Httpcloak-Error"
)

// Options say how a local proxy listens and whom it lets through.
type Options struct {
	Port           int             // 0: any free port
	Session        *client.Session // the default session, which the caller keeps open
	Timeouts       client.Timeouts
	MaxConnections int // 0: no limit
	TLSOnly        bool
	TCPProxy       string // the upstream proxy CONNECT tunnels go through; "": direct
	// Basic credentials every client must send in Proxy-Authorization (both, or neither).
	Username string
	Password string
	// host:port patterns clients may reach (none: any); private networks only if allowed.
	AllowedTargets       []string
	AllowPrivateNetworks bool
	// Seconds a CONNECT tunnel may stay silent both ways (nil: 300; 0: no limit).
	TunnelIdleTimeout *float64
	// Redact masks secrets (proxy credentials) in the reasons sent to clients; nil: none.
	Redact func(string) string
}

func Start(opts Options) (*Proxy, error) {
	if opts.Port < 0 || opts.Port > 65535 {
		return nil, errs.New(errs.KindInvalidArgument, "port must be 0 (any free port) to 65535, got %d", opts.Port)
	}
	if opts.MaxConnections < 0 {
		return nil, errs.New(errs.KindInvalidArgument, "max_connections must be >= 0 (0: no limit), got %d", opts.MaxConnections)
	}
	idle := defaultTunnelIdle
	if opts.TunnelIdleTimeout != nil {
		if *opts.TunnelIdleTimeout < 0 || *opts.TunnelIdleTimeout > 7*86400 {
			return nil, errs.New(errs.KindInvalidArgument, "tunnel_idle_timeout must be 0 (no limit) to 604800 seconds, got %v", *opts.TunnelIdleTimeout)
		}
		idle = time.Duration(*opts.TunnelIdleTimeout * float64(time.Second))
	}
	credentials, err := newProxyCredentials(opts.Username, opts.Password)
	if err != nil {
		return nil, err
	}
	guard, err := targets.NewGuard(opts.AllowedTargets, opts.AllowPrivateNetworks)
	if err != nil {
		return nil, err
	}
	p := &Proxy{
		defaultSession: opts.Session, timeouts: opts.Timeouts, tlsOnly: opts.TLSOnly,
		tunnelIdle: idle, credentials: credentials, guard: guard, redact: opts.Redact,
		routes: map[string]*client.Session{}, tunneled: map[net.Conn]struct{}{},
	}
	// DialControl checks each address a direct tunnel connects to.
	p.tunnelDialer = (&net.Dialer{ControlContext: targets.DialControl}).DialContext
	if opts.TCPProxy != "" {
		if err := wire.ValidateProxy(opts.TCPProxy); err != nil {
			return nil, err
		}
		// The session's trust settings check an https:// proxy; its preset shapes the CONNECT.
		cfg := opts.Session.EngineConfig()
		cfg.Proxy = opts.TCPProxy
		dialer, err := engine.TunnelDialer(cfg)
		if err != nil {
			return nil, err
		}
		p.tunnelDialer = dialer.DialContext
	}
	// Loopback only: whoever reaches this port speaks with the session's identity.
	listener, err := net.Listen("tcp", net.JoinHostPort("127.0.0.1", strconv.Itoa(opts.Port)))
	if err != nil {
		return nil, errs.New(errs.KindConnect, "local proxy cannot listen: %v", err)
	}
	if opts.MaxConnections > 0 {
		listener = netutil.LimitListener(listener, opts.MaxConnections)
	}
	p.listener = listener
	p.port = listener.Addr().(*net.TCPAddr).Port
	// An idle keep-alive client gives its slot back after IdleTimeout: with
	// max_connections, idle clients must not lock the busy ones out.
	p.server = &http.Server{Handler: p, ReadHeaderTimeout: 30 * time.Second, IdleTimeout: 30 * time.Second}
	p.running.Store(true)
	go func() {
		_ = p.server.Serve(listener)
		p.running.Store(false)
	}()
	return p, nil
}

// Close stops listening and drops every connection, tunnels included.
func (p *Proxy) Close() {
	p.running.Store(false)
	_ = p.server.Close()
	// Serve may not have started yet, and only then would Close know the listener.
	_ = p.listener.Close()
	p.mu.Lock()
	p.closed = true
	for conn := range p.tunneled {
		_ = conn.Close()
	}
	p.mu.Unlock()
	p.upstreams.close()
}

// holdTunnel records a hijacked connection so close() can end it; false if the proxy is
// already closed (the caller drops the connection).
func (p *Proxy) holdTunnel(conns ...net.Conn) bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.closed {
		return false
	}
	for _, c := range conns {
		p.tunneled[c] = struct{}{}
	}
	return true
}

func (p *Proxy) releaseTunnel(conns ...net.Conn) {
	p.mu.Lock()
	defer p.mu.Unlock()
	for _, c := range conns {
		delete(p.tunneled, c)
	}
}

func (p *Proxy) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	p.active.Add(1)
	defer p.active.Add(-1)
	if !p.credentials.admits(r) {
		p.challenge(w)
		return
	}
	if r.Method == http.MethodConnect {
		p.tunnels.Add(1)
		p.tunnel(w, r)
		return
	}
	p.requests.Add(1)
	p.forward(w, r)
}

// refuse answers a request the proxy will not carry, saying why.
func (p *Proxy) refuse(w http.ResponseWriter, status int, k errs.Kind, msg string) {
	p.failures.Add(1)
	w.Header().Set(headerProxyError, k.Name())
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.WriteHeader(status)
	if p.redact != nil {
		msg = p.redact(msg)
	}
	_, _ = io.WriteString(w, "httpcloak local proxy: "+msg+"\n")
}

// sessionFor picks the session named by X-HTTPCloak-Session, or the proxy's own.
func (p *Proxy) sessionFor(r *http.Request) (*client.Session, error) {
	sess := p.defaultSession
	if id := r.Header.Get(headerSession); id != "" {
		p.mu.RLock()
		registered, ok := p.routes[id]
		p.mu.RUnlock()
		if !ok {
			return nil, errs.New(errs.KindInvalidArgument, "no session registered as %q", id)
		}
		sess = registered
	}
	if sess.Closed() {
		return nil, errs.New(errs.KindClosed, "the session behind this proxy route is closed")
	}
	return sess, nil
}

// Register routes requests naming id to sess, which its owner keeps open.
func (p *Proxy) Register(id string, sess *client.Session) error {
	if id == "" {
		return errs.New(errs.KindInvalidArgument, "session_id must not be empty")
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if _, taken := p.routes[id]; taken {
		return errs.New(errs.KindInvalidArgument, "a session is already registered as %q", id)
	}
	p.routes[id] = sess
	return nil
}

func (p *Proxy) Unregister(id string) bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	_, ok := p.routes[id]
	delete(p.routes, id)
	return ok
}

// RouteNames are the registered session ids, sorted.
func (p *Proxy) RouteNames() []string {
	p.mu.RLock()
	defer p.mu.RUnlock()
	names := make([]string, 0, len(p.routes))
	for id := range p.routes {
		names = append(names, id)
	}
	sort.Strings(names)
	return names
}

// Stats are a local proxy's numbers (op stats).
type Stats struct {
	Running           bool
	Port              int
	ActiveConnections int64
	TotalRequests     int64
	Tunnels           int64
	Failures          int64
	Sessions          int
}

func (p *Proxy) Stats() Stats {
	p.mu.RLock()
	routes := len(p.routes)
	p.mu.RUnlock()
	return Stats{
		Running: p.running.Load(), Port: p.port, ActiveConnections: p.active.Load(),
		TotalRequests: p.requests.Load(), Tunnels: p.tunnels.Load(), Failures: p.failures.Load(),
		Sessions: routes,
	}
}
