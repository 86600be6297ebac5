package main

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"math/big"
	"net"
	"os"
	"time"
)

// testPKI is a throwaway CA plus one leaf certificate it signed, both made
// fresh at every start; only the temp files of one run ever hold them.
type testPKI struct {
	caPEM []byte
	leaf  tls.Certificate
}

// leafDNSNames and leafIPs are the SANs clients may use to reach the server.
var (
	leafDNSNames = []string{"localhost", "testserver.local",
		// the ECH tests' names (dns_server.go) and the ECH configuration's public name
		"ech.test", "*.ech.test", "*.stale.test", "*.none.test", "*.servfail.test", "*.silent.test"}
	leafIPs = []net.IP{net.IPv4(127, 0, 0, 1), net.IPv6loopback}
)

func newTestPKI() (*testPKI, error) {
	caKey, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return nil, err
	}
	// Backdate a little so clock skew between processes never matters.
	notBefore := time.Now().Add(-time.Hour)
	notAfter := notBefore.Add(30 * 24 * time.Hour)

	caTemplate := &x509.Certificate{
		SerialNumber:          randomSerial(),
		Subject:               pkix.Name{CommonName: "httpcloak test CA", Organization: []string{"httpcloak tests"}},
		NotBefore:             notBefore,
		NotAfter:              notAfter,
		IsCA:                  true,
		BasicConstraintsValid: true,
		MaxPathLenZero:        true,
		KeyUsage:              x509.KeyUsageCertSign | x509.KeyUsageCRLSign | x509.KeyUsageDigitalSignature,
	}
	caDER, err := x509.CreateCertificate(rand.Reader, caTemplate, caTemplate, &caKey.PublicKey, caKey)
	if err != nil {
		return nil, err
	}
	caCert, err := x509.ParseCertificate(caDER)
	if err != nil {
		return nil, err
	}

	leafKey, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return nil, err
	}
	leafTemplate := &x509.Certificate{
		SerialNumber: randomSerial(),
		Subject:      pkix.Name{CommonName: "127.0.0.1"},
		NotBefore:    notBefore,
		NotAfter:     notAfter,
		KeyUsage:     x509.KeyUsageDigitalSignature,
		ExtKeyUsage:  []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		DNSNames:     leafDNSNames,
		IPAddresses:  leafIPs,
	}
	leafDER, err := x509.CreateCertificate(rand.Reader, leafTemplate, caCert, &leafKey.PublicKey, caKey)
	if err != nil {
		return nil, err
	}

	return &testPKI{
		caPEM: pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: caDER}),
		leaf: tls.Certificate{
			// The chain includes the CA so clients that only trust it still verify.
			Certificate: [][]byte{leafDER, caDER},
			PrivateKey:  leafKey,
		},
	}, nil
}

func randomSerial() *big.Int {
	serial, err := rand.Int(rand.Reader, new(big.Int).Lsh(big.NewInt(1), 127))
	if err != nil {
		panic(err) // crypto/rand failing means the machine is unusable anyway
	}
	return serial
}

func (p *testPKI) writeCA(path string) error {
	return os.WriteFile(path, p.caPEM, 0o644)
}

// writeServerPEM writes the leaf's chain and private key in one PEM file, so a test can
// run a TLS server of its own (hypercorn, a raw HTTP/2 server) that clients trusting the
// CA accept. The key is as throwaway as the rest: owner-only, deleted at exit.
func (p *testPKI) writeServerPEM(path string) error {
	key, err := x509.MarshalPKCS8PrivateKey(p.leaf.PrivateKey)
	if err != nil {
		return err
	}
	var out []byte
	for _, der := range p.leaf.Certificate {
		out = append(out, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der})...)
	}
	out = append(out, pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: key})...)
	return os.WriteFile(path, out, 0o600)
}
