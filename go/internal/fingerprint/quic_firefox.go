package fingerprint

// Firefox ESR 153's QUIC Initial as captured (tests/fixtures/browsers/firefox-esr-*-h3):
// unlike over TCP the extensions are shuffled, except transport parameters, ECH and
// pre_shared_key last; the transport parameters come in one fixed order without GREASE.

import (
	"time"

	tls "github.com/bogdanfinn/utls"
)

var firefoxQUIC153 = &QUICSpec{
	ID: "Firefox-153-QUIC",
	Limits: QUICLimits{
		IdleTimeout:          30 * time.Second,
		ConnectionWindow:     25165824,
		StreamWindowBidiLoc:  12582912,
		StreamWindowBidiRem:  1048576,
		StreamWindowUni:      1048576,
		MaxStreamsBidi:       100,
		MaxStreamsUni:        100,
		MaxDatagramFrameSize: 65535,
		MaxAckDelay:          20 * time.Millisecond,
	},
	PacketSize:         1252,
	SourceConnIDLength: 3,
	// A random first packet number (captured: 12 to 706).
	FirstPacketNumber: func() int64 { return int64(1 + randomInt(1023)) },
	HelloFrames:       firefoxHelloFrames,
	PadAfterPackets:   true,
	hello:             firefoxQUICHello,
}

// Firefox's signature algorithms over QUIC: ECDSA with SHA-1 moves up beside the others.
var firefoxQUICSignatureAlgorithms = []tls.SignatureScheme{
	tls.ECDSAWithP256AndSHA256, tls.ECDSAWithP384AndSHA384, tls.ECDSAWithP521AndSHA512, tls.ECDSAWithSHA1,
	tls.PSSWithSHA256, tls.PSSWithSHA384, tls.PSSWithSHA512,
	tls.PKCS1WithSHA256, tls.PKCS1WithSHA384, tls.PKCS1WithSHA512, tls.PKCS1WithSHA1,
}

func firefoxQUICHello(l QUICLimits) tls.ClientHelloSpec {
	psk := &tls.UtlsPreSharedKeyExtension{}
	ech := &echGREASEGrowsWhenResuming{
		GREASEEncryptedClientHelloExtension: echGREASE([]uint16{aesGCM, chacha20}, 223).(*tls.GREASEEncryptedClientHelloExtension),
		// The inner hello NSS pads is shorter over QUIC: a 203-byte pre_shared_key (and
		// early_data) grow the captured payload from 223 to 415 bytes, not 447.
		psk: psk, fresh: 204, tagLen: 16,
	}
	ext := []tls.TLSExtension{
		&tls.SNIExtension{},
		&tls.ExtendedMasterSecretExtension{},
		renegotiation(),
		&tls.SupportedCurvesExtension{Curves: []tls.CurveID{tls.X25519MLKEM768, tls.X25519, tls.CurveP256, tls.CurveP384, tls.CurveP521}},
		&tls.ALPNExtension{AlpnProtocols: []string{"h3"}},
		&tls.StatusRequestExtension{},
		&tls.FakeDelegatedCredentialsExtension{SupportedSignatureAlgorithms: schemes(firefoxDelegatedCredentialAlgorithms)},
		&tls.KeyShareExtension{KeyShares: []tls.KeyShare{{Group: tls.X25519MLKEM768}, {Group: tls.X25519}, {Group: tls.CurveP256}}},
		&tls.SupportedVersionsExtension{Versions: []uint16{tls.VersionTLS13}},
		sigAlgs(firefoxQUICSignatureAlgorithms),
		pskModes(),
		&tls.FakeRecordSizeLimitExtension{Limit: 0x4001},
		&tls.UtlsCompressCertExtension{Algorithms: []tls.CertCompressionAlgo{
			tls.CertCompressionZlib, tls.CertCompressionZstd, tls.CertCompressionBrotli,
		}},
		newEarlyData(psk),
	}
	quicShuffle(ext)
	ext = append(ext, quicTransportParameters(firefoxQUICParameters(l)), ech, psk)
	return tls.ClientHelloSpec{
		CipherSuites:       []uint16{tls.TLS_AES_128_GCM_SHA256, tls.TLS_CHACHA20_POLY1305_SHA256, tls.TLS_AES_256_GCM_SHA384},
		CompressionMethods: []uint8{0},
		Extensions:         ext,
	}
}

// firefoxQUICParameters: Firefox's transport parameters in their fixed order.
func firefoxQUICParameters(l QUICLimits) []tls.TransportParameter {
	return []tls.TransportParameter{
		tls.MaxIdleTimeout(l.IdleTimeout.Milliseconds()),
		tls.InitialMaxData(l.ConnectionWindow),
		tls.InitialMaxStreamDataBidiLocal(l.StreamWindowBidiLoc),
		tls.InitialMaxStreamDataBidiRemote(l.StreamWindowBidiRem),
		tls.InitialMaxStreamDataUni(l.StreamWindowUni),
		tls.InitialMaxStreamsBidi(l.MaxStreamsBidi),
		tls.InitialMaxStreamsUni(l.MaxStreamsUni),
		tls.MaxAckDelay(l.MaxAckDelay.Milliseconds()),
		tls.ActiveConnectionIDLimit(8),
		tls.InitialSourceConnectionID(nil), // the QUIC stack sets the connection's
		quicVersionInformation(true),
		&tls.FakeQUICTransportParameter{Id: quicMinAckDelayDraft, Val: quicVarint(1000)},
		tls.MaxDatagramFrameSize(l.MaxDatagramFrameSize),
	}
}
