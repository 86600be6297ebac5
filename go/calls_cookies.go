package main

import (
	"encoding/json"
	"math"
	"net"
	"net/http"
	"strings"
	"time"
)

// The cookie jar's session operations (calls.go).
func init() {
	registerCall("cookies.list", callCookiesList)
	registerCall("cookies.set", callCookiesSet)
	registerCall("cookies.delete", callCookiesDelete)
	registerCall("cookies.clear", func(s *session, args json.RawMessage) (any, error) {
		if err := decodeArgs(args, &struct{}{}); err != nil {
			return nil, err
		}
		s.jar.clear()
		return nil, nil
	})
}

// cookies.list {url?}: every cookie, or only those a request to url would carry, in the
// order it would carry them.
func callCookiesList(s *session, args json.RawMessage) (any, error) {
	var a struct {
		URL *string `json:"url"`
	}
	if err := decodeArgs(args, &a); err != nil {
		return nil, err
	}
	if a.URL == nil {
		return s.jar.list(nil), nil
	}
	u, err := validateURL(*a.URL)
	if err != nil {
		return nil, err
	}
	return s.jar.list(u), nil
}

// cookies.set {name, value, domain, path, expires, secure, http_only, same_site}: domain
// ".example.com" makes a domain cookie, "example.com" a host-only one. An expires in the
// past deletes the cookie, as a browser would.
func callCookiesSet(s *session, args json.RawMessage) (any, error) {
	var c cookieJSON
	if err := decodeArgs(args, &c); err != nil {
		return nil, err
	}
	if s.jar.disabled {
		return nil, newError(kindInvalidArgument, "this session has no cookie jar (without_cookie_jar=True)")
	}
	e, err := entryFromJSON(c)
	if err != nil {
		return nil, err
	}
	s.jar.put(e, time.Now())
	return nil, nil
}

// cookies.delete {name, domain?, path?}: returns how many cookies were removed.
func callCookiesDelete(s *session, args json.RawMessage) (any, error) {
	var a struct {
		Name   string  `json:"name"`
		Domain *string `json:"domain"`
		Path   *string `json:"path"`
	}
	if err := decodeArgs(args, &a); err != nil {
		return nil, err
	}
	return s.jar.remove(a.Name, a.Domain, a.Path), nil
}

// entryFromJSON validates a cookie given by the user or a saved session: everything is
// checked before anything is stored.
func entryFromJSON(c cookieJSON) (*jarEntry, error) {
	hostOnly := !strings.HasPrefix(c.Domain, ".")
	domain := canonicalHost(strings.TrimPrefix(c.Domain, "."))
	if !validHostName(domain) {
		return nil, newError(kindInvalidArgument, "cookie %q: domain must be a host name (\".example.com\" for a domain cookie), got %q", c.Name, c.Domain)
	}
	if !hostOnly && net.ParseIP(domain) != nil {
		return nil, newError(kindInvalidArgument, "cookie %q: an IP address can only have host-only cookies (no leading dot), got %q", c.Name, c.Domain)
	}
	if _, registrable := registrableDomain(domain); !hostOnly && !registrable {
		// As for Set-Cookie: a public suffix (".com", ".co.uk", ".github.io") takes no
		// domain cookie; a host-only one ("localhost") is fine.
		return nil, newError(kindInvalidArgument, "cookie %q: %q is a public suffix (like .com or .co.uk), which browsers give no domain cookie; use a registrable domain (\".example.co.uk\") or a host-only one (no leading dot)", c.Name, c.Domain)
	}
	path := c.Path
	if path == "" {
		path = "/"
	}
	if path[0] != '/' {
		return nil, newError(kindInvalidArgument, "cookie %q: path must start with \"/\", got %q", c.Name, c.Path)
	}
	sameSite, ok := map[string]string{"": "", "lax": "Lax", "strict": "Strict", "none": "None"}[strings.ToLower(c.SameSite)]
	if !ok {
		return nil, newError(kindInvalidArgument, "cookie %q: same_site must be \"Lax\", \"Strict\", \"None\" or None, got %q", c.Name, c.SameSite)
	}
	check := http.Cookie{Name: c.Name, Value: c.Value, Path: path}
	if err := check.Valid(); err != nil {
		return nil, newError(kindInvalidArgument, "cookie %q: %v", c.Name, err)
	}
	if c.Value != "" && check.String() != c.Name+"="+c.Value+"; Path="+path {
		return nil, newError(kindInvalidArgument, "cookie %q: value %q cannot be sent as it is (no spaces, quotes, commas, semicolons or backslashes)", c.Name, c.Value)
	}
	e := &jarEntry{name: c.Name, value: c.Value, domain: domain, hostOnly: hostOnly, path: path,
		secure: c.Secure, httpOnly: c.HTTPOnly, sameSite: sameSite, site: siteOf(domain)}
	if c.Expires != 0 {
		if math.IsNaN(c.Expires) || math.IsInf(c.Expires, 0) || c.Expires < 0 || c.Expires > 9e9 {
			return nil, newError(kindInvalidArgument, "cookie %q: expires must be unix seconds, got %v", c.Name, c.Expires)
		}
		e.expires = time.Unix(0, int64(c.Expires*1e9))
	}
	return e, nil
}
