package body

import (
	"io"
	"sync"
	"sync/atomic"
	"time"

	"httpcloakpy/internal/errs"
)

// Upload is a request body the caller writes piece by piece while the engine sends it:
// files and generators of any size go out without being held in memory. The engine reads
// it as an io.ReadCloser; writes wait a bounded slice, like reads, so Python keeps control.
type Upload struct {
	length  int64        // -1: unknown, sent chunked on HTTP/1.1
	written atomic.Int64 // bytes the caller handed over

	pieces   chan []byte
	ended    chan struct{} // the caller wrote the last piece
	endOnce  sync.Once
	gone     chan struct{} // the engine stopped reading (sent, failed or closed)
	goneOnce sync.Once

	cur  []byte // engine side
	wake func() // tells an armed event loop there is room again; set before use
}

const uploadQueueDepth = 4

func NewUpload(length int64) *Upload {
	return &Upload{
		length: length,
		pieces: make(chan []byte, uploadQueueDepth),
		ended:  make(chan struct{}),
		gone:   make(chan struct{}),
		wake:   func() {},
	}
}

// Read is the engine pulling the body.
func (u *Upload) Read(p []byte) (int, error) {
	for len(u.cur) == 0 {
		select {
		case piece := <-u.pieces:
			u.cur = piece
			u.wake()
		case <-u.ended:
			// Take what was queued before the end.
			select {
			case piece := <-u.pieces:
				u.cur = piece
			default:
				return 0, io.EOF
			}
		case <-u.gone:
			return 0, io.ErrClosedPipe
		}
	}
	n := copy(p, u.cur)
	u.cur = u.cur[n:]
	return n, nil
}

// Close is the engine done with the body, for any reason.
func (u *Upload) Close() error {
	u.goneOnce.Do(func() {
		close(u.gone)
		u.wake()
	})
	return nil
}

// HasRoom reports whether a write would not be pending.
func (u *Upload) HasRoom() bool {
	return len(u.pieces) < cap(u.pieces) || WaitClosed(u.gone, 0) || WaitClosed(u.ended, 0)
}

// WriteOutcome tells the caller what became of a write.
type WriteOutcome int

const (
	WriteAccepted WriteOutcome = iota
	WritePending               // nothing accepted within the wait slice
	WriteRefused               // the engine no longer reads: the response or a failure is in
)

// Write queues a copy of data, waiting up to wait (Forever: no limit) for room.
func (u *Upload) Write(data []byte, wait time.Duration) WriteOutcome {
	select {
	case <-u.ended:
		return WriteRefused
	default:
	}
	piece := append([]byte(nil), data...)
	select {
	case u.pieces <- piece:
		u.written.Add(int64(len(piece)))
		return WriteAccepted
	case <-u.gone:
		return WriteRefused
	default:
	}
	var expired <-chan time.Time // nil: wait forever
	if wait != Forever {
		if wait <= 0 {
			return WritePending
		}
		t := time.NewTimer(wait)
		defer t.Stop()
		expired = t.C
	}
	select {
	case u.pieces <- piece:
		u.written.Add(int64(len(piece)))
		return WriteAccepted
	case <-u.gone:
		return WriteRefused
	case <-expired:
		return WritePending
	}
}

func (u *Upload) End() { u.endOnce.Do(func() { close(u.ended) }) }

// Ended reports whether the caller ended the body.
func (u *Upload) Ended() bool { return WaitClosed(u.ended, 0) }

// Size is the declared length; -1: unknown, sent chunked on HTTP/1.1.
func (u *Upload) Size() int64 { return u.length }

// OnRoom sets what tells an armed event loop there is room again.
func (u *Upload) OnRoom(wake func()) { u.wake = wake }

// Shortfall is the error for a body the caller ended before its declared length (a file
// that shrank while it was sent), or nil. Ending it cleanly would hand the server fewer
// bytes as if they were the whole body. A body the engine stopped reading (the response
// came first) is not short: the caller just stops writing it.
func (u *Upload) Shortfall() *errs.Error {
	written := u.written.Load()
	if u.length < 0 || written >= u.length || WaitClosed(u.gone, 0) {
		return nil
	}
	return errs.New(errs.KindProtocol, "the request body ended after %d of its %d declared bytes (Content-Length): the request was aborted", written, u.length)
}
