package engine

// An HTTP/2 exchange on its caller's thread (callerwait): fhttp's waits go in slices with
// the interrupt check between them (fhttp patch 0010), and the engine says so only where
// no dial is needed.

import (
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"sync/atomic"
	"testing"
	"time"

	"httpcloakpy/internal/body"
	"httpcloakpy/internal/callerwait"
)

// startHeldH2 is an HTTP/2 server that answers /hold only once the test ends (telling
// arrived of each /hold it got), and opens at most maxStreams streams per connection.
func startHeldH2(t *testing.T, maxStreams int) (server *httptest.Server, arrived <-chan struct{}) {
	t.Helper()
	release := make(chan struct{})
	holds := make(chan struct{}, 16)
	server = httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/hold" {
			holds <- struct{}{}
			select {
			case <-release:
			case <-r.Context().Done():
			}
		}
		_, _ = io.WriteString(w, "done")
	}))
	server.EnableHTTP2 = true
	server.Config.HTTP2 = &http.HTTP2Config{MaxConcurrentStreams: maxStreams}
	server.StartTLS()
	t.Cleanup(func() { close(release); server.Close() })
	return server, holds
}

func h2Get(server *httptest.Server, path string) *Request {
	u, _ := url.Parse(server.URL + path)
	return &Request{Method: "GET", URL: u}
}

// interruptOnThirdCheck makes the caller's check report an interrupt at its third call,
// with slices of 20 ms.
func interruptOnThirdCheck(t *testing.T) {
	slice := callerwait.Slice
	callerwait.Slice = 20 * time.Millisecond
	var checks atomic.Int32
	callerwait.SetCheck(func() bool { return checks.Add(1) == 3 })
	t.Cleanup(func() { callerwait.Slice = slice; callerwait.SetCheck(nil) })
}

// roundTripOnCaller runs req as an exchange on its caller's thread and requires it to end
// with the interrupt within a few seconds.
func roundTripOnCaller(t *testing.T, eng Engine, req *Request) {
	t.Helper()
	ctx, cancel := context.WithCancelCause(context.Background())
	defer cancel(nil)
	done := make(chan error, 1)
	go func() {
		resp, err := eng.RoundTrip(callerwait.OnCaller(ctx, cancel, time.Time{}, nil), req)
		if err == nil {
			_ = resp.Body.Close()
		}
		done <- err
	}()
	select {
	case err := <-done:
		if err == nil || !errors.Is(context.Cause(ctx), callerwait.ErrInterrupted) {
			t.Fatalf("ended with %v (cause %v), not the interrupt", err, context.Cause(ctx))
		}
	case <-time.After(5 * time.Second):
		t.Fatal("the wait never ran the interrupt check")
	}
}

func tlsEngine(t *testing.T) Engine {
	t.Helper()
	eng, err := New(Config{Preset: "chrome-latest", Verify: false, HTTPVersion: "h2"})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(eng.Close)
	return eng
}

func openConnection(t *testing.T, eng Engine, server *httptest.Server) {
	t.Helper()
	resp, err := eng.RoundTrip(context.Background(), h2Get(server, "/"))
	if err != nil {
		t.Fatal(err)
	}
	_, _ = io.Copy(io.Discard, resp.Body)
	_ = resp.Body.Close()
	if resp.Proto != "h2" {
		t.Fatalf("the connection speaks %s", resp.Proto)
	}
}

// Only a request that needs no dial, and has no body, waits in slices over HTTPS.
func TestHTTPSWaitsInSlicesOnlyOnAnOpenHTTP2Connection(t *testing.T) {
	server, _ := startHeldH2(t, 100)
	eng := tlsEngine(t)
	if eng.WaitsInSlices(h2Get(server, "/")) {
		t.Fatal("a first contact (dial and handshake) said it waits in slices")
	}
	openConnection(t, eng, server)
	if !eng.WaitsInSlices(h2Get(server, "/")) {
		t.Fatal("a GET on the open HTTP/2 connection said it does not wait in slices")
	}
	post := h2Get(server, "/")
	post.Method, post.Body = "POST", body.Copied([]byte("x"))
	if eng.WaitsInSlices(post) {
		t.Fatal("a request with a body said it waits in slices")
	}
}

// The wait for the response's headers runs the check between slices.
func TestHTTP2ResponseWaitOnTheCallersThreadChecksForInterrupts(t *testing.T) {
	server, _ := startHeldH2(t, 100)
	eng := tlsEngine(t)
	openConnection(t, eng, server)
	interruptOnThirdCheck(t)
	roundTripOnCaller(t, eng, h2Get(server, "/hold"))
}

// The wait for a stream slot on a full connection runs the check between slices too.
func TestHTTP2StreamSlotWaitOnTheCallersThreadChecksForInterrupts(t *testing.T) {
	server, arrived := startHeldH2(t, 1)
	eng := tlsEngine(t)
	openConnection(t, eng, server) // the server's SETTINGS: one stream at a time
	go func() {
		// Holds the connection's one stream until the test ends.
		if resp, err := eng.RoundTrip(context.Background(), h2Get(server, "/hold")); err == nil {
			_, _ = io.Copy(io.Discard, resp.Body)
			_ = resp.Body.Close()
		}
	}()
	select {
	case <-arrived:
	case <-time.After(5 * time.Second):
		t.Fatal("the request to hold the connection's stream never reached the server")
	}
	interruptOnThirdCheck(t)
	roundTripOnCaller(t, eng, h2Get(server, "/"))
}

// withSlicesOfAMinute makes the waits on a caller's thread go in slices of a minute, with
// a check that never reports an interrupt: a wait that ends sooner ended on its own cue.
func withSlicesOfAMinute(t *testing.T) {
	t.Helper()
	slice := callerwait.Slice
	callerwait.Slice = time.Minute
	callerwait.SetCheck(func() bool { return false })
	t.Cleanup(func() { callerwait.Slice = slice; callerwait.SetCheck(nil) })
}

// The wait for the response on the caller's thread ends on each of its cues, not at the end
// of a slice: the answer, a stream reset, the connection's end, a cancel from elsewhere.
func TestHTTP2ResponseWaitOnTheCallersThreadEndsOnItsCue(t *testing.T) {
	for _, c := range []struct {
		name   string
		path   string
		answer bool                                              // the wait ends with a response
		during func(server *httptest.Server, cancel func(error)) // 200 ms into the wait
	}{
		{"the answer", "/slow", true, func(*httptest.Server, func(error)) {}},
		{"a stream reset", "/reset", false, func(*httptest.Server, func(error)) {}},
		{"the connection's end", "/hold", false, func(s *httptest.Server, _ func(error)) { s.CloseClientConnections() }},
		{"a cancel", "/hold", false, func(_ *httptest.Server, cancel func(error)) { cancel(errors.New("cancelled")) }},
	} {
		t.Run(c.name, func(t *testing.T) {
			server := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				switch r.URL.Path {
				case "/slow":
					time.Sleep(200 * time.Millisecond)
				case "/reset":
					time.Sleep(200 * time.Millisecond)
					panic(http.ErrAbortHandler) // RST_STREAM
				case "/hold":
					<-r.Context().Done()
				}
				_, _ = io.WriteString(w, "done")
			}))
			server.EnableHTTP2 = true
			server.StartTLS()
			t.Cleanup(server.Close)
			eng := tlsEngine(t)
			openConnection(t, eng, server)
			withSlicesOfAMinute(t)
			ctx, cancel := context.WithCancelCause(context.Background())
			defer cancel(nil)
			time.AfterFunc(200*time.Millisecond, func() { c.during(server, cancel) })
			started := time.Now()
			resp, err := eng.RoundTrip(callerwait.OnCaller(ctx, cancel, time.Time{}, nil), h2Get(server, c.path))
			if err == nil {
				_ = resp.Body.Close()
			}
			if waited := time.Since(started); waited > 5*time.Second {
				t.Fatalf("the wait ended after %v, at a slice's end", waited)
			}
			if (err == nil) != c.answer {
				t.Fatalf("ended with %v", err)
			}
		})
	}
}
