package main

import (
	"context"
	"io"
	"net/url"

	"httpcloakpy/internal/ticketcache"
)

// engine is the seam between this layer and the fingerprinting HTTP core. Everything else
// in this package (handles, streams, read-ahead, redirects, cookies, decoding, errors) is
// ours and does not know which core sits below; an engine only performs one exchange.
type engine interface {
	// roundTrip sends one request and returns once the response headers arrived. It follows
	// no redirects and touches no cookie jar. Cancelling ctx aborts it and its body.
	roundTrip(ctx context.Context, req *outgoingRequest) (*incomingResponse, error)
	// presetHeaders are the headers the browser preset sends, in its order.
	presetHeaders() [][2]string
	close()
}

type outgoingRequest struct {
	method  string
	url     *url.URL
	headers [][2]string  // final headers, in wire order
	body    *requestBody // nil: no body
	// stream, when set, is the body instead of body: read once, of streamLength bytes
	// (-1 when unknown, sent chunked on HTTP/1.1).
	stream       io.ReadCloser
	streamLength int64
}

type incomingResponse struct {
	status        int
	reason        string
	proto         string // "h1", "h2" or "h3"
	headers       [][2]string
	contentLength int64 // -1 when unknown
	body          io.ReadCloser
}

// engineConfig is what a session asks of its engine.
type engineConfig struct {
	preset      string
	httpVersion string // "auto", "h1", "h2", "h3"
	verify      bool
	caFile      string
	proxy       string      // proxy= or tcp_proxy= (for "h3": a socks5 proxy= carries QUIC too)
	udpProxy    string      // udp_proxy=: the SOCKS5 proxy QUIC goes through ("h3" only)
	fingerprint fingerprint // ja3 / akamai / extra_fp over the preset's, if any
	net         netConfig   // dialling and TLS options (netopts.go)
	// tickets, when set, is the TLS session cache to keep using: a session rebuilding its
	// engine (new proxy, refresh) resumes the TLS sessions it already had.
	tickets *ticketcache.Cache
	// shared is the TLS session store beyond this process, if any.
	shared ticketcache.SharedStore
}
