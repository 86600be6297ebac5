package engine

import (
	"context"
	"crypto/x509"
	"io"
	"net"

	tls "github.com/bogdanfinn/utls"
)

// proxyTLS speaks TLS to an https:// proxy before anything else crosses, so the CONNECT
// and its Proxy-Authorization never go out in clear. The proxy's certificate is checked
// with the session's own trust settings (verify=, the CA bundle), and the handshake is
// the preset's ClientHello with ALPN cut to http/1.1: the tunnel request is HTTP/1.1
// (a browser may also offer h2 to a proxy; this client cannot speak CONNECT over h2).
type proxyTLS struct {
	verify bool
	roots  *x509.CertPool                      // nil: the system's
	hello  func() (tls.ClientHelloSpec, error) // the preset's
	keyLog io.Writer                           // key_log_file, when set
}

func (t *proxyTLS) handshake(ctx context.Context, conn net.Conn, serverName string) (net.Conn, error) {
	cfg := &tls.Config{
		ServerName:         serverName,
		RootCAs:            t.roots,
		InsecureSkipVerify: !t.verify,
		OmitEmptyPsk:       true, // no session to resume with a proxy
		KeyLogWriter:       t.keyLog,
	}
	uconn, err := handshakeTLS(ctx, conn, cfg, t.hello, true)
	if err != nil {
		return nil, err
	}
	return uconn, nil
}
