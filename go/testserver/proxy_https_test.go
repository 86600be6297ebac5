package main

import (
	"bufio"
	"crypto/tls"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"testing"
	"time"
)

func TestHTTPSProxyTunnelsInsideTLSAndRecordsTheConnect(t *testing.T) {
	c := startTestServers(t)
	tlsConf := c.h1.Transport.(*http.Transport).TLSClientConfig
	proxy := &url.URL{Scheme: "https", Host: fmt.Sprintf("127.0.0.1:%d", c.servers.httpsProxyPort()),
		User: url.UserPassword(proxyUser, proxyPassword)}
	client := &http.Client{Timeout: 5 * time.Second, Transport: &http.Transport{
		Proxy: http.ProxyURL(proxy), TLSClientConfig: tlsConf,
	}}
	before := proxyStats.httpsHandshakes.Load()
	var echo echoReply
	getJSON(t, client, fmt.Sprintf("https://127.0.0.1:%d/get", c.servers.httpsPort()), &echo)
	if proxyStats.httpsHandshakes.Load() != before+1 {
		t.Fatal("the https proxy completed no TLS handshake")
	}
	var log struct {
		Connects []connectRecord `json:"connects"`
	}
	getJSON(t, c.plain, fmt.Sprintf("http://127.0.0.1:%d/proxy/connects", c.servers.httpPort()), &log)
	last := log.Connects[len(log.Connects)-1]
	if last.Proxy != "https" || !last.TLS || last.Line != fmt.Sprintf("CONNECT 127.0.0.1:%d HTTP/1.1", c.servers.httpsPort()) {
		t.Fatalf("unexpected record: %+v", last)
	}
}

func TestHTTPSProxyCountsAndRefusesPlaintext(t *testing.T) {
	c := startTestServers(t)
	conn, err := net.Dial("tcp", fmt.Sprintf("127.0.0.1:%d", c.servers.httpsProxyPort()))
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	conn.SetDeadline(time.Now().Add(5 * time.Second))
	before := proxyStats.httpsPlaintext.Load()
	io.WriteString(conn, "CONNECT 127.0.0.1:1 HTTP/1.1\r\nHost: 127.0.0.1:1\r\n\r\n")
	resp, err := http.ReadResponse(bufio.NewReader(conn), nil)
	if err != nil {
		t.Fatal(err)
	}
	if resp.StatusCode != 400 || proxyStats.httpsPlaintext.Load() != before+1 {
		t.Fatalf("plaintext answered %d, counted %d", resp.StatusCode, proxyStats.httpsPlaintext.Load()-before)
	}
}

func TestHTTPSProxyCountsAFailedHandshake(t *testing.T) {
	c := startTestServers(t)
	before := proxyStats.httpsBadHandshakes.Load()
	conn, err := tls.Dial("tcp", fmt.Sprintf("127.0.0.1:%d", c.servers.httpsProxyPort()), &tls.Config{})
	if err == nil {
		conn.Close()
		t.Fatal("a client without the test CA trusted the proxy")
	}
	deadline := time.Now().Add(5 * time.Second)
	for proxyStats.httpsBadHandshakes.Load() == before && time.Now().Before(deadline) {
		time.Sleep(5 * time.Millisecond)
	}
	if proxyStats.httpsBadHandshakes.Load() != before+1 {
		t.Fatal("the failed handshake was not counted")
	}
}
