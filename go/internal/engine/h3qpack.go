package engine

// QPACK field sections as the browsers encode them against a server offering no dynamic
// table (tests/fixtures/browsers/*-h3): static table only, no never-indexed bit; a field
// found whole in the table is indexed, a name found there is a literal naming its first
// entry, anything else a literal with its name; cookies split into crumbs as on HTTP/2.

import (
	"strings"

	"httpcloakpy/internal/fingerprint"

	"github.com/quic-go/qpack"
	"golang.org/x/net/http2/hpack"
)

// qpackStatic finds fields and names in the static table: the first index of each.
var qpackStatic = func() (t struct {
	field map[[2]string]uint64
	name  map[string]uint64
},
) {
	t.field = map[[2]string]uint64{}
	t.name = map[string]uint64{}
	for i, e := range qpackStaticTable {
		if _, ok := t.field[e]; !ok {
			t.field[e] = uint64(i)
		}
		if _, ok := t.name[e[0]]; !ok {
			t.name[e[0]] = uint64(i)
		}
	}
	return t
}()

// encodeFieldSection is one header section: the prefix (Required Insert Count 0, Base 0)
// and each field line.
func encodeFieldSection(policy fingerprint.QPACKPolicy, fields []qpack.HeaderField) []byte {
	b := []byte{0x00, 0x00}
	for _, f := range fields {
		if f.Name == "cookie" {
			for _, crumb := range cookieCrumbs(f.Value) {
				b = appendFieldLine(b, policy, f.Name, crumb)
			}
			continue
		}
		b = appendFieldLine(b, policy, f.Name, f.Value)
	}
	return b
}

func appendFieldLine(b []byte, policy fingerprint.QPACKPolicy, name, value string) []byte {
	if i, ok := qpackStatic.field[[2]string{name, value}]; ok {
		return appendQPACKInt(b, 6, 0xc0, i) // 1T: indexed field line, static table
	}
	if i, ok := qpackStatic.name[name]; ok {
		b = appendQPACKInt(b, 4, 0x50, i) // 01NT: literal with static name reference
		return appendQPACKString(b, 7, 0x00, 0x80, value, policy.HuffmanAlways)
	}
	b = appendQPACKString(b, 3, 0x20, 0x08, name, policy.HuffmanAlways) // 001NH: literal name
	return appendQPACKString(b, 7, 0x00, 0x80, value, policy.HuffmanAlways)
}

// appendQPACKString writes s with an n-bit length prefix under the representation's bits;
// huffman is its Huffman flag bit, set when always, else when the code is strictly shorter.
func appendQPACKString(b []byte, n uint, bits, huffman byte, s string, always bool) []byte {
	huffLen := hpack.HuffmanEncodeLength(s)
	if always || huffLen < uint64(len(s)) {
		b = appendQPACKInt(b, n, bits|huffman, huffLen)
		return hpack.AppendHuffmanString(b, s)
	}
	b = appendQPACKInt(b, n, bits, uint64(len(s)))
	return append(b, s...)
}

// appendQPACKInt writes i with an n-bit prefix (RFC 7541, section 5.1), first byte ORed
// with bits.
func appendQPACKInt(b []byte, n uint, bits byte, i uint64) []byte {
	limit := uint64(1)<<n - 1
	if i < limit {
		return append(b, bits|byte(i))
	}
	b = append(b, bits|byte(limit))
	for i -= limit; i >= 128; i >>= 7 {
		b = append(b, byte(i&0x7f)|0x80)
	}
	return append(b, byte(i))
}

// cookieCrumbs splits a cookie header at "; " as HTTP/2 and HTTP/3 allow (RFC 9114, 4.2.1).
func cookieCrumbs(v string) []string {
	crumbs := strings.Split(v, "; ")
	out := crumbs[:0]
	for _, c := range crumbs {
		if c != "" {
			out = append(out, c)
		}
	}
	if len(out) == 0 {
		return []string{v}
	}
	return out
}
