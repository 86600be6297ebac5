package main

import (
	"crypto/tls"
	"encoding/binary"
	"errors"
)

// clientHello holds the ClientHello fields the fingerprints are built from,
// all in the order the client sent them, GREASE values included.
type clientHello struct {
	version             uint16 // legacy_version field
	cipherSuites        []uint16
	extensions          []uint16
	supportedGroups     []uint16
	ecPointFormats      []uint8
	signatureAlgorithms []uint16
	alpn                []string
	supportedVersions   []uint16
	serverName          string
	wire                helloWire // zero for QUIC hellos
}

// helloWire is what only the raw bytes tell, for the full capture (capture_hello.go).
type helloWire struct {
	raw                []byte   // the handshake message, type and length included
	recordVersion      uint16   // of the first TLS record
	recordCount        int      // TLS records the message spanned
	sessionIDLen       int      // legacy_session_id length
	compressionMethods []uint8  // as sent
	extensionData      [][]byte // parallel to extensions
}

const (
	extServerName          = 0x0000
	extSupportedGroups     = 0x000a
	extECPointFormats      = 0x000b
	extSignatureAlgorithms = 0x000d
	extALPN                = 0x0010
	extPreSharedKey        = 0x0029
	extSupportedVersions   = 0x002b
)

func (h *clientHello) hasExtension(id uint16) bool {
	for _, e := range h.extensions {
		if e == id {
			return true
		}
	}
	return false
}

// helloCapture collects the TLS records a client sends first, until they
// contain one complete handshake message (the ClientHello). It sees the
// bytes as crypto/tls reads them, so it never consumes anything itself.
type helloCapture struct {
	records       []byte // raw bytes seen so far, record headers included
	handshake     []byte // record payloads of handshake records, reassembled
	recordVersion uint16 // of the first record
	recordCount   int
	done          bool
}

// maxHelloBytes bounds memory if a client sends garbage instead of TLS.
const maxHelloBytes = 128 << 10

func (c *helloCapture) observe(p []byte) {
	if c.done {
		return
	}
	c.records = append(c.records, p...)
	for len(c.records) >= 5 {
		recordLen := int(binary.BigEndian.Uint16(c.records[3:5]))
		if len(c.records) < 5+recordLen {
			break
		}
		if c.records[0] == 22 { // handshake record
			if c.recordCount == 0 {
				c.recordVersion = binary.BigEndian.Uint16(c.records[1:3])
			}
			c.recordCount++
			c.handshake = append(c.handshake, c.records[5:5+recordLen]...)
		}
		c.records = c.records[5+recordLen:]
		if len(c.handshake) >= 4 {
			msgLen := int(c.handshake[1])<<16 | int(c.handshake[2])<<8 | int(c.handshake[3])
			if len(c.handshake) >= 4+msgLen {
				c.handshake = c.handshake[:4+msgLen]
				c.done = true
				c.records = nil
				return
			}
		}
	}
	if len(c.records)+len(c.handshake) > maxHelloBytes {
		c.done = true
		c.records, c.handshake = nil, nil
	}
}

// parsed returns the ClientHello, or an error if none was captured.
func (c *helloCapture) parsed() (*clientHello, error) {
	if !c.done || len(c.handshake) == 0 {
		return nil, errors.New("no complete ClientHello captured")
	}
	h, err := parseClientHello(c.handshake)
	if err != nil {
		return nil, err
	}
	h.wire.recordVersion, h.wire.recordCount = c.recordVersion, c.recordCount
	return h, nil
}

// byteReader walks a ClientHello; any short read sets err and yields zeros,
// so parsing code can stay linear and check err once at the end.
type byteReader struct {
	b   []byte
	err error
}

var errShortHello = errors.New("truncated ClientHello")

func (r *byteReader) take(n int) []byte {
	if r.err != nil || n > len(r.b) {
		r.err = errShortHello
		return nil
	}
	out := r.b[:n]
	r.b = r.b[n:]
	return out
}

func (r *byteReader) u8() uint8 {
	if b := r.take(1); b != nil {
		return b[0]
	}
	return 0
}

func (r *byteReader) u16() uint16 {
	if b := r.take(2); b != nil {
		return binary.BigEndian.Uint16(b)
	}
	return 0
}

func (r *byteReader) u24() int {
	if b := r.take(3); b != nil {
		return int(b[0])<<16 | int(b[1])<<8 | int(b[2])
	}
	return 0
}

// vector8 and vector16 read a length-prefixed sub-slice.
func (r *byteReader) vector8() *byteReader  { return r.sub(int(r.u8())) }
func (r *byteReader) vector16() *byteReader { return r.sub(int(r.u16())) }

func (r *byteReader) sub(n int) *byteReader {
	b := r.take(n)
	return &byteReader{b: b, err: r.err}
}

func (r *byteReader) u16List() []uint16 {
	var out []uint16
	for r.err == nil && len(r.b) >= 2 {
		out = append(out, r.u16())
	}
	return out
}

// parseClientHello parses a handshake message (type byte included).
func parseClientHello(msg []byte) (*clientHello, error) {
	r := &byteReader{b: msg}
	if r.u8() != 1 {
		return nil, errors.New("not a ClientHello")
	}
	body := r.sub(r.u24())
	h := &clientHello{version: body.u16(), wire: helloWire{raw: msg}}
	body.take(32) // random
	h.wire.sessionIDLen = len(body.vector8().b)
	h.cipherSuites = body.vector16().u16List()
	h.wire.compressionMethods = body.vector8().b
	if body.err != nil {
		return nil, body.err
	}
	if len(body.b) == 0 {
		return h, nil // no extensions at all (very old clients)
	}
	exts := body.vector16()
	for exts.err == nil && len(exts.b) >= 4 {
		id := exts.u16()
		data := exts.vector16()
		h.extensions = append(h.extensions, id)
		h.wire.extensionData = append(h.wire.extensionData, data.b)
		h.parseExtension(id, data)
	}
	if exts.err != nil {
		return nil, exts.err
	}
	return h, nil
}

// parseExtension decodes the extensions fingerprints need; a malformed one
// is skipped rather than failing the whole hello.
func (h *clientHello) parseExtension(id uint16, data *byteReader) {
	switch id {
	case extServerName:
		names := data.vector16()
		for names.err == nil && len(names.b) >= 3 {
			nameType := names.u8()
			name := names.vector16()
			if nameType == 0 && name.err == nil {
				h.serverName = string(name.b)
				return
			}
		}
	case extSupportedGroups:
		h.supportedGroups = data.vector16().u16List()
	case extECPointFormats:
		if formats := data.vector8(); formats.err == nil {
			h.ecPointFormats = append([]uint8(nil), formats.b...)
		}
	case extSignatureAlgorithms:
		h.signatureAlgorithms = data.vector16().u16List()
	case extALPN:
		protos := data.vector16()
		for protos.err == nil && len(protos.b) > 0 {
			if p := protos.vector8(); p.err == nil {
				h.alpn = append(h.alpn, string(p.b))
			}
		}
	case extSupportedVersions:
		h.supportedVersions = data.vector8().u16List()
	}
}

// helloFromInfo rebuilds a clientHello from what crypto/tls exposes; used
// for QUIC, where the raw ClientHello travels inside CRYPTO frames.
func helloFromInfo(info *tls.ClientHelloInfo) *clientHello {
	h := &clientHello{
		version:           tls.VersionTLS12, // QUIC's ClientHello always says 0x0303 here
		cipherSuites:      append([]uint16(nil), info.CipherSuites...),
		extensions:        append([]uint16(nil), info.Extensions...),
		ecPointFormats:    append([]uint8(nil), info.SupportedPoints...),
		alpn:              append([]string(nil), info.SupportedProtos...),
		supportedVersions: append([]uint16(nil), info.SupportedVersions...),
		serverName:        info.ServerName,
	}
	for _, g := range info.SupportedCurves {
		h.supportedGroups = append(h.supportedGroups, uint16(g))
	}
	for _, s := range info.SignatureSchemes {
		h.signatureAlgorithms = append(h.signatureAlgorithms, uint16(s))
	}
	return h
}
