package main

import (
	"context"
	"encoding/pem"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	tls "github.com/bogdanfinn/utls"
)

// A real resumable session (an engine's handshake with a loopback server whose CA only a
// bundle file knows): its chain is readable, verifies with that bundle, not with the
// system's roots, and anything goes with verify off.
func TestPeerCertificatesReadable(t *testing.T) {
	server := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.WriteString(w, "ok")
	}))
	defer server.Close()
	caFile := filepath.Join(t.TempDir(), "ca.pem")
	block := pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: server.Certificate().Raw})
	if err := os.WriteFile(caFile, block, 0o600); err != nil {
		t.Fatal(err)
	}
	eng, err := newEngine(engineConfig{preset: "chrome-133", verify: true, caFile: caFile})
	if err != nil {
		t.Fatal(err)
	}
	defer eng.close()
	u, _ := url.Parse(server.URL + "/")
	resp, err := eng.roundTrip(context.Background(), &outgoingRequest{method: "GET", url: u})
	if err != nil {
		t.Fatal(err)
	}
	_, _ = io.ReadAll(resp.body)
	resp.body.Close()
	tickets := eng.(*tlsClientEngine).tickets
	var ok bool
	for deadline := time.Now().Add(5 * time.Second); !ok && time.Now().Before(deadline); {
		if _, ok = tickets.cached("127.0.0.1"); !ok {
			time.Sleep(5 * time.Millisecond)
		}
	}
	cs, ok := tickets.cached("127.0.0.1")
	if !ok {
		t.Fatal("the engine kept no TLS session")
	}
	_, state, err := cs.ResumptionState()
	if err != nil {
		t.Fatal(err)
	}
	chain, err := peerCertificates(state)
	if err != nil || len(chain) == 0 {
		t.Fatalf("peerCertificates = %d certificates, %v", len(chain), err)
	}
	bundle, _ := loadTrust(true, caFile)
	if err := bundle.admits("127.0.0.1", cs); err != nil {
		t.Fatalf("the session's own trust refused it: %v", err)
	}
	if err := bundle.admits("127.0.0.2", cs); err == nil {
		t.Fatal("a session for another name was admitted")
	}
	system, _ := loadTrust(true, "")
	if err := system.admits("127.0.0.1", cs); err == nil || !strings.Contains(err.Error(), "does not verify") {
		t.Fatalf("the system roots admitted a session they cannot verify: %v", err)
	}
	insecure, _ := loadTrust(false, "")
	if err := insecure.admits("127.0.0.1", cs); err != nil || insecure.tag != "insecure" {
		t.Fatalf("verify off: %v, tag %q", err, insecure.tag)
	}
	if !strings.HasPrefix(bundle.tag, "ca-") || system.tag != "system" {
		t.Fatalf("tags %q %q", bundle.tag, system.tag)
	}
}

// cached is one session the cache holds, without asking the shared backend.
func (c *ticketCache) cached(key string) (*tls.ClientSessionState, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	cs, ok := c.byKey[key]
	return cs, ok
}
