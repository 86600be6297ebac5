package body

import (
	"context"
	"errors"
	"io"
	"net"
	"testing"
	"time"

	"httpcloakpy/internal/errs"
)

// pipeBody is an HTTP/1.1 body of a known length on a connection, as fhttp (patch 0006)
// hands it out: a read deadline's error ends only that read; the length's end is io.EOF.
// Cancelling the stream closes the connection, as fhttp's readLoop does.
type pipeBody struct {
	conn net.Conn
	left int64
}

func (b *pipeBody) Read(p []byte) (int, error) {
	if b.left == 0 {
		return 0, io.EOF
	}
	if int64(len(p)) > b.left {
		p = p[:b.left]
	}
	n, err := b.conn.Read(p)
	b.left -= int64(n)
	if err == nil && b.left == 0 {
		err = io.EOF
	}
	return n, err
}

func (b *pipeBody) Close() error { return b.conn.Close() }

type directFixture struct {
	in     *Incoming
	server net.Conn
	ctx    context.Context
}

func newDirectFixture(t *testing.T, length int64, readTimeout time.Duration) *directFixture {
	t.Helper()
	client, server := net.Pipe()
	t.Cleanup(func() { _ = server.Close(); _ = client.Close() })
	ctx, cancel := context.WithCancelCause(context.Background())
	context.AfterFunc(ctx, func() { _ = client.Close() })
	raw := NewCounter(&pipeBody{conn: client, left: length}, length)
	// Shorter than directMinLength, so built directly: the bodies here are a few bytes.
	in := newDirectIncoming(IncomingSpec{
		Ctx: ctx, Cancel: cancel, Decoded: raw, Raw: raw, Proto: "h1", Length: length,
		ReadTimeout: readTimeout, Wake: func() {}, SetReadDeadline: client.SetReadDeadline,
	})
	return &directFixture{in: in, server: server, ctx: ctx}
}

// send writes data from the server side; net.Pipe blocks until the reader takes it all.
func (f *directFixture) send(t *testing.T, data string) {
	t.Helper()
	go func() { _, _ = f.server.Write([]byte(data)) }()
}

func (f *directFixture) read(t *testing.T, wait time.Duration) (string, error) {
	t.Helper()
	buf := make([]byte, 64)
	n, err := f.in.Read(buf, wait)
	return string(buf[:n]), err
}

// readToEnd reads in short waits until the end of the body, failing on any error.
func (f *directFixture) readToEnd(t *testing.T) string {
	t.Helper()
	var got string
	for {
		piece, err := f.read(t, 50*time.Millisecond)
		got += piece
		if err == io.EOF {
			return got
		}
		if err != nil && err != ErrPending {
			t.Fatalf("pump read = %v", err)
		}
	}
}

func TestDirectReadReturnsPendingAfterItsWaitAndTheBodyCarriesOn(t *testing.T) {
	f := newDirectFixture(t, 10, 0)
	f.send(t, "hello")
	if got, err := f.read(t, time.Second); got != "hello" || err != nil {
		t.Fatalf("first read = %q, %v", got, err)
	}
	started := time.Now()
	if got, err := f.read(t, 30*time.Millisecond); got != "" || err != ErrPending {
		t.Fatalf("read of a silent body = %q, %v", got, err)
	}
	if waited := time.Since(started); waited < 25*time.Millisecond || waited > time.Second {
		t.Fatalf("a 30 ms wait took %v", waited)
	}
	f.send(t, "world")
	if got, err := f.read(t, time.Second); got != "world" || err != nil {
		t.Fatalf("read after the pending one = %q, %v", got, err)
	}
	if _, err := f.read(t, time.Second); err != io.EOF {
		t.Fatalf("end = %v", err)
	}
	if f.ctx.Err() != nil || !WaitClosed(f.in.Finished(), time.Second) {
		t.Fatal("a body read to its end was cancelled or not put away")
	}
}

func TestDirectReadTimeoutCountsOnlyTheSilence(t *testing.T) {
	f := newDirectFixture(t, 10, 150*time.Millisecond)
	started := time.Now()
	pending := 0
	for {
		_, err := f.read(t, 40*time.Millisecond)
		if err == ErrPending {
			pending++
			continue
		}
		var failure *errs.Error
		if !errors.As(err, &failure) || failure.Kind != errs.KindReadTimeout {
			t.Fatalf("silent body ended with %v", err)
		}
		break
	}
	if took := time.Since(started); pending < 2 || took < 140*time.Millisecond || took > 2*time.Second {
		t.Fatalf("read timeout after %v and %d pending reads", took, pending)
	}
	var cause *errs.Error
	if !errors.As(context.Cause(f.ctx), &cause) || cause.Kind != errs.KindReadTimeout {
		t.Fatalf("the stream was not cancelled with the timeout: %v", context.Cause(f.ctx))
	}
	if _, err := f.read(t, time.Second); err == nil || err == ErrPending {
		t.Fatalf("the timeout was not sticky: %v", err)
	}
}

func TestDirectCancelUnblocksAReadWithoutAWait(t *testing.T) {
	f := newDirectFixture(t, 10, 0)
	ended := make(chan error, 1)
	go func() {
		_, err := f.read(t, Forever)
		ended <- err
	}()
	time.Sleep(20 * time.Millisecond) // let the read block
	f.in.direct.cancel(errs.ErrCanceled)
	select {
	case err := <-ended:
		var failure *errs.Error
		if !errors.As(err, &failure) || failure.Kind != errs.KindCanceled {
			t.Fatalf("cancelled read = %v", err)
		}
	case <-time.After(2 * time.Second):
		t.Fatal("cancel did not end a blocked read")
	}
}

func TestDirectCloseDuringABlockedReadEndsItAsClosed(t *testing.T) {
	f := newDirectFixture(t, 10, 0)
	ended := make(chan error, 1)
	go func() {
		_, err := f.read(t, Forever)
		ended <- err
	}()
	time.Sleep(20 * time.Millisecond)
	if f.in.Finish() {
		t.Fatal("a close under a read in flight cannot drain")
	}
	select {
	case err := <-ended:
		var failure *errs.Error
		if !errors.As(err, &failure) || failure.Kind != errs.KindClosed {
			t.Fatalf("read under close = %v", err)
		}
	case <-time.After(2 * time.Second):
		t.Fatal("close did not end a blocked read")
	}
	if !WaitClosed(f.in.Finished(), time.Second) {
		t.Fatal("the body was not put away")
	}
}

func TestDirectCloseDrainsASmallRemainder(t *testing.T) {
	f := newDirectFixture(t, 10, 0)
	f.send(t, "hel")
	if got, err := f.read(t, time.Second); got != "hel" || err != nil {
		t.Fatalf("read = %q, %v", got, err)
	}
	if !f.in.Finish() {
		t.Fatal("a small remainder was not drained")
	}
	f.send(t, "loworld")
	if !WaitClosed(f.in.Finished(), time.Second) || f.ctx.Err() != nil {
		t.Fatal("the drain did not reach the end of the body")
	}
}

func TestAReadThatMustNotWaitHandsTheBodyToThePump(t *testing.T) {
	f := newDirectFixture(t, 10, 0)
	f.send(t, "hello")
	if got, err := f.read(t, time.Second); got != "hello" || err != nil {
		t.Fatalf("direct read = %q, %v", got, err)
	}
	if _, err := f.read(t, 0); err != ErrPending {
		t.Fatalf("a read without a wait = %v", err)
	}
	if f.in.pump.Load() == nil {
		t.Fatal("the pump did not take over")
	}
	f.send(t, "world")
	got := f.readToEnd(t)
	if got != "world" {
		t.Fatalf("the pump read %q after the direct reads", got)
	}
}

func TestWhichBodiesAreReadDirectly(t *testing.T) {
	deadline := func(time.Time) error { return nil }
	for _, c := range []struct {
		name      string
		proto     string
		length    int64
		coded     bool
		onReaders bool // the exchange ran on the reader's thread
		direct    bool
	}{
		{"h1 long", "h1", 1 << 20, false, false, true},
		{"h1 chunked", "h1", -1, false, false, false},
		{"h1 coded", "h1", 1 << 20, true, false, false},
		{"h1 short", "h1", directMinLength, false, false, false},
		{"h1 short, on the reader's thread", "h1", 1, false, true, true},
		{"h1 chunked, on the reader's thread", "h1", -1, false, true, false},
		{"h2 long", "h2", 1 << 20, false, false, true},
		{"h2 short", "h2", directMinLength, false, false, false},
		{"h2 short, on the reader's thread", "h2", 1, false, true, true},
		{"h2 of unknown length", "h2", -1, false, false, false},
		{"h2 coded", "h2", 1 << 20, true, false, false},
		{"h3", "h3", 1 << 20, false, false, false},
		{"h3 short, on the reader's thread", "h3", 1, false, true, false},
	} {
		raw := NewCounter(io.NopCloser(&slowBody{err: io.EOF}), c.length)
		var decoded io.ReadCloser = raw
		if c.coded {
			decoded = io.NopCloser(raw)
		}
		in := NewIncoming(IncomingSpec{
			Ctx: context.Background(), Cancel: func(error) {}, Decoded: decoded, Raw: raw,
			Proto: c.proto, Length: c.length, Wake: func() {}, SetReadDeadline: deadline,
			OnReadersThread: c.onReaders,
		})
		if direct := in.direct != nil && in.pump.Load() == nil; direct != c.direct {
			t.Errorf("%s: read directly = %v, want %v", c.name, direct, c.direct)
		}
		in.Finish()
	}
}

func TestBytesReadAheadDirectlyReachThePumpFirst(t *testing.T) {
	f := newDirectFixture(t, 10, 0)
	f.send(t, "hello")
	small := make([]byte, 3)
	if n, err := f.in.Read(small, time.Second); string(small[:n]) != "hel" || err != nil {
		t.Fatalf("direct read = %q, %v", small[:n], err)
	}
	if !f.in.HasNews() {
		t.Fatal("bytes read ahead are no news")
	}
	if f.in.Pumped() == nil { // an event loop arms: the pump takes over with "lo"
		t.Fatal("the pump did not take over")
	}
	f.send(t, "world")
	got := f.readToEnd(t)
	if got != "loworld" {
		t.Fatalf("the pump delivered %q after the direct read", got)
	}
}

// readyBody is a body all of which has arrived, handed out at most per bytes a read (what
// the connection's buffer holds, then the socket's).
type readyBody struct {
	data []byte
	per  int
}

func (b *readyBody) Read(p []byte) (int, error) {
	n := copy(p[:min(len(p), b.per)], b.data)
	b.data = b.data[n:]
	if len(b.data) == 0 {
		return n, io.EOF
	}
	return n, nil
}

func (b *readyBody) Close() error { return nil }

// A read that got less than its buffer from the connection's buffer (the start of a body
// that came with its head) takes what has arrived on the socket too: a short body in one
// read, not two.
func TestADirectReadTopsUpWithWhatHasArrived(t *testing.T) {
	body := &readyBody{data: []byte("helloworld"), per: 5}
	raw := NewCounter(body, 10)
	ctx, cancel := context.WithCancelCause(context.Background())
	defer cancel(nil)
	in := newDirectIncoming(IncomingSpec{
		Ctx: ctx, Cancel: cancel, Decoded: raw, Raw: raw, Proto: "h1", Length: 10, Wake: func() {},
		SetReadDeadline: func(time.Time) error { return nil },
		WaitReadable:    func(time.Duration) (bool, error) { return len(body.data) > 0, nil },
	})
	buf := make([]byte, 64)
	if n, err := in.Read(buf, time.Second); string(buf[:n]) != "helloworld" || err != nil {
		t.Fatalf("first read = %q, %v", buf[:n], err)
	}
	if n, err := in.Read(buf, time.Second); n != 0 || err != io.EOF {
		t.Fatalf("second read = %d, %v", n, err)
	}
}
