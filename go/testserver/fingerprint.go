package main

import (
	"crypto/md5"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"net"
	"slices"
	"strconv"
	"strings"
)

// isGREASE reports the RFC 8701 reserved values 0x0a0a, 0x1a1a ... 0xfafa,
// which JA3 and JA4 both leave out.
func isGREASE(v uint16) bool {
	return v&0x0f0f == 0x0a0a && v>>8 == v&0xff
}

func withoutGREASE(values []uint16) []uint16 {
	out := make([]uint16, 0, len(values))
	for _, v := range values {
		if !isGREASE(v) {
			out = append(out, v)
		}
	}
	return out
}

func joinDecimal[T uint8 | uint16](values []T, sep string) string {
	parts := make([]string, len(values))
	for i, v := range values {
		parts[i] = strconv.Itoa(int(v))
	}
	return strings.Join(parts, sep)
}

func joinHex4(values []uint16) string {
	parts := make([]string, len(values))
	for i, v := range values {
		parts[i] = fmt.Sprintf("%04x", v)
	}
	return strings.Join(parts, ",")
}

func md5Hex(s string) string {
	sum := md5.Sum([]byte(s))
	return hex.EncodeToString(sum[:])
}

// sha256Prefix12 is JA4's truncated hash; an empty input hashes to zeros.
func sha256Prefix12(s string) string {
	if s == "" {
		return "000000000000"
	}
	sum := sha256.Sum256([]byte(s))
	return hex.EncodeToString(sum[:])[:12]
}

// buildJA3 returns "version,ciphers,extensions,groups,pointformats" with
// decimal values joined by '-' and GREASE removed.
func buildJA3(h *clientHello) string {
	return strings.Join([]string{
		strconv.Itoa(int(h.version)),
		joinDecimal(withoutGREASE(h.cipherSuites), "-"),
		joinDecimal(withoutGREASE(h.extensions), "-"),
		joinDecimal(withoutGREASE(h.supportedGroups), "-"),
		joinDecimal(h.ecPointFormats, "-"),
	}, ",")
}

// ja4VersionCode maps a TLS version to JA4's two characters.
func ja4VersionCode(v uint16) string {
	switch v {
	case 0x0304:
		return "13"
	case 0x0303:
		return "12"
	case 0x0302:
		return "11"
	case 0x0301:
		return "10"
	case 0x0300:
		return "s3"
	case 0x0002:
		return "s2"
	case 0xfeff:
		return "d1"
	case 0xfefd:
		return "d2"
	case 0xfefc:
		return "d3"
	}
	return "00"
}

func isAlnum(b byte) bool {
	return b >= '0' && b <= '9' || b >= 'a' && b <= 'z' || b >= 'A' && b <= 'Z'
}

// ja4ALPNCode is the first and last character of the first ALPN value, or,
// when either is not alphanumeric, the first and last hex digit of it.
func ja4ALPNCode(alpn []string) string {
	if len(alpn) == 0 || alpn[0] == "" {
		return "00"
	}
	first := alpn[0]
	a, z := first[0], first[len(first)-1]
	if isAlnum(a) && isAlnum(z) {
		return string([]byte{a, z})
	}
	h := hex.EncodeToString([]byte(first))
	return string([]byte{h[0], h[len(h)-1]})
}

func twoDigits(n int) string {
	return fmt.Sprintf("%02d", min(n, 99))
}

// buildJA4 returns the JA4 fingerprint and its raw (unhashed) form.
// transport is 't' for TCP and 'q' for QUIC.
func buildJA4(h *clientHello, transport byte) (ja4, ja4Raw string) {
	version := h.version
	if versions := withoutGREASE(h.supportedVersions); len(versions) > 0 {
		version = slices.Max(versions)
	}
	sniCode := "i"
	if h.hasExtension(extServerName) && h.serverName != "" && net.ParseIP(h.serverName) == nil {
		sniCode = "d"
	}
	ciphers := withoutGREASE(h.cipherSuites)
	extensions := withoutGREASE(h.extensions)
	prefix := string(transport) + ja4VersionCode(version) + sniCode +
		twoDigits(len(ciphers)) + twoDigits(len(extensions)) + ja4ALPNCode(h.alpn)

	sortedCiphers := slices.Sorted(slices.Values(ciphers))
	var hashedExtensions []uint16
	for _, e := range extensions {
		if e != extServerName && e != extALPN {
			hashedExtensions = append(hashedExtensions, e)
		}
	}
	slices.Sort(hashedExtensions)

	cipherList := joinHex4(sortedCiphers)
	extensionList := joinHex4(hashedExtensions)
	// The spec keeps signature algorithms unsorted and drops the '_' when none.
	if sigs := withoutGREASE(h.signatureAlgorithms); len(sigs) > 0 {
		extensionList += "_" + joinHex4(sigs)
	}
	ja4 = prefix + "_" + sha256Prefix12(cipherList) + "_" + sha256Prefix12(extensionList)
	ja4Raw = prefix + "_" + cipherList + "_" + extensionList
	return ja4, ja4Raw
}

// h2Fingerprint is what a client reveals in its first HTTP/2 frames.
type h2Fingerprint struct {
	settings        []h2Setting
	windowUpdate    uint32 // connection-level increment, 0 if none was sent
	priorities      []h2Priority
	pseudoHeaders   []string // pseudo-header names of the first HEADERS frame, in order
	sawFirstHeaders bool
}

type h2Setting struct {
	id    uint16
	value uint32
}

type h2Priority struct {
	streamID  uint32
	exclusive bool
	dependsOn uint32
	weight    uint8 // as on the wire (0-255); Akamai prints weight+1
}

// akamaiString renders SETTINGS|WINDOW_UPDATE|PRIORITY|pseudo-header order,
// the format from Akamai's "Passive Fingerprinting of HTTP/2 Clients".
func (f *h2Fingerprint) akamaiString() string {
	settings := make([]string, len(f.settings))
	for i, s := range f.settings {
		settings[i] = fmt.Sprintf("%d:%d", s.id, s.value)
	}
	windowUpdate := "00" // the paper's marker for "no WINDOW_UPDATE sent"
	if f.windowUpdate != 0 {
		windowUpdate = strconv.FormatUint(uint64(f.windowUpdate), 10)
	}
	priorities := "0"
	if len(f.priorities) > 0 {
		parts := make([]string, len(f.priorities))
		for i, p := range f.priorities {
			exclusive := 0
			if p.exclusive {
				exclusive = 1
			}
			parts[i] = fmt.Sprintf("%d:%d:%d:%d", p.streamID, exclusive, p.dependsOn, int(p.weight)+1)
		}
		priorities = strings.Join(parts, ",")
	}
	pseudo := make([]string, 0, len(f.pseudoHeaders))
	for _, name := range f.pseudoHeaders {
		if len(name) > 1 {
			pseudo = append(pseudo, name[1:2]) // ":method" -> "m"
		}
	}
	return strings.Join(settings, ";") + "|" + windowUpdate + "|" + priorities + "|" + strings.Join(pseudo, ",")
}
