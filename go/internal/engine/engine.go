// Package engine performs one HTTP exchange the way the session's browser preset would:
// its TLS ClientHello, HTTP/2 preface and header order, through its proxies and dialers.
// Everything above it (streams, redirects, retries, cookies, decoding: package client)
// does not know which core sits below.
package engine

import (
	"context"
	"io"
	"net/url"
	"time"

	"httpcloakpy/internal/fingerprint"
	"httpcloakpy/internal/ticketcache"
)

// Engine is the seam between the client and the fingerprinting HTTP core; an Engine only
// performs one exchange.
type Engine interface {
	// RoundTrip sends one request and returns once the response headers arrived. It follows
	// no redirects and touches no cookie jar. Cancelling ctx aborts it and its body.
	RoundTrip(ctx context.Context, req *Request) (*Response, error)
	// PresetHeaders are the headers the browser preset sends, in its order.
	PresetHeaders() [][2]string
	// WaitsInSlices reports whether RoundTrip(req) may run on its caller's thread: every
	// wait it makes there goes in slices (package callerwait).
	WaitsInSlices(req *Request) bool
	Close()
}

// Request is one exchange's request, ready for the wire.
type Request struct {
	Method  string
	URL     *url.URL
	Headers [][2]string    // final headers, in wire order
	Body    ReplayableBody // nil: no body
	// Stream, when set, is the body instead of Body: read once, of StreamLength bytes
	// (-1 when unknown, sent chunked on HTTP/1.1).
	Stream       io.ReadCloser
	StreamLength int64
}

// ReplayableBody is a request body held whole, which the engine may send more than once (a
// retry, a 307/308 redirect): each Reader reads it from its start.
type ReplayableBody interface {
	Size() int64
	Reader() io.ReadCloser
}

// sizeOf is b's length; 0 for no body.
func sizeOf(b ReplayableBody) int64 {
	if b == nil {
		return 0
	}
	return b.Size()
}

// Response is what arrived with the response headers; Body is the raw (still encoded) body.
type Response struct {
	Status  int
	Reason  string
	Proto   string      // "h1", "h2" or "h3"
	Headers [][2]string // names lowercase, in the order received (h1, h2)
	// WireNames are Headers' names as they came on the wire, one per pair (HTTP/1.1 keeps
	// the server's casing); nil when the protocol's reader does not tell (h3).
	WireNames     []string
	ContentLength int64 // -1 when unknown
	Body          io.ReadCloser
	// Trailers are the trailer fields (HTTP/1.1 chunked, HTTP/2), complete once Body
	// has returned io.EOF; nil before, or when there are none.
	Trailers func() [][2]string
	// SetReadDeadline sets the read deadline of the body: that of the HTTP/1.1
	// connection it arrives on, or of its HTTP/2 stream alone (nil for HTTP/3). A read of
	// Body that meets it fails with os.ErrDeadlineExceeded and leaves the body and the
	// connection usable (fhttp patches 0006 and 0008); an HTTP/1.1 connection goes back
	// to the pool without it. Only Body's reader may call it, and only before Body
	// returned its end.
	SetReadDeadline func(time.Time) error
	// WaitReadable, when set (an HTTP/1.1 body on a plain socket), waits up to d (< 0:
	// without a limit) for Body to have bytes to read, in poll(2) on the calling thread; a
	// cancel meanwhile ends the wait. A read after true does not block. Body's reader uses
	// it in place of a read deadline: a read that waits in Go's poller on a thread locked to
	// its goroutine (a caller's) hands the thread's P away and back, and a new deadline's
	// timer wakes the poller's thread. Same rules as SetReadDeadline.
	WaitReadable func(d time.Duration) (bool, error)
}

// Config is what a session asks of its engine.
type Config struct {
	Preset      string
	HTTPVersion string // "auto", "h1", "h2", "h3"
	Verify      bool
	CAFile      string
	Proxy       string                  // proxy= or tcp_proxy= (for "h3": a socks5 proxy= carries QUIC too)
	UDPProxy    string                  // udp_proxy=: the SOCKS5 proxy QUIC goes through ("h3" only)
	Fingerprint fingerprint.Fingerprint // ja3 / akamai / extra_fp over the preset's, if any
	Net         NetConfig               // dialling and TLS options (netopts.go)
	Pins        []CertPin               // certificate pins of origins (certpin.go); never modified in place
	// Tickets, when set, is the TLS session cache to keep using: a session rebuilding its
	// engine (new proxy, refresh) resumes the TLS sessions it already had.
	Tickets *ticketcache.Cache
	// Shared is the TLS session store beyond this process, if any.
	Shared ticketcache.SharedStore
}

// TicketKeeper is an engine whose TLS session tickets can be saved and restored.
type TicketKeeper interface {
	TicketStore() *ticketcache.Cache // nil when the engine keeps none
}

var (
	_ TicketKeeper = (*tcpEngine)(nil)
	_ TicketKeeper = (*Swappable)(nil)
)

// ForFork is cfg for a forked session: the key log file is opened again, as each session
// closes its own.
func (cfg Config) ForFork() (Config, error) {
	if path := cfg.Net.keyLogPath; path != "" {
		reopened, err := (&NetOptions{KeyLogFile: path}).Build(cfg.HTTPVersion)
		if err != nil {
			return cfg, err
		}
		cfg.Net.keyLog, cfg.Net.keyLogOwner = reopened.keyLog, reopened.keyLogOwner
	}
	return cfg, nil
}
