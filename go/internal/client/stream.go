package client

import (
	"context"
	"errors"
	"io"
	"sync"
	"sync/atomic"
	"time"

	"httpcloakpy/internal/body"
	"httpcloakpy/internal/callerwait"
	"httpcloakpy/internal/engine"
	"httpcloakpy/internal/errs"
	"httpcloakpy/internal/notify"
	"httpcloakpy/internal/targets"
	"httpcloakpy/internal/wake"
)

// Stream is one request whose response body is read incrementally. Its life:
// open -> exchange (on a goroutine, or on the thread of the caller waiting for the headers:
// inline.go) -> meta ready -> body read (on the caller's thread or by the pump, package
// body) -> closed.
type Stream struct {
	sess   *Session
	ctx    context.Context
	cancel context.CancelCauseFunc

	metaReady chan struct{} // closed once meta or metaErr is set
	metaWake  wake.Slot     // and who waits for it is woken through the kernel
	meta      *Meta
	metaErr   *errs.Error

	incoming *body.Incoming // the response body; nil until headers arrived
	upload   *body.Upload   // the streamed request body, or nil
	body     *body.Held     // the request body held in memory, or nil

	closed    atomic.Bool
	closeOnce sync.Once
	timers    []*time.Timer

	watch   notify.Watch // event-loop readiness (package notify)
	watched atomic.Bool  // an event loop reads it: the pump from the start
	hops    *hopGate     // redirects offered to the reader (on_redirect), or nil

	origin   string             // scheme://host:port the response came from (set with meta)
	trailers func() [][2]string // the response's trailers, once its body ended (set with meta)

	// The exchange to run, and whether it ran (inline.go).
	spec            *Request
	connectDeadline time.Time   // zero: no connect timeout
	connectTimer    *time.Timer // the deadline, for an exchange on a goroutine
	runState        atomic.Int32
	inlineOK        bool // it may run on the thread of a caller waiting for the headers
}

// Meta is the response as its headers describe it, with the redirects that led to it.
type Meta struct {
	Status        int
	Reason        string
	Proto         string // "h1", "h2" or "h3"
	Headers       [][2]string
	WireNames     []string // Headers' names as received (casing), one per pair; nil: unknown
	ContentLength int64    // -1 when unknown
	URL           string
	History       []Hop
}

// ErrResponded is a write's outcome that is not a failure: the server answered before
// the streamed request body was all sent.
var ErrResponded = errors.New("the server answered before the request body was sent")

func OpenStream(sess *Session, spec *Request) (*Stream, error) {
	base := context.Background()
	if spec.Guard != nil {
		base = targets.WithGuard(base, spec.Guard)
	}
	ctx, cancel := context.WithCancelCause(base)
	st := &Stream{sess: sess, ctx: ctx, cancel: cancel, metaReady: make(chan struct{}), upload: spec.Upload, body: spec.Body}
	if spec.RedirectHook {
		st.hops = newHopGate(st.watch.Fire)
	}
	if st.upload != nil {
		st.upload.OnRoom(st.watch.Fire)
		// A cancel or a timeout must also reach an engine blocked reading the body, or
		// the exchange would wait for a body that is never written.
		context.AfterFunc(ctx, func() { _ = st.upload.Close() })
	}
	sess.meta.started()
	if err := sess.track(st); err != nil {
		cancel(err)
		return nil, err
	}
	if spec.Timeouts.Total > 0 {
		expired := errs.TotalTimeout(spec.Timeouts.Total)
		st.timers = append(st.timers, time.AfterFunc(spec.Timeouts.Total, func() { cancel(expired) }))
	}
	if spec.Timeouts.Connect > 0 {
		st.connectDeadline = time.Now().Add(spec.Timeouts.Connect)
		// The engine sizes optional waits (an ECH lookup) by it; a timer (armConnectTimer) or the
		// waits on the caller's thread (runInline) enforce it.
		st.ctx = engine.WithConnectDeadline(st.ctx, st.connectDeadline)
	}
	st.spec = spec
	if st.inlineOK = mayRunInline(spec); !st.inlineOK {
		st.start()
	}
	return st, nil
}

// connectExpired is the error the connect timeout ends the exchange with.
func (st *Stream) connectExpired() error { return errs.ConnectTimeout(st.spec.Timeouts.Connect) }

// armConnectTimer makes the connect deadline a timer, for an exchange on a goroutine.
func (st *Stream) armConnectTimer() {
	if !st.connectDeadline.IsZero() {
		expired := st.connectExpired()
		st.connectTimer = time.AfterFunc(time.Until(st.connectDeadline), func() { st.cancel(expired) })
	}
}

// run performs the exchange in ctx (the stream's, or marked for its caller's thread).
func (st *Stream) run(ctx context.Context) {
	spec, connectTimer := st.spec, st.connectTimer
	defer func() {
		if r := recover(); r != nil {
			st.fail(errs.New(errs.KindInternal, "panic while opening the stream: %v", r))
		}
	}()
	resp, finalURL, history, err := exchange(ctx, st.sess, spec, st.hops)
	// Headers are in (or the attempt is over): the connect timeout no longer applies.
	if connectTimer != nil && !connectTimer.Stop() && err == nil {
		// The timer fired just as the headers arrived; the context is cancelled, so the
		// body cannot be read. Report the timeout rather than a confusing read error.
		_ = resp.Body.Close()
		st.fail(errs.ConnectTimeout(spec.Timeouts.Connect))
		return
	}
	if err != nil {
		st.fail(errs.Classify(err, st.ctx, "connect"))
		return
	}
	hasBody := spec.Method != "HEAD" && resp.Status != 204 && resp.Status != 304 && resp.ContentLength != 0
	expect := int64(-1)
	if hasBody {
		expect = resp.ContentLength
	}
	raw := body.NewCounter(resp.Body, expect)
	var decoded io.ReadCloser = raw
	if hasBody {
		if decoded, err = body.Decode(raw, resp.Headers); err != nil {
			_ = raw.Close()
			st.fail(errs.Classify(err, st.ctx, "body"))
			return
		}
	}
	in := body.IncomingSpec{
		Ctx: st.ctx, Cancel: st.cancel, Decoded: decoded, Raw: raw, Proto: resp.Proto,
		Length: resp.ContentLength, ReadTimeout: spec.Timeouts.Read, Wake: st.watch.Fire,
		OnReadersThread: callerwait.Here(ctx),
	}
	if hasBody && !st.watched.Load() {
		in.SetReadDeadline = resp.SetReadDeadline // the caller's thread may read it
		in.WaitReadable = resp.WaitReadable
	}
	st.incoming = body.NewIncoming(in)
	st.meta = &Meta{
		Status: resp.Status, Reason: resp.Reason, Proto: resp.Proto, Headers: resp.Headers,
		WireNames: resp.WireNames, ContentLength: resp.ContentLength, URL: finalURL.String(),
		History: history,
	}
	st.trailers = resp.Trailers
	st.origin = originOf(finalURL)
	close(st.metaReady)
	st.metaWake.Notify()
	st.watch.Fire()
}

func (st *Stream) fail(err *errs.Error) {
	st.metaErr = err
	close(st.metaReady)
	st.metaWake.Notify()
	st.watch.Fire()
}

// Arm asks to be told (through the watching notifier) when meta, data, the end or an
// error is there to take.
func (st *Stream) Arm() {
	st.start()
	if wake.IsClosed(st.metaReady) && st.incoming != nil {
		st.incoming.Pumped() // only the pump tells an event loop that data came
	}
	st.watch.Arm(func() bool {
		select {
		case <-st.metaReady:
			return st.incoming == nil || st.incoming.HasNews()
		default:
			if st.hops.waiting() != nil {
				return true
			}
			// Still sending: room for more of a streamed body is news too.
			return st.upload != nil && st.upload.HasRoom()
		}
	})
}

// WaitMeta returns (meta, nil) when ready, (nil, nil) if not yet within wait (Forever:
// no limit), or the failure.
func (st *Stream) WaitMeta(wait time.Duration) (*Meta, error) {
	meta, _, err := st.WaitMetaOrRedirect(wait)
	return meta, err
}

// WaitMetaOrRedirect is WaitMeta that also returns a redirect waiting for the reader's
// decision (DecideRedirect), for a stream opened with a redirect hook.
func (st *Stream) WaitMetaOrRedirect(wait time.Duration) (*Meta, *Redirect, error) {
	if wait != 0 {
		st.runInline()
	}
	st.start()
	if st.hops != nil {
		var deadline time.Time
		if wait > 0 {
			deadline = time.Now().Add(wait)
		}
		for {
			if hop := st.hops.waiting(); hop != nil {
				return nil, hop, nil
			}
			left := wait
			if wait > 0 {
				if left = time.Until(deadline); left <= 0 {
					left = 0
				}
			}
			// A signal may be stale (its hop was answered): look again until the time is up.
			if !waitEither(st.metaReady, st.hops.posted, left) {
				return nil, nil, nil
			}
			if wake.IsClosed(st.metaReady) {
				break
			}
		}
	}
	if !st.metaWake.Wait(st.metaReady, wait) {
		return nil, nil, nil
	}
	if st.metaErr != nil {
		return nil, nil, st.metaErr
	}
	return st.meta, nil, nil
}

// DecideRedirect answers the redirect WaitMetaOrRedirect returned: follow it, or stop the
// chain there (the 3xx becomes the response). To fail the request, close the stream.
func (st *Stream) DecideRedirect(follow bool) error { return st.hops.decide(follow) }

// waitEither reports whether done is closed or a signal came on posted within wait.
func waitEither(done <-chan struct{}, posted <-chan struct{}, wait time.Duration) bool {
	select {
	case <-done:
		return true
	case <-posted:
		return true
	default:
	}
	if wait == 0 || (wait < 0 && wait != body.Forever) {
		return false
	}
	var timeout <-chan time.Time
	if wait != body.Forever {
		t := time.NewTimer(wait)
		defer t.Stop()
		timeout = t.C
	}
	select {
	case <-done:
	case <-posted:
	case <-timeout:
		return false
	}
	return true
}

// MetaReady is closed once the response headers arrived or the exchange failed.
func (st *Stream) MetaReady() <-chan struct{} {
	st.start()
	return st.metaReady
}

// Read copies what has arrived of the body into p, waiting up to wait (Forever: no
// limit): n > 0 bytes, or io.EOF at the end, ErrPending when nothing came within wait,
// or the failure (an *errs.Error, sticky).
func (st *Stream) Read(p []byte, wait time.Duration) (int, error) {
	if st.closed.Load() {
		return 0, errs.New(errs.KindClosed, "stream closed")
	}
	st.start()
	if !st.metaWake.Wait(st.metaReady, wait) {
		return 0, body.ErrPending
	}
	if st.metaErr != nil {
		return 0, st.metaErr
	}
	return st.incoming.Read(p, wait)
}

// Buffered reports whether a read would return at once: data, the end or an error is in
// (for a body read on the caller's thread: only its end or an error).
func (st *Stream) Buffered() bool { return st.incoming != nil && st.incoming.HasNews() }

// Write hands a piece of a streamed request body to the engine. It returns len(data)
// when taken, ErrPending when there was no room within wait, ErrResponded when the
// engine stopped reading because the response came first, or the failure.
func (st *Stream) Write(data []byte, wait time.Duration) (int, error) {
	if st.upload == nil {
		return 0, errs.New(errs.KindInvalidArgument, "this stream's body was not opened for streaming (body_len -1)")
	}
	if st.closed.Load() {
		return 0, errs.New(errs.KindClosed, "stream closed")
	}
	switch st.upload.Write(data, wait) {
	case body.WriteAccepted:
		return len(data), nil
	case body.WritePending:
		return 0, body.ErrPending
	}
	if st.upload.Ended() {
		return 0, errs.New(errs.KindInvalidArgument, "the request body was already ended")
	}
	if !st.metaWake.Wait(st.metaReady, wait) {
		return 0, body.ErrPending
	}
	if st.metaErr != nil {
		return 0, st.metaErr
	}
	return 0, ErrResponded
}

func (st *Stream) EndUpload() error {
	if st.upload == nil {
		return errs.New(errs.KindInvalidArgument, "this stream's body was not opened for streaming (body_len -1)")
	}
	if short := st.upload.Shortfall(); short != nil {
		// Abort rather than end: every protocol then resets the stream or drops the
		// connection, and the caller gets this error from the response.
		st.cancel(short)
		st.watch.Fire()
		return nil
	}
	st.upload.End()
	return nil
}

func (st *Stream) Cancel() {
	st.cancel(errs.ErrCanceled)
	st.watch.Fire()
}

// Close releases the stream without blocking: a small HTTP/1.1 remainder is drained in
// the background for connection reuse, or the body is aborted.
func (st *Stream) Close() {
	st.closeOnce.Do(func() {
		defer st.watch.Fire()
		st.closed.Store(true)
		// First: once close returns, borrowed body memory is the caller's again.
		st.body.Release()
		for _, t := range st.timers {
			t.Stop()
		}
		st.sess.untrack(st)
		st.sess.meta.touch()
		st.abandon()
		select {
		case <-st.metaReady:
			if st.incoming != nil {
				if st.incoming.Finish() {
					st.sess.drains.add(st.origin, st.incoming.Finished())
				}
				return
			}
			st.cancel(errs.ErrCanceled)
		default:
			// Still connecting: abort; run() sees the cancelled context and exits.
			st.cancel(errs.ErrCanceled)
			go func() {
				<-st.metaReady
				if st.incoming != nil {
					st.incoming.Finish()
				}
			}()
		}
	})
}

// trailersWait bounds how long Trailers waits for a body that has just ended to be put away.
const trailersWait = time.Second

// Trailers are the response's trailer fields, for a body read to its end (the reader's
// last read returned io.EOF): the body has then been put away or is about to be.
func (st *Stream) Trailers() ([][2]string, error) {
	if !body.WaitClosed(st.metaReady, 0) || st.incoming == nil {
		return nil, errs.New(errs.KindInvalidArgument, "no response yet: trailers come after the body")
	}
	if !body.WaitClosed(st.incoming.Finished(), trailersWait) {
		return nil, errs.New(errs.KindInvalidArgument, "the body was not read to its end: trailers come after it")
	}
	if st.trailers == nil {
		return [][2]string{}, nil
	}
	return st.trailers(), nil
}

// Session is the session the stream was opened on.
func (st *Stream) Session() *Session { return st.sess }

// Watch makes n the notifier an armed stream tells, naming it id there.
func (st *Stream) Watch(n *notify.Notifier, id int64) {
	st.watched.Store(true)
	st.watch.Bind(n, id)
	st.start() // an event loop never waits on its own thread
}
