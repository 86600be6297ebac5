package fingerprint

// Firefox's ClientHellos and HTTP/2 preface. Firefox does not shuffle its extensions.
//
//   firefox_133  Firefox 133.
//   firefox_135  Firefox 135 in a private window: adds signed_certificate_timestamp (18).
//   firefox_148  Firefox 148 in a normal window: session_ticket (35) after ec_point_formats,
//                psk_key_exchange_modes (45) after signature_algorithms, pre_shared_key last
//                when resuming (JA3/JA4 published: ..._3cbfd9057e0d).
//   firefox_153  Firefox ESR 153.8.0esr as captured here (tests/fixtures/browsers): cipher
//                0xc009 gone, session_ticket left out of a resumed hello, ECH GREASE with
//                AES-128-GCM or ChaCha20-Poly1305 and a 223-byte payload.

import (
	"github.com/bogdanfinn/fhttp/http2"
	tls "github.com/bogdanfinn/utls"
)

func firefoxCiphers(withECDSACBC128 bool) []uint16 {
	out := []uint16{
		tls.TLS_AES_128_GCM_SHA256, tls.TLS_CHACHA20_POLY1305_SHA256, tls.TLS_AES_256_GCM_SHA384,
		tls.TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256, tls.TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256,
		tls.TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256, tls.TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256,
		tls.TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384, tls.TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384,
		tls.TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA,
	}
	if withECDSACBC128 {
		out = append(out, tls.TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA)
	}
	return append(out,
		tls.TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA, tls.TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA,
		tls.TLS_RSA_WITH_AES_128_GCM_SHA256, tls.TLS_RSA_WITH_AES_256_GCM_SHA384,
		tls.TLS_RSA_WITH_AES_128_CBC_SHA, tls.TLS_RSA_WITH_AES_256_CBC_SHA,
	)
}

// firefoxOptions are what changed between the Firefox hellos.
type firefoxOptions struct {
	ecdsaCBC128 bool // cipher 0xc009, dropped by 153
	sct         bool // signed_certificate_timestamp (18), since 135
	resumption  bool // session_ticket, psk_key_exchange_modes and pre_shared_key (148)
	// Firefox 153 leaves session_ticket out of a resumed hello and grows its ECH GREASE
	// payload by the pre_shared_key's size (hello.go).
	resumedLikeNSS bool
	echAEADs       []uint16
	echPayloads    []uint16
}

func firefoxHello(o firefoxOptions) func() tls.ClientHelloSpec {
	return func() tls.ClientHelloSpec {
		psk := &tls.UtlsPreSharedKeyExtension{}
		var ticket tls.TLSExtension = &tls.SessionTicketExtension{}
		ech := echGREASE(o.echAEADs, o.echPayloads...)
		if o.resumedLikeNSS {
			ticket = &ticketUnlessResuming{SessionTicketExtension: &tls.SessionTicketExtension{}, psk: psk}
			ech = &echGREASEGrowsWhenResuming{
				GREASEEncryptedClientHelloExtension: ech.(*tls.GREASEEncryptedClientHelloExtension),
				psk:                                 psk, fresh: int(o.echPayloads[0]), tagLen: 16,
			}
		}
		ext := []tls.TLSExtension{
			&tls.SNIExtension{},
			&tls.ExtendedMasterSecretExtension{},
			renegotiation(),
			&tls.SupportedCurvesExtension{Curves: []tls.CurveID{
				tls.X25519MLKEM768, tls.X25519, tls.CurveP256, tls.CurveP384, tls.CurveP521,
				tls.FAKEFFDHE2048, tls.FAKEFFDHE3072,
			}},
			points(),
		}
		if o.resumption {
			ext = append(ext, ticket)
		}
		ext = append(ext,
			&tls.ALPNExtension{AlpnProtocols: []string{"h2", "http/1.1"}},
			&tls.StatusRequestExtension{},
			&tls.FakeDelegatedCredentialsExtension{SupportedSignatureAlgorithms: schemes(firefoxDelegatedCredentialAlgorithms)},
		)
		if o.sct {
			ext = append(ext, &tls.SCTExtension{})
		}
		ext = append(ext,
			&tls.KeyShareExtension{KeyShares: []tls.KeyShare{{Group: tls.X25519MLKEM768}, {Group: tls.X25519}, {Group: tls.CurveP256}}},
			&tls.SupportedVersionsExtension{Versions: []uint16{tls.VersionTLS13, tls.VersionTLS12}},
			sigAlgs(schemes(firefoxSignatureAlgorithms)),
		)
		if o.resumption {
			ext = append(ext, pskModes())
		}
		ext = append(ext,
			&tls.FakeRecordSizeLimitExtension{Limit: 0x4001},
			&tls.UtlsCompressCertExtension{Algorithms: []tls.CertCompressionAlgo{
				tls.CertCompressionZlib, tls.CertCompressionBrotli, tls.CertCompressionZstd,
			}},
			ech,
		)
		if o.resumption {
			ext = append(ext, psk)
		}
		return tls.ClientHelloSpec{CipherSuites: firefoxCiphers(o.ecdsaCBC128), CompressionMethods: []uint8{0}, Extensions: ext}
	}
}

// Firefox up to 148 draws its ECH GREASE suite from all three AEADs.
var firefoxOldECH = []uint16{aesGCM, aes256GCM, chacha20}

var (
	firefox133TLS = tlsSpec{Name: "firefox_133", ID: "Firefox-133", QUIC: firefoxQUIC153, hello: firefoxHello(firefoxOptions{
		ecdsaCBC128: true, echAEADs: firefoxOldECH, echPayloads: []uint16{128, 223},
	})}
	firefox135TLS = tlsSpec{Name: "firefox_135", ID: "Firefox-135", QUIC: firefoxQUIC153, hello: firefoxHello(firefoxOptions{
		ecdsaCBC128: true, sct: true, echAEADs: firefoxOldECH, echPayloads: []uint16{128, 223},
	})}
	firefox148TLS = tlsSpec{Name: "firefox_148", ID: "Firefox-148", QUIC: firefoxQUIC153, hello: firefoxHello(firefoxOptions{
		ecdsaCBC128: true, sct: true, resumption: true, echAEADs: firefoxOldECH, echPayloads: []uint16{128, 223},
	})}
	firefox153TLS = tlsSpec{Name: "firefox_153", ID: "Firefox-153", QUIC: firefoxQUIC153, hello: firefoxHello(firefoxOptions{
		sct: true, resumption: true, resumedLikeNSS: true,
		echAEADs: []uint16{aesGCM, chacha20}, echPayloads: []uint16{223},
	})}
)

// firefoxH2 is Firefox's preface (Akamai 1:65536;2:0;4:131072;5:16384|12517377|0|m,p,a,s);
// a navigation's HEADERS depends on stream 0, not exclusively, with weight 42 (captured).
func firefoxH2() H2Spec {
	return H2Spec{
		Settings: map[http2.SettingID]uint32{
			http2.SettingHeaderTableSize: 65536, http2.SettingEnablePush: 0,
			http2.SettingInitialWindowSize: 131072, http2.SettingMaxFrameSize: 16384,
		},
		SettingsOrder: []http2.SettingID{
			http2.SettingHeaderTableSize, http2.SettingEnablePush,
			http2.SettingInitialWindowSize, http2.SettingMaxFrameSize,
		},
		ConnectionFlow:    12517377,
		HeaderPriority:    &http2.PriorityParam{StreamDep: 0, Exclusive: false, Weight: 41},
		PseudoHeaderOrder: []string{":method", ":path", ":authority", ":scheme"},
		Wire:              firefoxH2Wire,
	}
}
