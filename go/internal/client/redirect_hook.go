package client

import (
	"context"
	"net/url"
	"strings"
	"sync"

	"httpcloakpy/internal/errs"
)

// Redirect is one hop offered to the caller (on_redirect) before it is followed: the 3xx
// as it came, where it leads and how the next request will be made. Read-only: the caller
// follows it, stops on it (the 3xx becomes the response) or fails the request.
type Redirect struct {
	Hop         int // 1 for the first redirect of the chain
	Status      int
	Headers     [][2]string // the 3xx's headers, in the order received
	From        string      // the URL that answered the 3xx
	To          string      // Location resolved against From
	Method      string      // the next hop's method (after a 301/302/303 rewrite)
	CrossOrigin bool        // scheme, host or port changes
	Downgrade   bool        // https -> http
}

// strictSameOrigin is the web's origin: scheme, host and port all equal (an upgrade to
// https is a new origin here, unlike sameOrigin's rule for keeping credentials).
func strictSameOrigin(a, b *url.URL) bool {
	return a.Scheme == b.Scheme && effectivePort(a) == effectivePort(b) &&
		strings.EqualFold(a.Hostname(), b.Hostname())
}

// hopGate hands a stream's redirects to its reader one at a time: the exchange posts a hop
// and waits; the reader sees it instead of the response headers (Stream.WaitMeta) and
// answers with Stream.DecideRedirect.
type hopGate struct {
	mu      sync.Mutex
	pending *Redirect
	answer  chan bool
	posted  chan struct{} // a hop was posted (capacity 1: wakes one waiting reader)
	fire    func()        // tells an event loop watching the stream
}

func newHopGate(fire func()) *hopGate {
	return &hopGate{posted: make(chan struct{}, 1), fire: fire}
}

// ask posts r and waits for the answer: true to follow. A cancelled stream (closed by a
// reader whose callback failed) ends the wait with the context's cause.
func (g *hopGate) ask(ctx context.Context, r *Redirect) (bool, error) {
	answer := make(chan bool, 1)
	g.mu.Lock()
	g.pending, g.answer = r, answer
	g.mu.Unlock()
	select {
	case g.posted <- struct{}{}:
	default:
	}
	g.fire()
	select {
	case follow := <-answer:
		return follow, nil
	case <-ctx.Done():
		g.mu.Lock()
		g.pending, g.answer = nil, nil
		g.mu.Unlock()
		return false, context.Cause(ctx)
	}
}

// waiting is the hop posted and not yet answered, or nil.
func (g *hopGate) waiting() *Redirect {
	if g == nil {
		return nil
	}
	g.mu.Lock()
	defer g.mu.Unlock()
	return g.pending
}

func (g *hopGate) decide(follow bool) error {
	if g == nil {
		return errs.New(errs.KindInvalidArgument, "this request was opened without on_redirect")
	}
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.pending == nil {
		return errs.New(errs.KindInvalidArgument, "no redirect is waiting for a decision on this stream")
	}
	g.answer <- follow
	g.pending, g.answer = nil, nil
	return nil
}
