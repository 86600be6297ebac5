package main

import (
	"net"
	"net/http"
	"net/url"
	"sort"
	"strings"
	"sync"
	"time"
)

// cookieJar is the session's RFC 6265 cookie store: it takes Set-Cookie from every
// response (redirect hops included), picks the cookies a request carries (host-only vs
// domain cookies, path prefixes, Secure only on https, expiry), and can be listed, edited
// and exported. A disabled jar (without_cookie_jar) stores and sends nothing.
//
// There is no public suffix list: a Domain attribute without a dot (e.g. "com") is refused
// unless it is the request host itself.
type cookieJar struct {
	disabled bool

	mu      sync.Mutex
	entries map[cookieKey]*jarEntry
	seq     uint64 // creation order, the tie-break after path length
}

type cookieKey struct{ domain, path, name string }

// maxCookies bounds the jar as browsers do (Chrome keeps 3000); the oldest go first.
const maxCookies = 3000

type jarEntry struct {
	name, value string
	domain      string // lower case, without a leading dot
	hostOnly    bool
	path        string
	expires     time.Time // zero: a session cookie
	secure      bool
	httpOnly    bool
	sameSite    string
	seq         uint64
}

// cookieJSON is a cookie as the Python side sees it. Domain has a leading dot for a
// domain cookie (sent to subdomains too) and none for a host-only cookie.
type cookieJSON struct {
	Name     string  `json:"name"`
	Value    string  `json:"value"`
	Domain   string  `json:"domain"`
	Path     string  `json:"path"`
	Expires  float64 `json:"expires"` // unix seconds; 0 for a session cookie
	Secure   bool    `json:"secure"`
	HTTPOnly bool    `json:"http_only"`
	SameSite string  `json:"same_site"`
}

func newCookieJar() *cookieJar {
	return &cookieJar{entries: make(map[cookieKey]*jarEntry)}
}

// storeFromResponse takes the Set-Cookie headers of a response to u.
func (j *cookieJar) storeFromResponse(u *url.URL, headers [][2]string) {
	if j.disabled {
		return
	}
	now := time.Now()
	for _, h := range headers {
		if h[0] != "set-cookie" {
			continue
		}
		c, err := http.ParseSetCookie(h[1])
		if err != nil {
			continue
		}
		if e, ok := entryFromResponse(c, u, now); ok {
			j.put(e, now)
		}
	}
}

// entryFromResponse applies RFC 6265 section 5.3 to a received cookie.
func entryFromResponse(c *http.Cookie, u *url.URL, now time.Time) (*jarEntry, bool) {
	host := canonicalHost(u.Hostname())
	e := &jarEntry{name: c.Name, value: c.Value, path: c.Path, secure: c.Secure,
		httpOnly: c.HttpOnly, sameSite: sameSiteName(c.SameSite), domain: host, hostOnly: true}
	if attr := canonicalHost(strings.TrimPrefix(c.Domain, ".")); attr != "" && attr != host {
		if net.ParseIP(host) != nil || !strings.Contains(attr, ".") || !domainMatch(host, attr) {
			return nil, false // a cookie for another site, or for a whole top-level domain
		}
		e.domain, e.hostOnly = attr, false
	}
	if e.path == "" || e.path[0] != '/' {
		e.path = defaultPath(u)
	}
	if e.secure && u.Scheme != "https" {
		return nil, false // RFC 6265bis: only a secure origin sets a Secure cookie
	}
	switch {
	case c.MaxAge > 0:
		e.expires = now.Add(time.Duration(c.MaxAge) * time.Second)
	case c.MaxAge < 0:
		e.expires = time.Unix(0, 0) // expired: put deletes it
	default:
		e.expires = c.Expires
	}
	return e, prefixRulesHold(e)
}

// prefixRulesHold enforces the __Secure- and __Host- name prefixes (RFC 6265bis 4.1.3).
func prefixRulesHold(e *jarEntry) bool {
	switch {
	case strings.HasPrefix(e.name, "__Host-"):
		return e.secure && e.hostOnly && e.path == "/"
	case strings.HasPrefix(e.name, "__Secure-"):
		return e.secure
	}
	return true
}

// put stores e, replacing the cookie with the same name, domain and path (keeping its
// creation order); an expired e deletes that cookie instead.
func (j *cookieJar) put(e *jarEntry, now time.Time) {
	key := cookieKey{e.domain, e.path, e.name}
	j.mu.Lock()
	defer j.mu.Unlock()
	old, exists := j.entries[key]
	if e.expired(now) {
		delete(j.entries, key)
		return
	}
	if exists {
		e.seq = old.seq
	} else {
		j.seq++
		e.seq = j.seq
		if len(j.entries) >= maxCookies {
			j.evictOldest()
		}
	}
	j.entries[key] = e
}

func (j *cookieJar) evictOldest() {
	var oldest cookieKey
	first := true
	for key, e := range j.entries {
		if first || e.seq < j.entries[oldest].seq {
			oldest, first = key, false
		}
	}
	delete(j.entries, oldest)
}

func (e *jarEntry) expired(now time.Time) bool {
	return !e.expires.IsZero() && !e.expires.After(now)
}

// sendsTo reports whether e goes out with a request to u (RFC 6265 section 5.4).
func (e *jarEntry) sendsTo(u *url.URL, host, path string) bool {
	if e.hostOnly {
		if host != e.domain {
			return false
		}
	} else if !domainMatch(host, e.domain) {
		return false
	}
	if e.secure && u.Scheme != "https" {
		return false
	}
	return pathMatch(path, e.path)
}

// matching returns the live cookies for u (all of them when u is nil), in the order a
// browser sends them: longer paths first, then older first. Expired cookies are dropped.
func (j *cookieJar) matching(u *url.URL) []*jarEntry {
	now := time.Now()
	var host, path string
	if u != nil {
		host, path = canonicalHost(u.Hostname()), u.EscapedPath()
		if path == "" {
			path = "/"
		}
	}
	j.mu.Lock()
	out := make([]*jarEntry, 0, len(j.entries))
	for key, e := range j.entries {
		if e.expired(now) {
			delete(j.entries, key)
			continue
		}
		if u == nil || e.sendsTo(u, host, path) {
			out = append(out, e)
		}
	}
	j.mu.Unlock()
	sort.Slice(out, func(a, b int) bool {
		if u != nil && len(out[a].path) != len(out[b].path) {
			return len(out[a].path) > len(out[b].path)
		}
		return out[a].seq < out[b].seq
	})
	return out
}

// header is the Cookie header value for a request to u, or "" if none apply.
func (j *cookieJar) header(u *url.URL) string {
	if j.disabled {
		return ""
	}
	entries := j.matching(u)
	b := make([]byte, 0, 64)
	for i, e := range entries {
		if i > 0 {
			b = append(b, "; "...)
		}
		b = append(b, e.name...)
		b = append(b, '=')
		b = append(b, e.value...)
	}
	return string(b)
}

// list describes the cookies sent to u, or every cookie when u is nil.
func (j *cookieJar) list(u *url.URL) []cookieJSON {
	entries := j.matching(u)
	out := make([]cookieJSON, 0, len(entries))
	for _, e := range entries {
		out = append(out, e.describe())
	}
	return out
}

func (e *jarEntry) describe() cookieJSON {
	cj := cookieJSON{Name: e.name, Value: e.value, Domain: e.domain, Path: e.path,
		Secure: e.secure, HTTPOnly: e.httpOnly, SameSite: e.sameSite}
	if !e.hostOnly {
		cj.Domain = "." + e.domain
	}
	if !e.expires.IsZero() {
		cj.Expires = float64(e.expires.UnixNano()) / 1e9
	}
	return cj
}

// remove deletes the cookies named name, optionally only for one domain (with or without
// its leading dot) and one path, and returns how many went.
func (j *cookieJar) remove(name string, domain, path *string) int {
	j.mu.Lock()
	defer j.mu.Unlock()
	n := 0
	for key := range j.entries {
		if key.name != name ||
			(domain != nil && key.domain != canonicalHost(strings.TrimPrefix(*domain, "."))) ||
			(path != nil && key.path != *path) {
			continue
		}
		delete(j.entries, key)
		n++
	}
	return n
}

func (j *cookieJar) clear() {
	j.mu.Lock()
	j.entries = make(map[cookieKey]*jarEntry)
	j.mu.Unlock()
}

// canonicalHost lower-cases a host name and drops a trailing dot.
func canonicalHost(host string) string {
	return strings.TrimSuffix(strings.ToLower(host), ".")
}

// domainMatch is RFC 6265 5.1.3: host is domain or a subdomain of it (never for an IP).
func domainMatch(host, domain string) bool {
	if host == domain {
		return true
	}
	return strings.HasSuffix(host, "."+domain) && net.ParseIP(host) == nil
}

// pathMatch is RFC 6265 5.1.4: the cookie path is the request path or a prefix of it
// ending at a "/".
func pathMatch(requestPath, cookiePath string) bool {
	if requestPath == cookiePath {
		return true
	}
	if !strings.HasPrefix(requestPath, cookiePath) {
		return false
	}
	return strings.HasSuffix(cookiePath, "/") || requestPath[len(cookiePath)] == '/'
}

// defaultPath is RFC 6265 5.1.4: the request path up to, not including, its last slash.
func defaultPath(u *url.URL) string {
	p := u.EscapedPath()
	if p == "" || p[0] != '/' {
		return "/"
	}
	if i := strings.LastIndexByte(p, '/'); i > 0 {
		return p[:i]
	}
	return "/"
}

func sameSiteName(s http.SameSite) string {
	switch s {
	case http.SameSiteLaxMode:
		return "Lax"
	case http.SameSiteStrictMode:
		return "Strict"
	case http.SameSiteNoneMode:
		return "None"
	}
	return ""
}
