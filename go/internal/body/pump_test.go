package body

import (
	"context"
	"io"
	"testing"
	"time"

	"httpcloakpy/internal/errs"
)

// slowBody delivers its pieces with a pause before each, then ends with err.
type slowBody struct {
	pieces [][]byte
	pause  time.Duration
	err    error
}

func (b *slowBody) Read(p []byte) (int, error) {
	if len(b.pieces) == 0 {
		return 0, b.err
	}
	time.Sleep(b.pause)
	n := copy(p, b.pieces[0])
	b.pieces = b.pieces[1:]
	return n, nil
}

func (b *slowBody) Close() error { return nil }

func newTestPump(body io.ReadCloser, readTimeout time.Duration) *Pump {
	ctx, cancel := context.WithCancelCause(context.Background())
	raw := &Counter{r: body, expect: -1}
	return StartPump(ctx, cancel, raw, raw, "h1", -1, readTimeout, func() {})
}

func readAll(t *testing.T, p *Pump) ([]byte, *errs.Error) {
	t.Helper()
	var got []byte
	buf := make([]byte, 3)
	for {
		n, err := p.Read(buf, 50*time.Millisecond)
		got = append(got, buf[:n]...)
		switch {
		case err == io.EOF:
			return got, nil
		case err == ErrPending:
		case err != nil:
			return got, err.(*errs.Error)
		}
	}
}

func TestPumpDeliversEverythingThenTheError(t *testing.T) {
	p := newTestPump(&slowBody{pieces: [][]byte{[]byte("hello"), []byte("world")}, err: io.ErrUnexpectedEOF}, 0)
	got, err := readAll(t, p)
	if string(got) != "helloworld" || err == nil || err.Kind != errs.KindTruncated {
		t.Fatalf("got %q, %v", got, err)
	}
	if _, again := p.Read(make([]byte, 4), 0); again == nil || again.(*errs.Error).Kind != errs.KindTruncated {
		t.Fatal("error was not sticky")
	}
}

func TestPumpEndsCleanlyAtEOF(t *testing.T) {
	p := newTestPump(&slowBody{pieces: [][]byte{[]byte("abc")}, err: io.EOF}, 0)
	if got, err := readAll(t, p); string(got) != "abc" || err != nil {
		t.Fatalf("got %q, %v", got, err)
	}
}

func TestPumpReadWaitsOnlyItsSlice(t *testing.T) {
	p := newTestPump(&slowBody{pieces: [][]byte{[]byte("late")}, pause: time.Second, err: io.EOF}, 0)
	started := time.Now()
	n, err := p.Read(make([]byte, 8), 20*time.Millisecond)
	if n != 0 || err != ErrPending || time.Since(started) > 500*time.Millisecond {
		t.Fatalf("read = %d, %v after %v", n, err, time.Since(started))
	}
	p.Finish()
}

// blockingBody blocks until its context is cancelled, as a silent socket does.
type blockingBody struct{ ctx context.Context }

func (b *blockingBody) Read(p []byte) (int, error) {
	<-b.ctx.Done()
	return 0, context.Cause(b.ctx)
}

func (b *blockingBody) Close() error { return nil }

func TestPumpReadTimeoutInterruptsASilentBody(t *testing.T) {
	ctx, cancel := context.WithCancelCause(context.Background())
	raw := &Counter{r: &blockingBody{ctx: ctx}, expect: -1}
	p := StartPump(ctx, cancel, raw, raw, "h2", -1, 100*time.Millisecond, func() {})
	started := time.Now()
	var err error
	for (err == nil || err == ErrPending) && time.Since(started) < 2*time.Second {
		_, err = p.Read(make([]byte, 8), 50*time.Millisecond)
	}
	if e, ok := err.(*errs.Error); !ok || e.Kind != errs.KindReadTimeout {
		t.Fatalf("err = %v, want a read timeout", err)
	}
}

func TestBufferClassesCoverThePumpSizes(t *testing.T) {
	for size, want := range map[int]int{1: 0, 8 << 10: 0, 8<<10 + 1: 1, 16 << 10: 1, 256 << 10: 5, 256<<10 + 1: -1} {
		if got := bufferClass(size); got != want {
			t.Errorf("bufferClass(%d) = %d, want %d", size, got, want)
		}
	}
	pool := &bufferPool{}
	b := pool.get(20 << 10)
	if len(b) != 20<<10 || cap(b) != 32<<10 {
		t.Fatalf("got len %d cap %d", len(b), cap(b))
	}
	pool.put(b)
	pool.put(make([]byte, 10)) // not a class size: dropped, never handed out short
	if again := pool.get(32 << 10); len(again) != 32<<10 {
		t.Fatalf("got len %d", len(again))
	}
}
