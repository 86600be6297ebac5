package client

import (
	"net"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"

	"httpcloakpy/internal/wire"
)

// High-entropy client hints, as Chromium sends them: only to an origin whose response asked
// for them with Accept-CH, and only those it named; each Accept-CH replaces what that origin
// asked before. Chrome honours Accept-CH from secure origins only (https, or loopback).

type acceptCH struct {
	values [][2]string // the preset's hints (name, value) in the browser's order; nil: none
	off    atomic.Bool // without_high_entropy_client_hints, set_high_entropy_client_hints

	mu       sync.Mutex
	byOrigin map[string]map[string]bool // origin -> hint names asked for (lowercase)
}

func newAcceptCH(values [][2]string, off bool) *acceptCH {
	a := &acceptCH{values: values, byOrigin: map[string]map[string]bool{}}
	a.off.Store(off)
	return a
}

// remember keeps what the response from u asked for.
func (a *acceptCH) remember(u *url.URL, headers [][2]string) {
	if a.values == nil || !secureOrigin(u) {
		return
	}
	asked, ok := wire.HeaderValue(headers, "accept-ch")
	if !ok {
		return
	}
	names := map[string]bool{}
	for _, name := range strings.Split(asked, ",") {
		if name = strings.ToLower(strings.TrimSpace(name)); name != "" {
			names[name] = true
		}
	}
	a.mu.Lock()
	a.byOrigin[originOf(u)] = names
	a.mu.Unlock()
}

// addTo puts the hints u's origin asked for into headers, after the low-entropy sec-ch-ua
// ones (none are added without them: client hints off, exact_headers, tls_only). A hint
// the caller set keeps the caller's value.
func (a *acceptCH) addTo(u *url.URL, headers [][2]string) [][2]string {
	if a.values == nil || a.off.Load() {
		return headers
	}
	a.mu.Lock()
	asked := a.byOrigin[originOf(u)]
	a.mu.Unlock()
	if len(asked) == 0 {
		return headers
	}
	at := -1
	for i, h := range headers {
		if strings.HasPrefix(strings.ToLower(h[0]), "sec-ch-ua") {
			at = i + 1
		}
	}
	if at < 0 {
		return headers
	}
	var add [][2]string
	for _, hint := range a.values {
		if _, given := wire.HeaderValue(headers, hint[0]); asked[hint[0]] && !given {
			add = append(add, hint)
		}
	}
	if add == nil {
		return headers
	}
	out := make([][2]string, 0, len(headers)+len(add))
	out = append(out, headers[:at]...)
	out = append(out, add...)
	return append(out, headers[at:]...)
}

// fork is a copy for a forked session: what origins asked for so far, and the switch.
func (a *acceptCH) fork() *acceptCH {
	child := newAcceptCH(a.values, a.off.Load())
	a.mu.Lock()
	for origin, names := range a.byOrigin {
		child.byOrigin[origin] = names // never modified in place: remember replaces the set
	}
	a.mu.Unlock()
	return child
}

// secureOrigin is a potentially trustworthy origin: https, or http to a loopback host.
func secureOrigin(u *url.URL) bool {
	if u.Scheme == "https" {
		return true
	}
	host := u.Hostname()
	if strings.EqualFold(host, "localhost") || strings.HasSuffix(strings.ToLower(host), ".localhost") {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// SetHighEntropyClientHints sends the hints origins ask for with Accept-CH, or none.
func (s *Session) SetHighEntropyClientHints(enabled bool) { s.acceptCH.off.Store(!enabled) }

// HighEntropyClientHints reports whether they are sent.
func (s *Session) HighEntropyClientHints() bool { return !s.acceptCH.off.Load() }
