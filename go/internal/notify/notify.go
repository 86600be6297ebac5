// Package notify lets one event loop wait for many streams through one file descriptor.
package notify

import (
	"sync"
	"sync/atomic"

	"httpcloakpy/internal/errs"
)

// A Notifier lets an event loop wait for many streams without a thread per stream: the
// loop watches one file descriptor, and streams that were armed (a read or metadata call
// found nothing yet) put their id on the ready list and make the descriptor readable when
// something arrives. Wake-ups may be spurious; the caller simply tries again.
//
// The descriptor is one end of a socket pair (wake_unix.go, wake_windows.go): a socket,
// not a pipe, because every event loop can wait on a socket, Windows' included.
type Notifier struct {
	// ReadFD is what the loop watches: a file descriptor, or a SOCKET handle on Windows
	// (which fits 32 bits there too: Windows keeps handles to 32 significant bits).
	ReadFD int
	wake   wakePair

	mu       sync.Mutex
	ready    []int64
	queued   map[int64]bool
	signaled bool
	closed   bool
}

func New() (*Notifier, error) {
	wake, err := newWakePair()
	if err != nil {
		return nil, errs.New(errs.KindInternal, "creating the notifier's socket pair: %v", err)
	}
	return &Notifier{ReadFD: wake.readFD(), wake: wake, queued: make(map[int64]bool)}, nil
}

// post marks a stream ready and makes the descriptor readable (once until drained).
func (n *Notifier) post(id int64) {
	n.mu.Lock()
	defer n.mu.Unlock()
	if n.closed {
		return
	}
	if !n.queued[id] {
		n.queued[id] = true
		n.ready = append(n.ready, id)
	}
	if !n.signaled {
		n.signaled = true
		n.wake.signal()
	}
}

// Drain empties the descriptor and hands out up to len(out) ready ids.
func (n *Notifier) Drain(out []int64) int {
	n.mu.Lock()
	defer n.mu.Unlock()
	n.wake.drain()
	count := copy(out, n.ready)
	for _, id := range n.ready[:count] {
		delete(n.queued, id)
	}
	n.ready = append(n.ready[:0], n.ready[count:]...)
	n.signaled = len(n.ready) > 0
	if n.signaled {
		n.wake.signal() // more than fit: stay readable
	}
	return count
}

func (n *Notifier) Close() {
	n.mu.Lock()
	defer n.mu.Unlock()
	if !n.closed {
		n.closed = true
		n.wake.close()
	}
}

// Watch is a stream's side: which notifier to tell, under which id, and whether someone
// is waiting. The id is the caller's name for the stream, given with the notifier.
type Watch struct {
	target atomic.Pointer[watchTarget]
	armed  atomic.Bool
}

type watchTarget struct {
	notifier *Notifier
	id       int64
}

// Bind makes n the notifier to tell, naming the stream id there.
func (w *Watch) Bind(n *Notifier, id int64) {
	w.target.Store(&watchTarget{notifier: n, id: id})
}

// Arm says a caller is waiting; ready reports whether there is already something to take,
// in which case the caller is told at once (the event may have come just before arming).
func (w *Watch) Arm(ready func() bool) {
	w.armed.Store(true)
	if ready() {
		w.Fire()
	}
}

// Fire tells the notifier if a caller is waiting.
func (w *Watch) Fire() {
	if w.armed.Swap(false) {
		if t := w.target.Load(); t != nil {
			t.notifier.post(t.id)
		}
	}
}
