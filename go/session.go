package main

import (
	"sync"
	"sync/atomic"
)

// session is one browser identity: an engine (connections, TLS state), a cookie jar and
// the streams opened on it, so closing the session can close them.
type session struct {
	engine  engine
	jar     *cookieJar
	headers *sessionHeaders // preset headers with the session's own merged in (session_headers.go)
	secrets []string        // proxy credentials, masked in every error while the session lives
	net     *sessionNet     // runtime-changeable network settings and retries (session_net.go)
	// hintsOff leaves the preset's sec-ch-* headers out (client_hints.go).
	hintsOff atomic.Bool
	meta     *sessionMeta // created, last used, request count, identifier (session_meta.go)

	mu      sync.Mutex
	closed  bool
	streams map[int64]*stream
	drains  drains // bodies closed early, still draining (session_drains.go)
}

func newSession(raw []byte) (*session, error) {
	var opts sessionOptions
	if len(raw) > 0 {
		if err := decodeStrict(raw, &opts); err != nil {
			return nil, err
		}
	}
	if err := validateHeaders(opts.Headers); err != nil {
		return nil, err
	}
	proxyURL, udpProxyURL, err := opts.resolveProxy(opts.Proxy, opts.HTTPVersion)
	if err != nil {
		return nil, err
	}
	if err := validateProxy(proxyURL); err != nil {
		return nil, err
	}
	retry, err := opts.retryPolicy()
	if err != nil {
		return nil, err
	}
	netCfg, err := opts.netConfig(opts.HTTPVersion)
	if err != nil {
		return nil, err
	}
	extra, err := parseExtraFP(opts.ExtraFP)
	if err != nil {
		return nil, err
	}
	verify := opts.Verify == nil || *opts.Verify
	hidden := append(proxySecrets(proxyURL), proxySecrets(udpProxyURL)...)
	registerSecrets(hidden)
	cfg := engineConfig{
		preset:      opts.Preset,
		httpVersion: opts.HTTPVersion,
		verify:      verify,
		caFile:      opts.CAFile,
		proxy:       proxyURL,
		udpProxy:    udpProxyURL,
		net:         netCfg,
		fingerprint: fingerprint{ja3: opts.JA3, akamai: opts.Akamai, extra: extra},
	}
	eng, err := newEngine(cfg)
	if err != nil {
		forgetSecrets(hidden)
		netCfg.close()
		return nil, err
	}
	if keeper, ok := eng.(ticketKeeper); ok {
		cfg.tickets = keeper.ticketStore()
	}
	base := eng.presetHeaders()
	if opts.TLSOnly {
		base = nil // tls_only: the preset's TLS and HTTP/2 fingerprint, none of its headers
	}
	jar := newCookieJar()
	jar.disabled = opts.WithoutCookieJar
	swap := newSwappableEngine(eng)
	sess := &session{
		secrets: hidden,
		engine:  swap,
		net:     &sessionNet{cfg: cfg, swap: swap, retry: retry},
		jar:     jar,
		headers: newSessionHeaders(base, opts.Headers),
		streams: make(map[int64]*stream),
		meta:    newSessionMeta(),
	}
	sess.hintsOff.Store(opts.WithoutClientHints)
	return sess, nil
}

func (s *session) track(id int64, st *stream) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return errSessionClosed
	}
	s.streams[id] = st
	return nil
}

func (s *session) untrack(id int64) {
	s.mu.Lock()
	delete(s.streams, id)
	s.mu.Unlock()
}

// close ends every stream still open, then releases the engine's connections.
func (s *session) close() {
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		return
	}
	s.closed = true
	open := make([]int64, 0, len(s.streams))
	for id := range s.streams {
		open = append(open, id)
	}
	s.mu.Unlock()
	for _, id := range open {
		if st, ok := streams.take(id); ok {
			st.cancel(errSessionClosed) // abort: no draining for a session going away
			st.close()
		}
	}
	s.engine.close()
	s.net.cfg.net.close()
	s.mu.Lock()
	hidden := s.secrets
	s.mu.Unlock()
	forgetSecrets(hidden)
}
