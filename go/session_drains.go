package main

import (
	"sync"
	"time"
)

// drains are the HTTP/1.1 bodies a close() left draining in the background so their
// connections can go back to the pool. close() never waits for them; the session's next
// request does, for at most drainWait, so that it finds the connection idle instead of
// dialing a new one. A slow remainder is not worth more than that.
type drains struct {
	mu      sync.Mutex
	pending []chan struct{}
}

func (d *drains) add(done chan struct{}) {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.prune()
	d.pending = append(d.pending, done)
}

// wait returns once every pending drain has ended or drainWait has passed.
func (d *drains) wait() {
	d.mu.Lock()
	d.prune()
	pending := append([]chan struct{}(nil), d.pending...)
	d.mu.Unlock()
	if len(pending) == 0 {
		return
	}
	deadline := time.NewTimer(drainWait)
	defer deadline.Stop()
	for _, done := range pending {
		select {
		case <-done:
		case <-deadline.C:
			return
		}
	}
}

func (d *drains) prune() {
	kept := d.pending[:0]
	for _, done := range d.pending {
		if !waitClosed(done, 0) {
			kept = append(kept, done)
		}
	}
	d.pending = kept
}
