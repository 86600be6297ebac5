package client

import (
	"strings"

	"httpcloakpy/internal/fingerprint"
)

// A session can leave out its preset's client hints (the sec-ch-* headers), as a browser
// with them turned off would: the without_client_hints option, or client_hints.set while
// it runs. Headers the caller passes on a request are always sent.

// BaseHeaders are the session's headers for the next navigation.
func (s *Session) BaseHeaders() [][2]string { return s.BaseHeadersFor(fingerprint.RequestKind{}) }

// BaseHeadersFor are the session's headers for the next request of kind.
func (s *Session) BaseHeadersFor(kind fingerprint.RequestKind) [][2]string {
	headers := s.headers.forKind(kind)
	if !s.hintsOff.Load() {
		return headers
	}
	return withoutClientHints(headers)
}

// withoutClientHints is headers without the sec-ch-* ones.
func withoutClientHints(headers [][2]string) [][2]string {
	kept := make([][2]string, 0, len(headers))
	for _, h := range headers {
		if !strings.HasPrefix(strings.ToLower(h[0]), "sec-ch-") {
			kept = append(kept, h)
		}
	}
	return kept
}

// SetClientHints sends the preset's client hints (sec-ch-*) or leaves them out.
func (s *Session) SetClientHints(enabled bool) { s.hintsOff.Store(!enabled) }

// ClientHints reports whether the preset's client hints are sent.
func (s *Session) ClientHints() bool { return !s.hintsOff.Load() }
