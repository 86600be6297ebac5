package callerwait

import (
	"context"
	"errors"
	"sync/atomic"
	"testing"
	"time"
)

// A wait on the caller's thread runs the check every slice; an interrupt ends it with
// ErrInterrupted and cancels the exchange's context.
func TestWaitRunsTheCheckAndEndsOnAnInterrupt(t *testing.T) {
	var checks atomic.Int32
	SetCheck(func() bool { return checks.Add(1) == 3 })
	t.Cleanup(func() { SetCheck(nil) })
	ctx, cancel := context.WithCancelCause(context.Background())
	ctx = OnCaller(ctx, cancel, time.Time{}, nil)
	started := time.Now()
	err := Wait(ctx, make(chan struct{}))
	if !errors.Is(err, ErrInterrupted) || context.Cause(ctx) != ErrInterrupted {
		t.Fatalf("Wait = %v, the context's cause %v", err, context.Cause(ctx))
	}
	if waited := time.Since(started); waited < 2*Slice || waited > 10*Slice {
		t.Fatalf("three checks took %v", waited)
	}
}

// Sleep lasts its duration when nothing interrupts it.
func TestSleepLastsItsDuration(t *testing.T) {
	SetCheck(func() bool { return false })
	t.Cleanup(func() { SetCheck(nil) })
	ctx, cancel := context.WithCancelCause(context.Background())
	defer cancel(nil)
	started := time.Now()
	if err := Sleep(OnCaller(ctx, cancel, time.Time{}, nil), 250*time.Millisecond); err != nil {
		t.Fatal(err)
	}
	if waited := time.Since(started); waited < 250*time.Millisecond {
		t.Fatalf("slept %v", waited)
	}
}

// A result that comes after the caller gave up is handed to discard, never lost.
func TestDoDiscardsALateResult(t *testing.T) {
	ctx, cancel := context.WithCancelCause(context.Background())
	ctx = OnCaller(ctx, cancel, time.Time{}, nil)
	release := make(chan struct{})
	discarded := make(chan int, 1)
	go func() {
		time.Sleep(50 * time.Millisecond)
		cancel(errors.New("gave up"))
	}()
	_, err := Do(ctx, func(context.Context) (int, error) { <-release; return 7, nil }, func(v int) { discarded <- v })
	if err == nil {
		t.Fatal("Do returned no error after its context ended")
	}
	close(release)
	select {
	case v := <-discarded:
		if v != 7 {
			t.Fatalf("discarded %d", v)
		}
	case <-time.After(time.Second):
		t.Fatal("the late result was not discarded")
	}
}

// Here tells an exchange on its caller's thread from one on a goroutine.
func TestHereMarksOnlyTheCallersContext(t *testing.T) {
	ctx, cancel := context.WithCancelCause(context.Background())
	defer cancel(nil)
	if Here(ctx) || !Here(OnCaller(ctx, cancel, time.Time{}, nil)) {
		t.Fatal("Here does not follow OnCaller")
	}
}

// A deadline ends a wait on the caller's thread with its error, on time though the slice
// is a minute: the slice shrinks to what is left.
func TestAWaitEndsAtTheCallersDeadline(t *testing.T) {
	defer func(slice time.Duration) { Slice = slice }(Slice)
	Slice = time.Minute
	SetCheck(func() bool { return false })
	t.Cleanup(func() { SetCheck(nil) })
	ctx, cancel := context.WithCancelCause(context.Background())
	expired := errors.New("connect timeout")
	started := time.Now()
	err := Wait(OnCaller(ctx, cancel, started.Add(100*time.Millisecond), func() error { return expired }), make(chan struct{}))
	if !errors.Is(err, expired) || context.Cause(ctx) != expired {
		t.Fatalf("Wait = %v, the context's cause %v", err, context.Cause(ctx))
	}
	if waited := time.Since(started); waited < 100*time.Millisecond || waited > 5*time.Second {
		t.Fatalf("a 100 ms deadline ended the wait after %v", waited)
	}
}
