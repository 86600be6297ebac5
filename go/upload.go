package main

import (
	"io"
	"sync"
	"sync/atomic"
	"time"

	"httpcloakpy/internal/errs"
)

// upload is a request body the caller writes piece by piece while the engine sends it:
// files and generators of any size go out without being held in memory. The engine reads
// it as an io.ReadCloser; writes wait a bounded slice, like reads, so Python keeps control.
type upload struct {
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

func newUpload(length int64) *upload {
	return &upload{
		length: length,
		pieces: make(chan []byte, uploadQueueDepth),
		ended:  make(chan struct{}),
		gone:   make(chan struct{}),
		wake:   func() {},
	}
}

// Read is the engine pulling the body.
func (u *upload) Read(p []byte) (int, error) {
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
func (u *upload) Close() error {
	u.goneOnce.Do(func() {
		close(u.gone)
		u.wake()
	})
	return nil
}

// hasRoom reports whether a write would not be pending.
func (u *upload) hasRoom() bool {
	return len(u.pieces) < cap(u.pieces) || waitClosed(u.gone, 0) || waitClosed(u.ended, 0)
}

// writeOutcome tells the caller what became of a write.
type writeOutcome int

const (
	writeAccepted writeOutcome = iota
	writePending               // nothing accepted within the wait slice
	writeRefused               // the engine no longer reads: the response or a failure is in
)

// write queues a copy of data, waiting up to wait (forever: no limit) for room.
func (u *upload) write(data []byte, wait time.Duration) writeOutcome {
	select {
	case <-u.ended:
		return writeRefused
	default:
	}
	piece := append([]byte(nil), data...)
	select {
	case u.pieces <- piece:
		u.written.Add(int64(len(piece)))
		return writeAccepted
	case <-u.gone:
		return writeRefused
	default:
	}
	var expired <-chan time.Time // nil: wait forever
	if wait != forever {
		if wait <= 0 {
			return writePending
		}
		t := time.NewTimer(wait)
		defer t.Stop()
		expired = t.C
	}
	select {
	case u.pieces <- piece:
		u.written.Add(int64(len(piece)))
		return writeAccepted
	case <-u.gone:
		return writeRefused
	case <-expired:
		return writePending
	}
}

func (u *upload) end() { u.endOnce.Do(func() { close(u.ended) }) }

// shortfall is the error for a body the caller ended before its declared length (a file
// that shrank while it was sent), or nil. Ending it cleanly would hand the server fewer
// bytes as if they were the whole body. A body the engine stopped reading (the response
// came first) is not short: the caller just stops writing it.
func (u *upload) shortfall() *errs.Error {
	written := u.written.Load()
	if u.length < 0 || written >= u.length || waitClosed(u.gone, 0) {
		return nil
	}
	return errs.New(errs.KindProtocol, "the request body ended after %d of its %d declared bytes (Content-Length): the request was aborted", written, u.length)
}
