package main

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/hkdf"
	"crypto/sha256"
	"crypto/sha512"
	"encoding/binary"
	"errors"
	"hash"

	"golang.org/x/crypto/chacha20"
	"golang.org/x/crypto/chacha20poly1305"
)

// QUIC packet protection (RFC 9001 section 5), written out so the capture
// can read client packets exactly as they arrived: Initial keys come from
// the client's first Destination Connection ID, 1-RTT keys from the TLS key
// log of the connection.

// quicV1InitialSalt is RFC 9001 section 5.2's salt for QUIC version 1.
var quicV1InitialSalt = []byte{
	0x38, 0x76, 0x2c, 0xf7, 0xf5, 0x59, 0x34, 0xb3, 0x4d, 0x17,
	0x9a, 0xe6, 0xa4, 0xc8, 0x0c, 0xad, 0xcc, 0xbb, 0x7f, 0x0a,
}

// quicKeys opens one direction's packets at one encryption level.
type quicKeys struct {
	aead cipher.AEAD
	iv   []byte
	// mask computes the 5-byte header protection mask from a 16-byte sample.
	mask func(sample []byte) []byte
}

// hkdfExpandLabel is TLS 1.3's HKDF-Expand-Label with an empty context.
func hkdfExpandLabel(h func() hash.Hash, secret []byte, label string, length int) []byte {
	full := "tls13 " + label
	info := make([]byte, 0, 4+len(full))
	info = binary.BigEndian.AppendUint16(info, uint16(length))
	info = append(info, byte(len(full)))
	info = append(info, full...)
	info = append(info, 0) // no context
	out, err := hkdf.Expand(h, secret, string(info), length)
	if err != nil {
		panic(err) // only for lengths beyond 255 hash sizes, which we never ask
	}
	return out
}

// clientInitialSecret derives the client's Initial secret from the
// Destination Connection ID of its first Initial packet.
func clientInitialSecret(dcid []byte) []byte {
	initial, err := hkdf.Extract(sha256.New, dcid, quicV1InitialSalt)
	if err != nil {
		panic(err)
	}
	return hkdfExpandLabel(sha256.New, initial, "client in", sha256.Size)
}

// quicSuite names the AEADs QUIC uses with TLS 1.3 (RFC 9001 section 5.3).
type quicSuite int

const (
	suiteAES128GCM quicSuite = iota
	suiteAES256GCM
	suiteChaCha20Poly1305
)

func (s quicSuite) String() string {
	return [...]string{"TLS_AES_128_GCM_SHA256", "TLS_AES_256_GCM_SHA384", "TLS_CHACHA20_POLY1305_SHA256"}[s]
}

// suitesForSecret lists the suites whose hash yields a secret of this length.
func suitesForSecret(secret []byte) []quicSuite {
	if len(secret) == sha512.Size384 {
		return []quicSuite{suiteAES256GCM}
	}
	return []quicSuite{suiteAES128GCM, suiteChaCha20Poly1305}
}

// newQUICKeys derives key, IV and header protection key from a traffic secret.
func newQUICKeys(suite quicSuite, secret []byte) (*quicKeys, error) {
	h, keyLen := sha256.New, 16
	switch suite {
	case suiteAES256GCM:
		h, keyLen = sha512.New384, 32
	case suiteChaCha20Poly1305:
		keyLen = 32
	}
	key := hkdfExpandLabel(h, secret, "quic key", keyLen)
	iv := hkdfExpandLabel(h, secret, "quic iv", 12)
	hp := hkdfExpandLabel(h, secret, "quic hp", keyLen)
	k := &quicKeys{iv: iv}
	if suite == suiteChaCha20Poly1305 {
		aead, err := chacha20poly1305.New(key)
		if err != nil {
			return nil, err
		}
		k.aead = aead
		k.mask = func(sample []byte) []byte {
			c, err := chacha20.NewUnauthenticatedCipher(hp, sample[4:16])
			if err != nil {
				return make([]byte, 5)
			}
			c.SetCounter(binary.LittleEndian.Uint32(sample[:4]))
			mask := make([]byte, 5)
			c.XORKeyStream(mask, mask)
			return mask
		}
		return k, nil
	}
	block, err := aes.NewCipher(key)
	if err != nil {
		return nil, err
	}
	if k.aead, err = cipher.NewGCM(block); err != nil {
		return nil, err
	}
	hpBlock, err := aes.NewCipher(hp)
	if err != nil {
		return nil, err
	}
	k.mask = func(sample []byte) []byte {
		out := make([]byte, 16)
		hpBlock.Encrypt(out, sample[:16])
		return out[:5]
	}
	return k, nil
}

func initialKeys(dcid []byte) *quicKeys {
	k, err := newQUICKeys(suiteAES128GCM, clientInitialSecret(dcid))
	if err != nil {
		panic(err)
	}
	return k
}

var errQUICDecrypt = errors.New("packet does not decrypt")

// openedPacket is a packet with protection removed.
type openedPacket struct {
	firstByte    byte   // unprotected
	pnLength     int    // 1-4
	truncatedPN  uint64 // as on the wire
	packetNumber uint64 // recovered
	payload      []byte // decrypted frames
}

// open removes header protection and decrypts a packet. pnOffset is where
// the packet number starts, end where the packet ends in pkt; largest is
// the largest packet number decrypted so far in this space (-1: none).
func (k *quicKeys) open(pkt []byte, pnOffset, end int, largest int64) (*openedPacket, error) {
	if pnOffset+4+16 > end || end > len(pkt) {
		return nil, errors.New("packet too short for a header protection sample")
	}
	mask := k.mask(pkt[pnOffset+4 : pnOffset+4+16])
	header := append([]byte(nil), pkt[:pnOffset+4]...)
	if header[0]&0x80 != 0 {
		header[0] ^= mask[0] & 0x0f
	} else {
		header[0] ^= mask[0] & 0x1f
	}
	pnLen := int(header[0]&0x03) + 1
	var truncated uint64
	for i := 0; i < pnLen; i++ {
		header[pnOffset+i] ^= mask[1+i]
		truncated = truncated<<8 | uint64(header[pnOffset+i])
	}
	header = header[:pnOffset+pnLen]
	pn := decodePacketNumber(largest, truncated, pnLen)
	nonce := append([]byte(nil), k.iv...)
	for i := 0; i < 8; i++ {
		nonce[len(nonce)-1-i] ^= byte(pn >> (8 * i))
	}
	payload, err := k.aead.Open(nil, nonce, pkt[pnOffset+pnLen:end], header)
	if err != nil {
		return nil, errQUICDecrypt
	}
	return &openedPacket{firstByte: header[0], pnLength: pnLen, truncatedPN: truncated, packetNumber: pn, payload: payload}, nil
}

// decodePacketNumber is RFC 9000 Appendix A.3.
func decodePacketNumber(largest int64, truncated uint64, pnLen int) uint64 {
	expected := uint64(largest + 1)
	win := uint64(1) << (8 * pnLen)
	hwin, mask := win/2, win-1
	candidate := (expected &^ mask) | truncated
	switch {
	case candidate+hwin <= expected && candidate < (1<<62)-win:
		return candidate + win
	case candidate > expected+hwin && candidate >= win:
		return candidate - win
	}
	return candidate
}
