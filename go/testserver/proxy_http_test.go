package main

import (
	"bufio"
	"crypto/tls"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"
)

func proxyAuthHeader(user, password string) string {
	return "Basic " + base64.StdEncoding.EncodeToString([]byte(user+":"+password))
}

// proxyClient is a net/http client that sends every request through the
// HTTP proxy with the given credentials (none if user is "").
func proxyClient(c *testClients, user, password string) *http.Client {
	proxy := &url.URL{Scheme: "http", Host: fmt.Sprintf("127.0.0.1:%d", c.servers.httpProxyPort())}
	if user != "" {
		proxy.User = url.UserPassword(user, password)
	}
	return &http.Client{Timeout: 5 * time.Second, Transport: &http.Transport{
		Proxy:           http.ProxyURL(proxy),
		TLSClientConfig: c.h1.Transport.(*http.Transport).TLSClientConfig,
	}}
}

// freePort is a loopback port nobody listens on, so connecting is refused.
func freePort(t *testing.T) int {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	port := ln.Addr().(*net.TCPAddr).Port
	ln.Close()
	return port
}

// rawProxyRequest sends head (CRLFs added) to the HTTP proxy and returns
// the connection, its reader and the parsed response head.
func rawProxyRequest(t *testing.T, c *testClients, method string, lines ...string) (net.Conn, *bufio.Reader, *http.Response) {
	t.Helper()
	conn, err := net.Dial("tcp", fmt.Sprintf("127.0.0.1:%d", c.servers.httpProxyPort()))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close() })
	conn.SetDeadline(time.Now().Add(5 * time.Second))
	if _, err := io.WriteString(conn, strings.Join(lines, "\r\n")+"\r\n\r\n"); err != nil {
		t.Fatal(err)
	}
	br := bufio.NewReader(conn)
	resp, err := http.ReadResponse(br, &http.Request{Method: method})
	if err != nil {
		t.Fatal(err)
	}
	return conn, br, resp
}

func TestHTTPProxyForwardsPlainHTTP(t *testing.T) {
	c := startTestServers(t)
	client := proxyClient(c, proxyUser, proxyPassword)
	base := fmt.Sprintf("http://127.0.0.1:%d", c.servers.httpPort())
	before := proxyStats.httpForward.Load()

	var first, second echoReply
	getJSON(t, client, base+"/anything/a?x=1", &first)
	getJSON(t, client, base+"/anything/b", &second)
	if first.Path != "/anything/a" || first.Query["x"][0] != "1" || first.HeaderOrderSource != "wire" {
		t.Fatalf("unexpected echo: %+v", first)
	}
	if _, leaked := first.Headers["Proxy-Authorization"]; leaked {
		t.Fatal("Proxy-Authorization reached the target")
	}
	if first.ConnID != second.ConnID {
		t.Fatalf("onward connection not reused: %d then %d", first.ConnID, second.ConnID)
	}
	if got := proxyStats.httpForward.Load() - before; got != 2 {
		t.Fatalf("http_forward grew by %d, want 2", got)
	}

	// An upload the target streams back while it is still arriving.
	body := strings.Repeat("0123456789abcdef", 1<<16)
	resp, err := client.Post(base+"/echo", "application/octet-stream", strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	echoed, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	if err != nil || string(echoed) != body {
		t.Fatalf("echo through proxy: %d bytes, err %v", len(echoed), err)
	}
}

func TestHTTPProxyTunnelsHTTPS(t *testing.T) {
	c := startTestServers(t)
	before := proxyStats.httpConnect.Load()
	target := fmt.Sprintf("127.0.0.1:%d", c.servers.httpsPort())
	conn, br, resp := rawProxyRequest(t, c, "CONNECT",
		"CONNECT "+target+" HTTP/1.1", "Host: "+target, "Proxy-Authorization: "+proxyAuthHeader(proxyUser, proxyPassword))
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("CONNECT status %d", resp.StatusCode)
	}
	tlsConf := c.h1.Transport.(*http.Transport).TLSClientConfig.Clone()
	tlsConf.ServerName = "127.0.0.1"
	tlsConf.NextProtos = []string{"http/1.1"}
	tlsConn := tls.Client(&bufferedConn{Conn: conn, r: br}, tlsConf)
	if _, err := io.WriteString(tlsConn, "GET /get HTTP/1.1\r\nHost: "+target+"\r\n\r\n"); err != nil {
		t.Fatal(err)
	}
	resp, err := http.ReadResponse(bufio.NewReader(tlsConn), nil)
	if err != nil {
		t.Fatal(err)
	}
	var echo echoReply
	if err := json.NewDecoder(resp.Body).Decode(&echo); err != nil || !echo.TLS || echo.Path != "/get" {
		t.Fatalf("echo %+v, err %v", echo, err)
	}
	if got := proxyStats.httpConnect.Load() - before; got != 1 {
		t.Fatalf("http_connect grew by %d, want 1", got)
	}

	// net/http's own CONNECT, with HTTP/2 inside the tunnel.
	client := proxyClient(c, proxyUser, proxyPassword)
	client.Transport.(*http.Transport).ForceAttemptHTTP2 = true
	getJSON(t, client, "https://"+target+"/get", &echo)
	if echo.Proto != "HTTP/2.0" {
		t.Fatalf("proto %q through the tunnel", echo.Proto)
	}
}

// bufferedConn reads through r, which may hold bytes already read from Conn.
type bufferedConn struct {
	net.Conn
	r *bufio.Reader
}

func (c *bufferedConn) Read(p []byte) (int, error) { return c.r.Read(p) }

func TestHTTPProxyStreamsPromptly(t *testing.T) {
	c := startTestServers(t)
	client := proxyClient(c, proxyUser, proxyPassword)
	start := time.Now()
	resp, err := client.Get(fmt.Sprintf("http://127.0.0.1:%d/sse?count=2&interval=0.5", c.servers.httpPort()))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	line, err := bufio.NewReader(resp.Body).ReadString('\n')
	if err != nil || line != "id: 0\n" {
		t.Fatalf("first line %q, err %v", line, err)
	}
	if elapsed := time.Since(start); elapsed > 300*time.Millisecond {
		t.Fatalf("first event took %v: the proxy buffers", elapsed)
	}
}

func TestHTTPProxyRequiresCredentials(t *testing.T) {
	c := startTestServers(t)
	before := proxyStats.authFailures.Load()
	target := fmt.Sprintf("127.0.0.1:%d", c.servers.httpsPort())
	plainURL := fmt.Sprintf("http://127.0.0.1:%d/get", c.servers.httpPort())
	cases := map[string][]string{
		"CONNECT without":    {"CONNECT " + target + " HTTP/1.1", "Host: " + target},
		"CONNECT wrong":      {"CONNECT " + target + " HTTP/1.1", "Host: " + target, "Proxy-Authorization: " + proxyAuthHeader(proxyUser, "nope")},
		"forward without":    {"GET " + plainURL + " HTTP/1.1", "Host: " + target},
		"forward wrong user": {"GET " + plainURL + " HTTP/1.1", "Host: " + target, "Proxy-Authorization: " + proxyAuthHeader("someone", proxyPassword)},
	}
	for name, lines := range cases {
		t.Run(name, func(t *testing.T) {
			method, _, _ := strings.Cut(lines[0], " ")
			_, _, resp := rawProxyRequest(t, c, method, lines...)
			if resp.StatusCode != http.StatusProxyAuthRequired {
				t.Fatalf("status %d, want 407", resp.StatusCode)
			}
			if got := resp.Header.Get("Proxy-Authenticate"); got != `Basic realm="testserver"` {
				t.Fatalf("Proxy-Authenticate %q", got)
			}
		})
	}
	if got := proxyStats.authFailures.Load() - before; got != int64(len(cases)) {
		t.Fatalf("auth_failures grew by %d, want %d", got, len(cases))
	}

	// net/http without credentials sees the 407 as well.
	resp, err := proxyClient(c, "", "").Get(plainURL)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusProxyAuthRequired {
		t.Fatalf("status %d, want 407", resp.StatusCode)
	}
}

func TestHTTPProxyRefusedAndForbiddenTargets(t *testing.T) {
	c := startTestServers(t)
	auth := "Proxy-Authorization: " + proxyAuthHeader(proxyUser, proxyPassword)
	refused := fmt.Sprintf("127.0.0.1:%d", freePort(t))
	cases := []struct {
		lines []string
		want  int
	}{
		{[]string{"CONNECT " + refused + " HTTP/1.1", "Host: " + refused, auth}, http.StatusBadGateway},
		{[]string{"GET http://" + refused + "/get HTTP/1.1", "Host: " + refused, auth}, http.StatusBadGateway},
		{[]string{"CONNECT 10.1.2.3:443 HTTP/1.1", "Host: 10.1.2.3:443", auth}, http.StatusForbidden},
		{[]string{"CONNECT example.com:443 HTTP/1.1", "Host: example.com:443", auth}, http.StatusForbidden},
		{[]string{"GET http://192.168.1.1/ HTTP/1.1", "Host: 192.168.1.1", auth}, http.StatusForbidden},
		{[]string{"GET /get HTTP/1.1", "Host: x", auth}, http.StatusBadRequest},
	}
	for _, tc := range cases {
		t.Run(tc.lines[0], func(t *testing.T) {
			method, _, _ := strings.Cut(tc.lines[0], " ")
			_, _, resp := rawProxyRequest(t, c, method, tc.lines...)
			if resp.StatusCode != tc.want {
				t.Fatalf("status %d, want %d", resp.StatusCode, tc.want)
			}
		})
	}
}

func TestStatsReportsProxyCounters(t *testing.T) {
	c := startTestServers(t)
	var reply struct{ Proxy map[string]int64 }
	getJSON(t, c.plain, fmt.Sprintf("http://127.0.0.1:%d/stats", c.servers.httpPort()), &reply)
	for _, key := range []string{"http_connect", "http_forward", "socks5", "auth_failures"} {
		if _, ok := reply.Proxy[key]; !ok {
			t.Fatalf("proxy.%s missing from %+v", key, reply)
		}
	}
}
