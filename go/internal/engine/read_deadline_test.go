package engine

import (
	"context"
	"errors"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"sync/atomic"
	"testing"
	"time"
)

// deadlineServer answers "abcdef" (Content-Length 6) in two writes: /held waits for
// release between them, /slow waits 300 ms before its headers (longer than the deadline a
// body read may leave on an HTTP/1.1 connection). It counts the connections dialled.
type deadlineServer struct {
	release chan struct{}
	dialled atomic.Int32
	get     func(path string) *Response
}

// startDeadlineServer serves HTTP/1.1 over plain TCP ("h1") or HTTP/2 over TLS ("h2"),
// and an engine of the default preset to ask it.
func startDeadlineServer(t *testing.T, proto string) *deadlineServer {
	f := &deadlineServer{release: make(chan struct{})}
	server := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/slow" {
			time.Sleep(300 * time.Millisecond)
		}
		w.Header().Set("Content-Length", "6")
		_, _ = io.WriteString(w, "abc")
		w.(http.Flusher).Flush()
		if r.URL.Path == "/held" {
			<-f.release
		}
		_, _ = io.WriteString(w, "def")
	}))
	server.Config.ConnState = func(_ net.Conn, state http.ConnState) {
		if state == http.StateNew {
			f.dialled.Add(1)
		}
	}
	if proto == "h2" {
		server.EnableHTTP2 = true
		server.StartTLS()
	} else {
		server.Start()
	}
	t.Cleanup(server.Close)
	eng, err := New(Config{Preset: "chrome-latest", HTTPVersion: proto, Verify: false})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(eng.Close)
	f.get = func(path string) *Response {
		u, _ := url.Parse(server.URL + path)
		resp, err := eng.RoundTrip(context.Background(), &Request{Method: "GET", URL: u})
		if err != nil {
			t.Fatal(err)
		}
		return resp
	}
	return f
}

// An HTTP/1.1 response lends its connection's read deadline to the body's reader: a
// deadline that expires mid-body ends that read only (fhttp patch 0006), the body carries
// on byte-exact, and the connection goes back to the pool, without the deadline, for the
// next request.
func TestHTTP1BodyReadDeadlineEndsOnlyThatRead(t *testing.T) {
	f := startDeadlineServer(t, "h1")
	resp := f.get("/held")
	if resp.SetReadDeadline == nil {
		t.Fatal("an HTTP/1.1 response has no SetReadDeadline")
	}
	buf := make([]byte, 16)
	_ = resp.SetReadDeadline(time.Now().Add(time.Second))
	if n, err := io.ReadAtLeast(resp.Body, buf, 3); err != nil || string(buf[:n]) != "abc" {
		t.Fatalf("first read = %q, %v", buf[:n], err)
	}
	_ = resp.SetReadDeadline(time.Now().Add(50 * time.Millisecond))
	if n, err := resp.Body.Read(buf); n != 0 || !errors.Is(err, os.ErrDeadlineExceeded) {
		t.Fatalf("read past the deadline = %d, %v", n, err)
	}
	close(f.release)
	_ = resp.SetReadDeadline(time.Now().Add(100 * time.Millisecond)) // outlived by /slow
	if rest, err := io.ReadAll(resp.Body); err != nil || string(rest) != "def" {
		t.Fatalf("the body after the deadline = %q, %v", rest, err)
	}
	_ = resp.Body.Close()

	again := f.get("/slow")
	if body, err := io.ReadAll(again.Body); err != nil || string(body) != "abcdef" {
		t.Fatalf("the next request on the connection got %q, %v", body, err)
	}
	_ = again.Body.Close()
	if n := f.dialled.Load(); n != 1 {
		t.Fatalf("%d connections for two requests", n)
	}
}

// An HTTP/2 response lends its stream's read deadline (fhttp patch 0008): it ends that
// read only, the body carries on byte-exact, and the other streams of the connection
// never see it.
func TestHTTP2BodyReadDeadlineEndsOnlyThatRead(t *testing.T) {
	f := startDeadlineServer(t, "h2")
	resp := f.get("/held")
	defer resp.Body.Close()
	if resp.Proto != "h2" || resp.SetReadDeadline == nil {
		t.Fatalf("%s response with SetReadDeadline %v", resp.Proto, resp.SetReadDeadline != nil)
	}
	buf := make([]byte, 16)
	_ = resp.SetReadDeadline(time.Now().Add(time.Second))
	if n, err := io.ReadAtLeast(resp.Body, buf, 3); err != nil || string(buf[:n]) != "abc" {
		t.Fatalf("first read = %q, %v", buf[:n], err)
	}
	_ = resp.SetReadDeadline(time.Now().Add(50 * time.Millisecond))
	started := time.Now()
	if n, err := resp.Body.Read(buf); n != 0 || !errors.Is(err, os.ErrDeadlineExceeded) {
		t.Fatalf("read past the deadline = %d, %v", n, err)
	}
	if waited := time.Since(started); waited > time.Second {
		t.Fatalf("a 50 ms deadline ended the read after %v", waited)
	}

	other := f.get("/other") // another stream of the same connection, while /held waits
	if body, err := io.ReadAll(other.Body); err != nil || string(body) != "abcdef" {
		t.Fatalf("the other stream got %q, %v", body, err)
	}
	_ = other.Body.Close()

	close(f.release)
	_ = resp.SetReadDeadline(time.Time{})
	if rest, err := io.ReadAll(resp.Body); err != nil || string(rest) != "def" {
		t.Fatalf("the body after the deadline = %q, %v", rest, err)
	}
	if n := f.dialled.Load(); n != 1 {
		t.Fatalf("%d connections for two requests", n)
	}
}
