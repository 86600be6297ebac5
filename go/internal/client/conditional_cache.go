package client

// A browser revalidates what it has seen: the session keeps each URL's ETag and
// Last-Modified and sends them back as If-None-Match / If-Modified-Since on the next GET
// of that URL, as the upstream bindings do (their "conditional cache"). It keeps only the
// validators, never a body: a 304 reaches the caller as a 304.

import (
	"net/url"
	"strings"
	"sync"
	"sync/atomic"

	"httpcloakpy/internal/wire"
)

// conditionalCacheLimit bounds the URLs remembered; the oldest are forgotten first.
const conditionalCacheLimit = 4096

type validators struct{ etag, lastModified string }

type conditionalCache struct {
	off atomic.Bool
	// reload: the next request follows refresh() and asks caches to revalidate, as a
	// browser's reload does (cache-control: max-age=0).
	reload atomic.Bool

	mu      sync.Mutex
	entries map[string]validators
	order   []string // keys, oldest first (a key may appear again after being replaced)
}

func newConditionalCache(off bool) *conditionalCache {
	c := &conditionalCache{entries: map[string]validators{}}
	c.off.Store(off)
	return c
}

// cacheKey is the URL without its fragment, which never reaches the server.
func cacheKey(u *url.URL) string {
	bare := *u
	bare.Fragment, bare.RawFragment = "", ""
	return bare.String()
}

// addTo gives a GET or HEAD the URL's validators, unless the caller set its own.
func (c *conditionalCache) addTo(method string, u *url.URL, headers [][2]string) [][2]string {
	if c.off.Load() || (method != "GET" && method != "HEAD") {
		return headers
	}
	if _, own := wire.HeaderValue(headers, "if-none-match"); own {
		return headers
	}
	if _, own := wire.HeaderValue(headers, "if-modified-since"); own {
		return headers
	}
	c.mu.Lock()
	v, ok := c.entries[cacheKey(u)]
	c.mu.Unlock()
	if !ok {
		return headers
	}
	var extra [][2]string
	if v.etag != "" {
		extra = append(extra, [2]string{"if-none-match", v.etag})
	}
	if v.lastModified != "" {
		extra = append(extra, [2]string{"if-modified-since", v.lastModified})
	}
	return wire.MergeHeaders(headers, extra)
}

// store keeps the validators of a successful GET (200), or of a 304 that brings new ones.
func (c *conditionalCache) store(method string, u *url.URL, status int, headers [][2]string) {
	if c.off.Load() || method != "GET" || (status != 200 && status != 304) {
		return
	}
	etag, _ := wire.HeaderValue(headers, "etag")
	modified, _ := wire.HeaderValue(headers, "last-modified")
	etag, modified = strings.TrimSpace(etag), strings.TrimSpace(modified)
	if etag == "" && modified == "" {
		return
	}
	key := cacheKey(u)
	c.mu.Lock()
	defer c.mu.Unlock()
	if _, known := c.entries[key]; !known {
		c.order = append(c.order, key)
	}
	c.entries[key] = validators{etag: etag, lastModified: modified}
	for len(c.entries) > conditionalCacheLimit {
		oldest := c.order[0]
		c.order = c.order[1:]
		delete(c.entries, oldest)
	}
}

func (c *conditionalCache) clear() {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.entries = map[string]validators{}
	c.order = nil
}

func (c *conditionalCache) size() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return len(c.entries)
}

// afterReload adds cache-control: max-age=0 to the first request after a refresh, first
// among the headers as Chrome's reload sends it, unless the caller set cache-control.
func (c *conditionalCache) afterReload(headers [][2]string) [][2]string {
	if !c.reload.CompareAndSwap(true, false) {
		return headers
	}
	if _, own := wire.HeaderValue(headers, "cache-control"); own {
		return headers
	}
	return append([][2]string{{"cache-control", "max-age=0"}}, headers...)
}

// ClearCache forgets every URL's validators; the cache stays on.
func (s *Session) ClearCache() { s.cache.clear() }

// SetConditionalCache turns sending and keeping validators on or off; what is kept stays.
func (s *Session) SetConditionalCache(enabled bool) { s.cache.off.Store(!enabled) }

// ConditionalCache reports whether validators are sent and kept.
func (s *Session) ConditionalCache() bool { return !s.cache.off.Load() }
