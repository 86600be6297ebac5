// Package jar is the session's cookie jar (RFC 6265bis, Chrome where the RFC leaves a
// choice).
package jar

import (
	"math"
	"net"
	"net/http"
	"net/url"
	"sort"
	"strings"
	"sync"
	"time"

	"httpcloakpy/internal/errs"
	"httpcloakpy/internal/wire"
)

// Jar is the session's cookie store, following RFC 6265bis with a browser (Chrome)
// as the reference where the RFC leaves a choice: it takes Set-Cookie from every response
// (redirect hops included), picks the cookies a request carries (host-only vs domain
// cookies, path prefixes, Secure only on https, expiry), and can be listed, edited and
// exported. A disabled jar (without_cookie_jar) stores and sends nothing.
//
// Cookies are grouped by site (rules.go siteOf: the registrable domain, eTLD+1, from
// the public suffix list), as Chrome keys them: a request looks only at its host's site,
// and each site has its own cap (evict.go), so one site cannot push out another's.
type Jar struct {
	Disabled bool

	mu    sync.Mutex
	sites map[string]*siteCookies
	count int    // cookies in all sites
	clock uint64 // orders creation and last use
}

// siteCookies are the cookies of one site.
type siteCookies struct {
	cookies     map[cookieKey]*Entry
	secureNames map[string]int // how many Secure cookies have each name (overlaysSecure)
}

func (s *siteCookies) set(key cookieKey, e *Entry) {
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

// everyHost is the site of cookies set without a domain (set_cookie(name, value), as the
// upstream binding has it): they go to every host. No host name is spelt "*".
const everyHost = "*"

type Entry struct {
	name, value string
	domain      string // lower case, without a leading dot; "" for every host
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

// Cookie is a cookie as users see and give it. Domain has a leading dot for a domain
// cookie (sent to subdomains too) and none for a host-only cookie; "" (given by the user
// only) means every host.
type Cookie struct {
	Name     string
	Value    string
	Domain   string
	Path     string
	Expires  float64 // unix seconds; 0 for a session cookie
	Secure   bool
	HTTPOnly bool
	SameSite string // "Lax", "Strict", "None" or ""
}

func New() *Jar {
	return &Jar{sites: make(map[string]*siteCookies)}
}

func (e *Entry) key() cookieKey {
	return cookieKey{domain: e.domain, path: e.path, name: e.name, hostOnly: e.hostOnly}
}

// StoreFromResponse takes the Set-Cookie headers of a response to u.
func (j *Jar) StoreFromResponse(u *url.URL, headers [][2]string) {
	if j.Disabled {
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

// Put stores a cookie given by the user or a saved session (already validated).
func (j *Jar) Put(e *Entry, now time.Time) {
	j.mu.Lock()
	j.insert(e, now)
	j.mu.Unlock()
}

// insert stores e, replacing the cookie with the same identity (keeping its creation
// order); an expired e deletes that cookie instead. Then the caps apply (evict.go).
// The caller holds j.mu.
func (j *Jar) insert(e *Entry, now time.Time) {
	key := e.key()
	site := j.sites[e.site]
	var old *Entry
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
		site = &siteCookies{cookies: make(map[cookieKey]*Entry), secureNames: make(map[string]int)}
		j.sites[e.site] = site
	}
	site.set(key, e)
	j.count++
	j.enforceLimits(site, now)
}

// drop removes e from the jar. The caller holds j.mu.
func (j *Jar) drop(e *Entry) {
	site := j.sites[e.site]
	site.delete(e.key())
	j.count--
	if len(site.cookies) == 0 {
		delete(j.sites, e.site)
	}
}

func (e *Entry) expired(now time.Time) bool {
	return !e.expires.IsZero() && !e.expires.After(now)
}

// sendsTo reports whether e goes out with a request to u (RFC 6265bis 5.8.3).
func (e *Entry) sendsTo(u *url.URL, host, path string) bool {
	if e.site == everyHost {
		// no domain to match
	} else if e.hostOnly {
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
func (j *Jar) matching(u *url.URL, touch bool) []*Entry {
	now := time.Now()
	var host, path string
	if u != nil {
		host, path = wire.CanonicalHost(u.Hostname()), u.EscapedPath()
		if path == "" {
			path = "/"
		}
	}
	j.mu.Lock()
	var out []*Entry
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
		out = make([]*Entry, 0, j.count)
		for _, site := range j.sites {
			keep(site)
		}
	} else {
		keep(j.sites[siteOf(host)]) // a host's cookies are all in its site
		keep(j.sites[everyHost])
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

// Header is the Cookie Header value for a request to u, or "" if none apply.
func (j *Jar) Header(u *url.URL) string {
	if j.Disabled {
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

// List describes the cookies sent to u, or every cookie when u is nil. Looking does not
// count as use.
func (j *Jar) List(u *url.URL) []Cookie {
	entries := j.matching(u, false)
	out := make([]Cookie, 0, len(entries))
	for _, e := range entries {
		out = append(out, e.describe())
	}
	return out
}

func (e *Entry) describe() Cookie {
	cj := Cookie{Name: e.name, Value: e.value, Domain: e.domain, Path: e.path,
		Secure: e.secure, HTTPOnly: e.httpOnly, SameSite: e.sameSite}
	if !e.hostOnly && e.site != everyHost {
		cj.Domain = "." + e.domain
	}
	if !e.expires.IsZero() {
		cj.Expires = float64(e.expires.UnixNano()) / 1e9
	}
	return cj
}

// Remove deletes the cookies named name, optionally only for one domain (with or without
// its leading dot: host-only and domain cookies alike) and one path, and returns how many
// went.
func (j *Jar) Remove(name string, domain, path *string) int {
	j.mu.Lock()
	defer j.mu.Unlock()
	var gone []*Entry
	for _, site := range j.sites {
		for key, e := range site.cookies {
			if key.name != name ||
				(domain != nil && key.domain != wire.CanonicalHost(strings.TrimPrefix(*domain, "."))) ||
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

func (j *Jar) Clear() {
	j.mu.Lock()
	j.sites = make(map[string]*siteCookies)
	j.count = 0
	j.mu.Unlock()
}

// NewEntry validates a cookie given by the user or a saved session: everything is
// checked before anything is stored.
func NewEntry(c Cookie) (*Entry, error) {
	hostOnly := !strings.HasPrefix(c.Domain, ".")
	domain := wire.CanonicalHost(strings.TrimPrefix(c.Domain, "."))
	if c.Domain == "" {
		hostOnly = false
	} else if !validHostName(domain) {
		return nil, errs.New(errs.KindInvalidArgument, "cookie %q: domain must be a host name (\".example.com\" for a domain cookie), got %q", c.Name, c.Domain)
	}
	if !hostOnly && net.ParseIP(domain) != nil {
		return nil, errs.New(errs.KindInvalidArgument, "cookie %q: an IP address can only have host-only cookies (no leading dot), got %q", c.Name, c.Domain)
	}
	if _, registrable := registrableDomain(domain); !hostOnly && !registrable && c.Domain != "" {
		// As for Set-Cookie: a public suffix (".com", ".co.uk", ".github.io") takes no
		// domain cookie; a host-only one ("localhost") is fine.
		return nil, errs.New(errs.KindInvalidArgument, "cookie %q: %q is a public suffix (like .com or .co.uk), which browsers give no domain cookie; use a registrable domain (\".example.co.uk\") or a host-only one (no leading dot)", c.Name, c.Domain)
	}
	path := c.Path
	if path == "" {
		path = "/"
	}
	if path[0] != '/' {
		return nil, errs.New(errs.KindInvalidArgument, "cookie %q: path must start with \"/\", got %q", c.Name, c.Path)
	}
	sameSite, ok := map[string]string{"": "", "lax": "Lax", "strict": "Strict", "none": "None"}[strings.ToLower(c.SameSite)]
	if !ok {
		return nil, errs.New(errs.KindInvalidArgument, "cookie %q: same_site must be \"Lax\", \"Strict\", \"None\" or None, got %q", c.Name, c.SameSite)
	}
	check := http.Cookie{Name: c.Name, Value: c.Value, Path: path}
	if err := check.Valid(); err != nil {
		return nil, errs.New(errs.KindInvalidArgument, "cookie %q: %v", c.Name, err)
	}
	if c.Value != "" && check.String() != c.Name+"="+c.Value+"; Path="+path {
		return nil, errs.New(errs.KindInvalidArgument, "cookie %q: value %q cannot be sent as it is (no spaces, quotes, commas, semicolons or backslashes)", c.Name, c.Value)
	}
	e := &Entry{name: c.Name, value: c.Value, domain: domain, hostOnly: hostOnly, path: path,
		secure: c.Secure, httpOnly: c.HTTPOnly, sameSite: sameSite, site: everyHost}
	if c.Domain != "" {
		e.site = siteOf(domain)
	}
	if c.Expires != 0 {
		if math.IsNaN(c.Expires) || math.IsInf(c.Expires, 0) || c.Expires < 0 || c.Expires > 9e9 {
			return nil, errs.New(errs.KindInvalidArgument, "cookie %q: expires must be unix seconds, got %v", c.Name, c.Expires)
		}
		e.expires = time.Unix(0, int64(c.Expires*1e9))
	}
	return e, nil
}
