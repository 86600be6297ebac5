package engine

// Alt-Svc (RFC 7838) as Chrome keeps it: per origin, the HTTP/3 alternative an origin
// announced, until its ma= runs out or the origin sends "clear"; and per alternative, when
// QUIC to it failed, a time before it is tried again (doubling on each failure).

import (
	"net"
	"strconv"
	"strings"
	"sync"
	"time"
)

const (
	altSvcDefaultMaxAge = 24 * time.Hour  // RFC 7838: ma= absent
	altSvcBrokenFirst   = 5 * time.Minute // Chrome's first brokenness period
	altSvcBrokenMax     = 48 * time.Hour  // and its cap
	altSvcMaxOrigins    = 1024            // entries kept; the oldest go first
	altSvcMaxHeaderLen  = 8 << 10         // a longer Alt-Svc is ignored
	altSvcProtocolH3    = "h3"            // RFC 9114's ALPN; drafts (h3-29...) are not spoken here
)

// altSvcEntry is an origin's HTTP/3 alternative: where to dial, until when.
type altSvcEntry struct {
	addr    string // "host:port" of the alternative
	expires time.Time
}

type brokenAlt struct {
	until    time.Time
	failures int
}

type altSvcCache struct {
	mu      sync.Mutex
	origins map[string]altSvcEntry // origin "host:port" -> its h3 alternative
	order   []string               // origins by first entry, for the size limit
	broken  map[string]brokenAlt   // alternative "host:port" -> when it may be tried again
}

func newAltSvcCache() *altSvcCache {
	return &altSvcCache{origins: map[string]altSvcEntry{}, broken: map[string]brokenAlt{}}
}

// learn records what the Alt-Svc header values of a response from origin say.
func (c *altSvcCache) learn(origin string, values []string, now time.Time) {
	if len(values) == 0 {
		return
	}
	joined := strings.Join(values, ",")
	if len(joined) > altSvcMaxHeaderLen {
		return
	}
	entry, clear, ok := parseAltSvc(joined, origin, now)
	c.mu.Lock()
	defer c.mu.Unlock()
	switch {
	case clear:
		delete(c.origins, origin)
	case ok:
		if _, known := c.origins[origin]; !known {
			c.order = append(c.order, origin)
			if len(c.order) > altSvcMaxOrigins {
				delete(c.origins, c.order[0])
				c.order = c.order[1:]
			}
		}
		c.origins[origin] = entry
	default:
		// A header naming no h3 alternative replaces the ones before it (RFC 7838, 3).
		delete(c.origins, origin)
	}
}

// lookup is origin's HTTP/3 alternative when it is fresh and not marked broken.
func (c *altSvcCache) lookup(origin string, now time.Time) (string, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	entry, ok := c.origins[origin]
	if !ok {
		return "", false
	}
	if !now.Before(entry.expires) {
		delete(c.origins, origin)
		return "", false
	}
	if b, ok := c.broken[entry.addr]; ok && now.Before(b.until) {
		return "", false
	}
	return entry.addr, true
}

// markBroken keeps QUIC to addr off for a while, twice as long as the time before.
func (c *altSvcCache) markBroken(addr string, now time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	b := c.broken[addr]
	period := altSvcBrokenFirst << min(b.failures, 10)
	b.failures++
	b.until = now.Add(min(period, altSvcBrokenMax))
	c.broken[addr] = b
}

// markWorking forgets addr's failures once a handshake with it succeeded.
func (c *altSvcCache) markWorking(addr string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	delete(c.broken, addr)
}

// parseAltSvc finds the first h3 alternative in an Alt-Svc value, resolved against origin
// ("host:port"); clear is the value "clear".
func parseAltSvc(value, origin string, now time.Time) (entry altSvcEntry, clear, ok bool) {
	if strings.TrimSpace(value) == "clear" {
		return entry, true, false
	}
	originHost, _, err := net.SplitHostPort(origin)
	if err != nil {
		return entry, false, false
	}
	for _, alternative := range splitOutsideQuotes(value, ',') {
		parts := splitOutsideQuotes(alternative, ';')
		protocol, authority, found := strings.Cut(strings.TrimSpace(parts[0]), "=")
		if !found || strings.TrimSpace(protocol) != altSvcProtocolH3 {
			continue
		}
		authority, err := strconv.Unquote(strings.TrimSpace(authority))
		if err != nil {
			continue
		}
		host, port, err := net.SplitHostPort(authority)
		if err != nil || port == "" {
			continue
		}
		if n, err := strconv.Atoi(port); err != nil || n < 1 || n > 65535 {
			continue
		}
		if host == "" {
			host = originHost
		}
		maxAge := altSvcDefaultMaxAge
		for _, param := range parts[1:] {
			name, v, _ := strings.Cut(strings.TrimSpace(param), "=")
			if strings.EqualFold(strings.TrimSpace(name), "ma") {
				if seconds, err := strconv.ParseUint(strings.Trim(strings.TrimSpace(v), `"`), 10, 32); err == nil {
					maxAge = time.Duration(seconds) * time.Second
				}
			}
		}
		if maxAge == 0 {
			continue // ma=0: already stale
		}
		return altSvcEntry{addr: net.JoinHostPort(host, port), expires: now.Add(maxAge)}, false, true
	}
	return entry, false, false
}

// splitOutsideQuotes splits s at sep where sep is not inside a quoted string.
func splitOutsideQuotes(s string, sep byte) []string {
	var parts []string
	quoted, escaped, start := false, false, 0
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case escaped:
			escaped = false
		case c == '\\' && quoted:
			escaped = true
		case c == '"':
			quoted = !quoted
		case c == sep && !quoted:
			parts = append(parts, s[start:i])
			start = i + 1
		}
	}
	return append(parts, s[start:])
}
