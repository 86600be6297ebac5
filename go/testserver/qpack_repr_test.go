package main

import (
	"encoding/hex"
	"reflect"
	"strings"
	"testing"
)

func unhex(t *testing.T, s string) []byte {
	t.Helper()
	b, err := hex.DecodeString(strings.ReplaceAll(s, " ", ""))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// RFC 9204 Appendix B.1: a literal with a static name reference, no dynamic table.
func TestQPACKLiteralWithNameReference(t *testing.T) {
	d := &qpackReprDecoder{}
	fs, err := d.decodeFieldSection(unhex(t, "0000 510b 2f69 6e64 6578 2e68 746d 6c"))
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(fs.Headers, [][2]string{{":path", "/index.html"}}) {
		t.Fatalf("headers %v", fs.Headers)
	}
	line := fs.Lines[0]
	if line.Kind != qpackLiteralNameRef || line.Table != "static" || *line.Index != 1 || *line.ValueHuffman || line.NeverIndexed {
		t.Fatalf("representation %+v", line)
	}
}

// RFC 9204 Appendix B.2-B.5: the encoder stream fills the dynamic table;
// field sections refer to it with post-base and relative indices.
func TestQPACKDynamicTableExamples(t *testing.T) {
	d := &qpackReprDecoder{maxTableCapacity: 220}
	in, err := d.readEncoderStream(unhex(t, "3fbd01 c00f7777772e6578616d706c652e636f6d c10c2f73616d706c652f70617468"))
	if err != nil {
		t.Fatal(err)
	}
	if len(in) != 3 || in[0].Kind != "set_capacity" || *in[0].Capacity != 220 || in[1].Kind != "insert_name_ref" || in[1].Table != "static" {
		t.Fatalf("encoder instructions %+v", in)
	}
	fs, err := d.decodeFieldSection(unhex(t, "0381 10 11"))
	if err != nil {
		t.Fatal(err)
	}
	if fs.RequiredInsertCount != 2 || fs.Base != 0 || fs.Lines[0].Kind != qpackIndexedPostBase || *fs.Lines[1].AbsoluteIndex != 1 {
		t.Fatalf("B.2 section %+v", fs)
	}
	if !reflect.DeepEqual(fs.Headers, [][2]string{{":authority", "www.example.com"}, {":path", "/sample/path"}}) {
		t.Fatalf("B.2 headers %v", fs.Headers)
	}
	dec, err := readDecoderStream(unhex(t, "84 01 48"))
	if err != nil || dec[0].Kind != "section_acknowledgment" || *dec[0].StreamID != 4 || dec[1].Kind != "insert_count_increment" || dec[2].Kind != "stream_cancellation" || *dec[2].StreamID != 8 {
		t.Fatalf("decoder instructions %+v %v", dec, err)
	}

	// B.3 insert with a literal name; B.4 duplicate, then a section with a
	// static and a relative dynamic reference.
	if in, err = d.readEncoderStream(unhex(t, "4a637573746f6d2d6b65790c637573746f6d2d76616c7565 02")); err != nil {
		t.Fatal(err)
	}
	if in[0].Kind != "insert_literal_name" || in[0].Name != "custom-key" || in[1].Kind != "duplicate" || in[1].Name != ":authority" {
		t.Fatalf("B.3/B.4 instructions %+v", in)
	}
	fs, err = d.decodeFieldSection(unhex(t, "0500 c1 81"))
	if err != nil {
		t.Fatal(err)
	}
	if fs.RequiredInsertCount != 4 || fs.Base != 4 || fs.Lines[0].Table != "static" || *fs.Lines[1].AbsoluteIndex != 2 {
		t.Fatalf("B.4 section %+v", fs)
	}
	if !reflect.DeepEqual(fs.Headers, [][2]string{{":path", "/"}, {"custom-key", "custom-value"}}) {
		t.Fatalf("B.4 headers %v", fs.Headers)
	}

	// B.5 insert with a dynamic name reference.
	if in, err = d.readEncoderStream(unhex(t, "810d637573746f6d2d76616c756532")); err != nil {
		t.Fatal(err)
	}
	if in[0].Table != "dynamic" || in[0].Name != "custom-key" || *in[0].Value != "custom-value2" {
		t.Fatalf("B.5 instruction %+v", in[0])
	}
}

func TestQPACKLiteralNameHuffmanAndNeverIndexed(t *testing.T) {
	// 0x3x: literal name with N=1, H=0, name "a" (length 1), value "b".
	d := &qpackReprDecoder{}
	fs, err := d.decodeFieldSection(unhex(t, "0000 31 61 01 62"))
	if err != nil {
		t.Fatal(err)
	}
	line := fs.Lines[0]
	if line.Kind != qpackLiteralName || !line.NeverIndexed || *line.NameHuffman || line.Name != "a" || *line.Value != "b" {
		t.Fatalf("representation %+v", line)
	}
}
