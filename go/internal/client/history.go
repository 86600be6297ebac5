package client

import (
	"net/url"
	"strings"

	"httpcloakpy/internal/engine"
)

// hopHeaderBudget bounds what a redirect hop keeps of its headers (names plus values):
// enough for any real redirect (Location, a few Set-Cookie), while a chain of hops with
// huge headers no longer holds every hop's headers until the end (30 hops of 9 MiB each
// held 270 MiB, and several times that once encoded for the caller).
const hopHeaderBudget = 64 << 10

// newHop records a redirect response for the history: status, reason, protocol and URL,
// and its headers within hopHeaderBudget: Location always (it is what made the hop), then
// the others in order while they fit; the rest are dropped.
func newHop(resp *engine.Response, u *url.URL) Hop {
	return Hop{
		Status:  resp.Status,
		Reason:  resp.Reason,
		Proto:   resp.Proto,
		URL:     u.String(),
		Headers: boundedHeaders(resp.Headers, hopHeaderBudget),
	}
}

func boundedHeaders(headers [][2]string, budget int) [][2]string {
	used := 0
	for _, h := range headers {
		if isLocation(h[0]) {
			used += len(h[0]) + len(h[1])
		}
	}
	kept := make([][2]string, 0, len(headers))
	for _, h := range headers {
		if isLocation(h[0]) {
			kept = append(kept, h)
			continue
		}
		if size := len(h[0]) + len(h[1]); used+size <= budget {
			kept = append(kept, h) // a header too big is skipped; a smaller one may still fit
			used += size
		}
	}
	return kept
}

func isLocation(name string) bool { return strings.EqualFold(name, "location") }
