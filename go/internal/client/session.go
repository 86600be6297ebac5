// Package client is the HTTP client a session is: it opens streams (one request each,
// with redirects, retries, cookies and client hints handled like a browser) over the
// engine, and keeps what a session may change while it runs.
package client

import (
	"sync"
	"sync/atomic"

	"httpcloakpy/internal/engine"
	"httpcloakpy/internal/errs"
	"httpcloakpy/internal/fingerprint"
	"httpcloakpy/internal/jar"
	"httpcloakpy/internal/secrets"
	"httpcloakpy/internal/ticketcache"
	"httpcloakpy/internal/wire"
)

// Session is one browser identity: an engine (connections, TLS state), a cookie jar and
// the streams opened on it, so closing the Session can close them.
type Session struct {
	engine  engine.Engine
	jar     *jar.Jar
	headers *sessionHeaders // preset headers with the session's own merged in (headers.go)
	secrets []string        // proxy credentials, masked in every error while the session lives
	// services are the process-wide ones this session uses (a fork shares them).
	services sessionServices
	net      *sessionNet // runtime-changeable network settings and retries (net.go)
	// hintsOff leaves the preset's sec-ch-* headers out (client_hints.go).
	hintsOff atomic.Bool
	acceptCH *acceptCH         // high-entropy client hints asked for with Accept-CH (accept_ch.go)
	cache    *conditionalCache // ETag / Last-Modified per URL (conditional_cache.go)
	meta     *sessionMeta      // created, last used, request count, identifier (meta.go)

	mu      sync.Mutex
	closed  bool
	streams map[*Stream]struct{}
	drains  drains // bodies closed early, still draining (drains.go)
}

// sessionServices are process-wide services sessions share; a zero field: none.
type sessionServices struct {
	secrets *secrets.Registry       // masks every session's proxy credentials in errors
	tickets ticketcache.SharedStore // TLS sessions shared beyond this process
}

// Options are what a session is made from.
type Options struct {
	Preset      string // "": chrome-latest
	HTTPVersion string // "auto" (""), "h1", "h2" or "h3"
	Verify      bool
	CAFile      string      // a CA bundle to trust instead of the system's; "": none
	Proxy       string      // for every protocol; "": direct
	Headers     [][2]string // the session's own, laid over the preset's
	// Fingerprint is laid over the preset's TLS and HTTP/2 fingerprint.
	Fingerprint fingerprint.Fingerprint
	// WithoutCookieJar: no cookie is stored or sent automatically (per-request ones are).
	WithoutCookieJar bool
	// WithoutClientHints: the preset's sec-ch-* headers are not sent.
	WithoutClientHints bool
	// WithoutConditionalCache: no If-None-Match / If-Modified-Since from seen validators.
	WithoutConditionalCache bool
	// WithoutHighEntropyClientHints: Accept-CH is not answered.
	WithoutHighEntropyClientHints bool
	Net                           engine.NetOptions // dialling, TLS key log, per-protocol proxies
	Retry                         RetryOptions
	// Process-wide services the session uses (and its forks); nil: none.
	Secrets       *secrets.Registry       // masks proxy credentials in every error
	SharedTickets ticketcache.SharedStore // TLS sessions shared beyond this process
}

// NewSession makes a session; every option is checked before anything is dialled.
func NewSession(opts Options) (*Session, error) {
	services := sessionServices{secrets: opts.Secrets, tickets: opts.SharedTickets}
	if err := wire.ValidateHeaders(opts.Headers); err != nil {
		return nil, err
	}
	proxyURL, udpProxyURL, err := opts.Net.ResolveProxy(opts.Proxy, opts.HTTPVersion)
	if err != nil {
		return nil, err
	}
	if err := wire.ValidateProxy(proxyURL); err != nil {
		return nil, err
	}
	retry, err := opts.Retry.retryPolicy()
	if err != nil {
		return nil, err
	}
	netCfg, err := opts.Net.Build(opts.HTTPVersion)
	if err != nil {
		return nil, err
	}
	hidden := append(secrets.OfProxy(proxyURL), secrets.OfProxy(udpProxyURL)...)
	services.secrets.Register(hidden)
	cfg := engine.Config{
		Preset:      opts.Preset,
		HTTPVersion: opts.HTTPVersion,
		Verify:      opts.Verify,
		CAFile:      opts.CAFile,
		Proxy:       proxyURL,
		UDPProxy:    udpProxyURL,
		Net:         netCfg,
		Fingerprint: opts.Fingerprint,
		Shared:      services.tickets,
	}
	eng, err := engine.New(cfg)
	if err != nil {
		services.secrets.Forget(hidden)
		netCfg.Close()
		return nil, err
	}
	if keeper, ok := eng.(engine.TicketKeeper); ok {
		cfg.Tickets = keeper.TicketStore()
	}
	base := eng.PresetHeaders()
	if opts.Net.TLSOnly {
		base = nil // tls_only: the preset's TLS and HTTP/2 fingerprint, none of its headers
	}
	// Which browser's rules give the headers of other request kinds (fetch_mode); the
	// engine resolved the same name a moment ago.
	browser := "Chrome"
	var highEntropy [][2]string
	if p, err := fingerprint.Lookup(opts.Preset); err == nil {
		browser = p.Browser
		if base != nil {
			highEntropy = p.HighEntropyHints
		}
	}
	cookies := jar.New()
	cookies.Disabled = opts.WithoutCookieJar
	swap := engine.NewSwappable(eng)
	sess := &Session{
		secrets:  hidden,
		services: services,
		engine:   swap,
		net:      &sessionNet{cfg: cfg, swap: swap, retry: retry},
		jar:      cookies,
		headers:  newSessionHeaders(browser, base, opts.Headers),
		streams:  make(map[*Stream]struct{}),
		meta:     newSessionMeta(),
		cache:    newConditionalCache(opts.WithoutConditionalCache),
	}
	sess.hintsOff.Store(opts.WithoutClientHints)
	sess.acceptCH = newAcceptCH(highEntropy, opts.WithoutHighEntropyClientHints)
	return sess, nil
}

func (s *Session) track(st *Stream) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return errs.ErrSessionClosed
	}
	s.streams[st] = struct{}{}
	return nil
}

func (s *Session) untrack(st *Stream) {
	s.mu.Lock()
	delete(s.streams, st)
	s.mu.Unlock()
}

// Closed reports whether close was called.
func (s *Session) Closed() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.closed
}

// Close ends every stream still open, then releases the engine's connections.
func (s *Session) Close() {
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		return
	}
	s.closed = true
	open := make([]*Stream, 0, len(s.streams))
	for st := range s.streams {
		open = append(open, st)
	}
	s.mu.Unlock()
	for _, st := range open {
		st.cancel(errs.ErrSessionClosed) // abort: no draining for a session going away
		st.Close()
	}
	s.engine.Close()
	s.net.cfg.Net.Close()
	s.mu.Lock()
	hidden := s.secrets
	s.mu.Unlock()
	s.services.secrets.Forget(hidden)
}
