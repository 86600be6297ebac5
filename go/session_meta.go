package main

import (
	"encoding/json"
	"sync"
	"sync/atomic"
	"time"

	"httpcloakpy/internal/errs"
)

// sessionMeta is the bookkeeping the upstream bindings expose on a session: when it was
// made and last used, how many requests it started, and an identifier that isolates its
// TLS tickets in a shared session cache.
type sessionMeta struct {
	created  time.Time
	lastUsed atomic.Int64 // unix nanoseconds
	requests atomic.Int64

	mu         sync.Mutex
	identifier string
}

func newSessionMeta() *sessionMeta {
	m := &sessionMeta{created: time.Now()}
	m.touch()
	return m
}

func (m *sessionMeta) touch() { m.lastUsed.Store(time.Now().UnixNano()) }

// started counts a request and marks the session used.
func (m *sessionMeta) started() {
	m.requests.Add(1)
	m.touch()
}

type sessionStatsJSON struct {
	CreatedAt    float64 `json:"created_at"` // unix seconds
	LastUsed     float64 `json:"last_used"`  // unix seconds
	AgeSeconds   float64 `json:"age_seconds"`
	IdleSeconds  float64 `json:"idle_seconds"`
	RequestCount int64   `json:"request_count"`
	OpenStreams  int     `json:"open_streams"`
	CookieCount  int     `json:"cookie_count"`
	TLSSessions  int     `json:"tls_sessions"` // resumable TLS sessions held
	Identifier   string  `json:"identifier"`
}

func (s *session) stats() sessionStatsJSON {
	now := time.Now()
	last := time.Unix(0, s.meta.lastUsed.Load())
	s.mu.Lock()
	open := len(s.streams)
	s.mu.Unlock()
	s.meta.mu.Lock()
	identifier := s.meta.identifier
	s.meta.mu.Unlock()
	tickets := 0
	if cache := ticketsOf(s); cache != nil {
		tickets = cache.Count()
	}
	return sessionStatsJSON{
		CreatedAt:    unixSeconds(s.meta.created),
		LastUsed:     unixSeconds(last),
		AgeSeconds:   now.Sub(s.meta.created).Seconds(),
		IdleSeconds:  now.Sub(last).Seconds(),
		RequestCount: s.meta.requests.Load(),
		OpenStreams:  open,
		CookieCount:  len(s.jar.List(nil)),
		TLSSessions:  tickets,
		Identifier:   identifier,
	}
}

func unixSeconds(t time.Time) float64 { return float64(t.UnixNano()) / 1e9 }

func init() {
	registerCall("session.stats", func(s *session, args json.RawMessage) (any, error) {
		if err := decodeArgs(args, &struct{}{}); err != nil {
			return nil, err
		}
		return s.stats(), nil
	})
	registerCall("session.touch", func(s *session, args json.RawMessage) (any, error) {
		if err := decodeArgs(args, &struct{}{}); err != nil {
			return nil, err
		}
		s.meta.touch()
		return nil, nil
	})
	registerCall("session.identifier.set", func(s *session, args json.RawMessage) (any, error) {
		var a struct {
			Identifier string `json:"identifier"`
		}
		if err := decodeArgs(args, &a); err != nil {
			return nil, err
		}
		if len(a.Identifier) > 256 || !isPrintableASCII(a.Identifier) {
			return nil, errs.New(errs.KindInvalidArgument, "session identifier must be up to 256 printable ASCII characters")
		}
		s.meta.mu.Lock()
		s.meta.identifier = a.Identifier
		s.meta.mu.Unlock()
		if cache := ticketsOf(s); cache != nil {
			cache.SetIdentity(a.Identifier)
		}
		return nil, nil
	})
}

func isPrintableASCII(v string) bool {
	for i := 0; i < len(v); i++ {
		if v[i] < 0x21 || v[i] > 0x7e {
			return false
		}
	}
	return true
}
