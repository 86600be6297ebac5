package main

import (
	"encoding/json"
	"time"

	"httpcloakpy/internal/engine"
	"httpcloakpy/internal/jar"
	"httpcloakpy/internal/ticketcache"
)

// A session's state for marshal/unmarshal: its cookies and resumable TLS sessions. The
// Python side wraps it with the version and the options that recreate the session.
type sessionStateJSON struct {
	Cookies     []cookieJSON     `json:"cookies"`
	TLSSessions []tlsSessionJSON `json:"tls_sessions"`
}

func init() {
	registerCall("state.export", func(s *session, args json.RawMessage) (any, error) {
		if err := decodeArgs(args, &struct{}{}); err != nil {
			return nil, err
		}
		out := sessionStateJSON{Cookies: cookiesJSON(s.jar.List(nil)), TLSSessions: []tlsSessionJSON{}}
		if tickets := ticketsOf(s); tickets != nil {
			saved, err := tickets.Export()
			if err != nil {
				return nil, err
			}
			for _, one := range saved {
				out.TLSSessions = append(out.TLSSessions, tlsSessionJSON(one))
			}
		}
		return out, nil
	})
	registerCall("state.import", func(s *session, args json.RawMessage) (any, error) {
		var in sessionStateJSON
		if err := decodeArgs(args, &in); err != nil {
			return nil, err
		}
		entries := make([]*jar.Entry, 0, len(in.Cookies))
		for _, c := range in.Cookies {
			e, err := jar.NewEntry(jar.Cookie(c))
			if err != nil {
				return nil, err
			}
			entries = append(entries, e)
		}
		if tickets := ticketsOf(s); tickets != nil {
			saved := make([]ticketcache.Saved, len(in.TLSSessions))
			for i, one := range in.TLSSessions {
				saved[i] = ticketcache.Saved(one)
			}
			if err := tickets.Restore(saved); err != nil {
				return nil, err
			}
		}
		if !s.jar.Disabled {
			now := time.Now()
			for _, e := range entries {
				s.jar.Put(e, now) // an expired cookie is dropped
			}
		}
		return nil, nil
	})
}

func ticketsOf(s *session) *ticketcache.Cache {
	if keeper, ok := s.engine.(engine.TicketKeeper); ok {
		return keeper.TicketStore()
	}
	return nil
}
