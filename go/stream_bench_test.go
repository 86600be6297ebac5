package main

// How much our stream layer adds to the engine, without Python: 64 KiB GETs over plain
// HTTP/1.1 through OpenStream/WaitMeta/Read/Close, beside the same GETs through the
// engine's own RoundTrip and io.Reader. Run: go test -run '^$' -bench Loop -benchtime 3000x .

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"testing"
	"time"

	"httpcloakpy/internal/client"
	"httpcloakpy/internal/engine"
)

func smallBodyServer(b *testing.B) string {
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
	url := smallBodyServer(b)
	sess := newTestSession(b, `{"preset":"chrome-latest"}`)
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
