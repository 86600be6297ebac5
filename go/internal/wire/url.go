package wire

import (
	"net/url"
	"strings"

	"httpcloakpy/internal/errs"
)

func ValidateURL(raw string) (*url.URL, error) {
	if raw == "" {
		return nil, errs.New(errs.KindInvalidArgument, "empty URL")
	}
	u, err := url.Parse(raw)
	if err != nil {
		return nil, errs.New(errs.KindInvalidArgument, "invalid URL %q: %v", raw, err)
	}
	switch u.Scheme {
	case "http", "https":
	case "":
		return nil, errs.New(errs.KindInvalidArgument, "URL %q has no scheme; use http:// or https://", raw)
	default:
		return nil, errs.New(errs.KindInvalidArgument, "unsupported URL scheme %q in %q; use http or https", u.Scheme, raw)
	}
	if u.Host == "" {
		return nil, errs.New(errs.KindInvalidArgument, "URL %q has no host", raw)
	}
	if port := u.Port(); port != "" && !ValidPort(port) {
		return nil, errs.New(errs.KindInvalidArgument, "URL %q has port %s; a port is 1 to 65535", raw, port)
	}
	EscapeQuery(u)
	return u, nil
}

// EscapeQuery percent-encodes what may not appear raw in a query (spaces, controls,
// non-ASCII, `"<>\^`+"`"+`{|}`), as browsers and requests do; Go escapes the path itself
// but sends RawQuery as it is, which an HTTP/1.1 request line cannot carry.
func EscapeQuery(u *url.URL) {
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

func ValidateProxy(raw string) error {
	if raw == "" {
		return nil
	}
	u, err := url.Parse(raw)
	if err != nil {
		return errs.New(errs.KindInvalidArgument, "invalid proxy URL: %v", RedactedURLError(err))
	}
	switch u.Scheme {
	case "http", "https", "socks5", "socks5h":
	default:
		return errs.New(errs.KindInvalidArgument, "unsupported proxy scheme %q; use http, https or socks5", u.Scheme)
	}
	if u.Host == "" {
		return errs.New(errs.KindInvalidArgument, "proxy URL has no host")
	}
	return nil
}

// RedactedURLError keeps a parse error's reason but not the URL, which may hold a password.
func RedactedURLError(err error) string {
	if ue, ok := err.(*url.Error); ok {
		return ue.Err.Error()
	}
	return "malformed"
}

func ValidPort(p string) bool {
	if p == "" || len(p) > 5 {
		return false
	}
	n := 0
	for _, r := range p {
		if r < '0' || r > '9' {
			return false
		}
		n = n*10 + int(r-'0')
	}
	return n > 0 && n < 65536
}

// CanonicalHost lower-cases a host name and drops a trailing dot.
func CanonicalHost(host string) string {
	return strings.TrimSuffix(strings.ToLower(host), ".")
}
