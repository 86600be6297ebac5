package main

import (
	"bytes"
	"encoding/hex"
	"fmt"
	"math/rand"
	"strings"
	"testing"

	"golang.org/x/net/http2/hpack"
)

func mustHex(t *testing.T, s string) []byte {
	t.Helper()
	b, err := hex.DecodeString(strings.ReplaceAll(s, " ", ""))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// describe renders a representation compactly for comparisons.
func describe(r hpackRepresentation) string {
	flag := func(p *bool) string {
		switch {
		case p == nil:
			return "-"
		case *p:
			return "H"
		}
		return "r"
	}
	if r.Kind == hpackTableSizeUpdate {
		return fmt.Sprintf("size=%d", *r.MaxSize)
	}
	return fmt.Sprintf("%s %d%s %s%s %s: %s", r.Kind, r.Index, r.Table, flag(r.NameHuffman), flag(r.ValueHuffman), r.Name, *r.Value)
}

func decodeAll(t *testing.T, d *hpackReprDecoder, block string) []string {
	t.Helper()
	reps, err := d.decodeBlock(mustHex(t, block))
	if err != nil {
		t.Fatalf("decode %s: %v", block, err)
	}
	out := make([]string, len(reps))
	for i, r := range reps {
		out[i] = describe(r)
	}
	return out
}

func expectLines(t *testing.T, got, want []string) {
	t.Helper()
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("got\n  %s\nwant\n  %s", strings.Join(got, "\n  "), strings.Join(want, "\n  "))
	}
}

// RFC 7541 C.2: one representation of each literal kind and an indexed field.
func TestHPACKReprSingleRepresentations(t *testing.T) {
	d := newHPACKReprDecoder(4096, 4096)
	expectLines(t, decodeAll(t, d, "400a 6375 7374 6f6d 2d6b 6579 0d63 7573 746f 6d2d 6865 6164 6572"),
		[]string{"literal_incremental 0 rr custom-key: custom-header"})
	if d.size != 55 || len(d.dynamic) != 1 {
		t.Errorf("table after C.2.1: size %d, %d entries", d.size, len(d.dynamic))
	}
	expectLines(t, decodeAll(t, d, "040c 2f73 616d 706c 652f 7061 7468"),
		[]string{"literal_without_indexing 4static -r :path: /sample/path"})
	expectLines(t, decodeAll(t, d, "1008 7061 7373 776f 7264 0673 6563 7265 74"),
		[]string{"literal_never_indexed 0 rr password: secret"})
	expectLines(t, decodeAll(t, d, "82"), []string{"indexed 2static -- :method: GET"})
	if len(d.dynamic) != 1 {
		t.Errorf("only the incremental literal may enter the table, have %d entries", len(d.dynamic))
	}
}

// RFC 7541 C.4: three requests on one connection, Huffman-coded, reusing
// the dynamic table.
func TestHPACKReprRequestsWithHuffman(t *testing.T) {
	d := newHPACKReprDecoder(4096, 4096)
	expectLines(t, decodeAll(t, d, "8286 8441 8cf1 e3c2 e5f2 3a6b a0ab 90f4 ff"), []string{
		"indexed 2static -- :method: GET",
		"indexed 6static -- :scheme: http",
		"indexed 4static -- :path: /",
		"literal_incremental 1static -H :authority: www.example.com",
	})
	expectLines(t, decodeAll(t, d, "8286 84be 5886 a8eb 1064 9cbf"), []string{
		"indexed 2static -- :method: GET",
		"indexed 6static -- :scheme: http",
		"indexed 4static -- :path: /",
		"indexed 62dynamic -- :authority: www.example.com",
		"literal_incremental 24static -H cache-control: no-cache",
	})
	expectLines(t, decodeAll(t, d, "8287 85bf 4088 25a8 49e9 5ba9 7d7f 8925 a849 e95b b8e8 b4bf"), []string{
		"indexed 2static -- :method: GET",
		"indexed 7static -- :scheme: https",
		"indexed 5static -- :path: /index.html",
		"indexed 63dynamic -- :authority: www.example.com",
		"literal_incremental 0 HH custom-key: custom-value",
	})
	if d.size != 164 || len(d.dynamic) != 3 {
		t.Errorf("table: size %d, %d entries; want 164, 3", d.size, len(d.dynamic))
	}
}

// RFC 7541 C.5: a 256-byte table, where new entries evict old ones.
func TestHPACKReprEviction(t *testing.T) {
	d := newHPACKReprDecoder(256, 256)
	decodeAll(t, d, "4803 3330 3258 0770 7269 7661 7465 611d 4d6f 6e2c 2032 3120 4f63 7420 3230 3133 2032 303a 3133 3a32 3120 474d 546e 1768 7474 7073 3a2f 2f77 7777 2e65 7861 6d70 6c65 2e63 6f6d")
	if d.size != 222 {
		t.Fatalf("size after C.5.1 = %d", d.size)
	}
	expectLines(t, decodeAll(t, d, "4803 3330 37c1 c0bf"), []string{
		"literal_incremental 8static -r :status: 307",
		"indexed 65dynamic -- cache-control: private",
		"indexed 64dynamic -- date: Mon, 21 Oct 2013 20:13:21 GMT",
		"indexed 63dynamic -- location: https://www.example.com",
	})
	if d.size != 222 || d.dynamic[0].value != "307" || d.dynamic[3].name != "cache-control" {
		t.Errorf("after C.5.2: size %d, table %v", d.size, d.dynamic)
	}
}

func TestHPACKReprTableSizeUpdate(t *testing.T) {
	d := newHPACKReprDecoder(4096, 8192)
	decodeAll(t, d, "400a 6375 7374 6f6d 2d6b 6579 0d63 7573 746f 6d2d 6865 6164 6572")
	// 0x20: size 0 empties the table; 0x3fe11f: back to 4096 (5-bit prefix + varint).
	expectLines(t, decodeAll(t, d, "20 3fe11f 82"), []string{"size=0", "size=4096", "indexed 2static -- :method: GET"})
	if len(d.dynamic) != 0 || d.maxSize != 4096 {
		t.Errorf("table: %d entries, max %d", len(d.dynamic), d.maxSize)
	}
	// 0x3fe13f is 8192, the allowed maximum; 0x3fe23f is one more.
	expectLines(t, decodeAll(t, d, "3fe13f"), []string{"size=8192"})
	if _, err := d.decodeBlock(mustHex(t, "3fe23f")); err == nil {
		t.Error("a size update beyond the allowed maximum must fail")
	}
}

func TestHPACKReprErrors(t *testing.T) {
	for _, block := range []string{
		"be",           // dynamic index with an empty table
		"80",           // index 0
		"410a61",       // literal value shorter than its length
		"ff",           // integer cut short
		"4083ffffff81", // invalid Huffman (EOS padding too long)
	} {
		d := newHPACKReprDecoder(4096, 4096)
		if _, err := d.decodeBlock(mustHex(t, block)); err == nil {
			t.Errorf("%s: want an error", block)
		}
	}
}

// TestHPACKReprMatchesXNet encodes random header lists with x/net's encoder
// (which mixes indexed, incremental and never-indexed fields) and checks
// that the fields decode as x/net's own decoder reads them.
func TestHPACKReprMatchesXNet(t *testing.T) {
	rng := rand.New(rand.NewSource(1))
	names := []string{":method", ":path", ":authority", "accept", "cookie", "x-a", "x-long-header-name", "authorization"}
	var buf bytes.Buffer
	enc := hpack.NewEncoder(&buf)
	enc.SetMaxDynamicTableSizeLimit(512)
	enc.SetMaxDynamicTableSize(512) // emits a size update at the start of the next block
	ours := newHPACKReprDecoder(4096, 4096)
	theirs := hpack.NewDecoder(4096, nil)
	for block := range 200 {
		buf.Reset()
		for range 1 + rng.Intn(12) {
			f := hpack.HeaderField{
				Name:      names[rng.Intn(len(names))],
				Value:     strings.Repeat(string(rune('a'+rng.Intn(26))), rng.Intn(40)),
				Sensitive: rng.Intn(8) == 0,
			}
			if err := enc.WriteField(f); err != nil {
				t.Fatal(err)
			}
		}
		want, err := theirs.DecodeFull(buf.Bytes())
		if err != nil {
			t.Fatal(err)
		}
		reps, err := ours.decodeBlock(buf.Bytes())
		if err != nil {
			t.Fatalf("block %d: %v", block, err)
		}
		var got []hpack.HeaderField
		for _, r := range reps {
			if f, ok := r.field(); ok {
				got = append(got, hpack.HeaderField{Name: f.name, Value: f.value, Sensitive: r.Kind == hpackLiteralNeverIndexed})
			}
		}
		if fmt.Sprint(got) != fmt.Sprint(want) {
			t.Fatalf("block %d:\n got %v\nwant %v", block, got, want)
		}
	}
}
