package fingerprint

// Chromium 156's QUIC Initial as captured (tests/fixtures/browsers/chromium-*-h3): a
// ClientHello with no GREASE at all and no TCP-only extensions, ALPS for h3, extensions and
// transport parameters shuffled on every connection, one GREASE transport parameter.

import (
	"time"

	tls "github.com/bogdanfinn/utls"
)

var chromeQUIC156 = &QUICSpec{
	ID: "Chrome-156-QUIC",
	Limits: QUICLimits{
		IdleTimeout:          30 * time.Second,
		MaxUDPPayloadSize:    1472,
		ConnectionWindow:     15728640,
		StreamWindowBidiLoc:  6291456,
		StreamWindowBidiRem:  6291456,
		StreamWindowUni:      6291456,
		MaxStreamsBidi:       100,
		MaxStreamsUni:        103,
		MaxDatagramFrameSize: 65536,
	},
	PacketSize:         1230,
	SourceConnIDLength: 0,
	DestConnIDLength:   8,
	FirstPacketNumber:  func() int64 { return 1 },
	HelloFrames:        chromeHelloFrames,
	InitialAlone:       true,
	hello:              chromeQUICHello,
}

func chromeQUICHello(l QUICLimits) tls.ClientHelloSpec {
	psk := &tls.UtlsPreSharedKeyExtension{}
	ext := []tls.TLSExtension{
		&tls.SNIExtension{},
		&tls.SupportedCurvesExtension{Curves: []tls.CurveID{tls.X25519MLKEM768, tls.X25519, tls.CurveP256, tls.CurveP384}},
		sigAlgs(append(chromeSignatureSchemes(), tls.PKCS1WithSHA1)),
		&tls.ALPNExtension{AlpnProtocols: []string{"h3"}},
		chromeBrotli(),
		&tls.SupportedVersionsExtension{Versions: []uint16{tls.VersionTLS13}},
		pskModes(),
		&tls.KeyShareExtension{KeyShares: []tls.KeyShare{{Group: tls.X25519MLKEM768}, {Group: tls.X25519}}},
		quicTransportParameters(chromeQUICParameters(l)),
		&tls.ApplicationSettingsExtensionNew{SupportedProtocols: []string{"h3"}},
		genericExtension(TrustAnchorsExtension, chromeTrustAnchors),
		chromeECH(),
		newEarlyData(psk),
	}
	quicShuffle(ext)
	return tls.ClientHelloSpec{
		CipherSuites:       []uint16{tls.TLS_AES_128_GCM_SHA256, tls.TLS_AES_256_GCM_SHA384, tls.TLS_CHACHA20_POLY1305_SHA256},
		CompressionMethods: []uint8{0},
		Extensions:         append(ext, psk),
	}
}

// chromeQUICParameters: Chromium's transport parameters, shuffled, with a GREASE one of
// 1-16 bytes and google_connection_options "ORIG".
func chromeQUICParameters(l QUICLimits) []tls.TransportParameter {
	params := []tls.TransportParameter{
		tls.MaxIdleTimeout(l.IdleTimeout.Milliseconds()),
		tls.MaxUDPPayloadSize(l.MaxUDPPayloadSize),
		tls.InitialMaxData(l.ConnectionWindow),
		tls.InitialMaxStreamDataBidiLocal(l.StreamWindowBidiLoc),
		tls.InitialMaxStreamDataBidiRemote(l.StreamWindowBidiRem),
		tls.InitialMaxStreamDataUni(l.StreamWindowUni),
		tls.InitialMaxStreamsBidi(l.MaxStreamsBidi),
		tls.InitialMaxStreamsUni(l.MaxStreamsUni),
		tls.InitialSourceConnectionID(nil), // the QUIC stack sets the connection's
		quicVersionInformation(randomInt(2) == 0),
		tls.MaxDatagramFrameSize(l.MaxDatagramFrameSize),
		&tls.FakeQUICTransportParameter{Id: quicGoogleConnectionOptions, Val: []byte("ORIG")},
		// initial_rtt: the QUIC stack fills it from an earlier connection's RTT, or leaves
		// it out when there was none.
		&tls.FakeQUICTransportParameter{Id: quicInitialRTT},
		quicGREASEParameter(16),
	}
	quicShuffle(params)
	return params
}
