package engine

import (
	"crypto/sha256"
	"crypto/x509"
	"encoding/base64"
	"encoding/hex"
	"encoding/pem"
	"os"
	"slices"
	"strings"

	"httpcloakpy/internal/errs"

	tls "github.com/bogdanfinn/utls"
)

// CertPin is one certificate pin: the SHA-256 of a public key (the certificate's
// SubjectPublicKeyInfo), as HPKP and Chrome's pin list name keys. Host "" pins every
// origin; otherwise that host, and its subdomains with IncludeSubdomains.
type CertPin struct {
	SPKI              [sha256.Size]byte
	Host              string
	IncludeSubdomains bool
}

// ParseCertPin reads a pin as the other bindings take it: "sha256/<base64>",
// "sha256:<base64 or hex>", 64 hex digits, or base64 of the 32-byte hash.
func ParseCertPin(pin, host string, includeSubdomains bool) (CertPin, error) {
	p := CertPin{Host: normalisePinHost(host), IncludeSubdomains: includeSubdomains}
	if includeSubdomains && p.Host == "" {
		return p, errs.New(errs.KindInvalidArgument, "include_subdomains needs a host to pin")
	}
	text := strings.TrimSpace(pin)
	for _, prefix := range []string{"sha256/", "sha256:"} {
		text = strings.TrimPrefix(text, prefix)
	}
	var raw []byte
	var err error
	if len(text) == 2*sha256.Size {
		raw, err = hex.DecodeString(text)
	} else {
		raw, err = base64.StdEncoding.DecodeString(text)
	}
	if err != nil || len(raw) != sha256.Size {
		return p, errs.New(errs.KindInvalidArgument,
			"certificate pin %q is not a SHA-256 hash: give \"sha256/<base64>\", 44 characters of base64 or 64 hex digits", pin)
	}
	copy(p.SPKI[:], raw)
	return p, nil
}

// CertPinFromFile pins the public key of the first certificate in a PEM file.
func CertPinFromFile(path, host string, includeSubdomains bool) (CertPin, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return CertPin{}, errs.New(errs.KindInvalidArgument, "cannot read the certificate to pin: %v", err)
	}
	block, _ := pem.Decode(data)
	if block == nil || block.Type != "CERTIFICATE" {
		return CertPin{}, errs.New(errs.KindInvalidArgument, "%s holds no PEM certificate", path)
	}
	cert, err := x509.ParseCertificate(block.Bytes)
	if err != nil {
		return CertPin{}, errs.New(errs.KindInvalidArgument, "%s: %v", path, err)
	}
	return ParseCertPin(spkiPin(cert), host, includeSubdomains)
}

func normalisePinHost(host string) string {
	return strings.TrimSuffix(strings.ToLower(strings.Trim(strings.TrimSpace(host), "[]")), ".")
}

// String is the pin as "sha256/<base64>", the form the error messages and get_pins use.
func (p CertPin) String() string { return "sha256/" + base64.StdEncoding.EncodeToString(p.SPKI[:]) }

func spkiPin(cert *x509.Certificate) string {
	sum := sha256.Sum256(cert.RawSubjectPublicKeyInfo)
	return "sha256/" + base64.StdEncoding.EncodeToString(sum[:])
}

func (p CertPin) appliesTo(host string) bool {
	return p.Host == "" || p.Host == host || p.IncludeSubdomains && strings.HasSuffix(host, "."+p.Host)
}

// pinCheck is the TLS config's VerifyConnection for a connection to host (the URL's: no
// SNI names an IP address) for pins (nil when none applies): run in the
// handshake, after the usual verification and also with verify=False (as upstream, a pin
// is then the only check), so nothing is sent to a server whose keys do not match. A host
// with pins passes when a key of the chain the server sent, or of a chain verification
// built to a trusted root, has one of its pins.
func pinCheck(pins []CertPin, host string) func(tls.ConnectionState) error {
	host = normalisePinHost(host)
	var wanted []string
	for _, p := range pins {
		if p.appliesTo(host) {
			wanted = append(wanted, p.String())
		}
	}
	if len(wanted) == 0 {
		return nil
	}
	return func(cs tls.ConnectionState) error {
		seen := append([]*x509.Certificate(nil), cs.PeerCertificates...)
		for _, chain := range cs.VerifiedChains {
			seen = append(seen, chain...)
		}
		var got []string
		for _, cert := range seen {
			pin := spkiPin(cert)
			if slices.Contains(wanted, pin) {
				return nil
			}
			if !slices.Contains(got, pin) {
				got = append(got, pin)
			}
		}
		return errs.New(errs.KindTLS, "certificate pin mismatch for %s: the server's keys %s match none of its pins %s",
			host, strings.Join(got, ", "), strings.Join(wanted, ", "))
	}
}
