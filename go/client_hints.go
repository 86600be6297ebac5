package main

import (
	"encoding/json"
	"strings"

	"httpcloakpy/internal/errs"
)

// A session can leave out its preset's client hints (the sec-ch-* headers), as a browser
// with them turned off would: the without_client_hints option, or client_hints.set while
// it runs. Headers the caller passes on a request are always sent.

// baseHeaders are the session's headers for the next request.
func (s *session) baseHeaders() [][2]string {
	headers := s.headers.current()
	if !s.hintsOff.Load() {
		return headers
	}
	kept := make([][2]string, 0, len(headers))
	for _, h := range headers {
		if !strings.HasPrefix(strings.ToLower(h[0]), "sec-ch-") {
			kept = append(kept, h)
		}
	}
	return kept
}

func init() {
	registerCall("client_hints.set", func(s *session, args json.RawMessage) (any, error) {
		var a struct {
			Enabled *bool `json:"enabled"`
		}
		if err := decodeArgs(args, &a); err != nil {
			return nil, err
		}
		if a.Enabled == nil {
			return nil, errs.New(errs.KindInvalidArgument, "client_hints.set needs enabled: true or false")
		}
		s.hintsOff.Store(!*a.Enabled)
		return nil, nil
	})
	registerCall("client_hints.get", func(s *session, args json.RawMessage) (any, error) {
		if err := decodeArgs(args, &struct{}{}); err != nil {
			return nil, err
		}
		return !s.hintsOff.Load(), nil
	})
}
