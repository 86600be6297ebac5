package main

import (
	"encoding/hex"
	"encoding/json"
	"reflect"
	"testing"
)

// helloBuilder writes TLS vectors for hand-made ClientHellos.
type helloBuilder []byte

func (b *helloBuilder) u8(v byte)     { *b = append(*b, v) }
func (b *helloBuilder) u16(v uint16)  { *b = append(*b, byte(v>>8), byte(v)) }
func (b *helloBuilder) raw(p ...byte) { *b = append(*b, p...) }

// vec writes a length-prefixed vector (prefix of 1, 2 or 3 bytes) filled by fill.
func (b *helloBuilder) vec(prefix int, fill func(*helloBuilder)) {
	var inner helloBuilder
	fill(&inner)
	n := len(inner)
	for i := prefix - 1; i >= 0; i-- {
		*b = append(*b, byte(n>>(8*i)))
	}
	*b = append(*b, inner...)
}

func (b *helloBuilder) ext(id uint16, fill func(*helloBuilder)) {
	b.u16(id)
	b.vec(2, fill)
}

func u16s(values ...uint16) func(*helloBuilder) {
	return func(b *helloBuilder) {
		for _, v := range values {
			b.u16(v)
		}
	}
}

// fixedHello is a ClientHello carrying every extension the capture decodes,
// with GREASE in the cipher, extension, group, key share and signature lists.
func fixedHello() []byte {
	var msg helloBuilder
	msg.u8(1) // client_hello
	msg.vec(3, func(b *helloBuilder) {
		b.u16(0x0303)
		b.raw(make([]byte, 32)...)                                     // random
		b.vec(1, func(b *helloBuilder) { b.raw(make([]byte, 32)...) }) // session id
		b.vec(2, u16s(0x2a2a, 0x1301, 0x1302, 0xc02b))                 // ciphers
		b.vec(1, func(b *helloBuilder) { b.u8(0) })                    // compression
		b.vec(2, func(b *helloBuilder) {
			b.ext(0x0a0a, func(*helloBuilder) {})
			b.ext(extServerName, func(b *helloBuilder) {
				b.vec(2, func(b *helloBuilder) { b.u8(0); b.vec(2, func(b *helloBuilder) { b.raw([]byte("example.com")...) }) })
			})
			b.ext(extSupportedGroups, func(b *helloBuilder) { b.vec(2, u16s(0x3a3a, 0x11ec, 0x001d)) })
			b.ext(extKeyShare, func(b *helloBuilder) {
				b.vec(2, func(b *helloBuilder) {
					b.u16(0x3a3a)
					b.vec(2, func(b *helloBuilder) { b.u8(0) })
					b.u16(0x001d)
					b.vec(2, func(b *helloBuilder) { b.raw(make([]byte, 32)...) })
				})
			})
			b.ext(extSignatureAlgorithms, func(b *helloBuilder) { b.vec(2, u16s(0x4a4a, 0x0403, 0x0804)) })
			b.ext(extSignatureAlgsCert, func(b *helloBuilder) { b.vec(2, u16s(0x0403)) })
			b.ext(extSupportedVersions, func(b *helloBuilder) { b.vec(1, u16s(0x5a5a, 0x0304, 0x0303)) })
			b.ext(extPSKKeyExchangeModes, func(b *helloBuilder) { b.vec(1, func(b *helloBuilder) { b.u8(1) }) })
			b.ext(extALPN, func(b *helloBuilder) {
				b.vec(2, func(b *helloBuilder) {
					b.vec(1, func(b *helloBuilder) { b.raw([]byte("h2")...) })
					b.vec(1, func(b *helloBuilder) { b.raw([]byte("http/1.1")...) })
				})
			})
			b.ext(extALPSNew, func(b *helloBuilder) {
				b.vec(2, func(b *helloBuilder) { b.vec(1, func(b *helloBuilder) { b.raw([]byte("h2")...) }) })
			})
			b.ext(extCompressCertificate, func(b *helloBuilder) { b.vec(1, u16s(2, 3)) })
			b.ext(extRecordSizeLimit, u16s(16385))
			b.ext(extDelegatedCredentials, func(b *helloBuilder) { b.vec(2, u16s(0x0403, 0x0503)) })
			b.ext(extECH, func(b *helloBuilder) {
				b.u8(0)                                                         // outer
				b.u16(1)                                                        // HKDF-SHA256
				b.u16(1)                                                        // AES-128-GCM
				b.u8(0x42)                                                      // config id
				b.vec(2, func(b *helloBuilder) { b.raw(make([]byte, 32)...) })  // enc
				b.vec(2, func(b *helloBuilder) { b.raw(make([]byte, 144)...) }) // payload
			})
			b.ext(extSessionTicket, func(*helloBuilder) {})
			b.ext(extEarlyData, func(*helloBuilder) {})
			b.ext(extPadding, func(b *helloBuilder) { b.raw(make([]byte, 17)...) })
			b.ext(0x1a1a, func(b *helloBuilder) { b.u8(0) })
			b.ext(extPreSharedKey, func(b *helloBuilder) {
				b.vec(2, func(b *helloBuilder) {
					b.vec(2, func(b *helloBuilder) { b.raw(make([]byte, 100)...) })
					b.raw(0, 0, 0, 7) // obfuscated ticket age
				})
				b.vec(2, func(b *helloBuilder) { b.vec(1, func(b *helloBuilder) { b.raw(make([]byte, 32)...) }) })
			})
		})
	})
	return msg
}

func TestDescribeHelloDecodesEveryField(t *testing.T) {
	msg := fixedHello()
	var capture helloCapture
	record := append([]byte{22, 3, 1, byte(len(msg) >> 8), byte(len(msg))}, msg...)
	feedInPieces(record, 7, capture.observe)
	h, err := capture.parsed()
	if err != nil {
		t.Fatal(err)
	}
	rec := describeHello(h)
	limit := uint16(16385)
	ticket, padding := 0, 17
	want := &helloRecord{
		RecordVersion: 0x0301, Records: 1, LegacyVersion: 0x0303, SessionIDLength: 32,
		CipherSuites:            []uint16{0x2a2a, 0x1301, 0x1302, 0xc02b},
		CompressionMethods:      []int{0},
		ServerName:              "example.com",
		SupportedGroups:         []uint16{0x3a3a, 0x11ec, 0x001d},
		KeyShares:               []keyShare{{0x3a3a, 1}, {0x001d, 32}},
		ECPointFormats:          []int{},
		SignatureAlgorithms:     []uint16{0x4a4a, 0x0403, 0x0804},
		SignatureAlgorithmsCert: []uint16{0x0403},
		SupportedVersions:       []uint16{0x5a5a, 0x0304, 0x0303},
		PSKKeyExchangeModes:     []int{1},
		ALPN:                    []string{"h2", "http/1.1"},
		ALPS:                    &alpsRecord{Codepoint: 17613, Protocols: []string{"h2"}},
		CertCompression:         []uint16{2, 3},
		RecordSizeLimit:         &limit,
		DelegatedCredentials:    []uint16{0x0403, 0x0503},
		ECH:                     &echRecord{Type: "outer", KDF: 1, AEAD: 1, ConfigID: 0x42, EncLength: 32, PayloadLength: 144},
		PreSharedKey:            &pskRecord{IdentityLengths: []int{100}, BinderLengths: []int{32}},
		SessionTicketLength:     &ticket,
		EarlyData:               true,
		PaddingLength:           &padding,
	}
	// The raw and derived fields are checked separately.
	if rec.RawHex != hexOf(msg) {
		t.Errorf("raw_hex differs from the message")
	}
	wantIDs := []uint16{0x0a0a, 0, 10, 51, 13, 50, 43, 45, 16, 17613, 27, 28, 34, 0xfe0d, 35, 42, 21, 0x1a1a, 41}
	var gotIDs []uint16
	for _, e := range rec.Extensions {
		gotIDs = append(gotIDs, e.ID)
	}
	if !reflect.DeepEqual(gotIDs, wantIDs) {
		t.Errorf("extension order = %v, want %v", gotIDs, wantIDs)
	}
	if e := rec.Extensions[0]; e.Name != "GREASE" || e.Length != 0 {
		t.Errorf("first extension = %+v", e)
	}
	if e := rec.Extensions[len(rec.Extensions)-2]; e.Name != "GREASE" || e.DataHex != "00" {
		t.Errorf("second GREASE extension = %+v", e)
	}
	if rec.JA4 == "" || rec.JA3Hash != md5Hex(rec.JA3) {
		t.Errorf("JA3/JA4 missing: %q %q", rec.JA3, rec.JA4)
	}
	rec.RawHex, rec.Extensions, rec.JA3, rec.JA3Hash, rec.JA4, rec.JA4Raw = "", nil, "", "", "", ""
	if !reflect.DeepEqual(rec, want) {
		got, _ := json.Marshal(rec)
		exp, _ := json.Marshal(want)
		t.Errorf("record\n got %s\nwant %s", got, exp)
	}
}

func TestDescribeHelloAbsentExtensionsAreNull(t *testing.T) {
	var msg helloBuilder
	msg.u8(1)
	msg.vec(3, func(b *helloBuilder) {
		b.u16(0x0303)
		b.raw(make([]byte, 32)...)
		b.vec(1, func(*helloBuilder) {})
		b.vec(2, u16s(0x1301))
		b.vec(1, func(b *helloBuilder) { b.u8(0) })
		b.vec(2, func(b *helloBuilder) { b.ext(extSupportedVersions, func(b *helloBuilder) { b.vec(1, u16s(0x0304)) }) })
	})
	h, err := parseClientHello(msg)
	if err != nil {
		t.Fatal(err)
	}
	data, err := json.Marshal(describeHello(h))
	if err != nil {
		t.Fatal(err)
	}
	var fields map[string]any
	if err := json.Unmarshal(data, &fields); err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"alps", "ech", "pre_shared_key", "record_size_limit", "padding_length",
		"session_ticket_length", "key_shares", "cert_compression", "delegated_credentials"} {
		if fields[name] != nil {
			t.Errorf("%s = %v, want null", name, fields[name])
		}
	}
	if fields["session_id_length"] != 0.0 || fields["ja4"] == "" {
		t.Errorf("session_id_length %v, ja4 %v", fields["session_id_length"], fields["ja4"])
	}
}

func hexOf(b []byte) string { return hex.EncodeToString(b) }
