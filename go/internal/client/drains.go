package client

import (
	"net/url"
	"sync"
	"time"

	"httpcloakpy/internal/body"
)

// drains are the HTTP/1.1 bodies a close() left draining in the background so their
// connections can go back to the pool. close() never waits for them. The session's next
// request to the same origin waits, once and for at most drainWait, so that it finds the
// connection idle instead of dialing a new one; a remainder that is not arriving (an
// endless stream, a stall) costs that one request those milliseconds and nobody else.
type drains struct {
	mu      sync.Mutex
	pending []drain
}

type drain struct {
	origin string
	done   <-chan struct{}
}

func originOf(u *url.URL) string { return u.Scheme + "://" + u.Host }

func (d *drains) add(origin string, done <-chan struct{}) {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.pending = append(d.pending, drain{origin, done})
}

// wait takes the pending drains of origin and waits for them to end, or drainWait.
func (d *drains) wait(origin string) {
	d.mu.Lock()
	var mine []<-chan struct{}
	kept := d.pending[:0]
	for _, p := range d.pending {
		switch {
		case body.WaitClosed(p.done, 0): // ended: forget it
		case p.origin == origin:
			mine = append(mine, p.done)
		default:
			kept = append(kept, p)
		}
	}
	d.pending = kept
	d.mu.Unlock()
	if len(mine) == 0 {
		return
	}
	deadline := time.NewTimer(body.DrainWait)
	defer deadline.Stop()
	for _, done := range mine {
		select {
		case <-done:
		case <-deadline.C:
			return
		}
	}
}
