package client

import (
	"strings"
	"sync"

	"httpcloakpy/internal/engine"
	"httpcloakpy/internal/errs"
	"httpcloakpy/internal/wire"
)

// sessionNet holds what a session may change while it runs: the proxy (by rebuilding the
// engine behind swap) and the header order. Requests read both under mu.
type sessionNet struct {
	swap  *engine.Swappable
	retry retryPolicy

	mu          sync.Mutex
	cfg         engine.Config // what the current engine was built from
	headerOrder []string      // lower-case names to send first, in this order; nil: as merged
}

// rebuild builds an engine like the current one with cfg changed by edit, and swaps it
// in; existing exchanges finish on the old one.
func (n *sessionNet) rebuild(edit func(*engine.Config) error) error {
	n.mu.Lock()
	defer n.mu.Unlock()
	cfg := n.cfg
	if edit != nil {
		if err := edit(&cfg); err != nil {
			return err
		}
	}
	eng, err := engine.New(cfg)
	if err != nil {
		return err
	}
	if err := n.swap.Swap(eng); err != nil {
		return err
	}
	n.cfg = cfg
	return nil
}

// config is what the current engine was built from.
func (n *sessionNet) config() engine.Config {
	n.mu.Lock()
	defer n.mu.Unlock()
	return n.cfg
}

func (n *sessionNet) proxy() string {
	n.mu.Lock()
	defer n.mu.Unlock()
	return n.cfg.Proxy
}

func (n *sessionNet) setHeaderOrder(names []string) error {
	order, err := checkedHeaderOrder(names)
	if err != nil {
		return err
	}
	n.mu.Lock()
	defer n.mu.Unlock()
	if len(order) == 0 {
		order = nil
	}
	n.headerOrder = order
	return nil
}

// checkedHeaderOrder is names lower-cased, each a header name and listed once.
func checkedHeaderOrder(names []string) ([]string, error) {
	order := make([]string, 0, len(names))
	seen := make(map[string]bool, len(names))
	for _, name := range names {
		lower := strings.ToLower(name)
		if !wire.IsToken(lower) {
			return nil, errs.New(errs.KindInvalidArgument, "invalid header name %q in header order", name)
		}
		if seen[lower] {
			return nil, errs.New(errs.KindInvalidArgument, "header %q appears twice in header order", name)
		}
		seen[lower] = true
		order = append(order, lower)
	}
	return order, nil
}

func (n *sessionNet) order() []string {
	n.mu.Lock()
	defer n.mu.Unlock()
	return n.headerOrder
}

// orderHeaders puts the named headers first, in the given order (each name's values keep
// theirs), then every other header as it was.
func orderHeaders(headers [][2]string, order []string) [][2]string {
	if len(order) == 0 {
		return headers
	}
	out := make([][2]string, 0, len(headers))
	listed := make(map[string]bool, len(order))
	for _, name := range order {
		listed[name] = true
		for _, h := range headers {
			if strings.EqualFold(h[0], name) {
				out = append(out, h)
			}
		}
	}
	for _, h := range headers {
		if !listed[strings.ToLower(h[0])] {
			out = append(out, h)
		}
	}
	return out
}

// headerNames is the session's default order: its header names, once each, lower case.
func headerNames(headers [][2]string) []string {
	names := make([]string, 0, len(headers))
	seen := make(map[string]bool, len(headers))
	for _, h := range headers {
		name := strings.ToLower(h[0])
		if !seen[name] {
			seen[name] = true
			names = append(names, name)
		}
	}
	return names
}
