package wake

import (
	"errors"
	"time"

	"golang.org/x/sys/unix"
)

// waiter is an eventfd: wake adds to its count, sleep polls it, drain resets it.
type waiter struct{ fd int }

func newWaiter() *waiter {
	fd, err := unix.Eventfd(0, unix.EFD_NONBLOCK|unix.EFD_CLOEXEC)
	if err != nil {
		return nil
	}
	return &waiter{fd: fd}
}

var one = [8]byte{1}

func (w *waiter) wake() { _, _ = unix.Write(w.fd, one[:]) }

func (w *waiter) drain() {
	var count [8]byte
	_, _ = unix.Read(w.fd, count[:])
}

// sleep returns when woken (the count drained) or after d (< 0: no limit), or early
// (a signal); false when poll(2) fails, and the caller must wait some other way.
func (w *waiter) sleep(d time.Duration) bool {
	fds := []unix.PollFd{{Fd: int32(w.fd), Events: unix.POLLIN}}
	n, err := unix.Poll(fds, PollMillis(d))
	if err != nil && !errors.Is(err, unix.EINTR) {
		return false
	}
	if n > 0 {
		w.drain()
	}
	return true
}
