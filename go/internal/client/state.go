package client

import (
	"time"

	"httpcloakpy/internal/engine"
	"httpcloakpy/internal/jar"
	"httpcloakpy/internal/ticketcache"
)

func ticketsOf(s *Session) *ticketcache.Cache {
	if keeper, ok := s.engine.(engine.TicketKeeper); ok {
		return keeper.TicketStore()
	}
	return nil
}

// ExportState is what a saved session carries: its cookies and resumable TLS sessions.
func (s *Session) ExportState() ([]jar.Cookie, []ticketcache.Saved, error) {
	var saved []ticketcache.Saved
	if tickets := ticketsOf(s); tickets != nil {
		var err error
		if saved, err = tickets.Export(); err != nil {
			return nil, nil, err
		}
	}
	return s.jar.List(nil), saved, nil
}

// ImportState restores a saved state: everything is checked before anything is stored.
// A cookie already expired is dropped, a TLS session another fingerprint made or whose
// server this session would not trust is skipped.
func (s *Session) ImportState(cookies []jar.Cookie, saved []ticketcache.Saved) error {
	entries := make([]*jar.Entry, 0, len(cookies))
	for _, c := range cookies {
		e, err := jar.NewEntry(c)
		if err != nil {
			return err
		}
		entries = append(entries, e)
	}
	if tickets := ticketsOf(s); tickets != nil {
		if err := tickets.Restore(saved); err != nil {
			return err
		}
	}
	if !s.jar.Disabled {
		now := time.Now()
		for _, e := range entries {
			s.jar.Put(e, now)
		}
	}
	return nil
}
