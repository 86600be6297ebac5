package main

import (
	"sync"
	"sync/atomic"
	"syscall"
)

// A notifier lets an event loop wait for many streams without a thread per stream: the
// loop watches one file descriptor, and streams that were armed (a read or metadata call
// found nothing yet) put their id on the ready list and make the descriptor readable when
// something arrives. Wake-ups may be spurious; the caller simply tries again.
type notifier struct {
	readFD, writeFD int

	mu       sync.Mutex
	ready    []int64
	queued   map[int64]bool
	signaled bool
	closed   bool
}

func newNotifier() (*notifier, error) {
	var fds [2]int
	if err := syscall.Pipe(fds[:]); err != nil {
		return nil, newError(kindInternal, "creating the notifier pipe: %v", err)
	}
	for _, fd := range fds {
		syscall.CloseOnExec(fd)
		if err := syscall.SetNonblock(fd, true); err != nil {
			_ = syscall.Close(fds[0])
			_ = syscall.Close(fds[1])
			return nil, newError(kindInternal, "making the notifier pipe non-blocking: %v", err)
		}
	}
	return &notifier{readFD: fds[0], writeFD: fds[1], queued: make(map[int64]bool)}, nil
}

// post marks a stream ready and makes the descriptor readable (once until drained).
func (n *notifier) post(id int64) {
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
		_, _ = syscall.Write(n.writeFD, []byte{1})
	}
}

// drain empties the descriptor and hands out up to len(out) ready ids.
func (n *notifier) drain(out []int64) int {
	n.mu.Lock()
	defer n.mu.Unlock()
	var sink [64]byte
	for {
		if k, err := syscall.Read(n.readFD, sink[:]); k <= 0 || err != nil {
			break
		}
	}
	count := copy(out, n.ready)
	for _, id := range n.ready[:count] {
		delete(n.queued, id)
	}
	n.ready = append(n.ready[:0], n.ready[count:]...)
	n.signaled = len(n.ready) > 0
	if n.signaled {
		_, _ = syscall.Write(n.writeFD, []byte{1}) // more than fit: stay readable
	}
	return count
}

func (n *notifier) close() {
	n.mu.Lock()
	defer n.mu.Unlock()
	if !n.closed {
		n.closed = true
		_ = syscall.Close(n.readFD)
		_ = syscall.Close(n.writeFD)
	}
}

// watch is a stream's side: which notifier to tell, under which id, and whether someone
// is waiting. The id is the caller's name for the stream, given with the notifier.
type watch struct {
	target atomic.Pointer[watchTarget]
	armed  atomic.Bool
}

type watchTarget struct {
	notifier *notifier
	id       int64
}

// watchWith makes n the notifier to tell, naming the stream id there.
func (w *watch) watchWith(n *notifier, id int64) {
	w.target.Store(&watchTarget{notifier: n, id: id})
}

// arm says a caller is waiting; ready reports whether there is already something to take,
// in which case the caller is told at once (the event may have come just before arming).
func (w *watch) arm(ready func() bool) {
	w.armed.Store(true)
	if ready() {
		w.fire()
	}
}

// fire tells the notifier if a caller is waiting.
func (w *watch) fire() {
	if w.armed.Swap(false) {
		if t := w.target.Load(); t != nil {
			t.notifier.post(t.id)
		}
	}
}
