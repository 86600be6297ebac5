package main

// How much our stream layer adds to the engine, without Python: 64 KiB GETs over plain
// HTTP/1.1 through OpenStream/WaitMeta/Read/Close, beside the same GETs through the
// engine's own RoundTrip and io.Reader. Run: go test -run '^$' -bench Loop -benchtime 3000x .
// (The test server runs in this process: it shares the two cores and its wake-ups.)

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"runtime"
	"testing"
	"time"

	"httpcloakpy/internal/callerwait"
	"httpcloakpy/internal/client"
	"httpcloakpy/internal/engine"
)

// smallBodyServer serves a 64 KiB body in this process, or names the one in
// HTTPCLOAK_BENCH_URL (such as nginx's, out of process, as bench/ runs them).
func smallBodyServer(b *testing.B) string {
	if url := os.Getenv("HTTPCLOAK_BENCH_URL"); url != "" {
		return url
	}
	body := make([]byte, 64<<10)
	server := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		_, _ = w.Write(body)
	}))
	b.Cleanup(server.Close)
	return server.URL
}

// benchLoop warms the connection pool, then times b.N calls of one.
func benchLoop(b *testing.B, one func()) {
	for range 50 {
		one()
	}
	b.ResetTimer()
	for range b.N {
		one()
	}
}

func BenchmarkStreamLoop(b *testing.B) {
	streamLoop(b)
}

// BenchmarkStreamLoopOnCallersThread is BenchmarkStreamLoop as a sync Python caller runs it:
// an interrupt check registered and the calling goroutine locked to its thread, so that
// the exchange and the body's reads run there (callerwait).
func BenchmarkStreamLoopOnCallersThread(b *testing.B) {
	callerwait.SetCheck(func() bool { return false })
	b.Cleanup(func() { callerwait.SetCheck(nil) })
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	streamLoop(b)
}

func streamLoop(b *testing.B) {
	url := smallBodyServer(b)
	sess := newTestSession(b, `{"preset":"chrome-latest","without_conditional_cache":true}`)
	request := []byte(`{"method":"GET","url":"` + url + `"}`)
	buf := make([]byte, 64<<10)
	benchLoop(b, func() {
		spec, err := parseRequest(request, nil, false, sess)
		if err != nil {
			b.Fatal(err)
		}
		st, err := client.OpenStream(sess, spec)
		if err != nil {
			b.Fatal(err)
		}
		defer st.Close()
		if _, failed := st.WaitMeta(time.Second); failed != nil {
			b.Fatal(failed)
		}
		for {
			_, failed := st.Read(buf, time.Second)
			if failed == io.EOF {
				return
			}
			if failed != nil {
				b.Fatal(failed)
			}
		}
	})
}

func BenchmarkEngineLoop(b *testing.B) {
	target, err := url.Parse(smallBodyServer(b))
	if err != nil {
		b.Fatal(err)
	}
	eng, err := engine.New(engine.Config{Preset: "chrome-latest", Verify: true})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(eng.Close)
	buf := make([]byte, 64<<10)
	benchLoop(b, func() {
		resp, err := eng.RoundTrip(context.Background(), &engine.Request{Method: "GET", URL: target})
		if err != nil {
			b.Fatal(err)
		}
		defer resp.Body.Close()
		if _, err := io.CopyBuffer(io.Discard, resp.Body, buf); err != nil {
			b.Fatal(err)
		}
	})
}
