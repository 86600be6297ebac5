package main

import (
	"context"
	"io"
	"testing"
	"time"

	"httpcloakpy/internal/errs"
	"httpcloakpy/internal/wire"
)

func TestHandleTableRefusesForgedAndClosedIDs(t *testing.T) {
	table := newHandleTable[string](1 << 20)
	id := table.add("x")
	if _, ok := table.get(0); ok {
		t.Fatal("id 0 resolved")
	}
	if _, ok := table.get(id + 1); ok {
		t.Fatal("a never-issued id resolved")
	}
	if v, ok := table.take(id); !ok || v != "x" {
		t.Fatal("take failed")
	}
	if _, ok := table.take(id); ok {
		t.Fatal("closed id taken twice")
	}
	if !table.issued(id) || table.issued(id+1) || table.len() != 0 {
		t.Fatal("issued/len bookkeeping wrong")
	}
}

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

func newTestPump(body io.ReadCloser, readTimeout time.Duration) *pump {
	ctx, cancel := context.WithCancelCause(context.Background())
	raw := &countingReader{r: body, expect: -1}
	return startPump(ctx, cancel, raw, raw, "h1", -1, readTimeout, func() {})
}

func readAll(t *testing.T, p *pump) ([]byte, *errs.Error) {
	t.Helper()
	var got []byte
	buf := make([]byte, 3)
	for {
		n, err := p.read(buf, 50*time.Millisecond)
		got = append(got, buf[:n]...)
		switch {
		case err == io.EOF:
			return got, nil
		case err == errPending:
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
	if _, again := p.read(make([]byte, 4), 0); again == nil || again.(*errs.Error).Kind != errs.KindTruncated {
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
	n, err := p.read(make([]byte, 8), 20*time.Millisecond)
	if n != 0 || err != errPending || time.Since(started) > 500*time.Millisecond {
		t.Fatalf("read = %d, %v after %v", n, err, time.Since(started))
	}
	p.finish()
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
	raw := &countingReader{r: &blockingBody{ctx: ctx}, expect: -1}
	p := startPump(ctx, cancel, raw, raw, "h2", -1, 100*time.Millisecond, func() {})
	started := time.Now()
	var err error
	for (err == nil || err == errPending) && time.Since(started) < 2*time.Second {
		_, err = p.read(make([]byte, 8), 50*time.Millisecond)
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

func TestDropHeadersRemovesPresetAndRequestHeaders(t *testing.T) {
	sess, err := newSession([]byte(`{"preset":"chrome-latest"}`), sessionServices{})
	if err != nil {
		t.Fatal(err)
	}
	defer sess.close()
	raw := `{"url":"https://h/","headers":[["x-mine","1"],["Sec-Fetch-User","?0"]],"drop_headers":["SEC-FETCH-USER","upgrade-insecure-requests"]}`
	spec, err := parseRequest([]byte(raw), nil, false, sess)
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"sec-fetch-user", "upgrade-insecure-requests"} {
		if v, ok := wire.HeaderValue(spec.headers, name); ok {
			t.Errorf("%s still sent: %q", name, v)
		}
	}
	if _, ok := wire.HeaderValue(spec.headers, "sec-fetch-dest"); !ok {
		t.Error("an undropped preset header went missing")
	}
	if v, _ := wire.HeaderValue(spec.headers, "x-mine"); v != "1" {
		t.Errorf("x-mine = %q", v)
	}
	for _, bad := range []string{`[""]`, `["a b"]`, `["x:y"]`, `"x"`, `[1]`} {
		if _, err := parseRequest([]byte(`{"url":"https://h/","drop_headers":`+bad+`}`), nil, false, sess); err == nil {
			t.Errorf("drop_headers %s accepted", bad)
		}
	}
}
