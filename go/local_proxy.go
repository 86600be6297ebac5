package main

import (
	"context"
	"io"
	"net"
	"net/http"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"httpcloakpy/internal/engine"
	"httpcloakpy/internal/errs"
	"httpcloakpy/internal/targets"
	"httpcloakpy/internal/wire"

	"golang.org/x/net/netutil"
)

// localProxy is an HTTP proxy on loopback that sends other clients' requests out through a
// session, so they carry the session's preset fingerprint. Absolute-form requests
// ("GET http://host/path") are fingerprinted; `X-HTTPCloak-Scheme: https` upgrades such a
// request to https first. CONNECT is a plain tunnel: the client's own TLS goes through it.
type localProxy struct {
	listener net.Listener
	server   *http.Server
	port     int

	defaultSession *session
	timeouts       timeouts
	tlsOnly        bool
	tunnelDialer   func(ctx context.Context, network, addr string) (net.Conn, error)
	tunnelIdle     time.Duration     // 0: tunnels never time out
	credentials    *proxyCredentials // nil: no authentication
	guard          *targets.Guard    // the targets clients may reach (local_proxy_targets.go)
	redact         func(string) string

	mu       sync.RWMutex
	routes   map[string]*session   // by X-HTTPCloak-Session id
	tunneled map[net.Conn]struct{} // hijacked CONNECT connections: Server.Close skips them
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

// localProxyOptions say how a local proxy listens and whom it lets through.
type localProxyOptions struct {
	Port           int      // 0: any free port
	Session        *session // the default session, which the caller keeps open
	Timeouts       timeouts
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

func startLocalProxy(opts localProxyOptions) (*localProxy, error) {
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
	p := &localProxy{
		defaultSession: opts.Session, timeouts: opts.Timeouts, tlsOnly: opts.TLSOnly,
		tunnelIdle: idle, credentials: credentials, guard: guard, redact: opts.Redact,
		routes: map[string]*session{}, tunneled: map[net.Conn]struct{}{},
	}
	// guardDial checks each address a direct tunnel connects to.
	p.tunnelDialer = (&net.Dialer{ControlContext: targets.DialControl}).DialContext
	if opts.TCPProxy != "" {
		if err := wire.ValidateProxy(opts.TCPProxy); err != nil {
			return nil, err
		}
		// The session's trust settings check an https:// proxy; its preset shapes the CONNECT.
		cfg := opts.Session.net.config()
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

// close stops listening and drops every connection, tunnels included.
func (p *localProxy) close() {
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
}

// holdTunnel records a hijacked connection so close() can end it; false if the proxy is
// already closed (the caller drops the connection).
func (p *localProxy) holdTunnel(conns ...net.Conn) bool {
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

func (p *localProxy) releaseTunnel(conns ...net.Conn) {
	p.mu.Lock()
	defer p.mu.Unlock()
	for _, c := range conns {
		delete(p.tunneled, c)
	}
}

func (p *localProxy) ServeHTTP(w http.ResponseWriter, r *http.Request) {
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
func (p *localProxy) refuse(w http.ResponseWriter, status int, k errs.Kind, msg string) {
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
func (p *localProxy) sessionFor(r *http.Request) (*session, error) {
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
	if sess.isClosed() {
		return nil, errs.New(errs.KindClosed, "the session behind this proxy route is closed")
	}
	return sess, nil
}

// register routes requests naming id to sess, which its owner keeps open.
func (p *localProxy) register(id string, sess *session) error {
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

func (p *localProxy) unregister(id string) bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	_, ok := p.routes[id]
	delete(p.routes, id)
	return ok
}

func (p *localProxy) routeNames() []string {
	p.mu.RLock()
	defer p.mu.RUnlock()
	names := make([]string, 0, len(p.routes))
	for id := range p.routes {
		names = append(names, id)
	}
	return names
}

type localProxyStats struct {
	Running           bool  `json:"running"`
	Port              int   `json:"port"`
	ActiveConnections int64 `json:"active_connections"`
	TotalRequests     int64 `json:"total_requests"`
	Tunnels           int64 `json:"tunnels"`
	Failures          int64 `json:"failures"`
	Sessions          int   `json:"sessions"`
}

func (p *localProxy) stats() localProxyStats {
	p.mu.RLock()
	routes := len(p.routes)
	p.mu.RUnlock()
	return localProxyStats{
		Running: p.running.Load(), Port: p.port, ActiveConnections: p.active.Load(),
		TotalRequests: p.requests.Load(), Tunnels: p.tunnels.Load(), Failures: p.failures.Load(),
		Sessions: routes,
	}
}
