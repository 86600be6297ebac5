// Package body moves bodies between the engine and the caller: the pump that reads a
// response ahead into pooled buffers (Read returns data, io.EOF or ErrPending, never
// waiting past its slice), the decoders of Content-Encoding, and request bodies held in
// memory (Held) or written piece by piece while they are sent (Upload).
package body

import (
	"context"
	"errors"
	"io"
	"sync"
	"sync/atomic"
	"time"

	"httpcloakpy/internal/errs"
	"httpcloakpy/internal/wake"
)

// The pump is a per-stream goroutine that reads the body ahead of the caller into a few
// pooled buffers, so network and Python overlap, reads can wait for a bounded slice, and a
// read timeout or cancel interrupts a silent socket. Its buffers start small and grow only
// while reads fill them: an idle Server-Sent Events stream holds one small buffer.
const (
	pumpFirstChunk = 8 << 10
	pumpMaxChunk   = 256 << 10
	pumpQueueDepth = 4

	// A closed HTTP/1.1 body with at most this much left is read to its end in the
	// background so the connection returns to the pool; more is cheaper to drop.
	// The next request on the session waits up to drainWait for such a drain: enough for
	// a remainder that is arriving, too little to matter when it is not (a slow stream).
	drainLimit   = 256 << 10
	DrainWait    = 20 * time.Millisecond
	drainTimeout = 2 * time.Second
)

type chunk struct {
	buf []byte
	err *errs.Error
	eof bool
}

type Pump struct {
	ctx         context.Context
	cancel      context.CancelCauseFunc
	body        io.ReadCloser // decoded body
	raw         *Counter
	proto       string
	length      int64 // Content-Length of the raw body, -1 when unknown
	readTimeout time.Duration

	chunks     chan chunk
	free       chan []byte // spare buffers, see getBuffer
	finishing  chan struct{}
	finishOnce sync.Once
	done       chan struct{} // closed when run() has returned and closed the body
	wake       func()        // tells an armed event loop that there is news; never nil
	news       wake.Slot     // wakes a reader waiting in Read (sleepForNews)

	// consumer side, guarded by mu
	mu        sync.Mutex
	cur       []byte
	curBuf    []byte
	final     *errs.Error
	eof       bool
	waitTimer *time.Timer
}

func StartPump(ctx context.Context, cancel context.CancelCauseFunc, decoded io.ReadCloser, raw *Counter, proto string, length int64, readTimeout time.Duration, wake func()) *Pump {
	p := &Pump{
		ctx: ctx, cancel: cancel, body: decoded, raw: raw, proto: proto, length: length,
		readTimeout: readTimeout, wake: wake,
		chunks:    make(chan chunk, pumpQueueDepth),
		free:      make(chan []byte, pumpQueueDepth+2),
		finishing: make(chan struct{}),
		done:      make(chan struct{}),
	}
	go p.run()
	return p
}

func (p *Pump) run() {
	defer close(p.done)
	defer p.recycleSpares()
	defer p.wake() // however the pump ends, a waiting event loop must look again
	defer func() {
		if r := recover(); r != nil {
			p.send(chunk{err: errs.New(errs.KindInternal, "panic while reading the body: %v", r)})
		}
		_ = p.body.Close()
	}()
	var silence *silenceWatch
	if p.readTimeout > 0 {
		expired := errs.ReadTimeout(p.readTimeout)
		silence = watchSilence(p.readTimeout, func() { p.cancel(expired) })
		defer silence.stop()
	}
	size := firstChunkSize(p.length)
	for {
		buf := p.getBuffer(size)
		if silence != nil {
			silence.reading()
		}
		n, err := p.body.Read(buf)
		if silence != nil {
			silence.idle()
		}
		if n > 0 {
			// The last bytes and the end travel together: one hand-off fewer per body.
			if !p.send(chunk{buf: buf[:n], eof: err == io.EOF}) {
				p.drainIfFinishing()
				return
			}
			if n == len(buf) && size < pumpMaxChunk {
				size *= 2
			}
		} else {
			p.putBuffer(buf)
		}
		if err == io.EOF {
			if n == 0 {
				p.send(chunk{eof: true})
			}
			return
		}
		if err != nil {
			p.send(chunk{err: errs.Classify(err, p.ctx, "body")})
			return
		}
	}
}

// send hands a chunk to the consumer; false means nobody will take it any more.
func (p *Pump) send(c chunk) bool {
	select {
	case p.chunks <- c:
		p.wake()
		p.news.Notify()
		return true
	case <-p.ctx.Done():
		return false
	case <-p.finishing:
		return false
	}
}

// drainIfFinishing reads what little is left of an HTTP/1.1 body after close, so the
// connection can be reused. finish() armed a deadline that cancels the context.
func (p *Pump) drainIfFinishing() {
	select {
	case <-p.finishing:
	default:
		return
	}
	if p.ctx.Err() != nil {
		return
	}
	_, _ = io.CopyN(io.Discard, p.raw, drainLimit+1)
}

// Finish is close(): drain a small HTTP/1.1 remainder in the background (until
// drainTimeout) so the connection goes back to the pool, else abort (on HTTP/2 and HTTP/3
// that resets only this stream).
//
// It never waits: it reports whether a drain goes on, and the session's next request
// waits for it a little (the client's drains) so that request finds the connection idle.
func (p *Pump) Finish() (draining bool) {
	p.finishOnce.Do(func() {
		draining = p.canDrain()
		if draining {
			time.AfterFunc(drainTimeout, func() { p.cancel(errs.ErrCanceled) })
		} else {
			p.cancel(errs.ErrCanceled)
		}
		close(p.finishing)
		p.news.Notify()
		p.releaseConsumerBuffers()
		if WaitClosed(p.done, 0) { // else run() recycles them as it ends
			p.recycleSpares()
		}
	})
	return draining
}

// Finished is closed once the pump ended and closed the body (a drain, too, is over).
func (p *Pump) Finished() <-chan struct{} { return p.done }

func (p *Pump) canDrain() bool {
	if p.proto != "h1" {
		return false
	}
	if p.length < 0 {
		return true // chunked: try up to drainLimit
	}
	return p.length-p.raw.n.Load() <= drainLimit
}

func (p *Pump) releaseConsumerBuffers() {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.curBuf != nil {
		p.putBuffer(p.curBuf)
		p.cur, p.curBuf = nil, nil
	}
	for {
		select {
		case c := <-p.chunks:
			if c.buf != nil {
				p.putBuffer(c.buf)
			}
		default:
			return
		}
	}
}

// HasNews reports whether a read would not be pending: data, the end, or an error.
func (p *Pump) HasNews() bool {
	return len(p.chunks) > 0 || p.ctx.Err() != nil || WaitClosed(p.finishing, 0)
}

// Read copies what has arrived into dst, waiting up to wait (Forever: no limit) for
// something to arrive: n > 0 bytes, io.EOF at the end, ErrPending when nothing came
// within wait, or the failure (an *errs.Error), sticky.
// Once it has bytes it also takes the chunks already queued behind them, never waiting
// for more, so one call can return a whole small body.
func (p *Pump) Read(dst []byte, wait time.Duration) (int, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if len(p.cur) == 0 {
		if p.final != nil {
			return 0, p.final
		}
		if p.eof {
			return 0, io.EOF
		}
		c, ok := p.next(wait)
		if !ok {
			return 0, ErrPending
		}
		if c.buf == nil {
			return 0, p.take(c)
		}
		p.take(c)
	}
	n := 0
	for {
		copied := copy(dst[n:], p.cur)
		n += copied
		p.cur = p.cur[copied:]
		if len(p.cur) > 0 {
			return n, nil
		}
		p.putBuffer(p.curBuf)
		p.cur, p.curBuf = nil, nil
		if n == len(dst) || p.eof || p.final != nil {
			return n, nil
		}
		select {
		case c := <-p.chunks:
			p.take(c) // an error or the end is kept for the next call
		default:
			return n, nil
		}
	}
}

// take records a chunk from the pump: its bytes become cur; its end or failure is kept
// for the read that finds cur empty, and returned as well (io.EOF for the end).
func (p *Pump) take(c chunk) error {
	switch {
	case c.err != nil:
		p.final = c.err
		return c.err
	case c.eof:
		p.eof = true
	}
	if c.buf != nil {
		p.cur, p.curBuf = c.buf, c.buf[:cap(c.buf)]
		return nil
	}
	return io.EOF
}

// firstChunkSize is the pump's first read: the whole body when its length is known and
// small, so a short response takes one hand-off; else small, since an idle event stream
// should hold one small buffer, and reads grow it while they fill it.
func firstChunkSize(length int64) int {
	if length <= pumpFirstChunk {
		return pumpFirstChunk
	}
	return int(min(length, pumpMaxChunk))
}

func (p *Pump) next(wait time.Duration) (chunk, bool) {
	if c, ok := p.arrived(); ok || (wait != Forever && wait <= 0) {
		return c, ok
	}
	if p.sleepForNews(wait) {
		return p.arrived()
	}
	var expired <-chan time.Time // nil: wait forever
	if wait != Forever {
		if p.waitTimer == nil {
			p.waitTimer = time.NewTimer(wait)
		} else {
			p.waitTimer.Reset(wait)
		}
		defer p.waitTimer.Stop()
		expired = p.waitTimer.C
	}
	select {
	case c := <-p.chunks:
		return c, true
	case <-p.ctx.Done():
		// Deliver anything that arrived before the cancel; only then the cause.
		select {
		case c := <-p.chunks:
			return c, true
		default:
			return chunk{err: causeOf(p.ctx)}, true
		}
	case <-p.finishing:
		return chunk{err: errs.New(errs.KindClosed, "stream closed")}, true
	case <-expired:
		return chunk{}, false
	}
}

// arrived is what a read finds without waiting: a queued chunk, else the cancel's cause or
// the close as a chunk's error; false when there is none of them.
func (p *Pump) arrived() (chunk, bool) {
	select {
	case c := <-p.chunks:
		return c, true
	default:
	}
	if p.ctx.Err() != nil {
		return chunk{err: causeOf(p.ctx)}, true
	}
	if WaitClosed(p.finishing, 0) {
		return chunk{err: errs.New(errs.KindClosed, "stream closed")}, true
	}
	return chunk{}, false
}

// sleepForNews waits up to wait for a chunk, the cancel or the close in poll(2) on this
// thread (package wake): a reader on a C thread then needs no timer per wait, and its P is
// not handed to another thread and back. False when it could not wait so (next's select
// then waits).
func (p *Pump) sleepForNews(wait time.Duration) bool {
	stop := context.AfterFunc(p.ctx, p.news.Notify)
	defer stop()
	return p.news.Sleep(p.HasNews, wait)
}

func causeOf(ctx context.Context) *errs.Error {
	var known *errs.Error
	if errors.As(context.Cause(ctx), &known) {
		return known
	}
	return errs.New(errs.KindCanceled, "%v", context.Cause(ctx))
}

// Counter counts raw body bytes so close() knows how much is left.
// Counter counts the raw body bytes and, when it knows the Content-Length, refuses
// to call a shorter body complete whatever the protocol below let through.
type Counter struct {
	r      io.ReadCloser
	n      atomic.Int64
	expect int64 // Content-Length, -1 when unknown or when the response has no body
}

// NewCounter counts r's bytes; expect is the Content-Length (-1: unknown, or no body).
func NewCounter(r io.ReadCloser, expect int64) *Counter {
	return &Counter{r: r, expect: expect}
}

func (c *Counter) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	got := c.n.Add(int64(n))
	if err == io.EOF && c.expect >= 0 && got < c.expect {
		return n, errs.New(errs.KindTruncated, "the body ended after %d of its %d bytes (Content-Length)", got, c.expect)
	}
	return n, err
}

func (c *Counter) Close() error { return c.r.Close() }

// Each pump recycles its own few buffers between itself and the consumer, so a long
// download touches the same memory over and over: no allocation, no garbage, no page
// faults on the hot path. A buffer smaller than the current read size is dropped. When
// the pump ends, its spares go to sharedBuffers for the next streams, so many short
// responses in a row do not allocate either.
func (p *Pump) getBuffer(size int) []byte {
	for {
		select {
		case b := <-p.free:
			if cap(b) >= size {
				return b[:size]
			}
		default:
			return sharedBuffers.get(size)
		}
	}
}

// recycleSpares hands the pump's unused buffers to sharedBuffers; only buffers in the free
// list are unreferenced (the consumer returns one there once it has copied it out).
func (p *Pump) recycleSpares() {
	for {
		select {
		case b := <-p.free:
			sharedBuffers.put(b)
		default:
			return
		}
	}
}

func (p *Pump) putBuffer(buf []byte) {
	select {
	case p.free <- buf[:cap(buf)]:
	default: // enough spares already
	}
}
