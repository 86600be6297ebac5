package main

import (
	"sync"
	"sync/atomic"

	"httpcloakpy/internal/client"
	"httpcloakpy/internal/localproxy"
	"httpcloakpy/internal/notify"
	"httpcloakpy/internal/secrets"
	"httpcloakpy/internal/ticketcache"
)

// handleTable maps opaque 64-bit ids to live objects. Ids start high and only grow, so a
// stale, forged or zero id is never confused with a live one.
type handleTable[T any] struct {
	mu    sync.RWMutex
	items map[int64]T
	first int64
	next  atomic.Int64
}

func newHandleTable[T any](first int64) *handleTable[T] {
	t := &handleTable[T]{items: make(map[int64]T), first: first}
	t.next.Store(first)
	return t
}

// issued tells a handle that was closed from one that never existed.
func (t *handleTable[T]) issued(id int64) bool {
	return id > t.first && id <= t.next.Load()
}

func (t *handleTable[T]) add(item T) int64 {
	id := t.next.Add(1)
	t.mu.Lock()
	t.items[id] = item
	t.mu.Unlock()
	return id
}

func (t *handleTable[T]) get(id int64) (T, bool) {
	t.mu.RLock()
	item, ok := t.items[id]
	t.mu.RUnlock()
	return item, ok
}

// take removes and returns the item, so exactly one caller wins a concurrent close.
func (t *handleTable[T]) take(id int64) (T, bool) {
	t.mu.Lock()
	item, ok := t.items[id]
	delete(t.items, id)
	t.mu.Unlock()
	return item, ok
}

// removeIf drops every item for which gone is true (a closed session's streams).
func (t *handleTable[T]) removeIf(gone func(T) bool) {
	t.mu.Lock()
	defer t.mu.Unlock()
	for id, item := range t.items {
		if gone(item) {
			delete(t.items, id)
		}
	}
}

func (t *handleTable[T]) len() int {
	t.mu.RLock()
	defer t.mu.RUnlock()
	return len(t.items)
}

// The C caller's handles: each kind of object in its own table, ids in their own range.
var (
	sessions     = newHandleTable[*client.Session](1 << 32)
	localProxies = newHandleTable[*localproxy.Proxy](1 << 36)
	streams      = newHandleTable[*client.Stream](1 << 40)
	notifiers    = newHandleTable[*notify.Notifier](1 << 48)
)

// The process-wide services every session shares (the C caller configures the shared TLS
// session store with hc_session_cache_configure).
var (
	processSecrets = secrets.NewRegistry()
	sharedSessions = ticketcache.NewShared()
)
