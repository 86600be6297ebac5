package main

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"testing"
)

// RFC 9001 Appendix A.1: the client's Initial secret and keys for DCID 8394c8f03e515708.
func TestClientInitialKeysRFC9001(t *testing.T) {
	secret := clientInitialSecret(unhex(t, "8394c8f03e515708"))
	want := map[string]string{
		"secret": "c00cf151ca5be075ed0ebfb5c80323c42d6b7db67881289af4008f1f6c357aea",
		"key":    "1f369613dd76d5467730efcbe3b1a22d",
		"iv":     "fa044b2f42a3fd3b46fb255c",
		"hp":     "9f50449e04a0e810283a1e9933adedd2",
	}
	got := map[string]string{
		"secret": hex.EncodeToString(secret),
		"key":    hex.EncodeToString(hkdfExpandLabel(sha256.New, secret, "quic key", 16)),
		"iv":     hex.EncodeToString(hkdfExpandLabel(sha256.New, secret, "quic iv", 12)),
		"hp":     hex.EncodeToString(hkdfExpandLabel(sha256.New, secret, "quic hp", 16)),
	}
	for k, v := range want {
		if got[k] != v {
			t.Errorf("%s = %s, want %s", k, got[k], v)
		}
	}
}

// RFC 9001 Appendix A.2: header protection off, payload decrypted, frames read.
func TestOpenClientInitialRFC9001(t *testing.T) {
	pkt := unhex(t, rfc9001ClientInitialHex)
	if len(pkt) != 1200 {
		t.Fatalf("vector is %d bytes", len(pkt))
	}
	h, err := parseLongHeader(pkt)
	if err != nil {
		t.Fatal(err)
	}
	if h.packetType != "initial" || hex.EncodeToString(h.dcid) != "8394c8f03e515708" || len(h.scid) != 0 || len(h.token) != 0 || h.end != 1200 {
		t.Fatalf("header %+v", h)
	}
	opened, err := initialKeys(h.dcid).open(pkt, h.pnOffset, h.end, -1)
	if err != nil {
		t.Fatal(err)
	}
	if opened.firstByte != 0xc3 || opened.pnLength != 4 || opened.packetNumber != 2 {
		t.Fatalf("header fields: first 0x%02x, pn length %d, pn %d", opened.firstByte, opened.pnLength, opened.packetNumber)
	}
	crypto := unhex(t, rfc9001ClientCryptoFrameHex)
	if !bytes.HasPrefix(opened.payload, crypto) {
		t.Fatal("payload does not start with the CRYPTO frame")
	}
	frames, err := parseQUICFrames(opened.payload)
	if err != nil {
		t.Fatal(err)
	}
	if len(frames) != 2 || frames[0].Type != "CRYPTO" || *frames[0].Offset != 0 || *frames[0].Length != 241 ||
		frames[1].Type != "PADDING" || *frames[1].Length != len(opened.payload)-len(crypto) {
		t.Fatalf("frames %+v", frames)
	}
	hello, err := parseClientHello(frames[0].data)
	if err != nil || hello.serverName != "example.com" || !hello.hasExtension(57) {
		t.Fatalf("ClientHello %+v, %v", hello, err)
	}
	// A flipped ciphertext byte must fail authentication, not decode garbage.
	pkt[100] ^= 1
	if _, err := initialKeys(h.dcid).open(pkt, h.pnOffset, h.end, -1); err == nil {
		t.Fatal("tampered packet opened")
	}
}

func TestDecodePacketNumberRFC9000(t *testing.T) {
	// RFC 9000 Appendix A.3's example.
	if pn := decodePacketNumber(0xa82f30ea, 0x9b32, 2); pn != 0xa82f9b32 {
		t.Fatalf("got 0x%x", pn)
	}
}
