package main

import (
	"crypto/tls"
	"net/http"
	"slices"
)

// connRecord is the full capture of one TLS-over-TCP connection: the raw
// ClientHello and its fields, then the client's first HTTP/2 frames (HPACK
// representations included) or HTTP/1.1 request heads. /fingerprint/full
// answers it for the current connection; -capture-dir writes one per
// connection (capture_dir.go).
type connRecord struct {
	ConnID   uint64 `json:"conn_id"`
	Listener string `json:"listener"`
	// HandshakeError is set when the TLS handshake failed (a client that
	// does not trust the test CA, say); the ClientHello is still recorded.
	HandshakeError string       `json:"handshake_error,omitempty"`
	TLS            *tlsRecord   `json:"tls"`
	ClientHello    *helloRecord `json:"client_hello"`
	HTTP2          *h2Record    `json:"http2"`
	HTTP1          *h1Record    `json:"http1"`
}

// tlsRecord is what the handshake negotiated.
type tlsRecord struct {
	Version        string `json:"version"`
	CipherSuite    string `json:"cipher_suite"`
	NegotiatedALPN string `json:"negotiated_alpn"`
	Resumed        bool   `json:"resumed"`
}

type h2Record struct {
	Preface    string          `json:"preface"`
	Frames     []h2FrameRecord `json:"frames"`
	Truncated  bool            `json:"truncated"` // later frames were not recorded
	Akamai     string          `json:"akamai"`
	AkamaiHash string          `json:"akamai_hash"`
}

type h1Record struct {
	RequestHeads []string `json:"request_heads"` // verbatim, up to and including the empty line
	Truncated    bool     `json:"truncated"`
}

// buildConnRecord snapshots what has been captured on the connection so far.
func buildConnRecord(info *connInfo) *connRecord {
	info.mu.Lock()
	state, hello, handshakeErr, h1, h2 := info.tlsState, info.hello, info.handshakeErr, info.h1, info.h2
	info.mu.Unlock()

	rec := &connRecord{ConnID: info.id, Listener: info.listener, HandshakeError: handshakeErr}
	rec.TLS = newTLSRecord(state)
	if hello != nil {
		rec.ClientHello = describeHello(hello)
	}
	if h2 != nil {
		rec.HTTP2 = h2.captureRecord()
	}
	if h1 != nil {
		heads, truncated := h1.heads.snapshot()
		rec.HTTP1 = &h1Record{RequestHeads: heads, Truncated: truncated}
	}
	return rec
}

// newTLSRecord is nil when the handshake has not completed.
func newTLSRecord(state *tls.ConnectionState) *tlsRecord {
	if state == nil {
		return nil
	}
	return &tlsRecord{
		Version:        tls.VersionName(state.Version),
		CipherSuite:    tls.CipherSuiteName(state.CipherSuite),
		NegotiatedALPN: state.NegotiatedProtocol,
		Resumed:        state.DidResume,
	}
}

func (s *h2FrameSniffer) captureRecord() *h2Record {
	s.mu.Lock()
	defer s.mu.Unlock()
	rec := &h2Record{
		Preface:   string(s.capture.preface),
		Frames:    nonNil(slices.Clone(s.capture.frames)),
		Truncated: s.capture.full,
	}
	if s.fingerprint.sawFirstHeaders {
		rec.Akamai = s.fingerprint.akamaiString()
		rec.AkamaiHash = md5Hex(rec.Akamai)
	}
	return rec
}

// handleFingerprintFull answers the capture of the request's own connection.
func handleFingerprintFull(w http.ResponseWriter, r *http.Request) {
	info := connInfoFrom(r.Context())
	switch {
	case info != nil && info.listener == listenerHTTPS:
		writeJSON(w, http.StatusOK, buildConnRecord(info))
	case info != nil && info.listener == listenerH3:
		writeJSON(w, http.StatusOK, buildQUICRecord(info))
	default:
		badRequest(w, "the full capture needs TLS (the https or the HTTP/3 listener)")
	}
}
