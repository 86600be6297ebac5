package main

// TLS session tickets that outlive the process: the engine keeps them in a cache we own,
// so a saved session can carry them and a restored one resumes TLS (pre_shared_key).
//
// tls-client keeps its ClientSessionCache in an unexported field of its unexported round
// tripper, with no option to supply one, and only creates it when it believes the profile
// resumes sessions. It decides that from the profile's name ("Chrome-133"), which maps to
// utls' built-in spec without pre_shared_key, so even its chrome_133_PSK profile never
// resumes. installTicketCache looks at the spec the profile really sends and, when it has
// a pre_shared_key extension, sets our cache by reflection right after the client is built,
// before any connection. TestTicketCacheInstalls fails loudly if the engine's layout changes.

import (
	"fmt"
	"reflect"
	"sync"
	"sync/atomic"
	"unsafe"

	tlsclient "github.com/bogdanfinn/tls-client"
	"github.com/bogdanfinn/tls-client/profiles"
	tls "github.com/bogdanfinn/utls"
)

// maxTickets bounds the cache as the engine's own LRU does (32 hosts).
const maxTickets = 32

// ticketCache is a tls.ClientSessionCache that can export and import its entries.
type ticketCache struct {
	mu    sync.Mutex
	byKey map[string]*tls.ClientSessionState
	order []string // oldest first
	// scope is the ClientHello id of the engine that owns the cache; it keys the shared
	// backend (session_cache_backend.go). Empty: the cache is never shared.
	scope string
	// shared is the store beyond this process (nil: none).
	shared *sharedTickets
	// identity, when set (set_session_identifier), goes in front of scope in the shared
	// backend's keys, so sessions of different users never resume each other's TLS.
	identity atomic.Pointer[string]
	// trust is how the owning session checks servers (session_trust.go): its tag keys the
	// shared backend, and a session from outside must verify with it to be resumed.
	trust atomic.Pointer[sessionTrust]
}

// sharedScope is the backend key's scope: "" (never shared), or the ClientHello id and
// the trust settings' tag, prefixed by the session identifier when there is one.
func (c *ticketCache) sharedScope() string {
	if c.scope == "" {
		return ""
	}
	scope := c.scope + ":" + c.trustSettings().tag
	if id := c.identity.Load(); id != nil && *id != "" {
		return *id + ":" + scope
	}
	return scope
}

func (c *ticketCache) trustSettings() sessionTrust {
	if t := c.trust.Load(); t != nil {
		return *t
	}
	return sessionTrust{verify: true, tag: "system"}
}

func (c *ticketCache) count() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return len(c.byKey)
}

// tlsSessionJSON is one resumable TLS session: the cache key (the server name), the
// server's opaque ticket and the client's state for it (utls SessionState.Bytes).
type tlsSessionJSON struct {
	Key    string `json:"key"`
	Ticket []byte `json:"ticket"`
	State  []byte `json:"state"`
	// Scope is the ClientHello that made the session: another fingerprint must not
	// resume it (the server would link the two). Empty in states saved before it existed.
	Scope string `json:"scope,omitempty"`
}

func newTicketCache() *ticketCache {
	return &ticketCache{byKey: make(map[string]*tls.ClientSessionState)}
}

func (c *ticketCache) Get(key string) (*tls.ClientSessionState, bool) {
	c.mu.Lock()
	cs, ok := c.byKey[key]
	c.mu.Unlock()
	scope := c.sharedScope()
	if ok || scope == "" || c.shared == nil {
		return cs, ok
	}
	// Outside our lock: it may be slow. A session another process made must verify
	// with our own trust settings.
	admit := func(cs *tls.ClientSessionState) error { return c.trustSettings().admits(key, cs) }
	if cs = c.shared.fetch(scope, key, admit); cs == nil {
		return nil, false
	}
	c.store(key, cs)
	return cs, true
}

// Put keeps a session the engine received (nil: one the server refused) and tells the
// shared backend, if any.
func (c *ticketCache) Put(key string, cs *tls.ClientSessionState) {
	c.store(key, cs)
	if scope := c.sharedScope(); scope != "" && c.shared != nil {
		c.shared.share(scope, key, cs)
	}
}

func (c *ticketCache) store(key string, cs *tls.ClientSessionState) {
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

func (c *ticketCache) forget(key string) {
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

// export serializes every cached session, oldest first.
func (c *ticketCache) export() ([]tlsSessionJSON, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	out := make([]tlsSessionJSON, 0, len(c.order))
	for _, key := range c.order {
		ticket, state, err := c.byKey[key].ResumptionState()
		if err != nil || state == nil {
			continue
		}
		raw, err := state.Bytes()
		if err != nil {
			return nil, newError(kindInternal, "serializing the TLS session for %s: %v", key, err)
		}
		out = append(out, tlsSessionJSON{Key: key, Ticket: ticket, State: raw, Scope: c.scope})
	}
	return out, nil
}

// restore parses saved sessions into the cache; a malformed one is an InvalidArgument.
// Sessions another ClientHello made, and those whose server does not verify with this
// session's trust settings, are skipped.
func (c *ticketCache) restore(saved []tlsSessionJSON) error {
	for _, s := range saved {
		if s.Key == "" || len(s.Ticket) == 0 {
			return newError(kindInvalidArgument, "a saved TLS session needs a key and a ticket")
		}
		if s.Scope != "" && c.scope != "" && s.Scope != c.scope {
			continue
		}
		state, err := tls.ParseSessionState(s.State)
		if err != nil {
			return newError(kindInvalidArgument, "saved TLS session for %s: %v", s.Key, err)
		}
		cs, err := tls.NewResumptionState(s.Ticket, state)
		if err != nil {
			return newError(kindInvalidArgument, "saved TLS session for %s: %v", s.Key, err)
		}
		if c.trustSettings().admits(s.Key, cs) != nil {
			continue
		}
		c.store(s.Key, cs)
	}
	return nil
}

// installTicketCache gives the engine a ticketCache (keep when given, else a fresh one
// sharing with shared) checking with trust. It returns nil (and leaves the engine alone)
// when the profile's ClientHello has no pre_shared_key extension, so resumption is never
// added to a fingerprint that lacks it.
func installTicketCache(client tlsclient.HttpClient, profile profiles.ClientProfile, keep *ticketCache, shared *sharedTickets, trust sessionTrust) (*ticketCache, error) {
	if !offersPSK(profile) {
		return nil, nil
	}
	field, err := engineSessionCacheField(client)
	if err != nil {
		return nil, err
	}
	cache := keep
	if cache == nil {
		cache = newTicketCache()
		cache.scope = profile.GetClientHelloStr()
		cache.shared = shared
	}
	cache.trust.Store(&trust)
	field.Set(reflect.ValueOf(tls.ClientSessionCache(cache)))
	return cache, nil
}

func offersPSK(profile profiles.ClientProfile) bool {
	id := profile.GetClientHelloId()
	if id.SpecFactory == nil {
		return false
	}
	spec, err := id.ToSpec()
	if err != nil {
		return false
	}
	for _, ext := range spec.Extensions {
		if _, ok := ext.(*tls.UtlsPreSharedKeyExtension); ok {
			return true
		}
	}
	return false
}

// engineSessionCacheField is the settable clientSessionCache field of the client's round
// tripper (httpClient.Client.Transport.(*roundTripper).clientSessionCache).
func engineSessionCacheField(client tlsclient.HttpClient) (reflect.Value, error) {
	v := reflect.ValueOf(client)
	if v.Kind() != reflect.Pointer || v.Elem().Kind() != reflect.Struct {
		return reflect.Value{}, fmt.Errorf("engine client is a %s, not a pointer to a struct", v.Type())
	}
	transport := v.Elem().FieldByName("Client").FieldByName("Transport")
	if !transport.IsValid() || transport.IsNil() {
		return reflect.Value{}, fmt.Errorf("engine client has no Client.Transport")
	}
	rt := transport.Elem()
	if rt.Kind() != reflect.Pointer || rt.Elem().Kind() != reflect.Struct {
		return reflect.Value{}, fmt.Errorf("engine transport is a %s", rt.Type())
	}
	field := rt.Elem().FieldByName("clientSessionCache")
	want := reflect.TypeOf((*tls.ClientSessionCache)(nil)).Elem()
	if !field.IsValid() || field.Type() != want {
		return reflect.Value{}, fmt.Errorf("engine transport %s has no clientSessionCache of type %s", rt.Type(), want)
	}
	return reflect.NewAt(field.Type(), unsafe.Pointer(field.UnsafeAddr())).Elem(), nil
}
