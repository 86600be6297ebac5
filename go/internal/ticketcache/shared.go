package ticketcache

// A TLS session cache beyond one process: a backend the embedding program supplies (the
// Python package's SessionCacheBackend, over Redis or anything else) that every session's
// Cache consults when it holds no ticket for a server, and tells about every new or
// refused ticket. It is process-wide, as in the upstream binding: a worker fleet configures
// it once, and every session, whenever created, shares what the others learnt.
//
// The backend is the caller's code and may be slow or stuck, so it never runs under a lock
// of ours and never holds a connection up for long: a get that does not answer within the
// timeout is a miss (the handshake goes on without resumption), puts and deletes run in
// the background, and at most maxBackendCalls calls are in flight (beyond that a get is a
// miss and a write is dropped, both reported).
//
// Keys: "httpcloak:sessions:<ClientHello id>:<trust>:<server name>". The ClientHello id
// (for example "Chrome-133", or "httpcloak-custom-<hash>" for a ja3/extra_fp fingerprint)
// keeps one fingerprint from resuming another's session, which would link the two
// identities and could offer the server parameters the first never negotiated. The trust
// tag (trust.go: "system", "ca-<hash>", "insecure") keeps sessions with different
// trust settings apart; a fetched session must also verify with the fetching session's
// settings. The server name is the engine's own cache key (SNI); tickets are not per
// port, as in Go's and the browsers' caches.
//
// Values: JSON text {"ticket": base64, "state": base64, "created_at": unix seconds}, the
// upstream binding's fields: the server's opaque ticket and utls' SessionState.Bytes();
// with an HMAC key configured, also "mac" (mac.go).
//
// Trust model: whoever can write to the store can plant a session whose secret they
// know, for any server name and with that server's (public) certificate chain, and then
// answer as that server to a client that resumes it: resumption authenticates the server
// by the secret alone. Keep the store writable only by the fleet, or give every member the
// same HMAC key so entries anyone else wrote are refused.

import (
	"encoding/json"
	"fmt"
	"sync"
	"sync/atomic"
	"time"

	tls "github.com/bogdanfinn/utls"
)

const (
	sessionKeyPrefix = "httpcloak:sessions:"
	maxBackendCalls  = 64
	DefaultTimeout   = time.Second
	DefaultTTL       = 24 * time.Hour
	// MaxValue bounds what a get may hand back (a session with its certificate
	// chain is a few KiB).
	MaxValue = 1 << 20
)

// Backend is the shared store. get blocks as long as the backend takes; the sharing
// layer bounds it. Errors the store itself meets are its own to report.
type Backend interface {
	Get(key string) (value []byte, ok bool)
	Put(key string, value []byte, ttl time.Duration)
	Delete(key string)
	Report(op, key, message string)
}

// sharedTicketValue is a value in the backend.
type sharedTicketValue struct {
	Ticket    []byte `json:"ticket"`
	State     []byte `json:"state"`
	CreatedAt int64  `json:"created_at"`
	MAC       []byte `json:"mac,omitempty"`
}

type sharedStats struct {
	Configured bool
	Gets       int64
	Hits       int64
	Puts       int64
	Deletes    int64
	Timeouts   int64
	Errors     int64
	InFlight   int64
}

type Shared struct {
	mu      sync.Mutex
	backend Backend
	timeout time.Duration
	ttl     time.Duration
	macKey  []byte // nil: entries are not authenticated

	slots    chan struct{} // one token per backend call in flight
	writes   atomic.Int64  // puts and deletes not finished yet
	gets     atomic.Int64
	hits     atomic.Int64
	puts     atomic.Int64
	deletes  atomic.Int64
	timeouts atomic.Int64
	errors   atomic.Int64
}

func NewShared() *Shared {
	return &Shared{slots: make(chan struct{}, maxBackendCalls)}
}

func backendKey(scope, serverName string) string {
	return sessionKeyPrefix + scope + ":" + serverName
}

// Configure installs b (nil: none), whose entries macKey authenticates (nil: none).
// Removing a backend waits up to its timeout for the writes still running, so a process
// that is about to exit has handed its tickets over.
func (s *Shared) Configure(b Backend, timeout, ttl time.Duration, macKey []byte) {
	s.mu.Lock()
	old, oldTimeout := s.backend, s.timeout
	s.backend, s.timeout, s.ttl, s.macKey = b, timeout, ttl, macKey
	s.mu.Unlock()
	if b == nil && old != nil {
		s.drain(oldTimeout)
	}
}

func (s *Shared) drain(limit time.Duration) bool {
	deadline := time.Now().Add(limit)
	for s.writes.Load() > 0 {
		if time.Now().After(deadline) {
			return false
		}
		time.Sleep(2 * time.Millisecond)
	}
	return true
}

func (s *Shared) current() (Backend, time.Duration, time.Duration, []byte) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.backend, s.timeout, s.ttl, s.macKey
}

func (s *Shared) acquire() bool {
	select {
	case s.slots <- struct{}{}:
		return true
	default:
		return false
	}
}

func (s *Shared) release() { <-s.slots }

func (s *Shared) Fail(b Backend, op, key, format string, args ...any) {
	s.errors.Add(1)
	go b.Report(op, key, fmt.Sprintf(format, args...))
}

// Fetch asks the backend for the session of serverName, waiting at most the timeout; a
// session admit refuses is a miss, reported.
func (s *Shared) Fetch(scope, serverName string, admit func(*tls.ClientSessionState) error) *tls.ClientSessionState {
	b, timeout, _, macKey := s.current()
	if b == nil {
		return nil
	}
	key := backendKey(scope, serverName)
	s.gets.Add(1)
	if !s.acquire() {
		s.Fail(b, "get", key, "%d backend calls already in flight; treated as a miss", maxBackendCalls)
		return nil
	}
	type answer struct {
		value []byte
		ok    bool
	}
	done := make(chan answer, 1)
	go func() {
		defer s.release()
		v, ok := b.Get(key)
		done <- answer{v, ok}
	}()
	timer := time.NewTimer(timeout)
	defer timer.Stop()
	var got answer
	select {
	case got = <-done:
	case <-timer.C:
		s.timeouts.Add(1)
		s.Fail(b, "get", key, "no answer within %v; treated as a miss", timeout)
		return nil
	}
	if !got.ok {
		return nil
	}
	cs, err := decodeSharedTicket(key, got.value, macKey)
	if err == nil {
		err = admit(cs)
	}
	if err != nil {
		s.Fail(b, "get", key, "%v; treated as a miss", err)
		return nil
	}
	s.hits.Add(1)
	return cs
}

// Share hands a new session to the backend (a nil one: deletes it), in the background.
func (s *Shared) Share(scope, serverName string, cs *tls.ClientSessionState) {
	b, _, ttl, macKey := s.current()
	if b == nil {
		return
	}
	key := backendKey(scope, serverName)
	var value []byte
	if cs != nil {
		var err error
		if value, err = encodeSharedTicket(key, cs, macKey); err != nil {
			s.Fail(b, "put", key, "%v", err)
			return
		}
		if value == nil {
			return // not resumable: nothing to share
		}
	}
	if !s.acquire() {
		s.Fail(b, opName(cs), key, "%d backend calls already in flight; dropped", maxBackendCalls)
		return
	}
	s.writes.Add(1)
	go func() {
		defer s.writes.Add(-1)
		defer s.release()
		if cs == nil {
			s.deletes.Add(1)
			b.Delete(key)
			return
		}
		s.puts.Add(1)
		b.Put(key, value, ttl)
	}()
}

func opName(cs *tls.ClientSessionState) string {
	if cs == nil {
		return "delete"
	}
	return "put"
}

func (s *Shared) Stats() sharedStats {
	b, _, _, _ := s.current()
	return sharedStats{
		Configured: b != nil,
		Gets:       s.gets.Load(),
		Hits:       s.hits.Load(),
		Puts:       s.puts.Load(),
		Deletes:    s.deletes.Load(),
		Timeouts:   s.timeouts.Load(),
		Errors:     s.errors.Load(),
		InFlight:   int64(len(s.slots)),
	}
}

// encodeSharedTicket is the backend value for cs under key (authenticated with macKey,
// if any), or nil when cs cannot be resumed.
func encodeSharedTicket(key string, cs *tls.ClientSessionState, macKey []byte) ([]byte, error) {
	ticket, state, err := cs.ResumptionState()
	if err != nil || state == nil || len(ticket) == 0 {
		return nil, nil
	}
	raw, err := state.Bytes()
	if err != nil {
		return nil, fmt.Errorf("serializing the TLS session: %v", err)
	}
	v := sharedTicketValue{Ticket: ticket, State: raw, CreatedAt: time.Now().Unix()}
	if macKey != nil {
		v.MAC = entryMAC(macKey, key, v)
	}
	return json.Marshal(v)
}

func decodeSharedTicket(key string, value []byte, macKey []byte) (*tls.ClientSessionState, error) {
	var v sharedTicketValue
	if err := json.Unmarshal(value, &v); err != nil {
		return nil, fmt.Errorf("value is not a shared TLS session: %v", err)
	}
	if len(v.Ticket) == 0 || len(v.State) == 0 {
		return nil, fmt.Errorf("value is not a shared TLS session: no ticket or state")
	}
	if macKey != nil && !entryAuthentic(macKey, key, v) {
		return nil, fmt.Errorf("value failed authentication (no or wrong mac: written without this process's HMAC key, or for another key)")
	}
	state, err := tls.ParseSessionState(v.State)
	if err != nil {
		return nil, fmt.Errorf("value holds a malformed TLS session: %v", err)
	}
	cs, err := tls.NewResumptionState(v.Ticket, state)
	if err != nil {
		return nil, fmt.Errorf("value holds a malformed TLS session: %v", err)
	}
	return cs, nil
}
