package main

import "encoding/json"

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
		return headerNames(s.headers), nil
	})
	registerCall("session.refresh", func(s *session, args json.RawMessage) (any, error) {
		if err := decodeArgs(args, &struct{}{}); err != nil {
			return nil, err
		}
		return nil, s.net.rebuild(nil)
	})
}

// setProxy rebuilds the engine with another proxy. The new credentials are masked from
// now on, and the old ones stay masked until the session closes (an old stream's error
// may still quote them).
func (s *session) setProxy(proxyURL string) error {
	if err := validateProxy(proxyURL); err != nil {
		return err
	}
	hidden := proxySecrets(proxyURL)
	registerSecrets(hidden)
	s.mu.Lock()
	s.secrets = append(s.secrets, hidden...)
	s.mu.Unlock()
	return s.net.rebuild(func(cfg *engineConfig) { cfg.proxy = proxyURL })
}
