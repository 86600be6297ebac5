package main

import (
	"net/url"
	"strings"
)

// mergeHeaders lays extra over base: a name already in base keeps base's position (the
// preset's order is part of the fingerprint) and takes extra's value; new names follow in
// extra's order. Repeated names in extra all survive.
func mergeHeaders(base, extra [][2]string) [][2]string {
	merged := make([][2]string, 0, len(base)+len(extra))
	overridden := make(map[string]bool, len(extra))
	for _, h := range extra {
		overridden[strings.ToLower(h[0])] = true
	}
	placed := make(map[string]bool, len(extra))
	for _, h := range base {
		name := strings.ToLower(h[0])
		if !overridden[name] {
			merged = append(merged, h)
			continue
		}
		if placed[name] {
			continue
		}
		placed[name] = true
		for _, e := range extra {
			if strings.EqualFold(e[0], name) {
				merged = append(merged, e)
			}
		}
	}
	for _, e := range extra {
		if !placed[strings.ToLower(e[0])] {
			merged = append(merged, e)
		}
	}
	return merged
}

func withoutHeaders(headers [][2]string, names ...string) [][2]string {
	if len(names) == 0 {
		return headers // most requests drop nothing: no copy
	}
	kept := headers[:0:0]
	for _, h := range headers {
		drop := false
		for _, n := range names {
			if strings.EqualFold(h[0], n) {
				drop = true
				break
			}
		}
		if !drop {
			kept = append(kept, h)
		}
	}
	return kept
}

func headerValue(headers [][2]string, name string) (string, bool) {
	for _, h := range headers {
		if strings.EqualFold(h[0], name) {
			return h[1], true
		}
	}
	return "", false
}

// validateHeaders refuses what would let a value smuggle another header or request.
func validateHeaders(headers [][2]string) error {
	for _, h := range headers {
		if !isToken(h[0]) {
			return newError(kindInvalidArgument, "invalid header name %q", h[0])
		}
		if framing := strings.ToLower(h[0]); framing == "content-length" || framing == "transfer-encoding" {
			// The body's framing is the engine's to write: a stray one makes HTTP/1.1
			// wait for a body that never comes, and HTTP/2 call the request malformed.
			return newError(kindInvalidArgument, "header %q is set from the body; leave it out", h[0])
		}
		if i := strings.IndexFunc(h[1], isControl); i >= 0 {
			return newError(kindInvalidArgument,
				"header %q has the control character %q at index %d of its value; a value may hold no control character but tab", h[0], h[1][i], i)
		}
	}
	return nil
}

// isControl is what RFC 9110 keeps out of a field value: the C0 controls but tab, and DEL.
func isControl(c rune) bool {
	return c < ' ' && c != '\t' || c == 0x7f
}

func isToken(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c <= ' ' || c >= 0x7f || strings.IndexByte(`"(),/:;<=>?@[\]{}`, c) >= 0 {
			return false
		}
	}
	return true
}

func validateURL(raw string) (*url.URL, error) {
	if raw == "" {
		return nil, newError(kindInvalidArgument, "empty URL")
	}
	u, err := url.Parse(raw)
	if err != nil {
		return nil, newError(kindInvalidArgument, "invalid URL %q: %v", raw, err)
	}
	switch u.Scheme {
	case "http", "https":
	case "":
		return nil, newError(kindInvalidArgument, "URL %q has no scheme; use http:// or https://", raw)
	default:
		return nil, newError(kindInvalidArgument, "unsupported URL scheme %q in %q; use http or https", u.Scheme, raw)
	}
	if u.Host == "" {
		return nil, newError(kindInvalidArgument, "URL %q has no host", raw)
	}
	if port := u.Port(); port != "" && !validPort(port) {
		return nil, newError(kindInvalidArgument, "URL %q has port %s; a port is 1 to 65535", raw, port)
	}
	escapeQuery(u)
	return u, nil
}

// escapeQuery percent-encodes what may not appear raw in a query (spaces, controls,
// non-ASCII, `"<>\^`+"`"+`{|}`), as browsers and requests do; Go escapes the path itself
// but sends RawQuery as it is, which an HTTP/1.1 request line cannot carry.
func escapeQuery(u *url.URL) {
	const hex = "0123456789ABCDEF"
	raw := u.RawQuery
	if strings.IndexFunc(raw, mustEscapeInQuery) < 0 {
		return
	}
	var b strings.Builder
	for i := 0; i < len(raw); i++ {
		if c := raw[i]; mustEscapeInQuery(rune(c)) {
			b.WriteByte('%')
			b.WriteByte(hex[c>>4])
			b.WriteByte(hex[c&15])
		} else {
			b.WriteByte(c)
		}
	}
	u.RawQuery = b.String()
}

func mustEscapeInQuery(c rune) bool {
	return c <= 0x20 || c >= 0x7f || strings.ContainsRune("\"<>\\^`{|}", c)
}

func validateProxy(raw string) error {
	if raw == "" {
		return nil
	}
	u, err := url.Parse(raw)
	if err != nil {
		return newError(kindInvalidArgument, "invalid proxy URL: %v", redactedURLError(err))
	}
	switch u.Scheme {
	case "http", "https", "socks5", "socks5h":
	default:
		return newError(kindInvalidArgument, "unsupported proxy scheme %q; use http, https or socks5", u.Scheme)
	}
	if u.Host == "" {
		return newError(kindInvalidArgument, "proxy URL has no host")
	}
	return nil
}

// redactedURLError keeps a parse error's reason but not the URL, which may hold a password.
func redactedURLError(err error) string {
	if ue, ok := err.(*url.Error); ok {
		return ue.Err.Error()
	}
	return "malformed"
}
