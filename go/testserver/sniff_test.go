package main

import (
	"bytes"
	"crypto/tls"
	"net"
	"reflect"
	"testing"

	"golang.org/x/net/http2"
	"golang.org/x/net/http2/hpack"
)

// feedInPieces mimics a server reading the stream in small, odd-sized reads.
func feedInPieces(data []byte, size int, observe func([]byte)) {
	for len(data) > 0 {
		n := min(size, len(data))
		observe(data[:n])
		data = data[n:]
	}
}

func TestH1SnifferFollowsPipelinedRequests(t *testing.T) {
	stream := "POST /a HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nX-Zeta: 1\r\n\r\nhello" +
		"PUT /b HTTP/1.1\r\nhost: x\r\nTransfer-Encoding: chunked\r\n\r\n" +
		"3;ext=1\r\nabc\r\n10\r\n0123456789abcdef\r\n0\r\nTrailer-A: 1\r\n\r\n" +
		"\r\nGET /c?q=1 HTTP/1.1\nA: 1\nb: 2\n\n"
	for _, piece := range []int{1, 2, 7, 1000} {
		s := newH1HeaderSniffer()
		feedInPieces([]byte(stream), piece, s.observe)
		want := []headerOrderEntry{
			{"POST", "/a", []string{"Host", "Content-Length", "X-Zeta"}},
			{"PUT", "/b", []string{"host", "Transfer-Encoding"}},
			{"GET", "/c?q=1", []string{"A", "b"}},
		}
		for _, w := range want {
			got, ok := s.queue.take(w.method, w.target)
			if !ok || !reflect.DeepEqual(got, w.names) {
				t.Errorf("piece %d, %s %s: got %q (found %v), want %q", piece, w.method, w.target, got, ok, w.names)
			}
		}
	}
}

func TestHeaderOrderQueueDropsStaleHTTP1Entries(t *testing.T) {
	q := headerOrderQueue{dropOlder: true}
	q.push(headerOrderEntry{method: "GET", target: "/rejected", names: []string{"A"}})
	q.push(headerOrderEntry{method: "GET", target: "/ok", names: []string{"B"}})
	if names, ok := q.take("GET", "/ok"); !ok || names[0] != "B" {
		t.Fatalf("take = %v %v", names, ok)
	}
	if _, ok := q.take("GET", "/rejected"); ok {
		t.Fatal("entries older than a match should be dropped for HTTP/1")
	}
}

// clientH2Stream builds what a browser-like client sends on a new HTTP/2
// connection: preface, SETTINGS, WINDOW_UPDATE, PRIORITY, two requests (the
// second reusing the HPACK dynamic table, split into CONTINUATION) and DATA.
func clientH2Stream(t *testing.T) []byte {
	t.Helper()
	var out bytes.Buffer
	out.WriteString(http2.ClientPreface)
	fr := http2.NewFramer(&out, nil)
	must := func(err error) {
		if err != nil {
			t.Fatal(err)
		}
	}
	must(fr.WriteSettings(
		http2.Setting{ID: 1, Val: 65536}, http2.Setting{ID: 2, Val: 0},
		http2.Setting{ID: 4, Val: 6291456}, http2.Setting{ID: 6, Val: 262144}))
	must(fr.WriteWindowUpdate(0, 15663105))
	must(fr.WritePriority(3, http2.PriorityParam{StreamDep: 0, Weight: 200}))

	var block bytes.Buffer
	enc := hpack.NewEncoder(&block)
	encode := func(fields ...string) []byte {
		block.Reset()
		for i := 0; i < len(fields); i += 2 {
			must(enc.WriteField(hpack.HeaderField{Name: fields[i], Value: fields[i+1]}))
		}
		return append([]byte(nil), block.Bytes()...)
	}
	first := encode(":method", "GET", ":authority", "example.com", ":scheme", "https", ":path", "/one",
		"user-agent", "test/1", "accept", "*/*")
	must(fr.WriteHeaders(http2.HeadersFrameParam{StreamID: 1, BlockFragment: first, EndStream: true, EndHeaders: true,
		Priority: http2.PriorityParam{StreamDep: 0, Weight: 255, Exclusive: true}}))
	second := encode(":method", "POST", ":authority", "example.com", ":scheme", "https", ":path", "/two",
		"accept", "*/*", "user-agent", "test/1", "x-extra", "1")
	must(fr.WriteHeaders(http2.HeadersFrameParam{StreamID: 5, BlockFragment: second[:4], PadLength: 3}))
	must(fr.WriteContinuation(5, true, second[4:]))
	must(fr.WriteData(5, true, bytes.Repeat([]byte("d"), 5000)))
	return out.Bytes()
}

func TestH2SnifferAkamaiAndHeaderOrder(t *testing.T) {
	stream := clientH2Stream(t)
	for _, piece := range []int{1, 5, 9, 4096} {
		s := newH2FrameSniffer()
		feedInPieces(stream, piece, s.observe)
		fp, ok := s.snapshot()
		if !ok {
			t.Fatalf("piece %d: no fingerprint", piece)
		}
		const want = "1:65536;2:0;4:6291456;6:262144|15663105|3:0:0:201|m,a,s,p"
		if got := fp.akamaiString(); got != want {
			t.Errorf("piece %d: akamai = %q, want %q", piece, got, want)
		}
		names, ok := s.queue.take("POST", "/two")
		wantNames := []string{":method", ":authority", ":scheme", ":path", "accept", "user-agent", "x-extra"}
		if !ok || !reflect.DeepEqual(names, wantNames) {
			t.Errorf("piece %d: second request order = %q (found %v)", piece, names, ok)
		}
		if _, ok := s.queue.take("GET", "/one"); !ok {
			t.Errorf("piece %d: first request missing", piece)
		}
	}
}

// TestClientHelloParserMatchesCryptoTLS parses a real ClientHello from Go's
// TLS client and compares the result with what crypto/tls itself decoded.
func TestClientHelloParserMatchesCryptoTLS(t *testing.T) {
	clientSide, serverSide := net.Pipe()
	defer clientSide.Close()
	go func() {
		tls.Client(clientSide, &tls.Config{ServerName: "example.com", NextProtos: []string{"h2", "http/1.1"}}).Handshake()
	}()

	capture := &helloCapture{}
	var fromTLS *clientHello
	server := tls.Server(&observedConn{Conn: serverSide, observe: capture.observe}, &tls.Config{
		GetConfigForClient: func(info *tls.ClientHelloInfo) (*tls.Config, error) {
			fromTLS = helloFromInfo(info)
			return nil, nil
		},
	})
	server.Handshake() // fails (no certificate), after the ClientHello was read
	serverSide.Close()

	parsed, err := capture.parsed()
	if err != nil {
		t.Fatal(err)
	}
	if fromTLS == nil {
		t.Fatal("GetConfigForClient was not called")
	}
	if len(parsed.wire.raw) == 0 || len(parsed.wire.extensionData) != len(parsed.extensions) {
		t.Fatalf("raw capture missing: %+v", parsed.wire)
	}
	parsed.wire = helloWire{} // crypto/tls does not expose the raw bytes
	if !reflect.DeepEqual(parsed, fromTLS) {
		t.Fatalf("parser disagrees with crypto/tls:\nparsed %+v\ntls    %+v", parsed, fromTLS)
	}
	if parsed.serverName != "example.com" || !reflect.DeepEqual(parsed.alpn, []string{"h2", "http/1.1"}) {
		t.Fatalf("unexpected SNI/ALPN: %+v", parsed)
	}

	// The same handshake message split over two records, fed byte by byte.
	msg := capture.handshake
	var records []byte
	for _, part := range [][]byte{msg[:100], msg[100:]} {
		records = append(records, 22, 3, 1, byte(len(part)>>8), byte(len(part)))
		records = append(records, part...)
	}
	split := &helloCapture{}
	feedInPieces(records, 1, split.observe)
	reparsed, err := split.parsed()
	if err == nil && reparsed.wire.recordCount != 2 {
		t.Errorf("record count = %d, want 2", reparsed.wire.recordCount)
	}
	if err == nil {
		reparsed.wire = helloWire{}
	}
	if err != nil || !reflect.DeepEqual(reparsed, parsed) {
		t.Fatalf("split records: %v, %+v", err, reparsed)
	}
}

type observedConn struct {
	net.Conn
	observe func([]byte)
}

func (c *observedConn) Read(p []byte) (int, error) {
	n, err := c.Conn.Read(p)
	c.observe(p[:n])
	return n, err
}
