// Package callerwait is for an exchange that runs on its caller's own thread (a Python
// thread that asked for the response headers) instead of a goroutine: no hand-off to
// another thread and back, which costs two wake-ups a request. Such a caller is not back
// in Python every wait slice to run its signal handlers, so every wait of the exchange
// goes in slices and between slices calls the check Python registered, in which its
// handlers run: Ctrl-C is answered as fast as when the caller waits for a goroutine.
package callerwait

import (
	"context"
	"sync"
	"sync/atomic"
	"time"

	"httpcloakpy/internal/errs"
	"httpcloakpy/internal/wake"
)

// Slice is the longest a wait on the caller's thread goes without running the check (a
// variable for tests, which lengthen it to show that a wait ends on its own cue).
var Slice = 100 * time.Millisecond

// ErrInterrupted ends an exchange whose caller's check reported an interrupt (a Python
// signal handler raised); the caller's side raises what the handler raised instead.
var ErrInterrupted = errs.New(errs.KindCanceled, "interrupted by a signal handler")

var check atomic.Pointer[func() bool]

// SetCheck registers the interrupt check (nil: none).
func SetCheck(f func() bool) {
	if f == nil {
		check.Store(nil)
		return
	}
	check.Store(&f)
}

// Registered reports whether an interrupt check is registered: without one, an exchange
// must not run on its caller's thread.
func Registered() bool { return check.Load() != nil }

type key struct{}

// caller is what an exchange on its caller's thread carries: how to end it, and the
// deadline its waits keep (zero: none) with the error that deadline ends it with (made
// only then).
type caller struct {
	cancel   context.CancelCauseFunc
	deadline time.Time
	expired  func() error
}

// OnCaller marks ctx as an exchange's on its caller's thread; cancel ends the exchange
// when the check reports an interrupt, or with expired once deadline passed (zero: no
// deadline). The deadline is kept by the waits' slices, not by a timer: a pending runtime
// timer keeps one of Go's threads in epoll_wait, woken by every event on every socket.
func OnCaller(ctx context.Context, cancel context.CancelCauseFunc, deadline time.Time, expired func() error) context.Context {
	return context.WithValue(ctx, key{}, &caller{cancel: cancel, deadline: deadline, expired: expired})
}

func callerOf(ctx context.Context) *caller {
	c, _ := ctx.Value(key{}).(*caller)
	return c
}

// Here reports whether ctx's exchange runs on its caller's thread.
func Here(ctx context.Context) bool { return callerOf(ctx) != nil }

// off is ctx for work that Do runs on a goroutine: its waits are not the caller's (the
// caller waits in slices meanwhile), and must not run the caller's check.
func off(ctx context.Context) context.Context {
	return context.WithValue(ctx, key{}, (*caller)(nil))
}

// Slices is ctx's exchange's wait slices for a wait the engine leaves to a library (the
// shape of fhttp's http2.SleepingWaitSlices): each slice as long as SliceFor says,
// Interrupted at its end, and the waiting thread asleep in poll(2) meanwhile (package
// wake), woken by Notify.
type Slices struct {
	ctx  context.Context
	slot wake.Slot
}

// SlicesOf is the wait slices of ctx's exchange on its caller's thread.
func SlicesOf(ctx context.Context) *Slices { return &Slices{ctx: ctx} }

func (s *Slices) Next() time.Duration { return SliceFor(s.ctx) }

func (s *Slices) Check() { Interrupted(s.ctx) }

func (s *Slices) Sleep(ready func() bool, d time.Duration) bool { return s.slot.Sleep(ready, d) }

func (s *Slices) Notify() { s.slot.Notify() }

// SliceFor is how long a wait of ctx's exchange may go before it calls Interrupted: Slice,
// or less when its deadline comes sooner.
func SliceFor(ctx context.Context) time.Duration {
	c := callerOf(ctx)
	if c == nil || c.deadline.IsZero() {
		return Slice
	}
	return max(min(Slice, time.Until(c.deadline)), 0)
}

// Expired ends ctx's exchange with the deadline's error once the deadline passed, and
// reports whether it did.
func Expired(ctx context.Context) bool {
	c := callerOf(ctx)
	if c == nil || c.deadline.IsZero() || time.Now().Before(c.deadline) {
		return false
	}
	c.cancel(c.expired())
	return true
}

// Deadline is the deadline ctx's exchange on its caller's thread keeps (zero: none).
func Deadline(ctx context.Context) time.Time {
	if c := callerOf(ctx); c != nil {
		return c.deadline
	}
	return time.Time{}
}

// Interrupted runs the check; on an interrupt, or once the deadline passed, it ends ctx's
// exchange and reports true.
func Interrupted(ctx context.Context) bool {
	if Expired(ctx) {
		return true
	}
	f := check.Load()
	if f == nil || !(*f)() {
		return false
	}
	if c := callerOf(ctx); c != nil {
		c.cancel(ErrInterrupted)
	}
	return true
}

// Wait returns nil once done is closed, or ctx's cause once it ends (an interrupt ends it).
func Wait(ctx context.Context, done <-chan struct{}) error {
	return wait(ctx, done, nil)
}

// Sleep is time.Sleep(d) that ends early with ctx's cause.
func Sleep(ctx context.Context, d time.Duration) error {
	elapsed := time.NewTimer(d)
	defer elapsed.Stop()
	return wait(ctx, nil, elapsed.C)
}

func wait(ctx context.Context, done <-chan struct{}, elapsed <-chan time.Time) error {
	slice := time.NewTimer(SliceFor(ctx))
	defer slice.Stop()
	for {
		select {
		case <-done:
			return nil
		case <-elapsed:
			return nil
		case <-ctx.Done():
			return context.Cause(ctx)
		case <-slice.C:
			Interrupted(ctx)
			slice.Reset(SliceFor(ctx))
		}
	}
}

// Do runs work on a goroutine while the caller waits in slices: for the waits this
// package cannot slice itself (a dial, another protocol's round trip). work gets ctx no
// longer marked as on the caller's thread. A result that comes after the caller gave up
// goes to discard.
func Do[T any](ctx context.Context, work func(ctx context.Context) (T, error), discard func(T)) (T, error) {
	var (
		result    T
		err       error
		mu        sync.Mutex
		finished  bool // guarded by mu: result and err are set
		abandoned bool // guarded by mu: the caller gave up
	)
	done := make(chan struct{})
	go func() {
		defer close(done)
		r, e := work(off(ctx))
		mu.Lock()
		result, err, finished = r, e, true
		late := abandoned
		mu.Unlock()
		if late && e == nil {
			discard(r)
		}
	}()
	if waitErr := Wait(ctx, done); waitErr != nil {
		mu.Lock()
		abandoned = true
		came := finished && err == nil
		mu.Unlock()
		if came {
			discard(result)
		}
		var zero T
		return zero, waitErr
	}
	return result, err
}
