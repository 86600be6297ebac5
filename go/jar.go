package main

import (
	"net/http"
	"net/url"
	"sort"
	"strings"
	"sync"
	"time"
)

// cookieJar is the session's cookie store, following RFC 6265bis with a browser (Chrome)
// as the reference where the RFC leaves a choice: it takes Set-Cookie from every response
// (redirect hops included), picks the cookies a request carries (host-only vs domain
// cookies, path prefixes, Secure only on https, expiry), and can be listed, edited and
// exported. A disabled jar (without_cookie_jar) stores and sends nothing.
//
// Cookies are grouped by site (jar_rules.go siteOf: the registrable domain, eTLD+1, from
// the public suffix list), as Chrome keys them: a request looks only at its host's site,
// and each site has its own cap (jar_evict.go), so one site cannot push out another's.
type cookieJar struct {
	disabled bool

	mu    sync.Mutex
	sites map[string]*siteCookies
	count int    // cookies in all sites
	clock uint64 // orders creation and last use
}

// siteCookies are the cookies of one site.
type siteCookies struct {
	cookies     map[cookieKey]*jarEntry
	secureNames map[string]int // how many Secure cookies have each name (overlaysSecure)
}

func (s *siteCookies) set(key cookieKey, e *jarEntry) {
	s.delete(key)
	s.cookies[key] = e
	if e.secure {
		s.secureNames[e.name]++
	}
}

func (s *siteCookies) delete(key cookieKey) {
	if old := s.cookies[key]; old != nil && old.secure {
		if s.secureNames[old.name]--; s.secureNames[old.name] == 0 {
			delete(s.secureNames, old.name)
		}
	}
	delete(s.cookies, key)
}

// cookieKey is a cookie's identity (RFC 6265bis 5.7 step 18): as in browsers, a host-only
// and a domain cookie with the same name, domain and path are two cookies.
type cookieKey struct {
	domain, path, name string
	hostOnly           bool
}

type jarEntry struct {
	name, value string
	domain      string // lower case, without a leading dot
	hostOnly    bool
	path        string
	expires     time.Time // zero: a session cookie
	secure      bool
	httpOnly    bool
	sameSite    string
	site        string // siteOf(domain): the group the cookie is stored and capped in
	created     uint64 // creation order: the tie-break after path length when sending
	lastUsed    uint64 // last stored or sent: eviction takes the least recent first
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
	return &cookieJar{sites: make(map[string]*siteCookies)}
}

func (e *jarEntry) key() cookieKey {
	return cookieKey{domain: e.domain, path: e.path, name: e.name, hostOnly: e.hostOnly}
}

// storeFromResponse takes the Set-Cookie headers of a response to u.
func (j *cookieJar) storeFromResponse(u *url.URL, headers [][2]string) {
	if j.disabled {
		return
	}
	now := time.Now()
	secureOrigin := u.Scheme == "https"
	for _, h := range headers {
		if h[0] != "set-cookie" {
			continue
		}
		c, err := http.ParseSetCookie(h[1])
		if err != nil {
			continue
		}
		e, ok := entryFromResponse(c, u, now)
		if !ok {
			continue
		}
		j.mu.Lock()
		// RFC 6265bis 5.7 step 13: plain http neither overwrites nor deletes (nor shadows
		// with a cookie of the same name and a path under its own) a Secure cookie.
		if secureOrigin || e.secure || !j.overlaysSecure(e, now) {
			j.insert(e, now)
		}
		j.mu.Unlock()
	}
}

// put stores a cookie given by the user or a saved session (already validated).
func (j *cookieJar) put(e *jarEntry, now time.Time) {
	j.mu.Lock()
	j.insert(e, now)
	j.mu.Unlock()
}

// insert stores e, replacing the cookie with the same identity (keeping its creation
// order); an expired e deletes that cookie instead. Then the caps apply (jar_evict.go).
// The caller holds j.mu.
func (j *cookieJar) insert(e *jarEntry, now time.Time) {
	key := e.key()
	site := j.sites[e.site]
	var old *jarEntry
	if site != nil {
		old = site.cookies[key]
	}
	exists := old != nil
	if e.expired(now) {
		if exists {
			j.drop(old)
		}
		return
	}
	j.clock++
	e.lastUsed = j.clock
	if exists {
		e.created = old.created
		site.set(key, e)
		return
	}
	e.created = j.clock
	if site == nil {
		site = &siteCookies{cookies: make(map[cookieKey]*jarEntry), secureNames: make(map[string]int)}
		j.sites[e.site] = site
	}
	site.set(key, e)
	j.count++
	j.enforceLimits(site, now)
}

// drop removes e from the jar. The caller holds j.mu.
func (j *cookieJar) drop(e *jarEntry) {
	site := j.sites[e.site]
	site.delete(e.key())
	j.count--
	if len(site.cookies) == 0 {
		delete(j.sites, e.site)
	}
}

func (e *jarEntry) expired(now time.Time) bool {
	return !e.expires.IsZero() && !e.expires.After(now)
}

// sendsTo reports whether e goes out with a request to u (RFC 6265bis 5.8.3).
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
// browser sends them: longer paths first, then older first; with touch, they count as
// used now (for eviction). Expired cookies are dropped.
func (j *cookieJar) matching(u *url.URL, touch bool) []*jarEntry {
	now := time.Now()
	var host, path string
	if u != nil {
		host, path = canonicalHost(u.Hostname()), u.EscapedPath()
		if path == "" {
			path = "/"
		}
	}
	j.mu.Lock()
	var out []*jarEntry
	keep := func(site *siteCookies) {
		if site == nil {
			return
		}
		for _, e := range site.cookies {
			if e.expired(now) {
				j.drop(e)
			} else if u == nil || e.sendsTo(u, host, path) {
				out = append(out, e)
			}
		}
	}
	if u == nil {
		out = make([]*jarEntry, 0, j.count)
		for _, site := range j.sites {
			keep(site)
		}
	} else {
		keep(j.sites[siteOf(host)]) // a host's cookies are all in its site
	}
	if touch && len(out) > 0 {
		j.clock++
		for _, e := range out {
			e.lastUsed = j.clock
		}
	}
	j.mu.Unlock()
	sort.Slice(out, func(a, b int) bool {
		if u != nil && len(out[a].path) != len(out[b].path) {
			return len(out[a].path) > len(out[b].path)
		}
		return out[a].created < out[b].created
	})
	return out
}

// header is the Cookie header value for a request to u, or "" if none apply.
func (j *cookieJar) header(u *url.URL) string {
	if j.disabled {
		return ""
	}
	entries := j.matching(u, true)
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

// list describes the cookies sent to u, or every cookie when u is nil. Looking does not
// count as use.
func (j *cookieJar) list(u *url.URL) []cookieJSON {
	entries := j.matching(u, false)
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
// its leading dot: host-only and domain cookies alike) and one path, and returns how many
// went.
func (j *cookieJar) remove(name string, domain, path *string) int {
	j.mu.Lock()
	defer j.mu.Unlock()
	var gone []*jarEntry
	for _, site := range j.sites {
		for key, e := range site.cookies {
			if key.name != name ||
				(domain != nil && key.domain != canonicalHost(strings.TrimPrefix(*domain, "."))) ||
				(path != nil && key.path != *path) {
				continue
			}
			gone = append(gone, e)
		}
	}
	for _, e := range gone {
		j.drop(e)
	}
	return len(gone)
}

func (j *cookieJar) clear() {
	j.mu.Lock()
	j.sites = make(map[string]*siteCookies)
	j.count = 0
	j.mu.Unlock()
}
