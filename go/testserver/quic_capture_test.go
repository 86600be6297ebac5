package main

import (
	"fmt"
	"net"
	"net/http"
	"strings"
	"testing"
)

// quic-go's own client against the HTTP/3 listener: the record must hold its
// decrypted Initial, ClientHello, transport parameters and HTTP/3 streams.
func TestQUICCaptureOfQuicGoClient(t *testing.T) {
	c := startTestServers(t)
	url := fmt.Sprintf("https://127.0.0.1:%d/fingerprint/full", c.servers.h3Port())
	var first, rec quicConnRecord
	getJSON(t, c.h3, url, &first)
	req, _ := http.NewRequest("GET", url, nil)
	req.Header.Set("X-Second", "yes")
	resp, err := c.h3.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	getJSON(t, c.h3, url, &rec)

	if rec.ConnID != first.ConnID || rec.Listener != listenerH3 || rec.TLS == nil || rec.TLS.NegotiatedALPN != "h3" {
		t.Fatalf("connection %+v / %+v", rec, rec.TLS)
	}
	q := rec.QUIC
	if q == nil || len(q.Errors) != 0 || q.Version != 1 || q.DCIDLength < 8 {
		t.Fatalf("quic %+v", q)
	}
	// The ClientHello is cut into CRYPTO frames that together cover it.
	covered := 0
	for _, piece := range q.CryptoFrames {
		covered += piece.Length
	}
	if q.ClientHelloLength == 0 || covered < q.ClientHelloLength {
		t.Fatalf("ClientHello %d bytes, CRYPTO frames %+v", q.ClientHelloLength, q.CryptoFrames)
	}
	first0 := q.LongHeaderDatagrams[0]
	if first0.Size < 1200 || first0.Packets[0].Type != "initial" || *first0.Packets[0].PacketNumber != 0 {
		t.Fatalf("first datagram %+v", first0)
	}
	h := rec.ClientHello
	if h == nil || !strings.HasPrefix(h.JA4, "q13") || len(h.ALPN) != 1 || h.ALPN[0] != "h3" {
		t.Fatalf("client hello %+v", h)
	}
	names := map[string]bool{}
	for _, p := range rec.TransportParameters {
		names[p.Name] = true
	}
	if !names["initial_source_connection_id"] || !names["initial_max_data"] {
		t.Fatalf("transport parameters %+v", rec.TransportParameters)
	}
	h3 := rec.HTTP3
	if h3 == nil || h3.ControlStream == nil || h3.ControlStream.Frames[0].Type != "SETTINGS" {
		t.Fatalf("http3 %+v", h3)
	}
	if len(h3.Requests) != 3 {
		t.Fatalf("%d requests recorded", len(h3.Requests))
	}
	second := h3.Requests[1]
	if second.StreamID != 4 || second.Frames[0].Type != "HEADERS" || second.Frames[0].FieldSection == nil {
		t.Fatalf("second request %+v", second)
	}
	var hasExtra bool
	for i, line := range second.Frames[0].Lines {
		if *line.Value != second.Headers[i][1] {
			t.Fatalf("line %d %+v vs header %v", i, line, second.Headers[i])
		}
		hasExtra = hasExtra || line.Name == "x-second"
	}
	if second.Headers[0][0] != ":authority" && second.Headers[0][0] != ":method" || !hasExtra {
		t.Fatalf("headers %v", second.Headers)
	}
}

// Chromium forced onto QUIC for localhost dials ::1: both loopbacks serve HTTP/3.
func TestHTTP3ServesBothLoopbacks(t *testing.T) {
	c := startTestServers(t)
	if ln, err := net.ListenUDP("udp", &net.UDPAddr{IP: net.IPv6loopback}); err != nil {
		t.Skipf("no IPv6 loopback: %v", err)
	} else {
		ln.Close()
	}
	for _, host := range []string{"127.0.0.1", "[::1]"} {
		var who map[string]any
		getJSON(t, c.h3, fmt.Sprintf("https://%s:%d/whoami", host, c.servers.h3Port()), &who)
		if who["listener"] != listenerH3 || !strings.HasPrefix(who["remote"].(string), host) {
			t.Fatalf("%s: %v", host, who)
		}
	}
}
