package main

import (
	"sync"
)

// headerOrderEntry is one request's header names in wire order, plus the
// request line fields used to match it to the http.Request the server built.
type headerOrderEntry struct {
	method string
	target string
	names  []string
}

// headerOrderQueue hands entries recorded on the read path to handlers.
// Entries are matched by method and target instead of position, because
// the server may reject a request before any handler sees it.
type headerOrderQueue struct {
	mu      sync.Mutex
	entries []headerOrderEntry
	// dropOlder says whether entries older than a match are stale (true for
	// HTTP/1, where requests are handled one after another).
	dropOlder bool
}

// maxQueuedHeaderOrders bounds memory on connections whose requests never
// reach a handler.
const maxQueuedHeaderOrders = 64

func (q *headerOrderQueue) push(e headerOrderEntry) {
	q.mu.Lock()
	defer q.mu.Unlock()
	if len(q.entries) >= maxQueuedHeaderOrders {
		q.entries = q.entries[1:]
	}
	q.entries = append(q.entries, e)
}

// take removes and returns the names recorded for the request.
func (q *headerOrderQueue) take(method, target string) ([]string, bool) {
	q.mu.Lock()
	defer q.mu.Unlock()
	for i, e := range q.entries {
		if e.method != method || e.target != target {
			continue
		}
		if q.dropOlder {
			q.entries = q.entries[i+1:]
		} else {
			q.entries = append(q.entries[:i:i], q.entries[i+1:]...)
		}
		return e.names, true
	}
	return nil, false
}
