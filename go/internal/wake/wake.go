// Package wake lets a goroutine wake a C thread (a Python thread in hc_stream_meta, say)
// that waits for a channel to close. A goroutine that parks on a channel while locked to
// its thread (every call from C is) makes the runtime hand its P to another thread and
// back: the close then wakes that thread, which wakes the waiter's, two switches or more
// per wait. Here the waiter sleeps in poll(2) on a file descriptor of its own instead, and
// whoever closes the channel writes to it: the kernel wakes the waiter's thread directly.
package wake

import (
	"sync"
	"sync/atomic"
	"time"
)

// Slot is where a waiter of one channel is found by the goroutine that closes it.
type Slot struct {
	waiter atomic.Pointer[waiter]
}

// Closed is called right after the channel was closed: it wakes the thread waiting, if any.
func (s *Slot) Closed() {
	if w := s.waiter.Load(); w != nil {
		w.wake()
	}
}

// Wait reports whether ch is closed, waiting up to wait for it (< 0: no limit) in poll(2)
// on this thread; ch's closer must call s.Closed() after closing it. A second waiter at
// once, or a system without the descriptors, waits on the channel instead.
func (s *Slot) Wait(ch <-chan struct{}, wait time.Duration) bool {
	if isClosed(ch) || wait == 0 {
		return isClosed(ch)
	}
	w := waiters.get()
	if w == nil || !s.waiter.CompareAndSwap(nil, w) {
		waiters.put(w)
		return waitOnChannel(ch, wait)
	}
	defer func() {
		s.waiter.Store(nil)
		waiters.put(w) // a late wake left in it is drained by its next user
	}()
	var deadline time.Time
	if wait > 0 {
		deadline = time.Now().Add(wait)
	}
	for !isClosed(ch) { // after registering: a close before it is seen here
		left := time.Duration(-1)
		if wait > 0 {
			if left = time.Until(deadline); left <= 0 {
				return false
			}
		}
		if !w.sleep(left) {
			return waitOnChannel(ch, left)
		}
	}
	return true
}

func isClosed(ch <-chan struct{}) bool {
	select {
	case <-ch:
		return true
	default:
		return false
	}
}

func waitOnChannel(ch <-chan struct{}, wait time.Duration) bool {
	if wait < 0 {
		<-ch
		return true
	}
	t := time.NewTimer(wait)
	defer t.Stop()
	select {
	case <-ch:
		return true
	case <-t.C:
		return false
	}
}

// pool keeps the waiters made so far, never closed: a late wake may still write to one
// after its waiter is done, which must not reach a descriptor reused for something else.
type pool struct {
	mu   sync.Mutex
	free []*waiter
}

var waiters pool

func (p *pool) get() *waiter {
	p.mu.Lock()
	if n := len(p.free); n > 0 {
		w := p.free[n-1]
		p.free = p.free[:n-1]
		p.mu.Unlock()
		w.drain()
		return w
	}
	p.mu.Unlock()
	return newWaiter() // nil where there are no such descriptors
}

func (p *pool) put(w *waiter) {
	if w == nil {
		return
	}
	p.mu.Lock()
	p.free = append(p.free, w)
	p.mu.Unlock()
}
