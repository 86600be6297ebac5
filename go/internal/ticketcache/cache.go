// Package ticketcache keeps TLS session tickets: per engine (Cache, which can be saved and
// restored), and shared beyond the process through a backend the embedding program
// supplies (Shared).
package ticketcache

import (
	"sync"
	"sync/atomic"

	"httpcloakpy/internal/errs"

	tls "github.com/bogdanfinn/utls"
)

// maxTickets bounds the cache as the engine's own LRU does (32 hosts).
const maxTickets = 32

// SharedStore is a TLS session store beyond this process: a cache asks it for the
// sessions it lacks (admit vets each before it is used) and tells it about new and
// refused (nil) ones.
type SharedStore interface {
	Fetch(scope, serverName string, admit func(*tls.ClientSessionState) error) *tls.ClientSessionState
	Share(scope, serverName string, cs *tls.ClientSessionState)
}

// Cache is a tls.ClientSessionCache that can export and import its entries.
type Cache struct {
	mu    sync.Mutex
	byKey map[string]*tls.ClientSessionState
	order []string // oldest first
	// scope is the ClientHello id of the engine that owns the cache; it keys the shared
	// backend (shared.go). Empty: the cache is never shared.
	scope string
	// shared is the store beyond this process (nil: none).
	shared SharedStore
	// identity, when set (set_session_identifier), goes in front of scope in the shared
	// backend's keys, so sessions of different users never resume each other's TLS.
	identity atomic.Pointer[string]
	// trust is how the owning session checks servers (trust.go): its tag keys the
	// shared backend, and a session from outside must verify with it to be resumed.
	trust atomic.Pointer[Trust]
}

// sharedScope is the backend key's scope: "" (never shared), or the ClientHello id and
// the trust settings' tag, prefixed by the session identifier when there is one.
func (c *Cache) sharedScope() string {
	if c.scope == "" {
		return ""
	}
	scope := c.scope + ":" + c.trustSettings().Tag
	if id := c.identity.Load(); id != nil && *id != "" {
		return *id + ":" + scope
	}
	return scope
}

func (c *Cache) trustSettings() Trust {
	if t := c.trust.Load(); t != nil {
		return *t
	}
	return Trust{verify: true, Tag: "system"}
}

func (c *Cache) Count() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return len(c.byKey)
}

// Saved is one resumable TLS session: the cache key (the server name), the
// server's opaque ticket and the client's state for it (utls SessionState.Bytes).
type Saved struct {
	Key    string
	Ticket []byte
	State  []byte
	// Scope is the ClientHello that made the session: another fingerprint must not
	// resume it (the server would link the two). Empty in states saved before it existed.
	Scope string
}

// NewCache makes a cache for the engine whose ClientHello id is scope ("": never
// shared), sharing with shared (nil: nothing beyond this process).
func NewCache(scope string, shared SharedStore) *Cache {
	return &Cache{byKey: make(map[string]*tls.ClientSessionState), scope: scope, shared: shared}
}

// SetIdentity puts id in front of the scope in the shared store's keys ("": none).
func (c *Cache) SetIdentity(id string) { c.identity.Store(&id) }

// SetTrust makes t how sessions from outside (the shared store, a saved state) are vetted.
func (c *Cache) SetTrust(t Trust) { c.trust.Store(&t) }

func (c *Cache) Get(key string) (*tls.ClientSessionState, bool) {
	c.mu.Lock()
	cs, ok := c.byKey[key]
	c.mu.Unlock()
	scope := c.sharedScope()
	if ok || scope == "" || c.shared == nil {
		return cs, ok
	}
	// Outside our lock: it may be slow. A session another process made must verify
	// with our own trust settings.
	admit := func(cs *tls.ClientSessionState) error { return c.trustSettings().Admits(key, cs) }
	if cs = c.shared.Fetch(scope, key, admit); cs == nil {
		return nil, false
	}
	c.store(key, cs)
	return cs, true
}

// Put keeps a session the engine received (nil: one the server refused) and tells the
// shared backend, if any.
func (c *Cache) Put(key string, cs *tls.ClientSessionState) {
	c.store(key, cs)
	if scope := c.sharedScope(); scope != "" && c.shared != nil {
		c.shared.Share(scope, key, cs)
	}
}

func (c *Cache) store(key string, cs *tls.ClientSessionState) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.forget(key)
	if cs == nil {
		return
	}
	if len(c.order) >= maxTickets {
		c.forget(c.order[0])
	}
	c.byKey[key] = cs
	c.order = append(c.order, key)
}

func (c *Cache) forget(key string) {
	if _, ok := c.byKey[key]; !ok {
		return
	}
	delete(c.byKey, key)
	for i, k := range c.order {
		if k == key {
			c.order = append(c.order[:i], c.order[i+1:]...)
			break
		}
	}
}

// Export serializes every cached session, oldest first.
func (c *Cache) Export() ([]Saved, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	out := make([]Saved, 0, len(c.order))
	for _, key := range c.order {
		ticket, state, err := c.byKey[key].ResumptionState()
		if err != nil || state == nil {
			continue
		}
		raw, err := state.Bytes()
		if err != nil {
			return nil, errs.New(errs.KindInternal, "serializing the TLS session for %s: %v", key, err)
		}
		out = append(out, Saved{Key: key, Ticket: ticket, State: raw, Scope: c.scope})
	}
	return out, nil
}

// Restore parses saved sessions into the cache; a malformed one is an InvalidArgument.
// Sessions another ClientHello made, and those whose server does not verify with this
// session's trust settings, are skipped.
func (c *Cache) Restore(saved []Saved) error {
	for _, s := range saved {
		if s.Key == "" || len(s.Ticket) == 0 {
			return errs.New(errs.KindInvalidArgument, "a saved TLS session needs a key and a ticket")
		}
		if s.Scope != "" && c.scope != "" && s.Scope != c.scope {
			continue
		}
		state, err := tls.ParseSessionState(s.State)
		if err != nil {
			return errs.New(errs.KindInvalidArgument, "saved TLS session for %s: %v", s.Key, err)
		}
		cs, err := tls.NewResumptionState(s.Ticket, state)
		if err != nil {
			return errs.New(errs.KindInvalidArgument, "saved TLS session for %s: %v", s.Key, err)
		}
		if c.trustSettings().Admits(s.Key, cs) != nil {
			continue
		}
		c.store(s.Key, cs)
	}
	return nil
}
