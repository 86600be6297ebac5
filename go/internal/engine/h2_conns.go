package engine

// The HTTP/2 side of connPool: it is the http2 transport's ClientConnPool, and it counts
// each exchange's claim on a connection so that closing idle connections spares busy ones.

import (
	"fmt"
	"slices"

	http "github.com/bogdanfinn/fhttp"
	"github.com/bogdanfinn/fhttp/http2"
)

// exchangeKey carries an *exchange in a request's context.
type exchangeKey struct{}

// exchange is one round trip's claim on an HTTP/2 connection; guarded by connPool.mu.
type exchange struct{ cc *http2.ClientConn }

// GetClientConn gives the HTTP/2 transport a connection to addr that takes a new stream
// (with the stream limit patch, a connection queues requests beyond its limit), opening
// one when none does.
func (p *connPool) GetClientConn(req *http.Request, addr string) (*http2.ClientConn, error) {
	p.mu.Lock()
	for _, cc := range p.h2s[addr] {
		if cc.CanTakeNewRequest() {
			p.claimLocked(req, cc)
			p.mu.Unlock()
			return cc, nil
		}
	}
	p.mu.Unlock()
	cc, err := p.connect(req.Context(), addr)
	if err != nil {
		return nil, err
	}
	if cc == nil {
		// The origin stopped offering HTTP/2; its next requests go over HTTP/1.1.
		return nil, fmt.Errorf("%s no longer negotiates HTTP/2", addr)
	}
	// The new connection, even if it already cannot take this request: the transport's
	// retry decides then, instead of dialling on and on.
	p.mu.Lock()
	p.claimLocked(req, cc)
	p.mu.Unlock()
	return cc, nil
}

// takesH2Now reports whether a request to addr would go on an HTTP/2 connection already
// open: none to dial, no HTTP/1.1.
func (p *connPool) takesH2Now(addr string) bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.proto[addr] == "h2" && slices.ContainsFunc(p.h2s[addr], (*http2.ClientConn).CanTakeNewRequest)
}

// claimLocked moves req's exchange onto cc (a retry may move it); p.mu is held.
func (p *connPool) claimLocked(req *http.Request, cc *http2.ClientConn) {
	ex, _ := req.Context().Value(exchangeKey{}).(*exchange)
	if ex == nil {
		return
	}
	p.releaseLocked(ex)
	ex.cc = cc
	p.busy[cc]++
}

// release ends ex's claim on its HTTP/2 connection, if any.
func (p *connPool) release(ex *exchange) {
	p.mu.Lock()
	p.releaseLocked(ex)
	p.mu.Unlock()
}

func (p *connPool) releaseLocked(ex *exchange) {
	if ex.cc == nil {
		return
	}
	if p.busy[ex.cc]--; p.busy[ex.cc] <= 0 {
		delete(p.busy, ex.cc)
	}
	ex.cc = nil
}

// MarkDead forgets a connection that closed or cannot be used.
func (p *connPool) MarkDead(cc *http2.ClientConn) {
	p.mu.Lock()
	defer p.mu.Unlock()
	for addr, conns := range p.h2s {
		if i := slices.Index(conns, cc); i >= 0 {
			p.h2s[addr] = slices.Delete(conns, i, i+1)
			if len(p.h2s[addr]) == 0 {
				delete(p.h2s, addr)
			}
			return
		}
	}
}
