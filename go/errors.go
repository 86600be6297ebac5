package main

import (
	"context"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"strings"
	"syscall"
	"time"
)

// kind mirrors enum hc_kind in httpcloak.h; the numbers are part of the ABI.
type kind int32

const (
	kindOK kind = iota
	kindInvalidArgument
	kindClosed
	kindDNS
	kindConnect
	kindTLS
	kindProxy
	kindConnectTimeout
	kindReadTimeout
	kindTruncated
	kindProtocol
	kindCanceled
	kindTooManyRedirects
	kindInternal
	kindTotalTimeout
)

// hcError is an error that already knows its kind.
type hcError struct {
	kind kind
	msg  string
}

func (e *hcError) Error() string { return e.msg }

func newError(k kind, format string, args ...any) *hcError {
	return &hcError{kind: k, msg: fmt.Sprintf(format, args...)}
}

// Causes set on a request context so the error a cancelled read returns can be told apart
// from a user's cancel.
var (
	errReadTimeout   = newError(kindReadTimeout, "the body was silent longer than the read timeout")
	errCanceled      = newError(kindCanceled, "stream canceled")
	errSessionClosed = newError(kindClosed, "session closed")
)

// Timeout errors name the limit that fired, so a user sees which knob to turn.
func connectTimeoutError(limit time.Duration) *hcError {
	return newError(kindConnectTimeout, "no response headers within the connect timeout (%v)", limit)
}

func readTimeoutError(limit time.Duration) *hcError {
	return newError(kindReadTimeout, "the body was silent for longer than the read timeout (%v)", limit)
}

func totalTimeoutError(limit time.Duration) *hcError {
	return newError(kindTotalTimeout, "the exchange outlived the total timeout (%v)", limit)
}

// classify names the kind of an error coming out of the engine. phase is "connect" before
// the response headers arrived and "body" after, since the same Go error (an unexpected EOF,
// a reset) means a failed connection in one and a truncated body in the other.
func classify(err error, ctx context.Context, phase string) *hcError {
	if err == nil {
		return nil
	}
	var known *hcError
	if errors.As(err, &known) {
		return known
	}
	if ctx != nil {
		if cause := context.Cause(ctx); cause != nil {
			if errors.As(cause, &known) {
				return newError(known.kind, "%s: %v", known.msg, err)
			}
		}
	}
	return newError(classifyKind(err, phase), "%v", err)
}

func classifyKind(err error, phase string) kind {
	msg := err.Error()
	var viaProxy *proxyError
	if errors.As(err, &viaProxy) {
		return kindProxy
	}
	var dnsErr *net.DNSError
	var unknownAuthority x509.UnknownAuthorityError
	var hostnameErr x509.HostnameError
	var invalidCert x509.CertificateInvalidError
	switch {
	case errors.As(err, &dnsErr):
		return kindDNS
	case errors.As(err, &unknownAuthority), errors.As(err, &hostnameErr),
		errors.As(err, &invalidCert), strings.Contains(msg, "tls:"),
		strings.Contains(msg, "x509:"), strings.Contains(msg, "certificate"):
		return kindTLS
	case errors.Is(err, os.ErrDeadlineExceeded) || errors.Is(err, context.DeadlineExceeded):
		if phase == "body" {
			return kindReadTimeout
		}
		return kindConnectTimeout
	case errors.Is(err, syscall.ECONNREFUSED), errors.Is(err, syscall.EHOSTUNREACH),
		errors.Is(err, syscall.ENETUNREACH):
		return kindConnect
	}
	if phase == "body" {
		if errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, syscall.ECONNRESET) ||
			strings.Contains(msg, "stream error") || strings.Contains(msg, "connection reset") ||
			strings.Contains(msg, "unexpected EOF") {
			return kindTruncated
		}
		return kindProtocol
	}
	var opErr *net.OpError
	if errors.As(err, &opErr) || errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) ||
		errors.Is(err, syscall.ECONNRESET) {
		return kindConnect
	}
	return kindProtocol
}
