package jar

import (
	"cmp"
	"slices"
	"time"
)

// The jar's limits are Chrome's (net/cookies/cookie_monster.cc): 180 cookies per site,
// trimmed to 150 when a site exceeds them, and 3300 in all, trimmed to 3000. RFC 6265bis
// asks for at least 50 per domain and 3000 in all. Trimming in batches keeps a flood of
// Set-Cookie cheap: each trim sorts one site (or, rarely, the jar) once for many inserts.
const (
	maxCookiesPerSite  = 180
	keepCookiesPerSite = 150
	maxCookies         = 3300
	keepCookies        = 3000
)

// enforceLimits trims site, then the whole jar, when a new cookie took them over their
// caps. The caller holds j.mu.
func (j *Jar) enforceLimits(site *siteCookies, now time.Time) {
	if n := len(site.cookies); n > maxCookiesPerSite {
		victims := make([]*Entry, 0, n)
		for _, e := range site.cookies {
			victims = append(victims, e)
		}
		j.evict(victims, n-keepCookiesPerSite, now)
	}
	if j.count > maxCookies {
		victims := make([]*Entry, 0, j.count)
		for _, s := range j.sites {
			for _, e := range s.cookies {
				victims = append(victims, e)
			}
		}
		j.evict(victims, j.count-keepCookies, now)
	}
}

// evict drops n of candidates in RFC 6265bis 5.7's order, which Chrome follows: expired
// cookies first, then those without Secure, then the least recently used (stored or sent),
// then the oldest. Unlike Chrome, the global trim also takes cookies used in the last 30
// days: a session's jar stays bounded.
func (j *Jar) evict(candidates []*Entry, n int, now time.Time) {
	slices.SortFunc(candidates, func(a, b *Entry) int {
		if ea, eb := a.expired(now), b.expired(now); ea != eb {
			return boolOrder(ea)
		}
		if a.secure != b.secure {
			return boolOrder(!a.secure)
		}
		if a.lastUsed != b.lastUsed {
			return cmp.Compare(a.lastUsed, b.lastUsed)
		}
		return cmp.Compare(a.created, b.created)
	})
	for _, e := range candidates[:n] {
		j.drop(e)
	}
}

// boolOrder sorts first the one for which first is true.
func boolOrder(first bool) int {
	if first {
		return -1
	}
	return 1
}

// overlaysSecure reports whether e, a non-secure cookie from plain http, would overwrite,
// delete or shadow a live Secure cookie (RFC 6265bis 5.7 step 13): one with its name, a
// domain either way domain-matching its own, and a path e's path falls under. Only e's
// site is searched, as Chrome does, and only when it has a Secure cookie of that name.
// The caller holds j.mu.
func (j *Jar) overlaysSecure(e *Entry, now time.Time) bool {
	site := j.sites[e.site]
	if site == nil || site.secureNames[e.name] == 0 {
		return false
	}
	for _, old := range site.cookies {
		if old.secure && old.name == e.name && !old.expired(now) &&
			(domainMatch(old.domain, e.domain) || domainMatch(e.domain, old.domain)) &&
			pathMatch(e.path, old.path) {
			return true
		}
	}
	return false
}
