package main

import (
	"encoding/json"
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

func init() {
	// headers.set {headers: [[name, value], ...]}: the session's own headers from now on.
	registerCall("headers.set", func(s *session, args json.RawMessage) (any, error) {
		var a struct {
			Headers [][2]string `json:"headers"`
		}
		if err := decodeArgs(args, &a); err != nil {
			return nil, err
		}
		if err := wire.ValidateHeaders(a.Headers); err != nil {
			return nil, err
		}
		s.headers.set(a.Headers)
		return nil, nil
	})
}
