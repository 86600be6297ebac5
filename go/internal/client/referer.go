package client

// A request's Referer across redirects, as Chrome sends it (Fetch, "HTTP-redirect fetch"):
// the referrer stays the one the request started with (none for a typed navigation) and is
// cut on each hop by the default strict-origin-when-cross-origin policy relative to the new
// target. The redirecting URL never becomes the Referer.

import (
	"net/url"

	"httpcloakpy/internal/wire"
)

// hopReferer gives headers the Referer the next hop to target carries, from referrer (the
// request's own Referer, "" for none); off: no Referer after a redirect.
func hopReferer(headers [][2]string, referrer string, target *url.URL, off bool) [][2]string {
	headers = wire.WithoutHeaders(headers, "referer")
	if off || referrer == "" {
		return headers
	}
	value := refererFor(referrer, target)
	if value == "" {
		return headers
	}
	return append(headers, [2]string{"referer", value})
}

// refererFor applies strict-origin-when-cross-origin: the whole referrer to the same
// origin, its origin elsewhere, nothing from https to http. A value that is not an
// absolute URL is the caller's to send as it is.
func refererFor(referrer string, target *url.URL) string {
	from, err := url.Parse(referrer)
	if err != nil || !from.IsAbs() || from.Host == "" {
		return referrer
	}
	if from.Scheme == "https" && target.Scheme != "https" {
		return ""
	}
	from.User, from.Fragment, from.RawFragment = nil, "", ""
	if from.Scheme == target.Scheme && effectivePort(from) == effectivePort(target) &&
		from.Hostname() == target.Hostname() {
		return from.String()
	}
	return from.Scheme + "://" + from.Host + "/"
}
