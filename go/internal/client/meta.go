package client

import (
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

// Stats describe a session (session.stats).
type Stats struct {
	CreatedAt    float64 // unix seconds
	LastUsed     float64 // unix seconds
	AgeSeconds   float64
	IdleSeconds  float64
	RequestCount int64
	OpenStreams  int
	CookieCount  int
	CacheEntries int // URLs whose validators the conditional cache keeps
	TLSSessions  int // resumable TLS sessions held
	Identifier   string
}

// Stats are the session's numbers now.
func (s *Session) Stats() Stats {
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
	return Stats{
		CreatedAt:    unixSeconds(s.meta.created),
		LastUsed:     unixSeconds(last),
		AgeSeconds:   now.Sub(s.meta.created).Seconds(),
		IdleSeconds:  now.Sub(last).Seconds(),
		RequestCount: s.meta.requests.Load(),
		OpenStreams:  open,
		CookieCount:  len(s.jar.List(nil)),
		CacheEntries: s.cache.size(),
		TLSSessions:  tickets,
		Identifier:   identifier,
	}
}

func unixSeconds(t time.Time) float64 { return float64(t.UnixNano()) / 1e9 }

func isPrintableASCII(v string) bool {
	for i := 0; i < len(v); i++ {
		if v[i] < 0x21 || v[i] > 0x7e {
			return false
		}
	}
	return true
}

// Touch marks the session used now.
func (s *Session) Touch() { s.meta.touch() }

// SetIdentifier names the session: the name isolates its TLS sessions in a shared store.
func (s *Session) SetIdentifier(id string) error {
	if len(id) > 256 || !isPrintableASCII(id) {
		return errs.New(errs.KindInvalidArgument, "session identifier must be up to 256 printable ASCII characters")
	}
	s.meta.mu.Lock()
	s.meta.identifier = id
	s.meta.mu.Unlock()
	if cache := ticketsOf(s); cache != nil {
		cache.SetIdentity(id)
	}
	return nil
}
