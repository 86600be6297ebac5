package body

import (
	"context"
	"io"
	"sync"
	"sync/atomic"
	"time"
)

// Incoming is a response body as its stream reads it: on the caller's thread (Direct)
// while the body allows it and the caller waits in its reads, else through the pump. The
// pump starts on first need (a read that must not wait, an event loop arming) and from
// then on reads alone; the two never read at once.
type Incoming struct {
	direct *Direct // nil: the pump from the start
	start  func(leftover []byte) *Pump

	mu   sync.Mutex // guards starting the pump
	pump atomic.Pointer[Pump]
}

// directMinLength: a shorter body, or one of unknown length, stays with the pump, which
// reads it whole in one piece while the caller is still busy with the headers (measured:
// 64 KiB GETs were 15 % slower read directly over HTTP/1.1, where the body's end hands the
// connection back to fhttp's read loop from the caller's thread, and over HTTP/2, where
// the caller went back and forth for each DATA frame).
const directMinLength = pumpMaxChunk

// IncomingSpec is what reading a body needs: the body (decoded, and raw beneath it), how
// the stream ends, and for a direct read, the connection's read deadline.
type IncomingSpec struct {
	Ctx         context.Context
	Cancel      context.CancelCauseFunc
	Decoded     io.ReadCloser
	Raw         *Counter
	Proto       string
	Length      int64 // Content-Length of the raw body, -1 when unknown
	ReadTimeout time.Duration
	Wake        func() // tells an armed event loop that there is news
	// OnReadersThread: the exchange ran on the thread that reads the body (callerwait).
	OnReadersThread bool
	// SetReadDeadline, when set, lets the caller's thread read the body itself (see
	// Direct for which bodies qualify; others ignore it). Nil: always the pump.
	SetReadDeadline func(time.Time) error
	// WaitReadable, when set beside SetReadDeadline, is how a direct read waits for bytes
	// instead of under a deadline (engine.Response.WaitReadable).
	WaitReadable func(time.Duration) (bool, error)
}

func NewIncoming(s IncomingSpec) *Incoming {
	directProto := s.Proto == "h1" || s.Proto == "h2" // Direct's finish knows these two
	least := int64(directMinLength)
	if s.OnReadersThread {
		// Its exchange ran on the reader's thread (no pump to hand the body over), and an
		// HTTP/1.1 connection goes back to the pool on that thread too: a short body is read
		// there (measured over HTTP/2 too: 1.11x GETs of 64 KiB, bench/RESULTS.md).
		least = 0
	}
	if s.SetReadDeadline != nil && directProto && s.Decoded == io.ReadCloser(s.Raw) && s.Length > least {
		return newDirectIncoming(s)
	}
	in := &Incoming{start: pumpStarter(s)}
	in.pump.Store(in.start(nil))
	return in
}

func newDirectIncoming(s IncomingSpec) *Incoming {
	direct := newDirect(s.Ctx, s.Cancel, s.Raw, s.Proto, s.Length, s.ReadTimeout, s.SetReadDeadline)
	direct.waitReadable = s.WaitReadable
	return &Incoming{direct: direct, start: pumpStarter(s)}
}

// pumpStarter starts the pump on s's body; leftover, bytes a direct read took from the
// connection but the caller not yet, come first.
func pumpStarter(s IncomingSpec) func(leftover []byte) *Pump {
	return func(leftover []byte) *Pump {
		decoded := s.Decoded
		if len(leftover) > 0 {
			decoded = &prefixed{prefix: leftover, ReadCloser: decoded}
		}
		return StartPump(s.Ctx, s.Cancel, decoded, s.Raw, s.Proto, s.Length, s.ReadTimeout, s.Wake)
	}
}

// prefixed reads prefix, then the body.
type prefixed struct {
	prefix []byte
	io.ReadCloser
}

func (r *prefixed) Read(p []byte) (int, error) {
	if len(r.prefix) == 0 {
		return r.ReadCloser.Read(p)
	}
	n := copy(p, r.prefix)
	r.prefix = r.prefix[n:]
	return n, nil
}

// Read is Pump.Read: n > 0 bytes, io.EOF, ErrPending after wait, or the failure (sticky).
// A read that may wait is done on the caller's thread when it can; one that must not
// (wait 0: an event loop's) needs the pump.
func (in *Incoming) Read(p []byte, wait time.Duration) (int, error) {
	if pump := in.pump.Load(); pump != nil {
		return pump.Read(p, wait)
	}
	if wait != 0 || in.direct.hasNews() {
		if n, err, taken := in.direct.Read(p, wait); taken {
			return n, err
		}
	}
	if pump := in.Pumped(); pump != nil {
		return pump.Read(p, wait)
	}
	n, err, _ := in.direct.Read(p, wait) // it ended meanwhile: its outcome
	return n, err
}

// Pumped starts the pump if the body is still read directly, for a reader that waits in
// an event loop: only the pump can tell it of news. Nil when the body already ended (or
// what is left of it was read ahead: Read takes it without waiting).
func (in *Incoming) Pumped() *Pump {
	if pump := in.pump.Load(); pump != nil {
		return pump
	}
	in.mu.Lock()
	defer in.mu.Unlock()
	if pump := in.pump.Load(); pump != nil {
		return pump
	}
	leftover, ok := in.direct.retire()
	if !ok {
		return nil
	}
	pump := in.start(leftover)
	in.pump.Store(pump)
	return pump
}

// HasNews reports whether a read would not be pending: data, the end, or an error.
// A body read directly has news once it ended or bytes were read ahead: what the socket
// holds is unknown.
func (in *Incoming) HasNews() bool {
	if pump := in.pump.Load(); pump != nil {
		return pump.HasNews()
	}
	return in.direct.hasNews()
}

// Finish is Pump.Finish: it never waits, and reports whether a drain goes on.
func (in *Incoming) Finish() (draining bool) {
	in.mu.Lock() // no pump starts after this
	defer in.mu.Unlock()
	if pump := in.pump.Load(); pump != nil {
		return pump.Finish()
	}
	return in.direct.finish()
}

// Finished is closed once the body ended and was put away (a drain, too, is over).
func (in *Incoming) Finished() <-chan struct{} {
	if pump := in.pump.Load(); pump != nil {
		return pump.Finished()
	}
	return in.direct.done
}
