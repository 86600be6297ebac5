// Package errs gives every failure a kind (invalid argument, DNS, TLS, truncated body...)
// and sorts the errors the engine returns into those kinds.
package errs

import (
	"context"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"strings"
	"time"
)

// Kind is what went wrong, in the terms users are shown (an exception class each); the
// zero Kind is none.
type Kind int32

const (
	KindInvalidArgument Kind = iota + 1
	KindClosed
	KindDNS
	KindConnect
	KindTLS
	KindProxy
	KindConnectTimeout
	KindReadTimeout
	KindTruncated
	KindProtocol
	KindCanceled
	KindTooManyRedirects
	KindInternal
	KindTotalTimeout
)

// kindNames are the error kinds as Python names them (its exception classes, and the
// local proxy's X-HTTPCloak-Error).
var kindNames = map[Kind]string{
	KindInvalidArgument: "invalid_argument", KindClosed: "closed", KindDNS: "dns",
	KindConnect: "connect", KindTLS: "tls", KindProxy: "proxy",
	KindConnectTimeout: "connect_timeout", KindReadTimeout: "read_timeout",
	KindTruncated: "truncated", KindProtocol: "protocol", KindCanceled: "canceled",
	KindTooManyRedirects: "too_many_redirects", KindInternal: "internal",
	KindTotalTimeout: "total_timeout",
}

// Name is the kind as Python names it ("" for none).
func (k Kind) Name() string { return kindNames[k] }

// Error is an error that already knows its kind.
type Error struct {
	Kind Kind
	Msg  string
}

func (e *Error) Error() string { return e.Msg }

func New(k Kind, format string, args ...any) *Error {
	return &Error{Kind: k, Msg: fmt.Sprintf(format, args...)}
}

// ProxyError marks a failure of the proxy itself (unreachable, refused, bad credentials),
// so it is classified as KindProxy whatever the underlying error looks like.
type ProxyError struct {
	Host string
	Err  error
}

func (e *ProxyError) Error() string { return fmt.Sprintf("proxy %s: %v", e.Host, e.Err) }
func (e *ProxyError) Unwrap() error { return e.Err }

// Causes set on a request context so the error a cancelled read returns can be told apart
// from a user's cancel.
var (
	errReadTimeout   = New(KindReadTimeout, "the body was silent longer than the read timeout")
	ErrCanceled      = New(KindCanceled, "stream canceled")
	ErrSessionClosed = New(KindClosed, "session closed")
)

// Timeout errors name the limit that fired, so a user sees which knob to turn.
func ConnectTimeout(limit time.Duration) *Error {
	return New(KindConnectTimeout, "no response headers within the connect timeout (%v)", limit)
}

func ReadTimeout(limit time.Duration) *Error {
	return New(KindReadTimeout, "the body was silent for longer than the read timeout (%v)", limit)
}

func TotalTimeout(limit time.Duration) *Error {
	return New(KindTotalTimeout, "the exchange outlived the total timeout (%v)", limit)
}

// Classify names the kind of an error coming out of the engine. phase is "connect" before
// the response headers arrived and "body" after, since the same Go error (an unexpected EOF,
// a reset) means a failed connection in one and a truncated body in the other.
func Classify(err error, ctx context.Context, phase string) *Error {
	if err == nil {
		return nil
	}
	var known *Error
	if errors.As(err, &known) {
		return known
	}
	if ctx != nil {
		if cause := context.Cause(ctx); cause != nil {
			if errors.As(cause, &known) {
				return New(known.Kind, "%s: %v", known.Msg, err)
			}
		}
	}
	return New(ClassifyKind(err, phase), "%v", err)
}

func ClassifyKind(err error, phase string) Kind {
	msg := err.Error()
	var viaProxy *ProxyError
	if errors.As(err, &viaProxy) {
		return KindProxy
	}
	var dnsErr *net.DNSError
	var unknownAuthority x509.UnknownAuthorityError
	var hostnameErr x509.HostnameError
	var invalidCert x509.CertificateInvalidError
	switch {
	case errors.As(err, &dnsErr):
		return KindDNS
	case errors.As(err, &unknownAuthority), errors.As(err, &hostnameErr),
		errors.As(err, &invalidCert), strings.Contains(msg, "tls:"),
		strings.Contains(msg, "x509:"), strings.Contains(msg, "certificate"):
		return KindTLS
	case errors.Is(err, os.ErrDeadlineExceeded) || errors.Is(err, context.DeadlineExceeded):
		if phase == "body" {
			return KindReadTimeout
		}
		return KindConnectTimeout
	case isAny(err, refusedErrnos):
		return KindConnect
	}
	if phase == "body" {
		if errors.Is(err, io.ErrUnexpectedEOF) || isAny(err, resetErrnos) ||
			strings.Contains(msg, "stream error") || strings.Contains(msg, "connection reset") ||
			strings.Contains(msg, "unexpected EOF") {
			return KindTruncated
		}
		return KindProtocol
	}
	var opErr *net.OpError
	if errors.As(err, &opErr) || errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) ||
		isAny(err, resetErrnos) {
		return KindConnect
	}
	return KindProtocol
}

// isAny reports whether err is one of targets (errors.Is each).
func isAny(err error, targets []error) bool {
	for _, target := range targets {
		if errors.Is(err, target) {
			return true
		}
	}
	return false
}
