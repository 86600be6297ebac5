// Package wake lets a goroutine wake a C thread (a Python thread in hc_stream_meta or
// hc_stream_read, say) that waits for something: a channel closed, a chunk queued. A
// goroutine that parks while locked to its thread (every call from C is) makes the runtime
// hand its P to another thread and back: the news then wakes that thread, which wakes the
// waiter's, two switches or more per wait. Here the waiter sleeps in poll(2) on a file
// descriptor of its own instead (an eventfd), and whoever brings the news writes to it:
// the kernel wakes the waiter's thread directly.
package wake

import (
	"sync"
	"sync/atomic"
	"time"
)

// Slot is where a thread waiting for some condition is found by the goroutine that makes
// it true.
type Slot struct {
	waiter atomic.Pointer[waiter]
}

// Notify is called right after the condition may have become true: it wakes the thread
// waiting, if any (an atomic load when none does).
func (s *Slot) Notify() {
	if w := s.waiter.Load(); w != nil {
		w.wake()
	}
}

// Sleep waits until ready() is true or wait passes (< 0: no limit), sleeping in poll(2)
// on this thread between Notify calls. It reports whether it could wait so: false when
// another thread waits on s already or the system has no such descriptors (no time spent),
// or poll(2) failed; the caller then waits its own way. ready must not block.
func (s *Slot) Sleep(ready func() bool, wait time.Duration) bool {
	w := waiters.get()
	if w == nil || !s.waiter.CompareAndSwap(nil, w) {
		waiters.put(w)
		return false
	}
	defer func() {
		s.waiter.Store(nil)
		waiters.put(w) // a late wake left in it is drained by its next user
	}()
	var deadline time.Time
	if wait >= 0 {
		deadline = time.Now().Add(wait)
	}
	for !ready() { // after registering: what happened before it is seen here
		left := time.Duration(-1)
		if wait >= 0 {
			if left = time.Until(deadline); left <= 0 {
				return true
			}
		}
		if !w.sleep(left) {
			// poll(2) failed (it does not): spin no further, the caller's own wait ends it.
			return false
		}
	}
	return true
}

// Wait reports whether ch is closed, waiting up to wait for it (< 0: no limit); ch's
// closer must call s.Notify() after closing it.
func (s *Slot) Wait(ch <-chan struct{}, wait time.Duration) bool {
	if IsClosed(ch) || wait == 0 {
		return IsClosed(ch)
	}
	if s.Sleep(func() bool { return IsClosed(ch) }, wait) {
		return IsClosed(ch)
	}
	return WaitClosed(ch, wait)
}

// PollMillis is d as poll(2)'s timeout: -1 for no limit (d < 0), else milliseconds
// rounded up, so a wait shorter than a millisecond does not come back at once and spin.
func PollMillis(d time.Duration) int {
	if d < 0 {
		return -1
	}
	return int((d + time.Millisecond - 1) / time.Millisecond)
}

// IsClosed reports whether ch is closed, without waiting.
func IsClosed(ch <-chan struct{}) bool {
	select {
	case <-ch:
		return true
	default:
		return false
	}
}

// WaitClosed reports whether ch is closed, waiting up to wait for it (< 0: no limit) on
// the channel itself, as a goroutine does (no Slot needed).
func WaitClosed(ch <-chan struct{}, wait time.Duration) bool {
	if IsClosed(ch) {
		return true
	}
	if wait < 0 {
		<-ch
		return true
	}
	if wait == 0 {
		return false
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
