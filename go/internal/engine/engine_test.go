package engine

import (
	"context"
	"encoding/pem"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"httpcloakpy/internal/errs"
	"httpcloakpy/internal/targets"
	"httpcloakpy/internal/ticketcache"
)

// The engine's own direct dialer (no proxy, no connect_to) runs DialControl with the
// request's context: a guarded request cannot reach loopback, an unguarded one can.
func TestEngineDialsCheckTheTargetGuard(t *testing.T) {
	plain := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {}))
	defer plain.Close()
	secure := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {}))
	defer secure.Close()
	eng, err := New(Config{Preset: "chrome-latest", Verify: false})
	if err != nil {
		t.Fatal(err)
	}
	defer eng.Close()
	guard, _ := targets.NewGuard(nil, false)
	for _, base := range []string{plain.URL, secure.URL} {
		u, _ := url.Parse(base + "/")
		req := &Request{Method: "GET", URL: u}
		if _, err := eng.RoundTrip(targets.WithGuard(context.Background(), guard), req); !targets.IsForbidden(errs.Classify(err, nil, "connect")) {
			t.Errorf("%s: guarded request got %v", base, err)
		}
		resp, err := eng.RoundTrip(context.Background(), req)
		if err != nil {
			t.Fatalf("%s: unguarded request failed: %v", base, err)
		}
		resp.Body.Close()
	}
}

func TestTicketCacheInstalls(t *testing.T) {
	eng, err := New(Config{Preset: "chrome-latest", Verify: true})
	if err != nil {
		t.Fatal(err)
	}
	defer eng.Close()
	if eng.(TicketKeeper).TicketStore() == nil {
		t.Fatal("chrome-latest resumes TLS sessions, but no ticket cache was installed")
	}
}

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
	eng, err := New(Config{Preset: "chrome-133", Verify: true, CAFile: caFile})
	if err != nil {
		t.Fatal(err)
	}
	defer eng.Close()
	u, _ := url.Parse(server.URL + "/")
	resp, err := eng.RoundTrip(context.Background(), &Request{Method: "GET", URL: u})
	if err != nil {
		t.Fatal(err)
	}
	_, _ = io.ReadAll(resp.Body)
	resp.Body.Close()
	tickets := eng.(TicketKeeper).TicketStore()
	var ok bool
	for deadline := time.Now().Add(5 * time.Second); !ok && time.Now().Before(deadline); {
		if _, ok = tickets.Get("127.0.0.1"); !ok {
			time.Sleep(5 * time.Millisecond)
		}
	}
	cs, ok := tickets.Get("127.0.0.1")
	if !ok {
		t.Fatal("the engine kept no TLS session")
	}
	_, state, err := cs.ResumptionState()
	if err != nil {
		t.Fatal(err)
	}
	chain, err := ticketcache.PeerCertificates(state)
	if err != nil || len(chain) == 0 {
		t.Fatalf("peerCertificates = %d certificates, %v", len(chain), err)
	}
	bundle, _ := ticketcache.LoadTrust(true, caFile)
	if err := bundle.Admits("127.0.0.1", cs); err != nil {
		t.Fatalf("the session's own trust refused it: %v", err)
	}
	if err := bundle.Admits("127.0.0.2", cs); err == nil {
		t.Fatal("a session for another name was admitted")
	}
	system, _ := ticketcache.LoadTrust(true, "")
	if err := system.Admits("127.0.0.1", cs); err == nil || !strings.Contains(err.Error(), "does not verify") {
		t.Fatalf("the system roots admitted a session they cannot verify: %v", err)
	}
	insecure, _ := ticketcache.LoadTrust(false, "")
	if err := insecure.Admits("127.0.0.1", cs); err != nil || insecure.Tag != "insecure" {
		t.Fatalf("verify off: %v, tag %q", err, insecure.Tag)
	}
	if !strings.HasPrefix(bundle.Tag, "ca-") || system.Tag != "system" {
		t.Fatalf("tags %q %q", bundle.Tag, system.Tag)
	}
}

// An HTTP/2 connection opened after the first one to an origin (here after the server's
// GOAWAY) is dialled with the request's context, so DialControl applies the request's
// target guard to it too.
func TestLaterHTTP2ConnectionsCheckTheTargetGuard(t *testing.T) {
	closed := make(chan struct{}, 4)
	server := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/last" {
			// HTTP/2 servers answer "Connection: close" with GOAWAY.
			w.Header().Set("Connection", "close")
		}
		_, _ = io.WriteString(w, r.Proto)
	}))
	server.EnableHTTP2 = true
	server.Config.ConnState = func(_ net.Conn, state http.ConnState) {
		if state == http.StateClosed {
			closed <- struct{}{}
		}
	}
	server.StartTLS()
	defer server.Close()
	eng, err := New(Config{Preset: "chrome-latest", Verify: false})
	if err != nil {
		t.Fatal(err)
	}
	defer eng.Close()
	get := func(ctx context.Context, path string) (string, error) {
		u, _ := url.Parse(server.URL + path)
		resp, err := eng.RoundTrip(ctx, &Request{Method: "GET", URL: u})
		if err != nil {
			return "", err
		}
		defer resp.Body.Close()
		body, err := io.ReadAll(resp.Body)
		return resp.Proto + " " + string(body), err
	}
	if got, err := get(context.Background(), "/last"); err != nil || got != "h2 HTTP/2.0" {
		t.Fatalf("first request: %q, %v", got, err)
	}
	select {
	case <-closed:
	case <-time.After(10 * time.Second):
		t.Fatal("the server never closed the connection it sent GOAWAY on")
	}
	guard, _ := targets.NewGuard(nil, false)
	got, err := get(targets.WithGuard(context.Background(), guard), "/")
	if err == nil || !targets.IsForbidden(errs.Classify(err, nil, "connect")) {
		t.Fatalf("guarded request on a new HTTP/2 connection: %q, %v", got, err)
	}
	if got, err := get(context.Background(), "/"); err != nil || got != "h2 HTTP/2.0" {
		t.Fatalf("unguarded request after it: %q, %v", got, err)
	}
}

// Close closes idle HTTP/2 connections at once and leaves a connection with an open
// exchange alone until that exchange's body is closed.
func TestCloseSparesHTTP2ConnectionsInUse(t *testing.T) {
	release := make(chan struct{})
	closed := make(chan struct{}, 4)
	server := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.WriteString(w, "first,")
		w.(http.Flusher).Flush()
		if r.URL.Path == "/held" {
			<-release
		}
		_, _ = io.WriteString(w, "last")
	}))
	server.EnableHTTP2 = true
	server.Config.ConnState = func(_ net.Conn, state http.ConnState) {
		if state == http.StateClosed {
			closed <- struct{}{}
		}
	}
	server.StartTLS()
	defer server.Close()
	waitClosed := func(what string) {
		select {
		case <-closed:
		case <-time.After(10 * time.Second):
			t.Fatalf("%s: the connection was not closed", what)
		}
	}
	eng, err := New(Config{Preset: "chrome-latest", Verify: false})
	if err != nil {
		t.Fatal(err)
	}
	u, _ := url.Parse(server.URL + "/")
	resp, err := eng.RoundTrip(context.Background(), &Request{Method: "GET", URL: u})
	if err != nil {
		t.Fatal(err)
	}
	_, _ = io.ReadAll(resp.Body)
	resp.Body.Close()
	eng.Close()
	waitClosed("idle connection")

	eng, err = New(Config{Preset: "chrome-latest", Verify: false})
	if err != nil {
		t.Fatal(err)
	}
	u, _ = url.Parse(server.URL + "/held")
	resp, err = eng.RoundTrip(context.Background(), &Request{Method: "GET", URL: u})
	if err != nil {
		t.Fatal(err)
	}
	eng.Close()
	close(release)
	body, err := io.ReadAll(resp.Body)
	if err != nil || string(body) != "first,last" || resp.Proto != "h2" {
		t.Fatalf("the open exchange got %q over %s, %v", body, resp.Proto, err)
	}
	select {
	case <-closed:
		t.Fatal("Close closed a connection whose exchange was open")
	default:
	}
	resp.Body.Close()
	eng.Close()
	waitClosed("connection after its exchange ended")
}
