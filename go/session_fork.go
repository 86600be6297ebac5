package main

import (
	"httpcloakpy/internal/errs"
	"httpcloakpy/internal/secrets"
)

// fork makes a session like this one, as another tab of the same browser: the same
// preset, options, headers, header order, retries and proxy, the same cookie jar (shared,
// live), and its own connections.
func (s *session) fork() (*session, error) {
	if s.isClosed() {
		return nil, errs.ErrSessionClosed
	}
	s.net.mu.Lock()
	cfg := s.net.cfg
	order := s.net.headerOrder
	s.net.mu.Unlock()
	// The key log file is opened again: each session closes its own.
	if path := cfg.net.keyLogPath; path != "" {
		reopened, err := (&netOptions{KeyLogFile: path}).netConfig(cfg.httpVersion)
		if err != nil {
			return nil, err
		}
		cfg.net.keyLog, cfg.net.keyLogOwner = reopened.keyLog, reopened.keyLogOwner
	}
	eng, err := newEngine(cfg)
	if err != nil {
		cfg.net.close()
		return nil, err
	}
	hidden := append(secrets.OfProxy(cfg.proxy), secrets.OfProxy(cfg.udpProxy)...)
	s.services.secrets.Register(hidden)
	swap := newSwappableEngine(eng)
	child := &session{
		secrets:  hidden,
		services: s.services,
		engine:   swap,
		net:      &sessionNet{cfg: cfg, swap: swap, retry: s.net.retry, headerOrder: order},
		jar:      s.jar,
		headers:  s.headers.fork(),
		streams:  make(map[*stream]struct{}),
		meta:     newSessionMeta(),
	}
	child.hintsOff.Store(s.hintsOff.Load())
	return child, nil
}
