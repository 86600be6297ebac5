package fingerprint

// Chrome's ClientHellos, one per change Chrome made to it, and its HTTP/2 preface.
//
//   chrome_124      Chrome 124-130: X25519Kyber768 (draft, 0x6399), ALPS 17513, no PSK offered.
//   chrome_131_PSK  Chrome 131-132: X25519MLKEM768 (0x11ec) instead of the draft.
//   chrome_133_PSK  Chrome 133-149: ALPS moves to codepoint 17613 (JA4 ..._d8a2da3f94cd,
//                   published for Chrome 148).
//   chrome_151_PSK  Chrome 150-155: ML-DSA-44/65/87 (0x0904-0x0906) signature algorithms
//                   first (JA4 ..._806a8c22fdea, published for Chrome 151).
//   chrome_156      Chromium 156.0.8078.129 as captured here (tests/fixtures/browsers):
//                   trust_anchors (0xca34), a GREASE signature algorithm first, and the
//                   extension order permuted on every connection.
//
// The _PSK shapes add pre_shared_key last when a ticket can be offered, as Chrome does.
// Chrome on Android sends the desktop hello; Chrome on iOS is WebKit, so Safari's.

import (
	"encoding/hex"

	"github.com/bogdanfinn/fhttp/http2"
	tls "github.com/bogdanfinn/utls"
)

func chromeCiphers() []uint16 {
	return []uint16{
		grease,
		tls.TLS_AES_128_GCM_SHA256, tls.TLS_AES_256_GCM_SHA384, tls.TLS_CHACHA20_POLY1305_SHA256,
		tls.TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256, tls.TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256,
		tls.TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384, tls.TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384,
		tls.TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256, tls.TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256,
		tls.TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA, tls.TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA,
		tls.TLS_RSA_WITH_AES_128_GCM_SHA256, tls.TLS_RSA_WITH_AES_256_GCM_SHA384,
		tls.TLS_RSA_WITH_AES_128_CBC_SHA, tls.TLS_RSA_WITH_AES_256_CBC_SHA,
	}
}

// chromeSignatureSchemes: Chrome's classical list (chromeSignatureAlgorithms by name).
func chromeSignatureSchemes() []tls.SignatureScheme { return schemes(chromeSignatureAlgorithms) }

// mlDSASchemes: offered first since Chrome 150.
func mlDSASchemes() []tls.SignatureScheme {
	return []tls.SignatureScheme{tls.MLDSA44, tls.MLDSA65, tls.MLDSA87}
}

// Small constructors for the extensions every Chrome hello has, each a fresh value.
func chromeVersions() tls.TLSExtension {
	return &tls.SupportedVersionsExtension{Versions: []uint16{grease, tls.VersionTLS13, tls.VersionTLS12}}
}
func chromeALPN() tls.TLSExtension {
	return &tls.ALPNExtension{AlpnProtocols: []string{"h2", "http/1.1"}}
}
func chromeBrotli() tls.TLSExtension {
	return &tls.UtlsCompressCertExtension{Algorithms: []tls.CertCompressionAlgo{tls.CertCompressionBrotli}}
}
func chromeECH() tls.TLSExtension { return echGREASE([]uint16{aesGCM}, 128, 160, 192, 224) }
func renegotiation() tls.TLSExtension {
	return &tls.RenegotiationInfoExtension{Renegotiation: tls.RenegotiateOnceAsClient}
}
func pskModes() tls.TLSExtension {
	return &tls.PSKKeyExchangeModesExtension{Modes: []uint8{tls.PskModeDHE}}
}
func points() tls.TLSExtension { return &tls.SupportedPointsExtension{SupportedPoints: []byte{0}} }
func mlkemGroups() tls.TLSExtension {
	return &tls.SupportedCurvesExtension{Curves: []tls.CurveID{greaseCurve(), tls.X25519MLKEM768, tls.X25519, tls.CurveP256, tls.CurveP384}}
}
func mlkemShares() tls.TLSExtension {
	return &tls.KeyShareExtension{KeyShares: []tls.KeyShare{
		{Group: greaseCurve(), Data: []byte{0}}, {Group: tls.X25519MLKEM768}, {Group: tls.X25519},
	}}
}
func sigAlgs(list []tls.SignatureScheme) tls.TLSExtension {
	return &tls.SignatureAlgorithmsExtension{SupportedSignatureAlgorithms: list}
}

var chrome124TLS = tlsSpec{Name: "chrome_124", ID: "Chrome-124", QUIC: chromeQUIC156, hello: func() tls.ClientHelloSpec {
	return tls.ClientHelloSpec{CipherSuites: chromeCiphers(), CompressionMethods: []uint8{0}, Extensions: []tls.TLSExtension{
		greaseExtension(),
		chromeBrotli(),
		&tls.SCTExtension{},
		&tls.ExtendedMasterSecretExtension{},
		&tls.ApplicationSettingsExtension{SupportedProtocols: []string{"h2"}},
		chromeALPN(),
		chromeVersions(),
		sigAlgs(chromeSignatureSchemes()),
		points(),
		&tls.SNIExtension{},
		&tls.SessionTicketExtension{},
		&tls.SupportedCurvesExtension{Curves: []tls.CurveID{greaseCurve(), tls.X25519Kyber768Draft00, tls.X25519, tls.CurveP256, tls.CurveP384}},
		chromeECH(),
		&tls.StatusRequestExtension{},
		renegotiation(),
		pskModes(),
		&tls.KeyShareExtension{KeyShares: []tls.KeyShare{
			{Group: greaseCurve(), Data: []byte{0}}, {Group: tls.X25519Kyber768Draft00}, {Group: tls.X25519},
		}},
		greaseExtension(),
	}}
}}

var chrome131TLS = tlsSpec{Name: "chrome_131_PSK", ID: "Chrome-131", QUIC: chromeQUIC156, hello: func() tls.ClientHelloSpec {
	return tls.ClientHelloSpec{CipherSuites: chromeCiphers(), CompressionMethods: []uint8{0}, Extensions: []tls.TLSExtension{
		greaseExtension(),
		sigAlgs(chromeSignatureSchemes()),
		chromeECH(),
		renegotiation(),
		&tls.SCTExtension{},
		chromeBrotli(),
		chromeALPN(),
		&tls.StatusRequestExtension{},
		mlkemGroups(),
		&tls.ApplicationSettingsExtension{SupportedProtocols: []string{"h2"}},
		points(),
		mlkemShares(),
		&tls.SessionTicketExtension{},
		chromeVersions(),
		pskModes(),
		&tls.SNIExtension{},
		&tls.ExtendedMasterSecretExtension{},
		greaseExtension(),
		&tls.UtlsPreSharedKeyExtension{},
	}}
}}

// chrome133Hello is Chrome 133's hello with sigs as its signature algorithms (Chrome 150
// changed only those).
func chrome133Hello(sigs func() []tls.SignatureScheme) func() tls.ClientHelloSpec {
	return func() tls.ClientHelloSpec {
		return tls.ClientHelloSpec{CipherSuites: chromeCiphers(), CompressionMethods: []uint8{0}, Extensions: []tls.TLSExtension{
			greaseExtension(),
			&tls.SCTExtension{},
			&tls.SNIExtension{},
			chromeECH(),
			renegotiation(),
			&tls.ExtendedMasterSecretExtension{},
			&tls.StatusRequestExtension{},
			points(),
			&tls.SessionTicketExtension{},
			&tls.ApplicationSettingsExtensionNew{SupportedProtocols: []string{"h2"}},
			mlkemShares(),
			sigAlgs(sigs()),
			mlkemGroups(),
			chromeALPN(),
			chromeVersions(),
			pskModes(),
			chromeBrotli(),
			greaseExtension(),
			&tls.UtlsPreSharedKeyExtension{},
		}}
	}
}

var (
	chrome133TLS = tlsSpec{Name: "chrome_133_PSK", ID: "Chrome-133", QUIC: chromeQUIC156, hello: chrome133Hello(chromeSignatureSchemes)}
	chrome151TLS = tlsSpec{Name: "chrome_151_PSK", ID: "Chrome-151_PSK", QUIC: chromeQUIC156, hello: chrome133Hello(func() []tls.SignatureScheme {
		return append(mlDSASchemes(), chromeSignatureSchemes()...)
	})}
)

// chromeTrustAnchors is Chromium 156's trust_anchors (0xca34) body as captured: the
// trust anchor IDs of the root stores it ships, the same on every connection.
var chromeTrustAnchors = mustHex("00b80582df1302010582df1302060582df13020d0582df13020e0582df13020f0582df1302120582df1302130582df13021408839a648c9b2d010708839a648c9b2d010808839a648c9b2d010908839a648c9b2d010a08839a648c9b2d010b08839a648c9b2d010c08839a648c9b2d010d08839a648c9b2d011208839a648c9b2d011304d679090104d679090404d679090504d679090604d679090704d679090804d679090a04d679090b04d679090c04d679090d04d679090f")

// TrustAnchorsExtension is the trust_anchors codepoint (draft-ietf-tls-trust-anchor-ids).
const TrustAnchorsExtension uint16 = 0xca34

var chrome156TLS = tlsSpec{Name: "chrome_156", ID: "Chrome-156", Permute: true, QUIC: chromeQUIC156, hello: func() tls.ClientHelloSpec {
	return tls.ClientHelloSpec{CipherSuites: chromeCiphers(), CompressionMethods: []uint8{0}, Extensions: []tls.TLSExtension{
		greaseExtension(),
		mlkemShares(),
		&tls.SNIExtension{},
		&tls.SCTExtension{},
		&tls.ExtendedMasterSecretExtension{},
		points(),
		&tls.StatusRequestExtension{},
		pskModes(),
		&tls.SessionTicketExtension{},
		renegotiation(),
		chromeBrotli(),
		chromeECH(),
		chromeALPN(),
		&tls.ApplicationSettingsExtensionNew{SupportedProtocols: []string{"h2"}},
		genericExtension(TrustAnchorsExtension, chromeTrustAnchors),
		sigAlgs(append([]tls.SignatureScheme{tls.SignatureScheme(grease)}, append(mlDSASchemes(), chromeSignatureSchemes()...)...)),
		mlkemGroups(),
		chromeVersions(),
		greaseExtension(),
		&tls.UtlsPreSharedKeyExtension{},
	}}
}}

// chromeH2 is Chrome's HTTP/2 preface (Akamai 1:65536;2:0;4:6291456;6:262144|15663105|0|m,a,s,p),
// the same from Chrome 124 to Chromium 156 as captured; a navigation's HEADERS carries an
// exclusive dependency on stream 0 with weight 256.
func chromeH2() H2Spec {
	return H2Spec{
		Settings: map[http2.SettingID]uint32{
			http2.SettingHeaderTableSize: 65536, http2.SettingEnablePush: 0,
			http2.SettingInitialWindowSize: 6291456, http2.SettingMaxHeaderListSize: 262144,
		},
		SettingsOrder: []http2.SettingID{
			http2.SettingHeaderTableSize, http2.SettingEnablePush,
			http2.SettingInitialWindowSize, http2.SettingMaxHeaderListSize,
		},
		ConnectionFlow:    15663105,
		HeaderPriority:    &http2.PriorityParam{StreamDep: 0, Exclusive: true, Weight: 255},
		PseudoHeaderOrder: []string{":method", ":authority", ":scheme", ":path"},
		Wire:              chromeH2Wire,
	}
}

func mustHex(s string) []byte {
	b, err := hex.DecodeString(s)
	if err != nil {
		panic(err)
	}
	return b
}
