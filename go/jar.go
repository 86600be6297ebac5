package main

import (
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"sync"
	"time"
)

// cookieJar decides which cookies go where with the standard library's RFC 6265 jar, and
// also remembers every stored cookie so the session can list its jar.
type cookieJar struct {
	matcher *cookiejar.Jar

	mu     sync.Mutex
	stored map[cookieKey]*http.Cookie
}

type cookieKey struct{ domain, path, name string }

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
	matcher, _ := cookiejar.New(nil) // cannot fail without options
	return &cookieJar{matcher: matcher, stored: make(map[cookieKey]*http.Cookie)}
}

// storeFromResponse takes the Set-Cookie headers of a response to u.
func (j *cookieJar) storeFromResponse(u *url.URL, headers [][2]string) {
	var cookies []*http.Cookie
	for _, h := range headers {
		if h[0] != "set-cookie" {
			continue
		}
		if c, err := http.ParseSetCookie(h[1]); err == nil {
			cookies = append(cookies, c)
		}
	}
	if len(cookies) == 0 {
		return
	}
	j.matcher.SetCookies(u, cookies)
	j.mu.Lock()
	defer j.mu.Unlock()
	now := time.Now()
	for _, c := range cookies {
		if c.MaxAge > 0 { // pin a relative lifetime to the moment it was received
			pinned := *c
			pinned.Expires, pinned.MaxAge = now.Add(time.Duration(c.MaxAge)*time.Second), 0
			c = &pinned
		}
		key := cookieKey{domainOf(c, u), pathOf(c, u), c.Name}
		if c.MaxAge < 0 || (!c.Expires.IsZero() && c.Expires.Before(now)) {
			delete(j.stored, key)
			continue
		}
		j.stored[key] = c
	}
}

// header is the Cookie header value for a request to u, or "" if none apply.
func (j *cookieJar) header(u *url.URL) string {
	cookies := j.matcher.Cookies(u)
	if len(cookies) == 0 {
		return ""
	}
	b := make([]byte, 0, 64)
	for i, c := range cookies {
		if i > 0 {
			b = append(b, "; "...)
		}
		b = append(b, c.Name...)
		b = append(b, '=')
		b = append(b, c.Value...)
	}
	return string(b)
}

func (j *cookieJar) list() []cookieJSON {
	j.mu.Lock()
	defer j.mu.Unlock()
	now := time.Now()
	out := make([]cookieJSON, 0, len(j.stored))
	for key, c := range j.stored {
		expires := c.Expires
		if !expires.IsZero() && expires.Before(now) {
			continue
		}
		cj := cookieJSON{Name: c.Name, Value: c.Value, Domain: key.domain, Path: key.path,
			Secure: c.Secure, HTTPOnly: c.HttpOnly, SameSite: sameSiteName(c.SameSite)}
		if !expires.IsZero() {
			cj.Expires = float64(expires.UnixNano()) / 1e9
		}
		out = append(out, cj)
	}
	return out
}

func domainOf(c *http.Cookie, u *url.URL) string {
	if c.Domain != "" {
		return c.Domain
	}
	return u.Hostname()
}

func pathOf(c *http.Cookie, u *url.URL) string {
	if c.Path != "" && c.Path[0] == '/' {
		return c.Path
	}
	// RFC 6265 5.1.4: the default path is the request path up to its last slash.
	p := u.EscapedPath()
	for i := len(p) - 1; i > 0; i-- {
		if p[i] == '/' {
			return p[:i]
		}
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
