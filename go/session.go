package main

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

// session is one browser identity: an engine (connections, TLS state), a cookie jar and
// the streams opened on it, so closing the session can close them.
type session struct {
	engine  engine.Engine
	jar     *jar.Jar
	headers *sessionHeaders // preset headers with the session's own merged in (session_headers.go)
	secrets []string        // proxy credentials, masked in every error while the session lives
	// services are the process-wide ones this session uses (a fork shares them).
	services sessionServices
	net      *sessionNet // runtime-changeable network settings and retries (session_net.go)
	// hintsOff leaves the preset's sec-ch-* headers out (client_hints.go).
	hintsOff atomic.Bool
	meta     *sessionMeta // created, last used, request count, identifier (session_meta.go)

	mu      sync.Mutex
	closed  bool
	streams map[*stream]struct{}
	drains  drains // bodies closed early, still draining (session_drains.go)
}

// sessionServices are process-wide services sessions share; a zero field: none.
type sessionServices struct {
	secrets *secrets.Registry       // masks every session's proxy credentials in errors
	tickets ticketcache.SharedStore // TLS sessions shared beyond this process
}

func newSession(raw []byte, services sessionServices) (*session, error) {
	var opts sessionOptions
	if len(raw) > 0 {
		if err := wire.DecodeStrict(raw, &opts); err != nil {
			return nil, err
		}
	}
	if err := wire.ValidateHeaders(opts.Headers); err != nil {
		return nil, err
	}
	netOpts := engine.NetOptions(opts.netOptionsJSON)
	proxyURL, udpProxyURL, err := netOpts.ResolveProxy(opts.Proxy, opts.HTTPVersion)
	if err != nil {
		return nil, err
	}
	if err := wire.ValidateProxy(proxyURL); err != nil {
		return nil, err
	}
	retry, err := opts.retryPolicy()
	if err != nil {
		return nil, err
	}
	netCfg, err := netOpts.Build(opts.HTTPVersion)
	if err != nil {
		return nil, err
	}
	extra, err := fingerprint.ParseExtraFP(opts.ExtraFP)
	if err != nil {
		return nil, err
	}
	verify := opts.Verify == nil || *opts.Verify
	hidden := append(secrets.OfProxy(proxyURL), secrets.OfProxy(udpProxyURL)...)
	services.secrets.Register(hidden)
	cfg := engine.Config{
		Preset:      opts.Preset,
		HTTPVersion: opts.HTTPVersion,
		Verify:      verify,
		CAFile:      opts.CAFile,
		Proxy:       proxyURL,
		UDPProxy:    udpProxyURL,
		Net:         netCfg,
		Fingerprint: fingerprint.Fingerprint{JA3: opts.JA3, Akamai: opts.Akamai, Extra: extra},
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
	if opts.TLSOnly {
		base = nil // tls_only: the preset's TLS and HTTP/2 fingerprint, none of its headers
	}
	jar := jar.New()
	jar.Disabled = opts.WithoutCookieJar
	swap := engine.NewSwappable(eng)
	sess := &session{
		secrets:  hidden,
		services: services,
		engine:   swap,
		net:      &sessionNet{cfg: cfg, swap: swap, retry: retry},
		jar:      jar,
		headers:  newSessionHeaders(base, opts.Headers),
		streams:  make(map[*stream]struct{}),
		meta:     newSessionMeta(),
	}
	sess.hintsOff.Store(opts.WithoutClientHints)
	return sess, nil
}

func (s *session) track(st *stream) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return errs.ErrSessionClosed
	}
	s.streams[st] = struct{}{}
	return nil
}

func (s *session) untrack(st *stream) {
	s.mu.Lock()
	delete(s.streams, st)
	s.mu.Unlock()
}

// isClosed reports whether close was called.
func (s *session) isClosed() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.closed
}

// close ends every stream still open, then releases the engine's connections.
func (s *session) close() {
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		return
	}
	s.closed = true
	open := make([]*stream, 0, len(s.streams))
	for st := range s.streams {
		open = append(open, st)
	}
	s.mu.Unlock()
	for _, st := range open {
		st.cancel(errs.ErrSessionClosed) // abort: no draining for a session going away
		st.close()
	}
	s.engine.Close()
	s.net.cfg.Net.Close()
	s.mu.Lock()
	hidden := s.secrets
	s.mu.Unlock()
	s.services.secrets.Forget(hidden)
}
