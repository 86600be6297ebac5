package client

import (
	"httpcloakpy/internal/engine"
	"httpcloakpy/internal/errs"
	"httpcloakpy/internal/secrets"
	"httpcloakpy/internal/wire"
)

// SetProxy rebuilds the engine with another proxy (credentials masked, see hide).
func (s *Session) SetProxy(proxyURL string) error {
	if err := wire.ValidateProxy(proxyURL); err != nil {
		return err
	}
	s.hide(proxyURL)
	return s.net.rebuild(func(cfg *engine.Config) error {
		if proxyURL != "" && cfg.UDPProxy != "" {
			return errBothProxies
		}
		cfg.Proxy = proxyURL
		return nil
	})
}

// SetUDPProxy rebuilds an HTTP/3 session's engine with another SOCKS5 UDP proxy; the old
// association closes when its last stream does.
func (s *Session) SetUDPProxy(proxyURL string) error {
	s.net.mu.Lock()
	version := s.net.cfg.HTTPVersion
	s.net.mu.Unlock()
	if err := engine.CheckUDPProxy(proxyURL, version); err != nil {
		return err
	}
	s.hide(proxyURL)
	return s.net.rebuild(func(cfg *engine.Config) error {
		if proxyURL != "" && cfg.Proxy != "" {
			return errBothProxies
		}
		cfg.UDPProxy = proxyURL
		return nil
	})
}

var errBothProxies = errs.New(errs.KindInvalidArgument,
	"this session has both proxy= (all protocols) and udp_proxy= (HTTP/3): clear one first (set it to None)")

// hide masks a proxy URL's credentials from now on; the old ones stay masked until the
// session closes (an old stream's error may still quote them).
func (s *Session) hide(proxyURL string) {
	hidden := secrets.OfProxy(proxyURL)
	s.services.secrets.Register(hidden)
	s.mu.Lock()
	s.secrets = append(s.secrets, hidden...)
	s.mu.Unlock()
}

// Proxy is the proxy in use ("": direct).
func (s *Session) Proxy() string { return s.net.proxy() }

// UDPProxy is the SOCKS5 proxy HTTP/3 goes through ("": direct, or proxy=).
func (s *Session) UDPProxy() string {
	s.net.mu.Lock()
	defer s.net.mu.Unlock()
	return s.net.cfg.UDPProxy
}

// SetHeaderOrder sends the named headers first, in this order (none: as merged).
func (s *Session) SetHeaderOrder(names []string) error { return s.net.setHeaderOrder(names) }

// HeaderOrder is the order set with SetHeaderOrder, or else the session's header names
// as they are sent.
func (s *Session) HeaderOrder() []string {
	if order := s.net.order(); order != nil {
		return order
	}
	return headerNames(s.headers.current())
}

// Refresh drops the session's connections: new requests dial anew, with the TLS sessions
// it holds; streams already open finish on the old ones. A protocol ("h1", "h2", "h3",
// "auto") switches the session to it from then on; "" keeps the one in use. A switch the
// engine refuses (h3 with a custom TLS fingerprint, say) leaves the session as it was.
func (s *Session) Refresh(protocol string) error {
	var edit func(*engine.Config) error
	if protocol != "" {
		edit = func(cfg *engine.Config) error {
			cfg.HTTPVersion = protocol
			return nil
		}
	}
	if err := s.net.rebuild(edit); err != nil {
		return err
	}
	s.cache.reload.Store(true) // the next request is a reload's (conditional_cache.go)
	return nil
}

// EngineConfig is what the session's current engine was built from.
func (s *Session) EngineConfig() engine.Config { return s.net.config() }
