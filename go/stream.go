package main

import (
	"context"
	"errors"
	"io"
	"sync"
	"sync/atomic"
	"time"

	"httpcloakpy/internal/errs"
	"httpcloakpy/internal/notify"
	"httpcloakpy/internal/targets"
)

// stream is one request whose response body is read incrementally. Its life:
// open (goroutine runs the exchange) -> meta ready -> pump reads ahead -> closed.
type stream struct {
	sess   *session
	ctx    context.Context
	cancel context.CancelCauseFunc

	metaReady chan struct{} // closed once meta or metaErr is set
	meta      *Meta
	metaErr   *errs.Error

	pump   *pump        // nil until headers arrived
	upload *upload      // the streamed request body, or nil
	body   *requestBody // the request body held in memory, or nil

	closed    atomic.Bool
	closeOnce sync.Once
	timers    []*time.Timer

	watch notify.Watch // event-loop readiness, see notify.go

	origin string // scheme://host:port the response came from (set with meta)
}

// Meta is the response as its headers describe it, with the redirects that led to it.
type Meta struct {
	Status        int
	Reason        string
	Proto         string // "h1", "h2" or "h3"
	Headers       [][2]string
	ContentLength int64 // -1 when unknown
	URL           string
	History       []hop
}

// Errors of a read or a write that are not failures: nothing arrived (or no room) within
// the wait, and the server answered before the streamed request body was all sent.
var (
	errPending   = errors.New("nothing yet within the wait")
	errResponded = errors.New("the server answered before the request body was sent")
)

// forever is a wait without a limit.
const forever time.Duration = -1

func openStream(sess *session, spec *requestSpec) (*stream, error) {
	base := context.Background()
	if spec.guard != nil {
		base = targets.WithGuard(base, spec.guard)
	}
	ctx, cancel := context.WithCancelCause(base)
	st := &stream{sess: sess, ctx: ctx, cancel: cancel, metaReady: make(chan struct{}), upload: spec.upload, body: spec.body}
	if st.upload != nil {
		st.upload.wake = st.watch.Fire
		// A cancel or a timeout must also reach an engine blocked reading the body, or
		// the exchange would wait for a body that is never written.
		context.AfterFunc(ctx, func() { _ = st.upload.Close() })
	}
	sess.meta.started()
	if err := sess.track(st); err != nil {
		cancel(err)
		return nil, err
	}
	if spec.timeouts.total > 0 {
		expired := errs.TotalTimeout(spec.timeouts.total)
		st.timers = append(st.timers, time.AfterFunc(spec.timeouts.total, func() { cancel(expired) }))
	}
	var connectTimer *time.Timer
	if spec.timeouts.connect > 0 {
		expired := errs.ConnectTimeout(spec.timeouts.connect)
		connectTimer = time.AfterFunc(spec.timeouts.connect, func() { cancel(expired) })
	}
	go st.run(spec, connectTimer)
	return st, nil
}

func (st *stream) run(spec *requestSpec, connectTimer *time.Timer) {
	defer func() {
		if r := recover(); r != nil {
			st.fail(errs.New(errs.KindInternal, "panic while opening the stream: %v", r))
		}
	}()
	resp, finalURL, history, err := exchange(st.ctx, st.sess, spec)
	// Headers are in (or the attempt is over): the connect timeout no longer applies.
	if connectTimer != nil && !connectTimer.Stop() && err == nil {
		// The timer fired just as the headers arrived; the context is cancelled, so the
		// body cannot be read. Report the timeout rather than a confusing read error.
		_ = resp.Body.Close()
		st.fail(errs.ConnectTimeout(spec.timeouts.connect))
		return
	}
	if err != nil {
		st.fail(errs.Classify(err, st.ctx, "connect"))
		return
	}
	raw := &countingReader{r: resp.Body, expect: -1}
	var body io.ReadCloser = raw
	if spec.method != "HEAD" && resp.Status != 204 && resp.Status != 304 && resp.ContentLength != 0 {
		raw.expect = resp.ContentLength
		if body, err = decodedBody(raw, resp.Headers); err != nil {
			_ = raw.Close()
			st.fail(errs.Classify(err, st.ctx, "body"))
			return
		}
	}
	st.pump = startPump(st.ctx, st.cancel, body, raw, resp.Proto, resp.ContentLength, spec.timeouts.read, st.watch.Fire)
	st.meta = &Meta{
		Status: resp.Status, Reason: resp.Reason, Proto: resp.Proto, Headers: resp.Headers,
		ContentLength: resp.ContentLength, URL: finalURL.String(), History: history,
	}
	st.origin = originOf(finalURL)
	close(st.metaReady)
	st.watch.Fire()
}

func (st *stream) fail(err *errs.Error) {
	st.metaErr = err
	close(st.metaReady)
	st.watch.Fire()
}

// arm asks to be told (through the watching notifier) when meta, data, the end or an
// error is there to take.
func (st *stream) arm() {
	st.watch.Arm(func() bool {
		select {
		case <-st.metaReady:
			return st.pump == nil || st.pump.hasNews()
		default:
			// Still sending: room for more of a streamed body is news too.
			return st.upload != nil && st.upload.hasRoom()
		}
	})
}

// waitMeta returns (meta, nil) when ready, (nil, nil) if not yet within wait (forever:
// no limit), or the failure.
func (st *stream) waitMeta(wait time.Duration) (*Meta, error) {
	if !waitClosed(st.metaReady, wait) {
		return nil, nil
	}
	if st.metaErr != nil {
		return nil, st.metaErr
	}
	return st.meta, nil
}

// metaReadyChan is closed once the response headers arrived or the exchange failed.
func (st *stream) metaReadyChan() <-chan struct{} { return st.metaReady }

// read copies what has arrived of the body into p, waiting up to wait (forever: no
// limit): n > 0 bytes, or io.EOF at the end, errPending when nothing came within wait,
// or the failure (an *hcError, sticky).
func (st *stream) read(p []byte, wait time.Duration) (int, error) {
	if st.closed.Load() {
		return 0, errs.New(errs.KindClosed, "stream closed")
	}
	if !waitClosed(st.metaReady, wait) {
		return 0, errPending
	}
	if st.metaErr != nil {
		return 0, st.metaErr
	}
	return st.pump.read(p, wait)
}

// buffered reports whether a read would return at once: data, the end or an error is in.
func (st *stream) buffered() bool { return st.pump != nil && st.pump.hasNews() }

// write hands a piece of a streamed request body to the engine. It returns len(data)
// when taken, errPending when there was no room within wait, errResponded when the
// engine stopped reading because the response came first, or the failure.
func (st *stream) write(data []byte, wait time.Duration) (int, error) {
	if st.upload == nil {
		return 0, errs.New(errs.KindInvalidArgument, "this stream's body was not opened for streaming (body_len -1)")
	}
	if st.closed.Load() {
		return 0, errs.New(errs.KindClosed, "stream closed")
	}
	switch st.upload.write(data, wait) {
	case writeAccepted:
		return len(data), nil
	case writePending:
		return 0, errPending
	}
	select {
	case <-st.upload.ended:
		return 0, errs.New(errs.KindInvalidArgument, "the request body was already ended")
	default:
	}
	if !waitClosed(st.metaReady, wait) {
		return 0, errPending
	}
	if st.metaErr != nil {
		return 0, st.metaErr
	}
	return 0, errResponded
}

func (st *stream) endUpload() error {
	if st.upload == nil {
		return errs.New(errs.KindInvalidArgument, "this stream's body was not opened for streaming (body_len -1)")
	}
	if short := st.upload.shortfall(); short != nil {
		// Abort rather than end: every protocol then resets the stream or drops the
		// connection, and the caller gets this error from the response.
		st.cancel(short)
		st.watch.Fire()
		return nil
	}
	st.upload.end()
	return nil
}

func (st *stream) cancelNow() {
	st.cancel(errs.ErrCanceled)
	st.watch.Fire()
}

// close releases the stream without blocking: the pump drains a small HTTP/1.1 remainder
// in the background for connection reuse, or aborts.
func (st *stream) close() {
	st.closeOnce.Do(func() {
		defer st.watch.Fire()
		st.closed.Store(true)
		// First: once close returns, borrowed body memory is the caller's again.
		st.body.release()
		for _, t := range st.timers {
			t.Stop()
		}
		st.sess.untrack(st)
		st.sess.meta.touch()
		select {
		case <-st.metaReady:
			if st.pump != nil {
				if st.pump.finish() {
					st.sess.drains.add(st.origin, st.pump.done)
				}
				return
			}
			st.cancel(errs.ErrCanceled)
		default:
			// Still connecting: abort; run() sees the cancelled context and exits.
			st.cancel(errs.ErrCanceled)
			go func() {
				<-st.metaReady
				if st.pump != nil {
					st.pump.finish()
				}
			}()
		}
	})
}

// waitClosed reports whether ch is closed, waiting up to wait for it (forever: no limit).
func waitClosed(ch chan struct{}, wait time.Duration) bool {
	select {
	case <-ch:
		return true
	default:
	}
	if wait == forever {
		<-ch
		return true
	}
	if wait <= 0 {
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
