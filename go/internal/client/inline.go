package client

import (
	"httpcloakpy/internal/callerwait"
	"httpcloakpy/internal/errs"
)

// An exchange may run on the thread of the caller who waits for its headers (a Python
// thread in hc_stream_meta) instead of a goroutine: that saves the hand-off to another
// thread and back, two wake-ups a request (bench/RESULTS.md, session 9). Every wait it
// makes there goes in slices with the caller's interrupt check between them (package
// callerwait), so Ctrl-C is answered as before.
//
// Such a stream starts its exchange at the first call that needs it: a wait for the
// headers runs it there, anything else (an event loop's watch, a poll, a read) starts it
// on a goroutine.

const (
	runPending int32 = iota // not started
	runStarted              // running or ran
	runNever                // closed before it started
)

// mayRunInline: a request without a body and without a redirect hook (whose decisions
// come from the caller's thread), while an interrupt check is registered. What the engine
// cannot wait for in slices (a first contact, HTTP/3) runs on a goroutine meanwhile.
func mayRunInline(spec *Request) bool {
	return callerwait.Registered() && (spec.URL.Scheme == "http" || spec.URL.Scheme == "https") &&
		spec.Body == nil && spec.Upload == nil && !spec.RedirectHook
}

// start runs the exchange on a goroutine, unless it was started (or closed) already. Every
// read calls it: a load, then a swap only the first time.
func (st *Stream) start() {
	if st.runState.Load() == runPending && st.runState.CompareAndSwap(runPending, runStarted) {
		st.armConnectTimer()
		go st.run(st.ctx)
	}
}

// runInline runs the exchange on the calling thread, if it may and has not started.
func (st *Stream) runInline() {
	if st.inlineOK && st.runState.CompareAndSwap(runPending, runStarted) {
		// No timer: its waits keep the deadline (a pending timer keeps a Go thread in
		// epoll_wait, woken by the socket's every event).
		st.run(callerwait.OnCaller(st.ctx, st.cancel, st.connectDeadline, st.connectExpired))
	}
}

// abandon settles a stream closed before its exchange started: it never will.
func (st *Stream) abandon() {
	if st.runState.CompareAndSwap(runPending, runNever) {
		if st.connectTimer != nil {
			st.connectTimer.Stop()
		}
		st.fail(errs.New(errs.KindClosed, "stream closed"))
	}
}
