package main

import (
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"
)

// frameSummary renders the captured frames compactly.
func frameSummary(frames []h2FrameRecord) []string {
	out := make([]string, len(frames))
	for i, f := range frames {
		out[i] = fmt.Sprintf("%s %s s%d len%d", f.Type, strings.Join(f.FlagSet, "|"), f.StreamID, f.Length)
	}
	return out
}

func TestH2CaptureRecordsFramesAndHPACK(t *testing.T) {
	stream := clientH2Stream(t)
	for _, piece := range []int{1, 9, 4096} {
		s := newH2FrameSniffer()
		feedInPieces(stream, piece, s.observe)
		rec := s.captureRecord()
		if rec.Preface != "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n" {
			t.Fatalf("preface = %q", rec.Preface)
		}
		got := frameSummary(rec.Frames)
		want := []string{
			"SETTINGS  s0 len24", "WINDOW_UPDATE  s0 len4", "PRIORITY  s3 len5",
			fmt.Sprintf("HEADERS END_STREAM|END_HEADERS|PRIORITY s1 len%d", rec.Frames[3].Length),
			fmt.Sprintf("HEADERS PADDED s5 len%d", rec.Frames[4].Length),
			fmt.Sprintf("CONTINUATION END_HEADERS s5 len%d", rec.Frames[5].Length),
			"DATA END_STREAM s5 len5000",
		}
		if !reflect.DeepEqual(got, want) {
			t.Fatalf("piece %d: frames\n  %s\nwant\n  %s", piece, strings.Join(got, "\n  "), strings.Join(want, "\n  "))
		}
		f := rec.Frames
		if f[0].Settings[2] != (h2SettingRecord{ID: 4, Name: "INITIAL_WINDOW_SIZE", Value: 6291456}) {
			t.Errorf("settings = %+v", f[0].Settings)
		}
		if *f[1].WindowIncrement != 15663105 || *f[2].Priority != (h2PriorityRecord{DependsOn: 0, Weight: 200}) {
			t.Errorf("window update %v, priority %+v", *f[1].WindowIncrement, *f[2].Priority)
		}
		if *f[3].Priority != (h2PriorityRecord{Exclusive: true, Weight: 255}) || *f[4].PadLength != 3 {
			t.Errorf("headers priority %+v, pad length %v", f[3].Priority, f[4].PadLength)
		}
		if f[6].PayloadHex != "" {
			t.Error("DATA payloads must not be recorded")
		}
		// x/net's encoder: the second request reuses dynamic entries of the first.
		wantHeaders := [][2]string{{":method", "POST"}, {":authority", "example.com"}, {":scheme", "https"},
			{":path", "/two"}, {"accept", "*/*"}, {"user-agent", "test/1"}, {"x-extra", "1"}}
		if !reflect.DeepEqual(f[4].Headers, wantHeaders) || f[5].Headers != nil {
			t.Errorf("second request headers on HEADERS %v, on CONTINUATION %v", f[4].Headers, f[5].Headers)
		}
		if reps := f[4].HPACK; reps[1].Kind != hpackIndexed || reps[1].Table != "dynamic" {
			t.Errorf(":authority of the second request = %+v", reps[1])
		}
		if !strings.HasPrefix(f[4].PayloadHex[2:], f[4].HeaderBlockHex[:8]) || len(f[4].HeaderBlockHex) <= 8 {
			t.Errorf("header block %s does not start the fragment %s", f[4].HeaderBlockHex, f[4].PayloadHex)
		}
		if rec.Akamai != "1:65536;2:0;4:6291456;6:262144|15663105|3:0:0:201|m,a,s,p" || rec.Truncated {
			t.Errorf("akamai %q truncated %v", rec.Akamai, rec.Truncated)
		}
	}
}

func TestH2CaptureStopsAfterTheRequestLimit(t *testing.T) {
	s := newH2FrameSniffer()
	s.capture.openHeaders = -1
	for i := range maxCapturedH2Requests + 3 {
		s.capture.recordFrame(h2FrameHeaders, h2FlagEndHeaders, uint32(2*i+1), 1, []byte{0x82})
		s.capture.recordBlock([]byte{0x82}, []hpackRepresentation{{Kind: hpackIndexed}}, true)
	}
	if n := len(s.capture.frames); n != maxCapturedH2Requests || !s.capture.full {
		t.Fatalf("recorded %d frames (full %v), want %d", n, s.capture.full, maxCapturedH2Requests)
	}
}

// TestFingerprintFullOverHTTP2AndHTTP1 asks the running server for the
// capture of the asking connection itself.
func TestFingerprintFullOverHTTP2AndHTTP1(t *testing.T) {
	c := startTestServers(t)
	base := fmt.Sprintf("https://127.0.0.1:%d", c.servers.httpsPort())

	var h2 connRecord
	getJSON(t, c.h2, base+"/get", &map[string]any{})
	getJSON(t, c.h2, base+"/fingerprint/full", &h2)
	if h2.TLS == nil || h2.TLS.NegotiatedALPN != "h2" || h2.ClientHello == nil || h2.HTTP2 == nil || h2.HTTP1 != nil {
		t.Fatalf("h2 record: %+v", h2)
	}
	if len(h2.ClientHello.KeyShares) == 0 || len(h2.ClientHello.RawHex) < 200 {
		t.Errorf("client hello: %+v", h2.ClientHello)
	}
	var paths []string
	for _, f := range h2.HTTP2.Frames {
		for _, h := range f.Headers {
			if h[0] == ":path" {
				paths = append(paths, h[1])
			}
		}
	}
	if !reflect.DeepEqual(paths, []string{"/get", "/fingerprint/full"}) || h2.HTTP2.Akamai == "" {
		t.Errorf("requests seen on the connection: %v, akamai %q", paths, h2.HTTP2.Akamai)
	}

	var h1 connRecord
	getJSON(t, c.h1, base+"/fingerprint/full?x=1", &h1)
	if h1.HTTP1 == nil || len(h1.HTTP1.RequestHeads) != 1 || h1.HTTP2 != nil {
		t.Fatalf("h1 record: %+v", h1)
	}
	if head := h1.HTTP1.RequestHeads[0]; !strings.HasPrefix(head, "GET /fingerprint/full?x=1 HTTP/1.1\r\nHost: 127.0.0.1:") ||
		!strings.HasSuffix(head, "\r\n\r\n") {
		t.Errorf("raw head = %q", head)
	}

	resp, err := c.plain.Get(fmt.Sprintf("http://127.0.0.1:%d/fingerprint/full", c.servers.httpPort()))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusBadRequest {
		t.Errorf("plain HTTP: status %d, want 400", resp.StatusCode)
	}
}

// TestCaptureDirWritesEveryConnection: with -capture-dir, a connection's
// record is written when it closes, a failed handshake's too.
func TestCaptureDirWritesEveryConnection(t *testing.T) {
	captureDir = t.TempDir()
	t.Cleanup(func() { captureDir = "" })
	c := startTestServers(t)
	base := fmt.Sprintf("https://127.0.0.1:%d", c.servers.httpsPort())
	getJSON(t, c.h1, base+"/get", &map[string]any{})
	c.h1.CloseIdleConnections()
	// A client that does not trust the CA fails the handshake.
	if _, err := http.Get(base + "/get"); err == nil {
		t.Fatal("an untrusting client should fail")
	}

	var records []connRecord
	deadline := time.Now().Add(10 * time.Second)
	for len(records) < 2 && time.Now().Before(deadline) {
		time.Sleep(20 * time.Millisecond)
		records = records[:0]
		files, _ := filepath.Glob(filepath.Join(captureDir, "conn-*.json"))
		for _, name := range files {
			data, err := os.ReadFile(name)
			if err != nil {
				t.Fatal(err)
			}
			var rec connRecord
			if err := json.Unmarshal(data, &rec); err != nil {
				t.Fatalf("%s: %v", name, err)
			}
			records = append(records, rec)
		}
	}
	if len(records) != 2 {
		t.Fatalf("%d records written, want 2", len(records))
	}
	ok, failed := records[0], records[1]
	if ok.HTTP1 == nil || len(ok.HTTP1.RequestHeads) != 1 || ok.HandshakeError != "" {
		t.Errorf("first connection: %+v", ok)
	}
	if failed.HandshakeError == "" || failed.ClientHello == nil || failed.TLS != nil {
		t.Errorf("failed handshake: %+v", failed)
	}
}
