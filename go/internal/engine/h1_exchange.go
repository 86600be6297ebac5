package engine

import (
	"context"
	"errors"
	"io"
	"net"
	"os"
	"sync/atomic"
	"syscall"
	"time"

	"httpcloakpy/internal/callerwait"

	http "github.com/bogdanfinn/fhttp"
	"github.com/bogdanfinn/fhttp/httptrace"
	"golang.org/x/net/http/httpguts"
)

// h1Exchanges sends plain-http requests without a body over HTTP/1.1 on the goroutine that
// asks: it writes the request and reads the response itself. fhttp's Transport hands each
// request to a write loop and each response from a read loop; for an exchange on a Python
// thread (callerwait) each of those hand-offs is a wake-up of another thread, which is what
// made such an exchange no faster there (bench/RESULTS.md, sessions 7 and 9). The bytes on
// the wire are fhttp's: the request is written by fhttp's own Request.Write (header order,
// casing) and the response read by its ReadResponse (received header order, patch 0004).
//
// What it leaves to fhttp's Transport: a request body (written alongside the response
// read, which may come first), Expect: 100-continue, and protocol upgrades.
type h1Exchanges struct {
	dial func(ctx context.Context, network, addr string) (net.Conn, error)
	idle h1Idle
}

// max1xxResponses bounds the informational responses before the final one, as fhttp does.
const max1xxResponses = 5

// takes reports whether req is one h1Exchanges sends.
func (x *h1Exchanges) takes(req *http.Request) bool {
	return bareExchange(req.URL.Scheme, req.Method, req.Body != nil && req.Body != http.NoBody,
		func(name string) bool { return req.Header.Get(name) != "" })
}

// bareExchange is the rule of what h1Exchanges sends; has reports whether a header
// (lower-case name) is in the request.
func bareExchange(scheme, method string, hasBody bool, has func(name string) bool) bool {
	return h1ExchangesHere && scheme == "http" && bareRequest(method, hasBody, has)
}

// bareRequest: no body, no Expect: 100-continue, no protocol upgrade, not a tunnel.
func bareRequest(method string, hasBody bool, has func(name string) bool) bool {
	return method != "CONNECT" && !hasBody && !has("expect") && !has("upgrade")
}

func (x *h1Exchanges) RoundTrip(req *http.Request) (*http.Response, error) {
	ctx := req.Context()
	addr := originAddress("http", req.URL.Host)
	replayable := mayResend(req)
	for {
		pc := x.idle.take(addr, replayable)
		if pc == nil {
			era := x.idle.currentEra()
			conn, err := x.dialFor(ctx, addr)
			if err != nil {
				return nil, err
			}
			pc = newH1Conn(addr, conn)
			pc.era = era
		}
		resp, err := x.exchange(ctx, req, pc)
		if err == nil {
			return resp, nil
		}
		// A reused connection the server closed as we sent: nothing came back, so a request
		// that may be sent twice goes again on another one (fhttp's Transport does the same).
		if !replayable || !pc.reused || !errors.Is(err, errNothingRead) || ctx.Err() != nil {
			return nil, errors.Unwrap(err)
		}
	}
}

// dialFor opens a connection to addr; on a caller's thread the dial (name lookup, proxy)
// runs on a goroutine while the caller waits in slices.
func (x *h1Exchanges) dialFor(ctx context.Context, addr string) (net.Conn, error) {
	dial := func(ctx context.Context) (net.Conn, error) { return x.dial(ctx, "tcp", addr) }
	if !callerwait.Here(ctx) {
		return dial(ctx)
	}
	return callerwait.Do(ctx, dial, func(conn net.Conn) { _ = conn.Close() })
}

// readInSlices is a read of an answer's head for an exchange on its caller's thread
// (callerwait): it waits for bytes in slices, with the caller's check (which also keeps the
// exchange's deadline) between them, so a server that answers slowly, or stalls within its
// head, is cut by Ctrl-C and by the connect timeout without a timer.
func (pc *h1Conn) readInSlices(ctx context.Context, p []byte) (int, error) {
	for {
		n, err := pc.readWithin(p, callerwait.SliceFor(ctx))
		// A cancel shuts the socket's read side under the poll: its cause, not that EOF.
		if n == 0 && ctx.Err() != nil {
			return 0, context.Cause(ctx)
		}
		if n > 0 || err != nil {
			return n, err
		}
		if callerwait.Interrupted(ctx) {
			return 0, context.Cause(ctx)
		}
	}
}

// poll is pollReadable (or pollMoreBody, for a body's bytes) on pc's connection, marked as
// polling meanwhile: a cancel then shuts the socket's read side to end the poll
// (exchange's AfterFunc).
func (pc *h1Conn) poll(d time.Duration, forBody bool) (readable, polled bool, err error) {
	pc.polling.Store(true)
	defer pc.polling.Store(false)
	if forBody {
		return pollMoreBody(pc.conn, d)
	}
	return pollReadable(pc.conn, d)
}

// readWithin reads into p what comes within d: after poll(2) on the socket, or under a
// read deadline where there is no socket to poll. 0 bytes and no error: nothing came.
func (pc *h1Conn) readWithin(p []byte, d time.Duration) (int, error) {
	readable, polled, err := pc.poll(d, false)
	if polled {
		if err != nil || !readable {
			return 0, err
		}
		return pc.conn.Read(p)
	}
	if err := pc.conn.SetReadDeadline(time.Now().Add(d)); err != nil {
		return 0, err
	}
	n, err := pc.conn.Read(p)
	if errors.Is(err, os.ErrDeadlineExceeded) {
		err = nil
	}
	if clearErr := pc.conn.SetReadDeadline(time.Time{}); err == nil {
		err = clearErr
	}
	return n, err
}

// errNothingRead marks a failure before the server sent a byte of its response.
var errNothingRead = errors.New("no response")

type exchangeError struct {
	cause       error
	nothingRead bool
}

func (e *exchangeError) Error() string { return e.cause.Error() }
func (e *exchangeError) Unwrap() error { return e.cause }
func (e *exchangeError) Is(target error) bool {
	return target == errNothingRead && e.nothingRead
}

// exchange sends req on pc and reads the response's header. A failure closes pc; a
// response's body owns pc until it ends or is closed.
func (x *h1Exchanges) exchange(ctx context.Context, req *http.Request, pc *h1Conn) (*http.Response, error) {
	if trace := httptrace.ContextClientTrace(ctx); trace != nil && trace.GotConn != nil {
		trace.GotConn(httptrace.GotConnInfo{Conn: pc.conn, Reused: pc.reused})
	}
	// Cancel and the timeouts close the connection under whatever waits on it, the body's
	// reads included, as fhttp does; detach stops that when the connection goes idle.
	detach := context.AfterFunc(ctx, func() {
		if pc.polling.Load() {
			// A poll(2) on it (h1Conn.poll: the answer's wait, a body's) would not see the
			// close, which Go defers until the poll returns: shutting the read side ends it.
			// Only then: a body being read would take that for its end, where a closed
			// connection fails the read.
			if socket, ok := pc.conn.(interface{ CloseRead() error }); ok {
				_ = socket.CloseRead()
			}
		}
		_ = pc.conn.Close()
	})
	fail := func(err error, before int64) (*http.Response, error) {
		detach()
		_ = pc.conn.Close()
		if ctxErr := ctx.Err(); ctxErr != nil {
			err = ctxErr
		}
		return nil, &exchangeError{cause: err, nothingRead: pc.counted.n == before}
	}
	before := pc.counted.n
	if err := writeRequest(ctx, req, pc); err != nil {
		return fail(err, before)
	}
	var resp *http.Response
	if callerwait.Here(ctx) { // each answer's head, the final one after an informational too
		pc.counted.sliced = func(p []byte) (int, error) { return pc.readInSlices(ctx, p) }
		defer func() { pc.counted.sliced = nil }()
	}
	for informational := 0; ; informational++ {
		var err error
		if resp, err = http.ReadResponse(pc.br, req); err != nil {
			return fail(err, before)
		}
		// 101 Switching Protocols ends the exchange as a final answer does (fhttp too).
		if resp.StatusCode < 100 || resp.StatusCode > 199 || resp.StatusCode == 101 {
			break
		}
		if informational == max1xxResponses {
			return fail(errors.New("net/http: too many 1xx informational responses"), -1)
		}
	}
	keep := !resp.Close && !req.Close && resp.StatusCode != 101 &&
		!httpguts.HeaderValuesContainsToken(req.Header.Values("Connection"), "close")
	body := &h1Body{body: resp.Body, pc: pc, idle: &x.idle, keep: keep, detach: detach}
	if resp.Body == http.NoBody {
		body.end(true)
	}
	resp.Body = body
	return resp, nil
}

// largeHead is a request head's size past which it may not fit the sockets' buffers: its
// write could then wait for a server that does not read.
const largeHead = 64 << 10

// writeRequest writes req's head on pc. On its caller's thread the exchange keeps its
// deadline in its waits, not in a timer; a large head's write gets it as a write deadline
// (a timer, for this rare case), so a server that does not read cannot hold the caller.
func writeRequest(ctx context.Context, req *http.Request, pc *h1Conn) error {
	if deadline := callerwait.Deadline(ctx); !deadline.IsZero() && headSize(req) > largeHead {
		if err := pc.conn.SetWriteDeadline(deadline); err != nil {
			return err
		}
		defer func() { _ = pc.conn.SetWriteDeadline(time.Time{}) }()
	}
	err := req.Write(pc.bw)
	if err == nil {
		err = pc.bw.Flush()
	}
	if errors.Is(err, os.ErrDeadlineExceeded) {
		callerwait.Expired(ctx) // the cause is then the connect timeout's
	}
	return err
}

// headSize is about how many bytes req's head takes on the wire.
func headSize(req *http.Request) int {
	n := len(req.Method) + len(req.URL.Path) + len(req.URL.RawQuery) + len(req.Host)
	for name, values := range req.Header {
		for _, value := range values {
			n += len(name) + len(value) + 4
		}
	}
	return n
}

// mayResend reports whether req may be sent twice: an idempotent method (auto.go's rule),
// or a request the client marked idempotent (fhttp's Transport honours the same keys).
func mayResend(req *http.Request) bool {
	return replayable(req.Method) || req.Header.Get("Idempotency-Key") != "" ||
		req.Header.Get("X-Idempotency-Key") != ""
}

// h1Body is a response body of h1Exchanges: at its end the connection goes back to the
// idle pool (when both sides keep it alive and nothing stray follows the body); closed
// before the end, the connection is closed (whoever wants a remainder drained reads it).
type h1Body struct {
	body   io.ReadCloser
	pc     *h1Conn
	idle   *h1Idle
	keep   bool
	detach func() bool

	state atomic.Int32 // bodyOpen, then bodyComplete or bodyClosed
}

const (
	bodyOpen = iota
	bodyComplete
	bodyClosed
)

var errReadOnClosedBody = errors.New("http: read on closed response body")

func (b *h1Body) Read(p []byte) (int, error) {
	switch b.state.Load() {
	case bodyComplete:
		return 0, io.EOF
	case bodyClosed:
		return 0, errReadOnClosedBody
	}
	n, err := b.body.Read(p)
	if err == io.EOF {
		b.end(true)
	}
	return n, err
}

// pollable reports whether waitReadable can wait on the connection (a socket).
func (b *h1Body) pollable() bool {
	_, ok := b.pc.conn.(syscall.Conn)
	return ok
}

// waitReadable waits up to d (< 0: without a limit) for bytes of the body: read ahead, or
// on the socket (pollReadable, in poll(2) on this thread). A cancel meanwhile shuts the
// socket's read side (exchange's AfterFunc), which ends the poll; the read that follows
// then fails on the closed connection.
func (b *h1Body) waitReadable(d time.Duration) (bool, error) {
	if b.pc.br.Buffered() > 0 {
		return true, nil
	}
	readable, _, err := b.pc.poll(d, true)
	return readable, err
}

func (b *h1Body) Close() error {
	b.end(false)
	return nil
}

// end puts the connection away once: to the idle pool after the whole body, if it may be
// kept; closed otherwise (which also ends a read in flight on another thread).
func (b *h1Body) end(complete bool) {
	final := int32(bodyClosed)
	if complete {
		final = bodyComplete
	}
	if !b.state.CompareAndSwap(bodyOpen, final) {
		return
	}
	pc := b.pc
	attached := b.detach() // false: cancel already closed the connection
	if complete && b.keep && attached && pc.br.Buffered() == 0 {
		// The body's reader may have left a read deadline (a bounded wait).
		if pc.conn.SetReadDeadline(time.Time{}) == nil {
			b.idle.put(pc)
			return
		}
	}
	_ = pc.conn.Close()
}
