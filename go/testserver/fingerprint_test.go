package main

import (
	"testing"
)

// chromeLikeHello mirrors the ClientHello behind Chrome's widely published
// JA4 t13d1516h2_8daaf6152771_02713d6af862, with GREASE values mixed in.
func chromeLikeHello() *clientHello {
	return &clientHello{
		version: 0x0303,
		cipherSuites: []uint16{0x4a4a, 0x1301, 0x1302, 0x1303, 0xc02b, 0xc02f, 0xc02c, 0xc030,
			0xcca9, 0xcca8, 0xc013, 0xc014, 0x009c, 0x009d, 0x002f, 0x0035},
		extensions: []uint16{0x0a0a, 0x001b, 0x0000, 0x0033, 0x0010, 0x4469, 0x0017, 0x002d,
			0x000d, 0x0005, 0x0023, 0x0012, 0x002b, 0xff01, 0x000b, 0x000a, 0xfe0d, 0x1a1a},
		supportedGroups:     []uint16{0x2a2a, 0x11ec, 0x001d, 0x0017, 0x0018},
		ecPointFormats:      []uint8{0},
		signatureAlgorithms: []uint16{0x0403, 0x0804, 0x0401, 0x0503, 0x0805, 0x0501, 0x0806, 0x0601},
		alpn:                []string{"h2", "http/1.1"},
		supportedVersions:   []uint16{0x3a3a, 0x0304, 0x0303},
		serverName:          "example.com",
	}
}

func TestIsGREASE(t *testing.T) {
	for _, v := range []uint16{0x0a0a, 0x1a1a, 0x7a7a, 0xaaaa, 0xfafa} {
		if !isGREASE(v) {
			t.Errorf("%#04x should be GREASE", v)
		}
	}
	for _, v := range []uint16{0x0000, 0x0a1a, 0x1301, 0xaaab, 0x0a0b} {
		if isGREASE(v) {
			t.Errorf("%#04x should not be GREASE", v)
		}
	}
}

func TestBuildJA3(t *testing.T) {
	h := &clientHello{
		version:         0x0303,
		cipherSuites:    []uint16{0x0a0a, 0x1301, 0x1302, 0xc02b},
		extensions:      []uint16{0x1a1a, 0x0000, 0x0017, 0x000a, 0x000b, 0x0010, 0x002b, 0x2a2a, 0x0015},
		supportedGroups: []uint16{0x3a3a, 0x001d, 0x0017},
		ecPointFormats:  []uint8{0},
	}
	const want = "771,4865-4866-49195,0-23-10-11-16-43-21,29-23,0"
	if got := buildJA3(h); got != want {
		t.Fatalf("JA3 = %q, want %q", got, want)
	}
	// Reference value computed independently (md5 of the string above).
	if got := md5Hex(want); got != "1b5d0c8bef1b9bd7d36765f55d1fa8ed" {
		t.Fatalf("JA3 hash = %s", got)
	}
}

func TestBuildJA3EmptyLists(t *testing.T) {
	h := &clientHello{version: 0x0301, cipherSuites: []uint16{0x002f}}
	if got, want := buildJA3(h), "769,47,,,"; got != want {
		t.Fatalf("JA3 = %q, want %q", got, want)
	}
}

func TestBuildJA4Chrome(t *testing.T) {
	ja4, raw := buildJA4(chromeLikeHello(), 't')
	if want := "t13d1516h2_8daaf6152771_02713d6af862"; ja4 != want {
		t.Errorf("JA4 = %q, want %q", ja4, want)
	}
	const wantRaw = "t13d1516h2_002f,0035,009c,009d,1301,1302,1303,c013,c014,c02b,c02c,c02f,c030,cca8,cca9_" +
		"0005,000a,000b,000d,0012,0017,001b,0023,002b,002d,0033,4469,fe0d,ff01_" +
		"0403,0804,0401,0503,0805,0501,0806,0601"
	if raw != wantRaw {
		t.Errorf("JA4_r = %q\nwant    %q", raw, wantRaw)
	}
}

func TestBuildJA4Variants(t *testing.T) {
	small := func() *clientHello {
		return &clientHello{
			version:             0x0303,
			cipherSuites:        []uint16{0xc02b, 0x1301, 0x1302},
			extensions:          []uint16{0x002b, 0x000a, 0x000b, 0x0017, 0x0015},
			signatureAlgorithms: []uint16{0x0403, 0x0804},
			supportedVersions:   []uint16{0x0304, 0x0303},
		}
	}
	cases := []struct {
		name   string
		modify func(h *clientHello)
		proto  byte
		want   string
	}{
		// No SNI and no ALPN: "i" and "00"; sha256 prefixes computed independently.
		{"no sni no alpn", func(h *clientHello) {}, 't', "t13i030500_5559582ccdc4_39a57c15d8e4"},
		{"quic", func(h *clientHello) {}, 'q', "q13i030500_5559582ccdc4_39a57c15d8e4"},
		// Without signature algorithms the '_' separator is dropped before hashing.
		{"no sigalgs", func(h *clientHello) { h.signatureAlgorithms = nil }, 't', "t13i030500_5559582ccdc4_105247ed38a8"},
		{"tls12 without supported_versions", func(h *clientHello) { h.supportedVersions = nil }, 't', "t12i030500_5559582ccdc4_39a57c15d8e4"},
		{"sni domain", func(h *clientHello) {
			h.extensions = append(h.extensions, extServerName)
			h.serverName = "localhost"
		}, 't', "t13d030600_5559582ccdc4_39a57c15d8e4"},
		{"sni ip literal", func(h *clientHello) {
			h.extensions = append(h.extensions, extServerName)
			h.serverName = "127.0.0.1"
		}, 't', "t13i030600_5559582ccdc4_39a57c15d8e4"},
		{"alpn h3", func(h *clientHello) {
			h.extensions = append(h.extensions, extALPN)
			h.alpn = []string{"h3"}
		}, 'q', "q13i0306h3_5559582ccdc4_39a57c15d8e4"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			h := small()
			tc.modify(h)
			if got, _ := buildJA4(h, tc.proto); got != tc.want {
				t.Fatalf("JA4 = %q, want %q", got, tc.want)
			}
		})
	}
}

func TestJA4Counts(t *testing.T) {
	h := &clientHello{version: 0x0303}
	for i := 0; i < 120; i++ {
		h.cipherSuites = append(h.cipherSuites, uint16(0x1000+i))
	}
	ja4, _ := buildJA4(h, 't')
	if got := ja4[:10]; got != "t12i990000" {
		t.Fatalf("prefix = %q, want counts capped at 99", got)
	}
	if _, _, c := cutJA4(ja4); c != "000000000000" {
		t.Fatalf("empty extension list should hash to zeros, got %q", c)
	}
}

func cutJA4(ja4 string) (a, b, c string) {
	return ja4[:10], ja4[11:23], ja4[24:]
}

func TestJA4ALPNCode(t *testing.T) {
	cases := map[string][]string{
		"00": nil,
		"h2": {"h2", "http/1.1"},
		"h1": {"http/1.1"},
		"hh": {"h"},
		"ab": {"\xab"},     // non-alphanumeric: first and last hex digit
		"4f": {"\x4a\x2f"}, // '/' is not alphanumeric
	}
	for want, alpn := range cases {
		if got := ja4ALPNCode(alpn); got != want {
			t.Errorf("ja4ALPNCode(%q) = %q, want %q", alpn, got, want)
		}
	}
	if got := ja4ALPNCode([]string{""}); got != "00" {
		t.Errorf("empty first ALPN = %q, want 00", got)
	}
}

func TestAkamaiChrome(t *testing.T) {
	fp := &h2Fingerprint{
		settings:      []h2Setting{{1, 65536}, {2, 0}, {4, 6291456}, {6, 262144}},
		windowUpdate:  15663105,
		pseudoHeaders: []string{":method", ":authority", ":scheme", ":path"},
	}
	const want = "1:65536;2:0;4:6291456;6:262144|15663105|0|m,a,s,p"
	if got := fp.akamaiString(); got != want {
		t.Fatalf("akamai = %q, want %q", got, want)
	}
	// Chrome's widely published akamai_hash.
	if got := md5Hex(want); got != "52d84b11737d980aef856699f885ca86" {
		t.Fatalf("akamai hash = %s", got)
	}
}

func TestAkamaiPrioritiesAndNoWindowUpdate(t *testing.T) {
	fp := &h2Fingerprint{
		settings: []h2Setting{{1, 65536}, {4, 131072}, {5, 16384}},
		priorities: []h2Priority{
			{streamID: 3, dependsOn: 0, weight: 200},
			{streamID: 5, dependsOn: 0, weight: 100},
			{streamID: 9, exclusive: true, dependsOn: 7, weight: 0},
		},
		pseudoHeaders: []string{":method", ":path", ":authority", ":scheme"},
	}
	const want = "1:65536;4:131072;5:16384|00|3:0:0:201,5:0:0:101,9:1:7:1|m,p,a,s"
	if got := fp.akamaiString(); got != want {
		t.Fatalf("akamai = %q, want %q", got, want)
	}
}
