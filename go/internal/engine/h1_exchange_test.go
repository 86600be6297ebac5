//go:build unix

// h1Exchanges sends plain HTTP/1.1 only where it can peek an idle socket (h1_open_unix.go);
// elsewhere fhttp's Transport does, so these tests of its pool and of its sliced waits on a
// caller's thread are Unix's.

package engine

import (
	"bufio"
	"context"
	"errors"
	"io"
	"net"
	"net/url"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"httpcloakpy/internal/callerwait"
)

// rawH1Server accepts plain TCP connections and hands each to serve with its index (0 for
// the first connection), for answers no well-behaved server library would write.
type rawH1Server struct {
	addr     string
	accepted atomic.Int32
}

func startRawH1(t *testing.T, serve func(index int, conn net.Conn, br *bufio.Reader)) *rawH1Server {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = ln.Close() })
	s := &rawH1Server{addr: ln.Addr().String()}
	go func() {
		for {
			conn, err := ln.Accept()
			if err != nil {
				return
			}
			index := int(s.accepted.Add(1)) - 1
			go func() {
				defer conn.Close()
				serve(index, conn, bufio.NewReader(conn))
			}()
		}
	}()
	return s
}

// readRequestHead reads one request's head (a request without a body), "" at EOF.
func readRequestHead(br *bufio.Reader) string {
	var head strings.Builder
	for {
		line, err := br.ReadString('\n')
		head.WriteString(line)
		if err != nil {
			return ""
		}
		if line == "\r\n" {
			return head.String()
		}
	}
}

func plainEngine(t *testing.T) *tcpEngine {
	t.Helper()
	eng, err := New(Config{Preset: "chrome-latest", HTTPVersion: "h1"})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(eng.Close)
	return eng.(*tcpEngine)
}

func plainRequest(method, addr, path string) *Request {
	u, _ := url.Parse("http://" + addr + path)
	return &Request{Method: method, URL: u, Headers: [][2]string{
		{"User-Agent", "Mozilla/5.0 test"}, {"Accept", "*/*"}, {"X-Mixed-Case", "1"},
	}}
}

// fetch sends a request without a body and reads its response to the end.
func fetch(t *testing.T, eng *tcpEngine, method, addr, path string) string {
	t.Helper()
	resp, err := eng.RoundTrip(context.Background(), plainRequest(method, addr, path))
	return bodyOf(t, resp, err)
}

// bodyOf reads a response to its end.
func bodyOf(t *testing.T, resp *Response, err error) string {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return string(body)
}

const okResponse = "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok"

// The request leaves as fhttp's Transport writes it, byte for byte: the fingerprint of an
// HTTP/1.1 request does not depend on which of the two sent it.
func TestH1ExchangesWriteWhatFhttpWrites(t *testing.T) {
	heads := make(chan string, 2)
	server := startRawH1(t, func(_ int, conn net.Conn, br *bufio.Reader) {
		for head := readRequestHead(br); head != ""; head = readRequestHead(br) {
			heads <- head
			_, _ = io.WriteString(conn, okResponse)
		}
	})
	eng := plainEngine(t)
	fetch(t, eng, "GET", server.addr, "/a?b=c")
	ours := <-heads

	req, err := fhttpRequest(context.Background(), plainRequest("GET", server.addr, "/a?b=c"))
	if err != nil {
		t.Fatal(err)
	}
	resp, err := eng.pool.h1.RoundTrip(req)
	if err != nil {
		t.Fatal(err)
	}
	_, _ = io.Copy(io.Discard, resp.Body)
	_ = resp.Body.Close()
	if theirs := <-heads; ours != theirs {
		t.Fatalf("h1Exchanges wrote\n%q\nfhttp's Transport wrote\n%q", ours, theirs)
	}
}

// A connection goes back to the pool after its body; one the server closed while idle is
// noticed before use, so even a request that may not be sent twice gets through.
func TestH1ExchangesReuseAndNoticeServerClose(t *testing.T) {
	server := startRawH1(t, func(index int, conn net.Conn, br *bufio.Reader) {
		for served := 0; readRequestHead(br) != ""; served++ {
			_, _ = io.WriteString(conn, okResponse)
			if index == 0 && served == 1 {
				return // the first connection closes after its second answer
			}
		}
	})
	eng := plainEngine(t)
	for range 2 {
		if got := fetch(t, eng, "GET", server.addr, "/"); got != "ok" {
			t.Fatalf("body %q", got)
		}
	}
	if n := server.accepted.Load(); n != 1 {
		t.Fatalf("two requests took %d connections", n)
	}
	time.Sleep(50 * time.Millisecond) // the server's FIN arrives
	if got := fetch(t, eng, "POST", server.addr, "/"); got != "ok" {
		t.Fatalf("body %q", got)
	}
	if n := server.accepted.Load(); n != 2 {
		t.Fatalf("after the server closed the first connection: %d connections", n)
	}
}

// A reused connection that the server drops on receiving the request (the race of a
// keep-alive timeout) costs an idempotent request nothing: it goes again on a new
// connection. A request that may not be sent twice reports the failure.
func TestH1ExchangesResendOnlyWhatMayBeResent(t *testing.T) {
	server := startRawH1(t, func(index int, conn net.Conn, br *bufio.Reader) {
		for served := 0; readRequestHead(br) != ""; served++ {
			if served == 1 {
				return // every connection drops its second request unanswered
			}
			_, _ = io.WriteString(conn, okResponse)
		}
	})
	eng := plainEngine(t)
	fetch(t, eng, "GET", server.addr, "/")
	if got := fetch(t, eng, "GET", server.addr, "/"); got != "ok" {
		t.Fatalf("the resent GET got %q", got)
	}
	if n := server.accepted.Load(); n != 2 {
		t.Fatalf("%d connections, want 2 (the GET sent again on a new one)", n)
	}
	_, err := eng.RoundTrip(context.Background(), plainRequest("POST", server.addr, "/"))
	if err == nil {
		t.Fatal("a POST dropped unanswered on a reused connection was sent again")
	}
}

// Informational responses before the final one are skipped, up to fhttp's bound of five.
func TestH1ExchangesSkipInformationalResponses(t *testing.T) {
	hints := "HTTP/1.1 103 Early Hints\r\nLink: </a.css>; rel=preload\r\n\r\n"
	server := startRawH1(t, func(_ int, conn net.Conn, br *bufio.Reader) {
		for head := readRequestHead(br); head != ""; head = readRequestHead(br) {
			count := 2
			if strings.HasPrefix(head, "GET /many") {
				count = 6
			}
			_, _ = io.WriteString(conn, strings.Repeat(hints, count)+okResponse)
		}
	})
	eng := plainEngine(t)
	resp, err := eng.RoundTrip(context.Background(), plainRequest("GET", server.addr, "/two"))
	if got := bodyOf(t, resp, err); resp.Status != 200 || got != "ok" {
		t.Fatalf("%d %q", resp.Status, got)
	}
	if _, err := eng.RoundTrip(context.Background(), plainRequest("GET", server.addr, "/many")); err == nil ||
		!strings.Contains(err.Error(), "too many 1xx") {
		t.Fatalf("six informational responses: %v", err)
	}
}

// A connection is not reused after "Connection: close", after a body closed before its
// end, or when bytes nobody asked for follow a body.
func TestH1ExchangesDropConnectionsThatCannotBeReused(t *testing.T) {
	server := startRawH1(t, func(_ int, conn net.Conn, br *bufio.Reader) {
		for head := readRequestHead(br); head != ""; head = readRequestHead(br) {
			switch {
			case strings.HasPrefix(head, "GET /close"):
				_, _ = io.WriteString(conn, "HTTP/1.1 200 OK\r\nConnection: close\r\nContent-Length: 2\r\n\r\nok")
			case strings.HasPrefix(head, "GET /long"):
				_, _ = io.WriteString(conn, "HTTP/1.1 200 OK\r\nContent-Length: 100000\r\n\r\n"+strings.Repeat("x", 100000))
			case strings.HasPrefix(head, "GET /stray"):
				_, _ = io.WriteString(conn, okResponse+"junk")
			default:
				_, _ = io.WriteString(conn, okResponse)
			}
		}
	})
	eng := plainEngine(t)
	for _, path := range []string{"/close", "/long", "/stray"} {
		resp, err := eng.RoundTrip(context.Background(), plainRequest("GET", server.addr, path))
		if err != nil {
			t.Fatal(err)
		}
		if path == "/long" {
			_, _ = io.ReadFull(resp.Body, make([]byte, 10))
			_ = resp.Body.Close()
		} else {
			bodyOf(t, resp, nil)
		}
		before := server.accepted.Load()
		fetch(t, eng, "GET", server.addr, "/")
		if server.accepted.Load() != before+1 {
			t.Fatalf("the request after %s reused its connection", path)
		}
	}
}

// Cancelling a request ends its wait for the headers at once, and its body's reads.
func TestH1ExchangesCancelEndsTheWait(t *testing.T) {
	release := make(chan struct{})
	t.Cleanup(func() { close(release) })
	server := startRawH1(t, func(_ int, conn net.Conn, br *bufio.Reader) {
		if head := readRequestHead(br); strings.HasPrefix(head, "GET /body") {
			_, _ = io.WriteString(conn, "HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nab")
		}
		<-release
	})
	eng := plainEngine(t)
	for _, path := range []string{"/headers", "/body"} {
		ctx, cancel := context.WithCancel(context.Background())
		time.AfterFunc(50*time.Millisecond, cancel)
		started := time.Now()
		resp, err := eng.RoundTrip(ctx, plainRequest("GET", server.addr, path))
		if err == nil {
			_, err = io.ReadAll(resp.Body)
		}
		if err == nil || !errors.Is(err, context.Canceled) && !strings.Contains(err.Error(), "closed") {
			t.Fatalf("%s: cancelled request ended with %v", path, err)
		}
		if waited := time.Since(started); waited > time.Second {
			t.Fatalf("%s: cancel took %v", path, waited)
		}
	}
}

// A connection carrying an exchange when the engine closes its idle connections is closed
// when that exchange ends, not kept for later.
func TestH1ExchangesCloseIdleReachesConnectionsInUse(t *testing.T) {
	server := startRawH1(t, func(_ int, conn net.Conn, br *bufio.Reader) {
		for readRequestHead(br) != "" {
			_, _ = io.WriteString(conn, okResponse)
		}
	})
	eng := plainEngine(t)
	resp, err := eng.RoundTrip(context.Background(), plainRequest("GET", server.addr, "/"))
	if err != nil {
		t.Fatal(err)
	}
	eng.pool.CloseIdleConnections()
	bodyOf(t, resp, nil)
	fetch(t, eng, "GET", server.addr, "/")
	if n := server.accepted.Load(); n != 2 {
		t.Fatalf("%d connections: the one in use across CloseIdleConnections was kept", n)
	}
}

// startStallingH1 is a server that reads a request, writes first (the start of an answer,
// or nothing) and then nothing more while the test runs.
func startStallingH1(t *testing.T, first string) *rawH1Server {
	t.Helper()
	release := make(chan struct{})
	t.Cleanup(func() { close(release) })
	return startRawH1(t, func(_ int, conn net.Conn, br *bufio.Reader) {
		readRequestHead(br)
		_, _ = io.WriteString(conn, first)
		<-release
	})
}

// On its caller's thread the wait for the answer (poll(2) there) ends as soon as the
// request is cancelled, not at the end of its slice.
func TestH1ExchangesCancelEndsThePollAtOnce(t *testing.T) {
	withSlicesOfAMinute(t)
	server := startStallingH1(t, "")
	eng := plainEngine(t)
	ctx, cancel := context.WithCancelCause(context.Background())
	time.AfterFunc(50*time.Millisecond, func() { cancel(errors.New("cancelled")) })
	started := time.Now()
	_, err := eng.RoundTrip(callerwait.OnCaller(ctx, cancel, time.Time{}, nil), plainRequest("GET", server.addr, "/"))
	if err == nil {
		t.Fatal("a cancelled request succeeded")
	}
	if waited := time.Since(started); waited > 5*time.Second {
		t.Fatalf("cancel ended the wait after %v (its slice is a minute)", waited)
	}
}

// On its caller's thread the answer's whole head is read in slices that keep the
// exchange's deadline: a server that stalls within its head is cut at the deadline, as the
// timer of an exchange on a goroutine cuts it.
func TestH1ExchangesOnTheCallersThreadKeepTheirDeadlineWithinTheHead(t *testing.T) {
	withSlicesOfAMinute(t)
	server := startStallingH1(t, "HTTP/1.1 200 OK\r\nContent-Le") // the rest never comes
	eng := plainEngine(t)
	ctx, cancel := context.WithCancelCause(context.Background())
	expired := errors.New("connect timeout")
	started := time.Now()
	_, err := eng.RoundTrip(callerwait.OnCaller(ctx, cancel, started.Add(300*time.Millisecond), func() error { return expired }), plainRequest("GET", server.addr, "/"))
	if err == nil || context.Cause(ctx) != expired {
		t.Fatalf("RoundTrip = %v, the context's cause %v", err, context.Cause(ctx))
	}
	if waited := time.Since(started); waited < 300*time.Millisecond || waited > 5*time.Second {
		t.Fatalf("a 300 ms deadline ended the exchange after %v", waited)
	}
}

// A head too large for the sockets' buffers, to a server that never reads it, is cut at
// the exchange's deadline on its caller's thread too: its write is the one wait there that
// gets the deadline as a timer.
func TestH1ExchangesOnTheCallersThreadKeepTheirDeadlineWhileWriting(t *testing.T) {
	withSlicesOfAMinute(t)
	release := make(chan struct{})
	t.Cleanup(func() { close(release) })
	server := startRawH1(t, func(int, net.Conn, *bufio.Reader) { <-release }) // reads nothing
	eng := plainEngine(t)
	req := plainRequest("GET", server.addr, "/")
	req.Headers = append(req.Headers, [2]string{"x-large", strings.Repeat("a", 16<<20)})
	ctx, cancel := context.WithCancelCause(context.Background())
	expired := errors.New("connect timeout")
	started := time.Now()
	_, err := eng.RoundTrip(callerwait.OnCaller(ctx, cancel, started.Add(300*time.Millisecond), func() error { return expired }), req)
	if err == nil || context.Cause(ctx) != expired {
		t.Fatalf("RoundTrip = %v, the context's cause %v", err, context.Cause(ctx))
	}
	if waited := time.Since(started); waited < 300*time.Millisecond || waited > 5*time.Second {
		t.Fatalf("a 300 ms deadline ended the exchange after %v", waited)
	}
}

// On its caller's thread every answer is awaited in slices with the interrupt check
// between them: the final one after an informational one too.
func TestH1ExchangesCheckForInterruptsAfterAnInformationalAnswer(t *testing.T) {
	defer func(slice time.Duration) { callerwait.Slice = slice }(callerwait.Slice)
	callerwait.Slice = 20 * time.Millisecond
	var checks atomic.Int32
	callerwait.SetCheck(func() bool { return checks.Add(1) == 3 })
	t.Cleanup(func() { callerwait.SetCheck(nil) })
	release := make(chan struct{})
	t.Cleanup(func() { close(release) })
	server := startRawH1(t, func(_ int, conn net.Conn, br *bufio.Reader) {
		readRequestHead(br)
		_, _ = io.WriteString(conn, "HTTP/1.1 103 Early Hints\r\nLink: </a.css>; rel=preload\r\n\r\n")
		<-release // the final answer never comes
	})
	eng := plainEngine(t)
	ctx, cancel := context.WithCancelCause(context.Background())
	defer cancel(nil)
	done := make(chan error, 1)
	go func() {
		_, err := eng.RoundTrip(callerwait.OnCaller(ctx, cancel, time.Time{}, nil), plainRequest("GET", server.addr, "/"))
		done <- err
	}()
	select {
	case err := <-done:
		if !errors.Is(err, callerwait.ErrInterrupted) && !errors.Is(context.Cause(ctx), callerwait.ErrInterrupted) {
			t.Fatalf("ended with %v, not the interrupt", err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("the wait for the final answer never ran the interrupt check")
	}
}

// A body's WaitReadable (the direct read's wait, in poll(2)) reports bytes as they come,
// times out without them, and ends at once when the request is cancelled: a minute's wait
// must not hold the cancel.
func TestH1BodyWaitReadable(t *testing.T) {
	more := make(chan struct{})
	release := make(chan struct{})
	t.Cleanup(func() { close(release) })
	server := startRawH1(t, func(_ int, conn net.Conn, br *bufio.Reader) {
		readRequestHead(br)
		_, _ = io.WriteString(conn, "HTTP/1.1 200 OK\r\nContent-Length: 4\r\n\r\nab")
		<-more
		_, _ = io.WriteString(conn, "c")
		<-release
	})
	eng := plainEngine(t)
	ctx, cancel := context.WithCancel(context.Background())
	resp, err := eng.RoundTrip(ctx, plainRequest("GET", server.addr, "/"))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.WaitReadable == nil {
		t.Fatal("a plain HTTP/1.1 body on a socket has no WaitReadable")
	}
	if ready, err := resp.WaitReadable(time.Second); !ready || err != nil {
		t.Fatalf("bytes read ahead with the head: ready %v, %v", ready, err)
	}
	buf := make([]byte, 4)
	if n, err := resp.Body.Read(buf); n != 2 || err != nil {
		t.Fatalf("read %d, %v", n, err)
	}
	if ready, err := resp.WaitReadable(20 * time.Millisecond); ready || err != nil {
		t.Fatalf("nothing sent, yet ready %v, %v", ready, err)
	}
	close(more)
	if ready, err := resp.WaitReadable(5 * time.Second); !ready || err != nil {
		t.Fatalf("a byte sent, yet ready %v, %v", ready, err)
	}
	if n, err := resp.Body.Read(buf); n != 1 || err != nil {
		t.Fatalf("read %d, %v", n, err)
	}
	time.AfterFunc(50*time.Millisecond, cancel)
	started := time.Now()
	_, _ = resp.WaitReadable(time.Minute)
	if waited := time.Since(started); waited > 5*time.Second {
		t.Fatalf("cancel ended the wait after %v (it was for a minute)", waited)
	}
	if _, err := resp.Body.Read(buf); err == nil {
		t.Fatal("a read after the cancel succeeded")
	}
}
