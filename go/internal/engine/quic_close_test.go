package engine

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"io"
	"math/big"
	"testing"
	"time"

	quic "github.com/bogdanfinn/quic-go-utls"
	tls "github.com/bogdanfinn/utls"
)

// selfSignedCertificate is a throwaway certificate for a loopback QUIC server.
func selfSignedCertificate(t *testing.T) tls.Certificate {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	template := &x509.Certificate{SerialNumber: big.NewInt(1), NotAfter: time.Now().Add(time.Hour), DNSNames: []string{"localhost"}}
	der, err := x509.CreateCertificate(rand.Reader, template, template, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	return tls.Certificate{Certificate: [][]byte{der}, PrivateKey: key}
}

// A stream that failed because its connection closed finds the connection's context already
// ended (patch 0057): "auto" decides from Context().Err() whether to send a request again
// over TCP, and a late context let the error through to the caller.
func TestAStreamFailsOnlyAfterItsConnectionsContextEnded(t *testing.T) {
	serverTLS := &tls.Config{Certificates: []tls.Certificate{selfSignedCertificate(t)}, NextProtos: []string{"test"}}
	listener, err := quic.ListenAddr("127.0.0.1:0", serverTLS, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer listener.Close()
	go func() {
		for {
			conn, err := listener.Accept(context.Background())
			if err != nil {
				return
			}
			go func() {
				stream, err := conn.AcceptStream(context.Background())
				if err == nil {
					_, _ = stream.Read(make([]byte, 1)) // the client's request is here
				}
				_ = conn.CloseWithError(0x100, "going away")
			}()
		}
	}()
	clientTLS := &tls.Config{InsecureSkipVerify: true, NextProtos: []string{"test"}}
	for round := range 200 {
		conn, err := quic.DialAddr(context.Background(), listener.Addr().String(), clientTLS, nil)
		if err != nil {
			t.Fatal(err)
		}
		stream, err := conn.OpenStream()
		if err != nil {
			t.Fatal(err)
		}
		if _, err := stream.Write([]byte("x")); err != nil {
			t.Fatal(err)
		}
		if _, err := io.ReadAll(stream); err == nil {
			t.Fatal("the stream ended without an error although its connection was closed")
		}
		if conn.Context().Err() == nil {
			t.Fatalf("round %d: the stream failed before its connection's context ended", round)
		}
	}
}
