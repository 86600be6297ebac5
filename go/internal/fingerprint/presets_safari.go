package fingerprint

// Safari's ClientHellos and HTTP/2 prefaces (Apple's TLS stack: the same on macOS and iOS,
// and under every iOS browser, Chrome included). Safari does not shuffle its extensions
// and sends rsa_pss_rsae_sha384 (0x0805) twice.
//
//   safari_16_0      Safari 16 (macOS).
//   safari_ios_17_0  Safari on iOS 17.
//   safari_ios_18_5  Safari on iOS 18.5 (and macOS Safari 18): ecdsa_sha1 (0x0203) no longer offered.

import (
	"github.com/bogdanfinn/fhttp/http2"
	tls "github.com/bogdanfinn/utls"
)

func safariCiphers() []uint16 {
	return []uint16{
		grease,
		tls.TLS_AES_128_GCM_SHA256, tls.TLS_AES_256_GCM_SHA384, tls.TLS_CHACHA20_POLY1305_SHA256,
		tls.TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384, tls.TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256,
		tls.TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256,
		tls.TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384, tls.TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256,
		tls.TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256,
		tls.TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA, tls.TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA,
		tls.TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA, tls.TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA,
		tls.TLS_RSA_WITH_AES_256_GCM_SHA384, tls.TLS_RSA_WITH_AES_128_GCM_SHA256,
		tls.TLS_RSA_WITH_AES_256_CBC_SHA, tls.TLS_RSA_WITH_AES_128_CBC_SHA,
		tls.TLS_ECDHE_ECDSA_WITH_3DES_EDE_CBC_SHA, tls.TLS_ECDHE_RSA_WITH_3DES_EDE_CBC_SHA,
		tls.TLS_RSA_WITH_3DES_EDE_CBC_SHA,
	}
}

// safariHello is Apple's hello with sigs as its signature algorithms.
func safariHello(sigs []tls.SignatureScheme) func() tls.ClientHelloSpec {
	return func() tls.ClientHelloSpec {
		return tls.ClientHelloSpec{CipherSuites: safariCiphers(), CompressionMethods: []uint8{0}, Extensions: []tls.TLSExtension{
			greaseExtension(),
			&tls.SNIExtension{},
			&tls.ExtendedMasterSecretExtension{},
			renegotiation(),
			&tls.SupportedCurvesExtension{Curves: []tls.CurveID{greaseCurve(), tls.X25519, tls.CurveP256, tls.CurveP384, tls.CurveP521}},
			points(),
			&tls.ALPNExtension{AlpnProtocols: []string{"h2", "http/1.1"}},
			&tls.StatusRequestExtension{},
			sigAlgs(append([]tls.SignatureScheme(nil), sigs...)),
			&tls.SCTExtension{},
			&tls.KeyShareExtension{KeyShares: []tls.KeyShare{{Group: greaseCurve(), Data: []byte{0}}, {Group: tls.X25519}}},
			pskModes(),
			&tls.SupportedVersionsExtension{Versions: []uint16{grease, tls.VersionTLS13, tls.VersionTLS12, tls.VersionTLS11, tls.VersionTLS10}},
			&tls.UtlsCompressCertExtension{Algorithms: []tls.CertCompressionAlgo{tls.CertCompressionZlib}},
			greaseExtension(),
			&tls.UtlsPaddingExtension{GetPaddingLen: tls.BoringPaddingStyle},
		}}
	}
}

var (
	safari16Sigs = []tls.SignatureScheme{
		tls.ECDSAWithP256AndSHA256, tls.PSSWithSHA256, tls.PKCS1WithSHA256, tls.ECDSAWithP384AndSHA384,
		tls.ECDSAWithSHA1, tls.PSSWithSHA384, tls.PSSWithSHA384, tls.PKCS1WithSHA384,
		tls.PSSWithSHA512, tls.PKCS1WithSHA512, tls.PKCS1WithSHA1,
	}
	safari18Sigs = []tls.SignatureScheme{
		tls.ECDSAWithP256AndSHA256, tls.PSSWithSHA256, tls.PKCS1WithSHA256, tls.ECDSAWithP384AndSHA384,
		tls.PSSWithSHA384, tls.PSSWithSHA384, tls.PKCS1WithSHA384,
		tls.PSSWithSHA512, tls.PKCS1WithSHA512, tls.PKCS1WithSHA1,
	}
	safari16TLS    = tlsSpec{Name: "safari_16_0", ID: "Safari-16.0", hello: safariHello(safari16Sigs)}
	safariIOS17TLS = tlsSpec{Name: "safari_ios_17_0", ID: "iOS-17.0", hello: safariHello(safari16Sigs)}
	safariIOS18TLS = tlsSpec{Name: "safari_ios_18_5", ID: "iOS-18.5", hello: safariHello(safari18Sigs)}
)

// safariH2 builds a Safari preface; the settings are listed in the order sent.
func safariH2(settings []http2.Setting, flow uint32, pseudo []string, priority *http2.PriorityParam) H2Spec {
	spec := H2Spec{Settings: map[http2.SettingID]uint32{}, ConnectionFlow: flow, PseudoHeaderOrder: pseudo, HeaderPriority: priority, Wire: safariH2Wire}
	for _, s := range settings {
		spec.Settings[s.ID] = s.Val
		spec.SettingsOrder = append(spec.SettingsOrder, s.ID)
	}
	return spec
}

var (
	msap = []string{":method", ":scheme", ":authority", ":path"}
	mspa = []string{":method", ":scheme", ":path", ":authority"}
)

// Akamai 4:4194304;3:100|10485760|0|m,s,p,a
func safari16H2() H2Spec {
	return safariH2([]http2.Setting{{ID: http2.SettingInitialWindowSize, Val: 4194304}, {ID: http2.SettingMaxConcurrentStreams, Val: 100}},
		10485760, mspa, &http2.PriorityParam{Exclusive: true, Weight: 255})
}

// Akamai 2:0;4:2097152;3:100|10485760|0|m,s,p,a
func safariIOS17H2() H2Spec {
	return safariH2([]http2.Setting{
		{ID: http2.SettingEnablePush, Val: 0}, {ID: http2.SettingInitialWindowSize, Val: 2097152},
		{ID: http2.SettingMaxConcurrentStreams, Val: 100},
	}, 10485760, mspa, &http2.PriorityParam{Exclusive: true, Weight: 255})
}

// Akamai 2:0;3:100;4:2097152;9:1|10420225|0|m,s,a,p
func safariIOS18H2() H2Spec {
	return safariH2([]http2.Setting{
		{ID: http2.SettingEnablePush, Val: 0}, {ID: http2.SettingMaxConcurrentStreams, Val: 100},
		{ID: http2.SettingInitialWindowSize, Val: 2097152}, {ID: http2.SettingNoRFC7540Priorities, Val: 1},
	}, 10420225, msap, &http2.PriorityParam{Exclusive: false, Weight: 255})
}
