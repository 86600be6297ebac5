package main

// The trust settings a TLS session was verified under travel with it: a ticket is keyed by
// them in the shared store, and a ticket from outside this session (the shared store, a
// saved state) is resumed only if its server's certificate chain verifies with this
// session's own settings. Without that, a session with verify=<custom CA> could hand a
// default-verify session a resumption with a server that session would reject: TLS 1.3
// resumption never shows the certificate again, and the client only checks that the
// session was verified once, by whoever made it.

import (
	"crypto/sha256"
	"crypto/x509"
	"encoding/hex"
	"fmt"
	"net"
	"os"
	"reflect"
	"time"
	"unsafe"

	tls "github.com/bogdanfinn/utls"
)

// sessionTrust is how a session checks servers: verify=, and the CA bundle (nil: the
// system's roots).
type sessionTrust struct {
	verify bool
	roots  *x509.CertPool
	// tag names these settings in shared-store keys: "system", "ca-<first 16 hex digits
	// of the bundle's SHA-256>", or "insecure".
	tag string
}

// loadTrust reads the session's trust settings (the CA bundle, if any).
func loadTrust(verify bool, caFile string) (sessionTrust, error) {
	t := sessionTrust{verify: verify, tag: "system"}
	if caFile != "" {
		pem, err := os.ReadFile(caFile)
		if err != nil {
			return t, newError(kindInvalidArgument, "cannot read CA bundle: %v", err)
		}
		t.roots = x509.NewCertPool()
		if !t.roots.AppendCertsFromPEM(pem) {
			return t, newError(kindInvalidArgument, "no PEM certificate found in CA bundle %s", caFile)
		}
		digest := sha256.Sum256(pem)
		t.tag = "ca-" + hex.EncodeToString(digest[:8])
	}
	if !verify {
		t.tag = "insecure"
	}
	return t, nil
}

// admits tells whether a session to serverName made elsewhere may be resumed here: its
// server's chain must verify with these settings, for this name, now.
func (t sessionTrust) admits(serverName string, cs *tls.ClientSessionState) error {
	if !t.verify {
		return nil // this session accepts any server anyway
	}
	_, state, err := cs.ResumptionState()
	if err != nil || state == nil {
		return fmt.Errorf("not a resumable session")
	}
	chain, err := peerCertificates(state)
	if err != nil {
		return err
	}
	if len(chain) == 0 {
		return fmt.Errorf("the session holds no server certificate")
	}
	if host, _, err := net.SplitHostPort(serverName); err == nil {
		serverName = host // a cache key of "ip:port" when no server name was set
	}
	intermediates := x509.NewCertPool()
	for _, c := range chain[1:] {
		intermediates.AddCert(c)
	}
	_, err = chain[0].Verify(x509.VerifyOptions{
		Roots: t.roots, Intermediates: intermediates, DNSName: serverName, CurrentTime: time.Now(),
		KeyUsages: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
	})
	if err != nil {
		return fmt.Errorf("its server certificate does not verify with this session's trust settings: %v", err)
	}
	return nil
}

// peerCertificates reads the server chain a SessionState keeps in an unexported field
// (utls, like crypto/tls, offers no accessor). TestPeerCertificatesReadable fails loudly
// if the layout changes.
func peerCertificates(state *tls.SessionState) ([]*x509.Certificate, error) {
	field := reflect.ValueOf(state).Elem().FieldByName("peerCertificates")
	want := reflect.TypeOf([]*x509.Certificate(nil))
	if !field.IsValid() || field.Type() != want {
		return nil, fmt.Errorf("the TLS library's SessionState has no peerCertificates of type %s", want)
	}
	return *(*[]*x509.Certificate)(unsafe.Pointer(field.UnsafeAddr())), nil
}
