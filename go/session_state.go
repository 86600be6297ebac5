package main

import (
	"encoding/json"
	"time"
)

// A session's state for marshal/unmarshal: its cookies and resumable TLS sessions. The
// Python side wraps it with the version and the options that recreate the session.
type sessionStateJSON struct {
	Cookies     []cookieJSON     `json:"cookies"`
	TLSSessions []tlsSessionJSON `json:"tls_sessions"`
}

// ticketKeeper is an engine whose TLS session tickets can be saved and restored.
type ticketKeeper interface {
	ticketStore() *ticketCache // nil when the engine keeps none
}

func init() {
	registerCall("state.export", func(s *session, args json.RawMessage) (any, error) {
		if err := decodeArgs(args, &struct{}{}); err != nil {
			return nil, err
		}
		out := sessionStateJSON{Cookies: s.jar.list(nil), TLSSessions: []tlsSessionJSON{}}
		if tickets := ticketsOf(s); tickets != nil {
			saved, err := tickets.export()
			if err != nil {
				return nil, err
			}
			out.TLSSessions = saved
		}
		return out, nil
	})
	registerCall("state.import", func(s *session, args json.RawMessage) (any, error) {
		var in sessionStateJSON
		if err := decodeArgs(args, &in); err != nil {
			return nil, err
		}
		entries := make([]*jarEntry, 0, len(in.Cookies))
		for _, c := range in.Cookies {
			e, err := entryFromJSON(c)
			if err != nil {
				return nil, err
			}
			entries = append(entries, e)
		}
		if tickets := ticketsOf(s); tickets != nil {
			if err := tickets.restore(in.TLSSessions); err != nil {
				return nil, err
			}
		}
		if !s.jar.disabled {
			now := time.Now()
			for _, e := range entries {
				s.jar.put(e, now) // an expired cookie is dropped
			}
		}
		return nil, nil
	})
}

func ticketsOf(s *session) *ticketCache {
	if keeper, ok := s.engine.(ticketKeeper); ok {
		return keeper.ticketStore()
	}
	return nil
}
