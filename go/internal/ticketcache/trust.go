package ticketcache

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

	"httpcloakpy/internal/errs"

	tls "github.com/bogdanfinn/utls"
)

// Trust is how a session checks servers: verify=, and the CA bundle (nil: the
// system's roots).
type Trust struct {
	verify bool
	Roots  *x509.CertPool
	// Tag names these settings in shared-store keys: "system", "ca-<first 16 hex digits
	// of the bundle's SHA-256>", or "insecure".
	Tag string
}

// LoadTrust reads the session's trust settings (the CA bundle, if any).
func LoadTrust(verify bool, caFile string) (Trust, error) {
	t := Trust{verify: verify, Tag: "system"}
	if caFile != "" {
		pem, err := os.ReadFile(caFile)
		if err != nil {
			return t, errs.New(errs.KindInvalidArgument, "cannot read CA bundle: %v", err)
		}
		t.Roots = x509.NewCertPool()
		if !t.Roots.AppendCertsFromPEM(pem) {
			return t, errs.New(errs.KindInvalidArgument, "no PEM certificate found in CA bundle %s", caFile)
		}
		digest := sha256.Sum256(pem)
		t.Tag = "ca-" + hex.EncodeToString(digest[:8])
	}
	if !verify {
		t.Tag = "insecure"
	}
	return t, nil
}

// Admits tells whether a session to serverName made elsewhere may be resumed here: its
// server's chain must verify with these settings, for this name, now.
func (t Trust) Admits(serverName string, cs *tls.ClientSessionState) error {
	if !t.verify {
		return nil // this session accepts any server anyway
	}
	_, state, err := cs.ResumptionState()
	if err != nil || state == nil {
		return fmt.Errorf("not a resumable session")
	}
	chain, err := PeerCertificates(state)
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
		Roots: t.Roots, Intermediates: intermediates, DNSName: serverName, CurrentTime: time.Now(),
		KeyUsages: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
	})
	if err != nil {
		return fmt.Errorf("its server certificate does not verify with this session's trust settings: %v", err)
	}
	return nil
}

// PeerCertificates reads the server chain a SessionState keeps in an unexported field
// (utls, like crypto/tls, offers no accessor). TestPeerCertificatesReadable fails loudly
// if the layout changes.
func PeerCertificates(state *tls.SessionState) ([]*x509.Certificate, error) {
	field := reflect.ValueOf(state).Elem().FieldByName("peerCertificates")
	want := reflect.TypeOf([]*x509.Certificate(nil))
	if !field.IsValid() || field.Type() != want {
		return nil, fmt.Errorf("the TLS library's SessionState has no peerCertificates of type %s", want)
	}
	return *(*[]*x509.Certificate)(unsafe.Pointer(field.UnsafeAddr())), nil
}
