package body

import (
	"sync/atomic"
	"time"
)

// silenceWatch calls expire when one read has waited limit: a timer that looks at when the
// read in progress started, re-armed at most once per limit, instead of a timer reset
// around every read (a reset may wake Go's poller thread: a system call and a switch per
// read, an SSE event's or a chunk's).
type silenceWatch struct {
	limit   time.Duration
	base    time.Time    // monotonic origin of since
	since   atomic.Int64 // when the read in progress started, after base (+1); 0: none
	stopped atomic.Bool
	timer   *time.Timer
	expire  func()
}

func watchSilence(limit time.Duration, expire func()) *silenceWatch {
	w := &silenceWatch{limit: limit, base: time.Now(), expire: expire}
	w.timer = time.AfterFunc(limit, w.check)
	return w
}

func (w *silenceWatch) check() {
	if w.stopped.Load() {
		return
	}
	started := w.since.Load()
	if started == 0 {
		w.timer.Reset(w.limit)
		return
	}
	waited := time.Since(w.base) - time.Duration(started-1)
	if waited >= w.limit {
		w.expire()
		return
	}
	w.timer.Reset(w.limit - waited)
}

// reading marks the start of a read; idle its end.
func (w *silenceWatch) reading() { w.since.Store(int64(time.Since(w.base)) + 1) }
func (w *silenceWatch) idle()    { w.since.Store(0) }

func (w *silenceWatch) stop() {
	w.stopped.Store(true)
	w.timer.Stop()
}
