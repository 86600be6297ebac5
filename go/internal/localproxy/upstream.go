package localproxy

import (
	"context"
	"errors"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"

	"httpcloakpy/internal/client"
	"httpcloakpy/internal/engine"
	"httpcloakpy/internal/errs"
	"httpcloakpy/internal/secrets"
	"httpcloakpy/internal/wire"
)

// Per-request upstream proxies, as upstream's local proxy takes them: a client names the
// proxy its request (or CONNECT tunnel) goes out through, in `Proxy-Authorization:
// HTTPCloak <url>` (checked first: the header clients send on CONNECT too) or in
// X-Upstream-Proxy. The proxy's address passes the same target guard as the target's, and
// its credentials never appear in an answer.

const upstreamAuthScheme = "HTTPCloak"

// upstreamProxyOf is the proxy URL the request names, or "".
func upstreamProxyOf(r *http.Request) string {
	for _, value := range r.Header.Values("Proxy-Authorization") {
		scheme, rest, _ := strings.Cut(value, " ")
		if strings.EqualFold(scheme, upstreamAuthScheme) {
			return strings.TrimSpace(rest)
		}
	}
	return strings.TrimSpace(r.Header.Get(headerUpstreamProxy))
}

// checkUpstream validates raw and applies the guard to the proxy's own address (resolved
// here: the connection to it is made from this machine); the status to refuse with.
func (p *Proxy) checkUpstream(ctx context.Context, raw string) (int, error) {
	if err := wire.ValidateProxy(raw); err != nil {
		return http.StatusBadRequest, err
	}
	u, _ := url.Parse(raw)
	port, _ := strconv.Atoi(u.Port())
	if port == 0 {
		port = map[string]int{"http": 80, "https": 443, "socks5": 1080, "socks5h": 1080}[u.Scheme]
	}
	if p.timeouts.Connect > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, p.timeouts.Connect)
		defer cancel()
	}
	if err := p.guard.Check(ctx, u.Hostname(), port, net.DefaultResolver.LookupIPAddr); err != nil {
		return http.StatusForbidden, errs.New(errs.KindInvalidArgument, "upstream proxy: %s", maskProxy(err.Error(), raw))
	}
	return 0, nil
}

// refuseUpstream is refuseFor for a request that named an upstream proxy: its
// credentials are masked even when no session registered them (yet, or any more).
func (p *Proxy) refuseUpstream(w http.ResponseWriter, status int, err error, raw string) {
	var failure *errs.Error
	if !errors.As(err, &failure) {
		failure = errs.New(errs.KindInternal, "%v", err)
	}
	if status == 0 {
		status = statusForFailure(failure.Kind)
	}
	p.refuse(w, status, failure.Kind, maskProxy(failure.Error(), raw))
}

// maskProxy hides raw's credentials in msg, whether or not they are registered yet.
func maskProxy(msg, raw string) string {
	for _, secret := range secrets.OfProxy(raw) {
		msg = strings.ReplaceAll(msg, secret, "***")
	}
	return msg
}

// upstreamSessions are the sessions that stand for a route's session behind another proxy
// (client.Session.ForkThrough: the same browser, cookie jar and headers), kept while in use
// and a few more idle ones for their connections.
type upstreamSessions struct {
	mu      sync.Mutex
	entries map[upstreamKey]*upstreamEntry
	ticks   uint64 // release counter: an entry's tick says how recently it was used
	closed  bool
}

type upstreamKey struct {
	base  *client.Session
	proxy string
}

type upstreamEntry struct {
	sess  *client.Session
	users int
	tick  uint64 // when it was last released (larger: more recent)
}

// idleUpstreamSessions bounds the idle forks kept for reuse; the oldest idle one goes.
const idleUpstreamSessions = 16

// acquire is base behind proxyURL, made on first use; release it when the request ends.
func (u *upstreamSessions) acquire(base *client.Session, proxyURL string) (*client.Session, func(), error) {
	key := upstreamKey{base, proxyURL}
	u.mu.Lock()
	if u.closed {
		u.mu.Unlock()
		return nil, nil, errs.New(errs.KindClosed, "the local proxy is closed")
	}
	entry, ok := u.entries[key]
	if !ok || entry.sess.Closed() {
		u.mu.Unlock()
		sess, err := base.ForkThrough(proxyURL)
		if err != nil {
			return nil, nil, err
		}
		u.mu.Lock()
		if u.closed {
			u.mu.Unlock()
			sess.Close()
			return nil, nil, errs.New(errs.KindClosed, "the local proxy is closed")
		}
		if entry, ok = u.entries[key]; !ok || entry.sess.Closed() {
			entry = &upstreamEntry{sess: sess}
			if u.entries == nil {
				u.entries = map[upstreamKey]*upstreamEntry{}
			}
			u.entries[key] = entry
		} else {
			defer sess.Close() // another request made one meanwhile
		}
	}
	entry.users++
	u.mu.Unlock()
	var once sync.Once
	return entry.sess, func() { once.Do(func() { u.release(entry) }) }, nil
}

func (u *upstreamSessions) release(entry *upstreamEntry) {
	u.mu.Lock()
	entry.users--
	u.ticks++
	entry.tick = u.ticks
	var evicted []*client.Session
	for {
		var oldest *upstreamKey
		idle := 0
		for key, e := range u.entries {
			if e.users == 0 {
				idle++
				if oldest == nil || e.tick < u.entries[*oldest].tick {
					k := key
					oldest = &k
				}
			}
		}
		if idle <= idleUpstreamSessions || oldest == nil {
			break
		}
		evicted = append(evicted, u.entries[*oldest].sess)
		delete(u.entries, *oldest)
	}
	u.mu.Unlock()
	for _, sess := range evicted {
		sess.Close()
	}
}

func (u *upstreamSessions) close() {
	u.mu.Lock()
	u.closed = true
	entries := u.entries
	u.entries = nil
	u.mu.Unlock()
	for _, e := range entries {
		e.sess.Close()
	}
}

// upstreamTunnelDialer dials CONNECT targets through proxyURL, as the default session's
// preset and trust settings would.
func (p *Proxy) upstreamTunnelDialer(proxyURL string) (func(ctx context.Context, network, addr string) (net.Conn, error), error) {
	cfg := p.defaultSession.EngineConfig()
	cfg.Proxy = proxyURL
	dialer, err := engine.TunnelDialer(cfg)
	if err != nil {
		return nil, err
	}
	return dialer.DialContext, nil
}
