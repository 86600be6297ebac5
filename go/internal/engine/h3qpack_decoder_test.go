package engine

import (
	"bytes"
	"context"
	"encoding/hex"
	"strings"
	"testing"
	"time"

	"github.com/quic-go/qpack"
)

func unhex(t *testing.T, s string) []byte {
	t.Helper()
	b, err := hex.DecodeString(strings.ReplaceAll(s, " ", ""))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func fieldPairs(fields []qpack.HeaderField) [][2]string {
	var out [][2]string
	for _, f := range fields {
		out = append(out, [2]string{f.Name, f.Value})
	}
	return out
}

// The dynamic table examples of RFC 9204, Appendix B.2 to B.4, byte for byte.
func TestQPACKDecoderRFC9204Examples(t *testing.T) {
	var decoderStream bytes.Buffer
	d := newQPACKDecoder(220, 1, &decoderStream)
	ctx := context.Background()

	// B.2: capacity 220, two inserts naming static entries; a section of two post-base
	// references on stream 4, acknowledged.
	if err := d.EncoderStream(bytes.NewReader(unhex(t, "3fbd01 c00f7777772e6578616d706c652e636f6d c10c2f73616d706c652f70617468"))); err != nil {
		t.Fatal(err)
	}
	decoderStream.Reset() // the Insert Count Increment the example leaves to the section ack
	fields, err := d.Decode(ctx, 4, unhex(t, "0381 10 11"))
	if err != nil {
		t.Fatal(err)
	}
	want := [][2]string{{":authority", "www.example.com"}, {":path", "/sample/path"}}
	if got := fieldPairs(fields); len(got) != 2 || got[0] != want[0] || got[1] != want[1] {
		t.Fatalf("B.2 fields %q", got)
	}
	if got := hex.EncodeToString(decoderStream.Bytes()); got != "84" {
		t.Fatalf("B.2 decoder stream %s, want 84 (section acknowledgment, stream 4)", got)
	}

	// B.3: an insert with a literal name, acknowledged by an Insert Count Increment of 1.
	decoderStream.Reset()
	if err := d.EncoderStream(bytes.NewReader(unhex(t, "4a637573746f6d2d6b65790c637573746f6d2d76616c7565"))); err != nil {
		t.Fatal(err)
	}
	if got := hex.EncodeToString(decoderStream.Bytes()); got != "01" {
		t.Fatalf("B.3 decoder stream %s, want 01", got)
	}

	// B.4: a duplicate, then a section with relative and static references on stream 8.
	decoderStream.Reset()
	if err := d.EncoderStream(bytes.NewReader(unhex(t, "02"))); err != nil {
		t.Fatal(err)
	}
	decoderStream.Reset()
	fields, err = d.Decode(ctx, 8, unhex(t, "0500 80 c1 81"))
	if err != nil {
		t.Fatal(err)
	}
	want = [][2]string{{":authority", "www.example.com"}, {":path", "/"}, {"custom-key", "custom-value"}}
	got := fieldPairs(fields)
	if len(got) != 3 || got[0] != want[0] || got[1] != want[1] || got[2] != want[2] {
		t.Fatalf("B.4 fields %q", got)
	}
	if got := hex.EncodeToString(decoderStream.Bytes()); got != "88" {
		t.Fatalf("B.4 decoder stream %s, want 88", got)
	}
}

func TestQPACKDecoderBlockedSectionWaitsForItsInsert(t *testing.T) {
	var decoderStream bytes.Buffer
	d := newQPACKDecoder(220, 1, &decoderStream)
	if err := d.EncoderStream(bytes.NewReader(unhex(t, "3fbd01"))); err != nil {
		t.Fatal(err)
	}
	done := make(chan [][2]string)
	go func() {
		fields, err := d.Decode(context.Background(), 0, unhex(t, "0200 80")) // RIC 1, base 1, relative 0
		if err != nil {
			t.Error(err)
		}
		done <- fieldPairs(fields)
	}()
	// A second blocked section is one more than the one announced: refused.
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	for {
		d.mu.Lock()
		blocked := d.blocked
		d.mu.Unlock()
		if blocked == 1 {
			break
		}
		select {
		case <-ctx.Done():
			t.Fatal("the section never blocked")
		case <-time.After(time.Millisecond):
		}
	}
	if _, err := d.Decode(context.Background(), 4, unhex(t, "0200 80")); err != errQPACKBlockedLimit {
		t.Fatalf("second blocked section: %v", err)
	}
	if err := d.EncoderStream(bytes.NewReader(unhex(t, "c00f7777772e6578616d706c652e636f6d"))); err != nil {
		t.Fatal(err)
	}
	if got := <-done; len(got) != 1 || got[0] != [2]string{":authority", "www.example.com"} {
		t.Fatalf("fields %q", got)
	}
}

func TestQPACKDecoderRejectsBadInput(t *testing.T) {
	d := newQPACKDecoder(220, 1, &bytes.Buffer{})
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	for name, section := range map[string]string{
		"dynamic reference without table": "0000 80",
		"static index out of range":       "0000 ff64",
		"truncated literal":               "0000 5f1d05 6162",
	} {
		if _, err := d.Decode(ctx, 0, unhex(t, section)); err == nil {
			t.Errorf("%s: no error", name)
		}
	}
	for name, stream := range map[string]string{
		"capacity above the announced": "3fe901",        // 256 > 220
		"insert into a zero table":     "c00161",        // capacity still 0
		"duplicate of nothing":         "3fbd01 00",     // no entry yet
		"relative name of nothing":     "3fbd01 800161", // dynamic name ref 0
	} {
		if err := newQPACKDecoder(220, 1, &bytes.Buffer{}).EncoderStream(bytes.NewReader(unhex(t, stream))); err == nil {
			t.Errorf("%s: no error", name)
		}
	}
}
