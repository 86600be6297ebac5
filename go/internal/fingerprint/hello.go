package fingerprint

// The vocabulary presets write their ClientHello in: utls extension values, made fresh for
// every connection (utls fills in GREASE values, key shares and the ECH GREASE payload per
// handshake). Nothing here names a utls or tls-client parrot: the values are ours.

import (
	"crypto/rand"
	"encoding/binary"
	"io"
	"slices"

	tls "github.com/bogdanfinn/utls"
	"github.com/bogdanfinn/utls/dicttls"
)

// tlsSpec is one browser build's ClientHello.
type tlsSpec struct {
	// Name identifies the shape for users: describe_preset's engine_profile.
	Name string
	// ID is the key TLS session tickets are cached under (saved sessions and shared caches
	// carry it), so two shapes that send different hellos never share one. The values are
	// those of the engine profiles these shapes were first read from, so caches stay valid.
	ID string
	// hello writes the ClientHello in the browser's order, with fresh values.
	hello func() tls.ClientHelloSpec
	// Permute shuffles the extensions on every connection, as Chrome does since 110
	// (GREASE and pre_shared_key keep their places).
	Permute bool
	// QUIC is the same build's QUIC Initial (quic_*.go); nil: quic-go's generic one.
	QUIC *QUICSpec
}

func (s tlsSpec) build() tls.ClientHelloSpec {
	spec := s.hello()
	if s.Permute {
		spec.Extensions = tls.ShuffleChromeTLSExtensions(spec.Extensions)
	}
	return spec
}

// resumes tells whether the hello offers pre_shared_key when a ticket is cached.
func (s tlsSpec) resumes() bool {
	return slices.ContainsFunc(s.hello().Extensions, func(e tls.TLSExtension) bool {
		_, ok := e.(tls.PreSharedKeyExtension)
		return ok
	})
}

const grease = tls.GREASE_PLACEHOLDER

func greaseExtension() tls.TLSExtension { return &tls.UtlsGREASEExtension{} }

func greaseCurve() tls.CurveID { return tls.CurveID(grease) }

// echGREASE is the encrypted_client_hello a browser sends when it has no ECH config: an
// HPKE suite drawn from aeads (KDF HKDF-SHA256) and a payload of one of payloadLens
// bytes plus the AEAD's 16-byte tag.
func echGREASE(aeads []uint16, payloadLens ...uint16) tls.TLSExtension {
	suites := make([]tls.HPKESymmetricCipherSuite, len(aeads))
	for i, aead := range aeads {
		suites[i] = tls.HPKESymmetricCipherSuite{KdfId: dicttls.HKDF_SHA256, AeadId: aead}
	}
	return &tls.GREASEEncryptedClientHelloExtension{CandidateCipherSuites: suites, CandidatePayloadLens: payloadLens}
}

var (
	aesGCM    = dicttls.AEAD_AES_128_GCM
	aes256GCM = dicttls.AEAD_AES_256_GCM
	chacha20  = dicttls.AEAD_CHACHA20_POLY1305
)

// ticketUnlessResuming is session_ticket (35), left out of a hello that resumes with a
// pre_shared_key, as Firefox 153 does. utls loads the session into psk before it writes
// the hello, so the length is decided with the PSK known.
type ticketUnlessResuming struct {
	*tls.SessionTicketExtension
	psk *tls.UtlsPreSharedKeyExtension
}

func (e *ticketUnlessResuming) Len() int {
	if e.psk.IsInitialized() {
		return 0
	}
	return e.SessionTicketExtension.Len()
}

func (e *ticketUnlessResuming) Read(b []byte) (int, error) {
	if e.psk.IsInitialized() {
		return 0, io.EOF
	}
	return e.SessionTicketExtension.Read(b)
}

// genericExtension is an extension utls has no type for, sent as the bytes captured.
func genericExtension(id uint16, data []byte) tls.TLSExtension {
	return &tls.GenericExtension{Id: id, Data: append([]byte(nil), data...)}
}

// echGREASEGrowsWhenResuming is Firefox 153's ECH GREASE: its payload is as long as a real
// encrypted inner hello would be, so a resumed hello's is longer by the pre_shared_key
// extension, rounded up as NSS pads the inner hello (to 32 bytes, less one). Captured: 223
// bytes (plus the AEAD tag) fresh, 383 resumed with a 105-byte ticket.
type echGREASEGrowsWhenResuming struct {
	*tls.GREASEEncryptedClientHelloExtension
	psk    *tls.UtlsPreSharedKeyExtension
	fresh  int    // the payload's plaintext length without a PSK
	grown  []byte // the resumed payload, made once per hello
	tagLen int
}

func (e *echGREASEGrowsWhenResuming) resumedPayload() []byte {
	if e.grown == nil {
		plain := (e.fresh+1+e.psk.Len()+31)/32*32 - 1
		e.grown = make([]byte, plain+e.tagLen)
		_, _ = rand.Read(e.grown)
	}
	return e.grown
}

func (e *echGREASEGrowsWhenResuming) Len() int {
	base := e.GREASEEncryptedClientHelloExtension.Len()
	if !e.psk.IsInitialized() {
		return base
	}
	payload := base - 14 - len(e.EncapsulatedKey)
	return base - payload + len(e.resumedPayload())
}

func (e *echGREASEGrowsWhenResuming) Read(b []byte) (int, error) {
	if !e.psk.IsInitialized() {
		return e.GREASEEncryptedClientHelloExtension.Read(b)
	}
	n := e.Len()
	if len(b) < n {
		return 0, io.ErrShortBuffer
	}
	fresh := make([]byte, e.GREASEEncryptedClientHelloExtension.Len())
	if _, err := e.GREASEEncryptedClientHelloExtension.Read(fresh); err != nil && err != io.EOF {
		return 0, err
	}
	head := 12 + len(e.EncapsulatedKey) // type, suite, config id, enc: all kept
	copy(b, fresh[:head])
	payload := e.resumedPayload()
	binary.BigEndian.PutUint16(b[2:], uint16(n-4))
	binary.BigEndian.PutUint16(b[head:], uint16(len(payload)))
	copy(b[head+2:], payload)
	return n, io.EOF
}
