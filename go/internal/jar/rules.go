package jar

import (
	"net"
	"net/http"
	"net/url"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"httpcloakpy/internal/wire"

	"golang.org/x/net/publicsuffix"
)

// The pure rules of the cookie jar: which cookie a response may set, for which domain and
// path, and which site it belongs to (RFC 6265bis 5.1 and 5.7).

// entryFromResponse applies RFC 6265bis 5.7 to a cookie received from u.
func entryFromResponse(c *http.Cookie, u *url.URL, now time.Time) (*Entry, bool) {
	host := wire.CanonicalHost(u.Hostname())
	domain, hostOnly, ok := cookieDomain(host, c.Domain)
	if !ok {
		return nil, false // a cookie for another site, or for a public suffix
	}
	e := &Entry{name: c.Name, value: c.Value, path: c.Path, secure: c.Secure,
		httpOnly: c.HttpOnly, sameSite: sameSiteName(c.SameSite), domain: domain,
		hostOnly: hostOnly, site: siteOf(domain)}
	if e.path == "" || e.path[0] != '/' {
		e.path = defaultPath(u)
	}
	if e.secure && u.Scheme != "https" {
		return nil, false // only a secure origin sets a Secure cookie
	}
	switch {
	case c.MaxAge > 0:
		e.expires = now.Add(time.Duration(c.MaxAge) * time.Second)
	case c.MaxAge < 0:
		e.expires = time.Unix(0, 0) // expired: insert deletes it
	default:
		e.expires = c.Expires
	}
	return e, prefixRulesHold(e)
}

// cookieDomain is where a cookie from host goes, given its Domain attribute (RFC 6265bis
// 5.7 steps 5-7, with Chrome's stricter check): no attribute makes a host-only cookie;
// otherwise the attribute must be host or a parent of it within host's own registrable
// domain (so never a public suffix such as "co.uk" or "github.io"), and the cookie is a
// domain cookie, also for Domain=<host>. A host without a registrable domain (an IP
// address, or itself a public suffix) only takes Domain=<host>, as a host-only cookie.
func cookieDomain(host, attribute string) (domain string, hostOnly, ok bool) {
	attribute = wire.CanonicalHost(strings.TrimPrefix(attribute, "."))
	if attribute == "" {
		return host, true, true
	}
	site, registrable := registrableDomain(host)
	if !registrable {
		return host, true, attribute == host
	}
	if !domainMatch(host, attribute) {
		return "", false, false
	}
	if s, _ := registrableDomain(attribute); s != site {
		return "", false, false // a public suffix, or above one (a private suffix's parent)
	}
	return attribute, false, true
}

// registrableDomain is host's eTLD+1 from the public suffix list (its ICANN and private
// sections), or false for an IP address and for a public suffix itself.
func registrableDomain(host string) (string, bool) {
	if net.ParseIP(host) != nil {
		return "", false
	}
	site, err := publicsuffix.EffectiveTLDPlusOne(host)
	return site, err == nil
}

// siteOf is the group a cookie for domain is stored, looked up and capped in: its
// registrable domain, or domain itself when it has none.
func siteOf(domain string) string {
	if site, ok := registrableDomain(domain); ok {
		return site
	}
	return domain
}

// prefixRulesHold enforces the __Secure- and __Host- name prefixes (RFC 6265bis 4.1.3).
func prefixRulesHold(e *Entry) bool {
	switch {
	case strings.HasPrefix(e.name, "__Host-"):
		return e.secure && e.hostOnly && e.path == "/"
	case strings.HasPrefix(e.name, "__Secure-"):
		return e.secure
	}
	return true
}

// validHostName reports whether s (lower case, no trailing dot) can be a request's host:
// an IP address, or dot-separated labels of 1-63 bytes (letters, digits, "-", "_", or
// printable non-ASCII letters of an internationalised name), 253 bytes at most.
// Control characters, spaces and URL punctuation are refused.
func validHostName(s string) bool {
	if net.ParseIP(s) != nil {
		return true
	}
	if s == "" || len(s) > 253 || !utf8.ValidString(s) {
		return false
	}
	for _, label := range strings.Split(s, ".") {
		if label == "" || len(label) > 63 {
			return false
		}
		for _, r := range label {
			ascii := r < utf8.RuneSelf && (r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r == '-' || r == '_')
			if !ascii && (r < utf8.RuneSelf || !unicode.IsPrint(r) || unicode.IsSpace(r)) {
				return false
			}
		}
	}
	return true
}

// domainMatch is RFC 6265bis 5.1.3: host is domain or a subdomain of it (never for an IP).
func domainMatch(host, domain string) bool {
	if host == domain {
		return true
	}
	return strings.HasSuffix(host, "."+domain) && net.ParseIP(host) == nil
}

// pathMatch is RFC 6265bis 5.1.4: the cookie path is the request path or a prefix of it
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

// defaultPath is RFC 6265bis 5.1.4: the request path up to, not including, its last slash.
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
