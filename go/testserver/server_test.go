package main

import (
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/quic-go/quic-go/http3"
	"golang.org/x/net/http2"
)

// testClients talks to one in-process server over every protocol.
type testClients struct {
	servers *runningServers
	plain   *http.Client
	h1      *http.Client // HTTP/1.1 over TLS
	h2      *http.Client
	h3      *http.Client
}

func startTestServers(t *testing.T) *testClients {
	t.Helper()
	pki, err := newTestPKI()
	if err != nil {
		t.Fatal(err)
	}
	servers, err := startServers(net.IPv4(127, 0, 0, 1), pki.leaf, newRouter())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(servers.close)
	if servers.h3 == nil {
		t.Fatal("HTTP/3 did not start")
	}
	roots := x509.NewCertPool()
	roots.AppendCertsFromPEM(pki.caPEM)
	tlsConf := &tls.Config{RootCAs: roots}
	c := &testClients{
		servers: servers,
		plain:   &http.Client{Timeout: 10 * time.Second},
		h1: &http.Client{Timeout: 10 * time.Second, Transport: &http.Transport{
			TLSClientConfig: tlsConf,
			TLSNextProto:    map[string]func(string, *tls.Conn) http.RoundTripper{}, // no h2
		}},
		h2: &http.Client{Timeout: 10 * time.Second, Transport: &http2.Transport{TLSClientConfig: tlsConf}},
		h3: &http.Client{Timeout: 10 * time.Second, Transport: &http3.Transport{TLSClientConfig: tlsConf}},
	}
	t.Cleanup(func() { c.h3.Transport.(*http3.Transport).Close() })
	return c
}

type namedClient struct {
	name   string
	client *http.Client
	base   string
	proto  string
}

func (c *testClients) all() []namedClient {
	s := c.servers
	https := fmt.Sprintf("https://127.0.0.1:%d", s.httpsPort())
	return []namedClient{
		{"plain", c.plain, fmt.Sprintf("http://127.0.0.1:%d", s.httpPort()), "HTTP/1.1"},
		{"h1", c.h1, https, "HTTP/1.1"},
		{"h2", c.h2, https, "HTTP/2.0"},
		{"h3", c.h3, fmt.Sprintf("https://127.0.0.1:%d", s.h3Port()), "HTTP/3.0"},
	}
}

func getJSON(t *testing.T, client *http.Client, url string, into any) {
	t.Helper()
	resp, err := client.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("%s: status %d", url, resp.StatusCode)
	}
	if err := json.NewDecoder(resp.Body).Decode(into); err != nil {
		t.Fatal(err)
	}
	// Read to EOF: a body closed before its end costs the client its
	// connection, and tests compare connection IDs across requests.
	io.Copy(io.Discard, resp.Body)
}

func TestEchoOverEveryProtocol(t *testing.T) {
	c := startTestServers(t)
	for _, nc := range c.all() {
		t.Run(nc.name, func(t *testing.T) {
			var echo echoReply
			getJSON(t, nc.client, nc.base+"/anything/x?a=1", &echo)
			if echo.Proto != nc.proto || echo.Path != "/anything/x" || echo.Query["a"][0] != "1" || echo.ConnID == 0 {
				t.Fatalf("unexpected echo: %+v", echo)
			}
			wantSource := "wire"
			if nc.name == "h3" {
				wantSource = "sorted"
			}
			if echo.HeaderOrderSource != wantSource {
				t.Fatalf("header_order_source = %q, want %q", echo.HeaderOrderSource, wantSource)
			}
		})
	}
}

func TestFingerprintOverTLS(t *testing.T) {
	c := startTestServers(t)
	for _, nc := range c.all()[1:] {
		t.Run(nc.name, func(t *testing.T) {
			var fp map[string]any
			getJSON(t, nc.client, nc.base+"/fingerprint", &fp)
			wantPrefix := "t13i"
			if nc.name == "h3" {
				wantPrefix = "q13i"
			}
			if ja4, _ := fp["ja4"].(string); !strings.HasPrefix(ja4, wantPrefix) {
				t.Fatalf("ja4 = %q, want prefix %q", ja4, wantPrefix)
			}
			if ja3, _ := fp["ja3"].(string); strings.Count(ja3, ",") != 4 {
				t.Fatalf("ja3 = %q", ja3)
			}
			akamai, _ := fp["akamai"].(string)
			t.Logf("%s: ja4=%v akamai=%q alpn=%v sni=%q", nc.name, fp["ja4"], akamai, fp["alpn"], fp["sni"])
			if (nc.name == "h2") != (akamai != "") {
				t.Fatalf("akamai = %q on %s", akamai, nc.name)
			}
		})
	}
}

func TestTruncatedBodyFailsEveryProtocol(t *testing.T) {
	c := startTestServers(t)
	for _, nc := range c.all() {
		t.Run(nc.name, func(t *testing.T) {
			resp, err := nc.client.Get(nc.base + "/truncated?length=1000&send=300")
			if err != nil {
				t.Fatal(err)
			}
			defer resp.Body.Close()
			body, err := io.ReadAll(resp.Body)
			if err == nil {
				t.Fatalf("read %d bytes without error", len(body))
			}
			if len(body) != 300 {
				t.Fatalf("got %d bytes before the error, want 300", len(body))
			}
		})
	}
}

func TestBytesPatternOverEveryProtocol(t *testing.T) {
	c := startTestServers(t)
	for _, nc := range c.all() {
		t.Run(nc.name, func(t *testing.T) {
			resp, err := nc.client.Get(nc.base + "/stream-bytes/100000?chunk=999")
			if err != nil {
				t.Fatal(err)
			}
			defer resp.Body.Close()
			body, err := io.ReadAll(resp.Body)
			if err != nil || len(body) != 100000 {
				t.Fatalf("read %d bytes, err %v", len(body), err)
			}
			for i, b := range body {
				if b != byte(i*7%251) {
					t.Fatalf("byte %d = %d", i, b)
				}
			}
		})
	}
}

func TestStatsCountsConnections(t *testing.T) {
	c := startTestServers(t)
	for _, nc := range c.all() {
		var reply struct{ Accepted, Open map[string]int64 }
		getJSON(t, nc.client, nc.base+"/stats", &reply)
		for _, name := range []string{listenerHTTP, listenerHTTPS, listenerH3} {
			if _, ok := reply.Accepted[name]; !ok {
				t.Fatalf("%s missing from %+v", name, reply)
			}
		}
	}
	var reply struct{ Accepted map[string]int64 }
	getJSON(t, c.plain, c.all()[0].base+"/stats", &reply)
	if reply.Accepted[listenerH3] < 1 || reply.Accepted[listenerHTTPS] < 1 {
		t.Fatalf("counters not updated: %+v", reply)
	}
}
