package client

import (
	"sync/atomic"

	"httpcloakpy/internal/wire"
)

// sessionHeaders are the headers every request of a session starts from: the preset's,
// with the caller's session headers merged in. The caller's part can be replaced while the
// session runs (Python's `s.headers` is edited like requests'), so the merged list is
// swapped whole and a request reads one consistent version.
type sessionHeaders struct {
	preset [][2]string // the preset's headers, in wire order (none with tls_only)
	merged atomic.Pointer[[][2]string]
}

func newSessionHeaders(preset, own [][2]string) *sessionHeaders {
	h := &sessionHeaders{preset: preset}
	h.set(own)
	return h
}

func (h *sessionHeaders) set(own [][2]string) {
	merged := wire.MergeHeaders(h.preset, own)
	h.merged.Store(&merged)
}

func (h *sessionHeaders) current() [][2]string { return *h.merged.Load() }

// fork gives a child session its own copy to replace, starting from the same headers.
func (h *sessionHeaders) fork() *sessionHeaders {
	child := &sessionHeaders{preset: h.preset}
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
