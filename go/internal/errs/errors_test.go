package errs

import (
	"context"
	"errors"
	"io"
	"net"
	"testing"
)

func TestClassifyKinds(t *testing.T) {
	cases := []struct {
		err   error
		phase string
		want  Kind
	}{
		{&net.DNSError{Err: "no such host", Name: "x.invalid"}, "connect", KindDNS},
		{&net.OpError{Op: "dial", Err: errors.New("connection refused")}, "connect", KindConnect},
		{errors.New("tls: handshake failure"), "connect", KindTLS},
		{errors.New("x509: certificate signed by unknown authority"), "connect", KindTLS},
		{&ProxyError{Host: "127.0.0.1:1", Err: errors.New("connection refused")}, "connect", KindProxy},
		{io.ErrUnexpectedEOF, "body", KindTruncated},
		{errors.New("stream error: stream ID 1; INTERNAL_ERROR"), "body", KindTruncated},
		{errors.New("gzip: invalid header"), "body", KindProtocol},
	}
	for _, c := range cases {
		if got := Classify(c.err, nil, c.phase).Kind; got != c.want {
			t.Errorf("classify(%v, %s) = %d, want %d", c.err, c.phase, got, c.want)
		}
	}
}

func TestClassifyPrefersTheContextCause(t *testing.T) {
	ctx, cancel := context.WithCancelCause(context.Background())
	cancel(errReadTimeout)
	if got := Classify(context.Canceled, ctx, "body").Kind; got != KindReadTimeout {
		t.Fatalf("kind = %d, want read timeout", got)
	}
}

func TestEveryErrorKindHasAName(t *testing.T) {
	for k := KindInvalidArgument; k <= KindTotalTimeout; k++ {
		if k.Name() == "" {
			t.Errorf("kind %d has no name for X-HTTPCloak-Error", k)
		}
	}
}
