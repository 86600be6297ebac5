package fingerprint

// ja3Hello is a ClientHello written from a JA3 string (custom.go checks the string first):
// the ciphers, extensions, groups and point formats in JA3's order, and the details JA3
// leaves out from extra_fp or Chrome's choices.

import (
	tls "github.com/bogdanfinn/utls"
)

type ja3Hello struct {
	ciphers, extensions, groups []uint64
	points                      string
	sigs, delegated             []tls.SignatureScheme
	versions                    []uint16
	shareNames                  []string
	alpn                        []string
	compression                 []tls.CertCompressionAlgo
	recordLimit                 uint16
}

// build makes a fresh spec: every extension a new value, so GREASE and ECH are per connection.
func (h ja3Hello) build() tls.ClientHelloSpec {
	spec := tls.ClientHelloSpec{CompressionMethods: []uint8{0}}
	for _, c := range h.ciphers {
		spec.CipherSuites = append(spec.CipherSuites, uint16(c))
	}
	for _, id := range h.extensions {
		spec.Extensions = append(spec.Extensions, h.extension(uint16(id)))
	}
	return spec
}

// extension is the value for one JA3 extension id (ja3Extensions lists those accepted).
func (h ja3Hello) extension(id uint16) tls.TLSExtension {
	if isGREASEValue(id) {
		return greaseExtension()
	}
	switch id {
	case 0:
		return &tls.SNIExtension{}
	case 5:
		return &tls.StatusRequestExtension{}
	case 10:
		curves := make([]tls.CurveID, len(h.groups))
		for i, g := range h.groups {
			curves[i] = tls.CurveID(g)
		}
		return &tls.SupportedCurvesExtension{Curves: curves}
	case 11:
		formats, _ := ja3Numbers("point format", h.points, 0xff)
		out := make([]uint8, len(formats))
		for i, f := range formats {
			out[i] = uint8(f)
		}
		return &tls.SupportedPointsExtension{SupportedPoints: out}
	case 13:
		return sigAlgs(append([]tls.SignatureScheme(nil), h.sigs...))
	case 16:
		return &tls.ALPNExtension{AlpnProtocols: append([]string(nil), h.alpn...)}
	case 18:
		return &tls.SCTExtension{}
	case 21:
		return &tls.UtlsPaddingExtension{GetPaddingLen: tls.BoringPaddingStyle}
	case 23:
		return &tls.ExtendedMasterSecretExtension{}
	case 27:
		return &tls.UtlsCompressCertExtension{Algorithms: append([]tls.CertCompressionAlgo(nil), h.compression...)}
	case 28:
		return &tls.FakeRecordSizeLimitExtension{Limit: h.recordLimit}
	case 34:
		return &tls.DelegatedCredentialsExtension{SupportedSignatureAlgorithms: append([]tls.SignatureScheme(nil), h.delegated...)}
	case 35:
		return &tls.SessionTicketExtension{}
	case 41:
		return &tls.UtlsPreSharedKeyExtension{}
	case 42:
		return &tls.GenericExtension{Id: 42}
	case 43:
		return &tls.SupportedVersionsExtension{Versions: append([]uint16(nil), h.versions...)}
	case 44:
		return &tls.CookieExtension{}
	case 45:
		return pskModes()
	case 51:
		return &tls.KeyShareExtension{KeyShares: keyShares(h.shareNames)}
	case 13172:
		return &tls.NPNExtension{}
	case 17513:
		return &tls.ApplicationSettingsExtension{SupportedProtocols: []string{"h2"}}
	case 17613:
		return &tls.ApplicationSettingsExtensionNew{SupportedProtocols: []string{"h2"}}
	case 65037:
		return chromeECH()
	case 65281:
		return renegotiation()
	}
	panic("ja3 extension not in ja3Extensions") // ja3Factory refuses the others first
}
