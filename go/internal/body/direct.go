package body

import (
	"context"
	"errors"
	"io"
	"os"
	"sync"
	"sync/atomic"
	"time"

	"httpcloakpy/internal/errs"
)

// Direct reads a body on the caller's own thread, straight into the caller's buffer: no
// goroutine between the connection and the caller, so no hand-off and no wake-up per
// chunk (the pump's cost, measured in bench/RESULTS.md). The bounded wait and the read
// timeout are a wait in poll(2) before the read where the engine offers one (waitReadable:
// a plain HTTP/1.1 socket), else a read deadline: the HTTP/1.1 connection's, which fhttp
// patch 0006 lets expire without ending the body, or the HTTP/2 stream's (patch 0008).
// Cancel and the timeouts cancel the context, which closes the connection (HTTP/1.1) or
// resets the stream (HTTP/2) under a blocked read or wait.
//
// Only for a body as it came (no Content-Encoding), and over HTTP/1.1 only of known
// length: chunked framing keeps a deadline's error (chunkedReader's errors are sticky),
// and decoders are not written to resume after one.
type Direct struct {
	mu          sync.Mutex // held for a read; retire and finish wait for it
	ctx         context.Context
	cancel      context.CancelCauseFunc
	raw         *Counter
	proto       string // "h1" or "h2"
	length      int64
	setDeadline func(time.Time) error
	// waitReadable, when set, bounds a read by waiting for its bytes first (poll(2) on
	// this thread) instead of under a deadline: a read that waits in Go's poller hands this
	// locked thread's P to another thread and back, and a new deadline's timer wakes the
	// poller's thread (a system call and a context switch).
	waitReadable func(time.Duration) (bool, error)
	readTimeout  time.Duration

	// guarded by mu
	buf      []byte        // native reads shorter than the caller's land here (nativeRead)
	cur      []byte        // what of buf the caller has not taken yet
	deadline time.Time     // the connection's read deadline as we last set it
	silent   time.Duration // time spent waiting in reads since the last byte
	final    error         // io.EOF or an *errs.Error once the body ended: sticky
	retired  bool          // the pump reads it now, or it was closed

	finishing atomic.Bool   // close() was called
	done      chan struct{} // closed once the body ended and was closed
}

// nativeReadSize is the least a direct read asks of the connection: fewer system calls
// (and TCP window updates) than one per caller's chunk, as the pump reads.
const nativeReadSize = pumpMaxChunk

func newDirect(ctx context.Context, cancel context.CancelCauseFunc, raw *Counter, proto string, length int64, readTimeout time.Duration, setDeadline func(time.Time) error) *Direct {
	return &Direct{
		ctx: ctx, cancel: cancel, raw: raw, proto: proto, length: length, readTimeout: readTimeout,
		setDeadline: setDeadline, done: make(chan struct{}),
	}
}

// Read is Pump.Read on the caller's thread; taken is false once the pump took the body
// over (retire), and the caller must read from the pump instead.
func (d *Direct) Read(p []byte, wait time.Duration) (n int, err error, taken bool) {
	d.mu.Lock()
	defer d.mu.Unlock()
	if len(d.cur) > 0 {
		n := copy(p, d.cur)
		d.cur = d.cur[n:]
		return n, nil, true
	}
	if d.final != nil {
		return 0, d.final, true
	}
	if d.retired {
		return 0, nil, false
	}
	if d.ctx.Err() != nil {
		return 0, d.end(causeOf(d.ctx)), true
	}
	var end time.Time // zero: wait without a limit
	if wait != Forever {
		end = time.Now().Add(wait)
	}
	for {
		started := time.Now()
		var n int
		var err error
		if d.waitReadable != nil {
			n, err = d.readOnceReadable(p, started, end)
		} else {
			if err := d.armDeadline(started, end); err != nil {
				return 0, d.end(d.failure(err)), true // the connection is closed already
			}
			n, err = d.nativeRead(p)
		}
		if n > 0 {
			d.silent = 0
		}
		switch {
		case err == nil:
			return n, nil, true
		case errors.Is(err, os.ErrDeadlineExceeded):
			if n > 0 {
				return n, nil, true
			}
			now := time.Now()
			d.silent += now.Sub(started)
			if d.readTimeout > 0 && d.silent >= d.readTimeout {
				expired := errs.ReadTimeout(d.readTimeout)
				d.cancel(expired) // fhttp drops the connection, as after the pump's timeout
				return 0, d.end(expired), true
			}
			if !end.IsZero() && !now.Before(end) {
				return 0, ErrPending, true
			}
			// An earlier deadline than this read's (an older one kept, see armDeadline).
		case err == io.EOF:
			d.end(io.EOF)
			if n > 0 {
				return n, nil, true
			}
			return 0, io.EOF, true
		default:
			failure := d.failure(err)
			d.end(failure)
			if n > 0 {
				return n, nil, true
			}
			return 0, failure, true
		}
	}
}

// nativeRead reads at least nativeReadSize from an HTTP/1.1 connection at once (one
// system call for several of the caller's chunks), keeping what p has no room for in cur.
// An HTTP/2 body comes from its stream's buffer, with no system call to save: straight.
func (d *Direct) nativeRead(p []byte) (int, error) {
	if len(p) >= nativeReadSize || d.proto != "h1" || d.length-d.raw.n.Load() <= int64(len(p)) {
		return d.raw.Read(p) // p holds the rest: no buffer between (a short body's case)
	}
	if d.buf == nil {
		d.buf = sharedBuffers.get(nativeReadSize)
	}
	n, err := d.raw.Read(d.buf)
	taken := copy(p, d.buf[:n])
	d.cur = d.buf[taken:n]
	return taken, err
}

// readOnceReadable is a read that waits for bytes in waitReadable first, until the
// deadline armDeadline would set: os.ErrDeadlineExceeded when none came by then.
func (d *Direct) readOnceReadable(p []byte, now, end time.Time) (int, error) {
	target := d.waitTarget(now, end)
	wait := time.Duration(-1) // no limit
	if !target.IsZero() {
		wait = max(target.Sub(now), 0)
	}
	readable, err := d.waitReadable(wait)
	if d.ctx.Err() != nil {
		return 0, causeOf(d.ctx) // a cancel ended the wait
	}
	if err != nil {
		return 0, err
	}
	if !readable {
		return 0, os.ErrDeadlineExceeded
	}
	n, err := d.nativeRead(p)
	if err == nil && n > 0 && n < len(p) {
		// The connection's buffer held less than p (the start of a body that came with
		// its head): top p up with what the socket holds already, without waiting, so a
		// short body takes one call instead of two.
		if more, _ := d.waitReadable(0); more {
			var m int
			m, err = d.nativeRead(p[n:])
			n += m
		}
	}
	return n, err
}

// waitTarget is when a read started at now must return: by end (zero: no limit) or when
// the silence reaches the read timeout, whichever comes first.
func (d *Direct) waitTarget(now, end time.Time) time.Time {
	target := end
	if d.readTimeout > 0 {
		if t := now.Add(d.readTimeout - d.silent); target.IsZero() || t.Before(target) {
			target = t
		}
	}
	return target
}

// armDeadline makes sure a read started at now returns by end (zero: no limit) or when
// the silence reaches the read timeout. A deadline already set that comes no later and
// has not passed is kept: setting one per read would cost a timer update per chunk, and
// one that comes early only makes Read go round once more.
func (d *Direct) armDeadline(now, end time.Time) error {
	target := d.waitTarget(now, end)
	keep := d.deadline.IsZero() == target.IsZero() &&
		(target.IsZero() || (!d.deadline.After(target) && d.deadline.After(now)))
	if keep {
		return nil
	}
	if err := d.setDeadline(target); err != nil {
		return err
	}
	d.deadline = target
	return nil
}

// failure is err as the caller sees it: the stream's own cause when it was cancelled or
// closed under the read.
func (d *Direct) failure(err error) *errs.Error {
	if d.finishing.Load() {
		return errs.New(errs.KindClosed, "stream closed")
	}
	return errs.Classify(err, d.ctx, "body")
}

// end records the body's outcome and puts the body away: at io.EOF fhttp has already
// given the connection back to its pool; after a failure closing it drops the connection.
func (d *Direct) end(final error) error {
	d.final = final
	d.retired = true
	_ = d.raw.Close()
	close(d.done)
	return final
}

// hasNews reports whether a read would return at once: bytes read ahead, the end, or a
// failure.
func (d *Direct) hasNews() bool {
	d.mu.Lock()
	defer d.mu.Unlock()
	return len(d.cur) > 0 || d.final != nil
}

// retire hands the body to the pump: it waits for a read in flight (at most its wait)
// and clears the deadline, which would fail the pump's reads; the pump delivers leftover
// (bytes read but not taken) first. False if the body already ended or some of it is
// still here to take: then the caller reads from d to the end.
func (d *Direct) retire() (leftover []byte, ok bool) {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.final != nil || d.retired {
		return nil, false
	}
	leftover, d.cur, d.buf = d.cur, nil, nil
	d.retired = true
	if !d.deadline.IsZero() {
		if err := d.setDeadline(time.Time{}); err != nil {
			d.cancel(errs.Classify(err, d.ctx, "body")) // the pump reports it
		}
	}
	return leftover, true
}

// finish is Pump.Finish for a body read directly: a small remainder of an HTTP/1.1 body is
// drained in the background so the connection returns to the pool, more is dropped (as an
// HTTP/2 stream always is: a reset costs its connection nothing). A read in flight
// (close from another thread) is interrupted by cancelling, which drops the connection.
func (d *Direct) finish() (draining bool) {
	d.finishing.Store(true)
	if !d.mu.TryLock() {
		d.cancel(errs.ErrCanceled)
		go func() {
			d.mu.Lock()
			defer d.mu.Unlock()
			if d.final == nil {
				d.end(errs.New(errs.KindClosed, "stream closed"))
			}
		}()
		return false
	}
	defer d.mu.Unlock()
	if d.buf != nil {
		sharedBuffers.put(d.buf) // no read in flight holds it (the lock), none comes after
		d.buf = nil
	}
	d.cur = nil
	if d.final != nil {
		return false
	}
	closed := errs.New(errs.KindClosed, "stream closed")
	if d.proto != "h1" || d.length-d.raw.n.Load() > drainLimit || d.setDeadline(time.Now().Add(drainTimeout)) != nil {
		d.cancel(errs.ErrCanceled)
		d.end(closed)
		return false
	}
	d.final, d.retired = closed, true
	go func() {
		// At the end of the body the engine clears the deadline and pools the connection;
		// a remainder that does not come within drainTimeout drops it (Close before EOF).
		_, _ = io.CopyN(io.Discard, d.raw, drainLimit+1)
		_ = d.raw.Close()
		close(d.done)
	}()
	return true
}
