package body

import (
	"bytes"
	"io"
	"sync"

	"httpcloakpy/internal/errs"
)

// Held is a request body held whole in memory, which the engine may send more
// than once (a retry, a 307/308 redirect): bytes copied at open, or the caller's own
// memory, borrowed without a copy until the stream is closed.
// Borrowed memory is only read under the lock, a copy at a time, so that release can
// promise the caller that nothing reads it any more once the stream is closed.
type Held struct {
	data     []byte
	borrowed bool

	mu       sync.RWMutex
	released bool
}

// Copied owns data (nil when there is no body).
func Copied(data []byte) *Held {
	if len(data) == 0 {
		return nil
	}
	return &Held{data: data}
}

// Borrowed reads from memory the caller keeps valid until release.
func Borrowed(view []byte) *Held {
	return &Held{data: view, borrowed: true}
}

// Size is the body's length; 0 for no body (a nil *Held).
func (b *Held) Size() int64 {
	if b == nil {
		return 0
	}
	return int64(len(b.data))
}

// Reader reads the body from its start; each attempt gets its own.
func (b *Held) Reader() io.ReadCloser {
	if !b.borrowed {
		return io.NopCloser(bytes.NewReader(b.data))
	}
	return &borrowedReader{body: b}
}

// Release ends every read of borrowed memory: it waits for a copy under way, and later
// reads fail. Called when the stream closes (also with its session).
func (b *Held) Release() {
	if b == nil || !b.borrowed {
		return
	}
	b.mu.Lock()
	b.released = true
	b.data = nil
	b.mu.Unlock()
}

var errBodyReleased = errs.New(errs.KindCanceled, "the request body was released: its stream was closed while it was being sent")

type borrowedReader struct {
	body   *Held
	offset int
}

// Read copies into the engine's buffer; it never hands out a slice of the caller's
// memory, which must not outlive release.
func (r *borrowedReader) Read(p []byte) (int, error) {
	b := r.body
	b.mu.RLock()
	defer b.mu.RUnlock()
	if b.released {
		return 0, errBodyReleased
	}
	if r.offset >= len(b.data) {
		return 0, io.EOF
	}
	n := copy(p, b.data[r.offset:])
	r.offset += n
	return n, nil
}

func (r *borrowedReader) Close() error { return nil }
