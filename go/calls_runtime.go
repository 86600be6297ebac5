package main

import (
	"encoding/json"

	"httpcloakpy/internal/engine"
	"httpcloakpy/internal/errs"
	"httpcloakpy/internal/secrets"
	"httpcloakpy/internal/wire"
)

// Runtime network settings (calls.go): a change applies to requests started after it;
// streams already open keep their connection (engine_swap.go).
func init() {
	registerCall("proxy.set", func(s *session, args json.RawMessage) (any, error) {
		var a struct {
			Proxy string `json:"proxy"` // "" = direct
		}
		if err := decodeArgs(args, &a); err != nil {
			return nil, err
		}
		return nil, s.setProxy(a.Proxy)
	})
	registerCall("proxy.get", func(s *session, args json.RawMessage) (any, error) {
		if err := decodeArgs(args, &struct{}{}); err != nil {
			return nil, err
		}
		return s.net.proxy(), nil
	})
	registerCall("udp_proxy.set", func(s *session, args json.RawMessage) (any, error) {
		var a struct {
			Proxy string `json:"proxy"` // "" = direct
		}
		if err := decodeArgs(args, &a); err != nil {
			return nil, err
		}
		return nil, s.setUDPProxy(a.Proxy)
	})
	registerCall("udp_proxy.get", func(s *session, args json.RawMessage) (any, error) {
		if err := decodeArgs(args, &struct{}{}); err != nil {
			return nil, err
		}
		s.net.mu.Lock()
		defer s.net.mu.Unlock()
		return s.net.cfg.UDPProxy, nil
	})
	registerCall("header_order.set", func(s *session, args json.RawMessage) (any, error) {
		var a struct {
			Order []string `json:"order"`
		}
		if err := decodeArgs(args, &a); err != nil {
			return nil, err
		}
		return nil, s.net.setHeaderOrder(a.Order)
	})
	registerCall("header_order.get", func(s *session, args json.RawMessage) (any, error) {
		if err := decodeArgs(args, &struct{}{}); err != nil {
			return nil, err
		}
		if order := s.net.order(); order != nil {
			return order, nil
		}
		return headerNames(s.headers.current()), nil
	})
	registerCall("session.refresh", func(s *session, args json.RawMessage) (any, error) {
		if err := decodeArgs(args, &struct{}{}); err != nil {
			return nil, err
		}
		return nil, s.net.rebuild(nil)
	})
}

// setProxy rebuilds the engine with another proxy (credentials masked, see hide).
func (s *session) setProxy(proxyURL string) error {
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

// setUDPProxy rebuilds an HTTP/3 session's engine with another SOCKS5 UDP proxy; the old
// association closes when its last stream does.
func (s *session) setUDPProxy(proxyURL string) error {
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
func (s *session) hide(proxyURL string) {
	hidden := secrets.OfProxy(proxyURL)
	s.services.secrets.Register(hidden)
	s.mu.Lock()
	s.secrets = append(s.secrets, hidden...)
	s.mu.Unlock()
}
