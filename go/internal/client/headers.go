package client

import (
	"sync/atomic"

	"httpcloakpy/internal/fingerprint"
	"httpcloakpy/internal/wire"
)

// sessionHeaders are the headers every request of a session starts from: the preset's,
// with the caller's session headers merged in. The caller's part can be replaced while the
// session runs (Python's `s.headers` is edited like requests'), so the merged list is
// swapped whole and a request reads one consistent version.
type sessionHeaders struct {
	browser string      // the preset's browser family, for other request kinds
	preset  [][2]string // the preset's navigation headers, in wire order (none with tls_only)
	merged  atomic.Pointer[mergedHeaders]
}

// mergedHeaders: the caller's session headers, and the preset's navigation with them.
type mergedHeaders struct{ own, navigation [][2]string }

func newSessionHeaders(browser string, preset, own [][2]string) *sessionHeaders {
	h := &sessionHeaders{browser: browser, preset: preset}
	h.set(own)
	return h
}

func (h *sessionHeaders) set(own [][2]string) {
	h.merged.Store(&mergedHeaders{own: own, navigation: wire.MergeHeaders(h.preset, own)})
}

func (h *sessionHeaders) current() [][2]string { return h.merged.Load().navigation }

// forKind are the headers a request of kind starts from: the browser's for that kind,
// with the caller's session headers merged in.
func (h *sessionHeaders) forKind(kind fingerprint.RequestKind) [][2]string {
	m := h.merged.Load()
	if kind.Navigation() {
		return m.navigation
	}
	return wire.MergeHeaders(fingerprint.KindHeaders(h.browser, h.preset, kind), m.own)
}

// fork gives a child session its own copy to replace, starting from the same headers.
func (h *sessionHeaders) fork() *sessionHeaders {
	child := &sessionHeaders{browser: h.browser, preset: h.preset}
	child.merged.Store(h.merged.Load())
	return child
}

// SetHeaders makes headers the session's own from now on, laid over the preset's.
func (s *Session) SetHeaders(headers [][2]string) error {
	if err := wire.ValidateHeaders(headers); err != nil {
		return err
	}
	s.headers.set(headers)
	return nil
}
