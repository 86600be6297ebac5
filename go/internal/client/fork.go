package client

import (
	"httpcloakpy/internal/engine"
	"httpcloakpy/internal/errs"
	"httpcloakpy/internal/secrets"
	"httpcloakpy/internal/wire"
)

// Fork makes a session like this one, as another tab of the same browser: the same
// preset, options, headers, header order, retries and proxy, the same cookie jar (shared,
// live), and its own connections.
func (s *Session) Fork() (*Session, error) { return s.fork(nil) }

// ForkThrough is Fork with every connection going through proxyURL instead of the
// session's proxy: the same browser behind another proxy (a local proxy's per-request
// upstream). proxyURL is checked; its credentials are masked in errors while the fork lives.
func (s *Session) ForkThrough(proxyURL string) (*Session, error) {
	if proxyURL == "" {
		return nil, errs.New(errs.KindInvalidArgument, "an upstream proxy URL is needed")
	}
	if err := wire.ValidateProxy(proxyURL); err != nil {
		return nil, err
	}
	return s.fork(&proxyURL)
}

func (s *Session) fork(proxyURL *string) (*Session, error) {
	if s.Closed() {
		return nil, errs.ErrSessionClosed
	}
	s.net.mu.Lock()
	cfg := s.net.cfg
	order := s.net.headerOrder
	s.net.mu.Unlock()
	if proxyURL != nil {
		cfg.Proxy, cfg.UDPProxy = *proxyURL, ""
	}
	cfg, err := cfg.ForFork()
	if err != nil {
		return nil, err
	}
	eng, err := engine.New(cfg)
	if err != nil {
		cfg.Net.Close()
		return nil, err
	}
	hidden := append(secrets.OfProxy(cfg.Proxy), secrets.OfProxy(cfg.UDPProxy)...)
	s.services.secrets.Register(hidden)
	swap := engine.NewSwappable(eng)
	child := &Session{
		secrets:  hidden,
		services: s.services,
		engine:   swap,
		net:      &sessionNet{cfg: cfg, swap: swap, retry: s.net.retry, headerOrder: order},
		jar:      s.jar,
		headers:  s.headers.fork(),
		streams:  make(map[*Stream]struct{}),
		meta:     newSessionMeta(),
		cache:    newConditionalCache(!s.ConditionalCache()), // its own, as upstream's forks
	}
	child.hintsOff.Store(s.hintsOff.Load())
	child.acceptCH = s.acceptCH.fork()
	return child, nil
}
