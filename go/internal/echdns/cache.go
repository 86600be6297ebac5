package echdns

import (
	"sync"
	"time"
)

// Bounds of the cache: answers live for their TTL, at most a day; a name without a usable
// record (or whose servers did not answer) is asked again after negativeTTL; beyond
// maxEntries the expired entries go, then everything (a cache, not a store).
const (
	maxTTL      = 24 * time.Hour
	negativeTTL = 60 * time.Second
	maxEntries  = 4096
)

type entry struct {
	configs []byte // nil: no ECH for this name
	expires time.Time
}

type ttlCache struct {
	mu      sync.Mutex
	entries map[string]entry
}

var cache = &ttlCache{entries: map[string]entry{}}

func (c *ttlCache) get(name string, now time.Time) (entry, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	e, ok := c.entries[name]
	if !ok || !now.Before(e.expires) {
		return entry{}, false
	}
	return e, true
}

func (c *ttlCache) put(name string, configs []byte, ttl time.Duration, now time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if len(c.entries) >= maxEntries {
		for k, e := range c.entries {
			if !now.Before(e.expires) {
				delete(c.entries, k)
			}
		}
		if len(c.entries) >= maxEntries {
			c.entries = map[string]entry{}
		}
	}
	c.entries[name] = entry{configs: configs, expires: now.Add(min(ttl, maxTTL))}
}

func (c *ttlCache) clear() {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.entries = map[string]entry{}
}
