package fingerprint

// Presets newer than the engine's own profiles, derived from its closest profile by a
// small, documented ClientHello edit. Each edit is what the published captures say the
// newer browser changed; the HTTP/2 preface (Akamai) is the base profile's, unchanged.
//
//   - chrome-151 (engine profile chrome_151_PSK): chrome_133_PSK, whose ClientHello gives
//     Chrome 148's JA4, with the ML-DSA-44/65/87 signature algorithms (0x0904-0x0906)
//     offered first, as Chrome has since 150. Applied with the extra_fp code
//     (tls_signature_algorithms), so a session can do the same to any preset.
//   - firefox-148 (engine profile firefox_148): firefox_135, which is Firefox's
//     private-browsing ClientHello, plus the two extensions a normal Firefox window
//     adds: session_ticket (35) after ec_point_formats and psk_key_exchange_modes (45)
//     after signature_algorithms; and pre_shared_key (41) last when a ticket can be
//     offered (absent on a first handshake), as the Chrome presets do.
//
// Everything else (ciphers, groups, key shares, ALPN, ALPS, certificate compression,
// record size limit, delegated credentials, ECH GREASE) is the base profile's.

import (
	"httpcloakpy/internal/errs"

	"github.com/bogdanfinn/tls-client/profiles"
	tls "github.com/bogdanfinn/utls"
)

// chrome151SignatureAlgorithms: the ML-DSA codepoints, then Chrome's classical list.
var chrome151SignatureAlgorithms = append([]string{"MLDSA44", "MLDSA65", "MLDSA87"}, chromeSignatureAlgorithms...)

var recentProfiles = map[string]profiles.ClientProfile{}

func init() {
	recentProfiles["chrome_151_PSK"] = derivedProfile("chrome_133_PSK", "151_PSK",
		ExtraFP{SignatureAlgorithms: chrome151SignatureAlgorithms}.apply)
	recentProfiles["firefox_148"] = derivedProfile("firefox_135", "148", firefox148Hello)
}

// engineBaseProfile finds an engine profile by name: the engine's own, or one derived here.
func engineBaseProfile(name string) (profiles.ClientProfile, bool) {
	if p, ok := recentProfiles[name]; ok {
		return p, true
	}
	p, ok := profiles.MappedTLSClients[name]
	return p, ok
}

// derivedProfile is base with its ClientHello spec passed through edit on every
// handshake (a spec is built fresh each time, so GREASE and shuffling stay per
// connection), under its own ClientHelloID so that caches never mix the two.
func derivedProfile(base, version string, edit func(*tls.ClientHelloSpec) error) profiles.ClientProfile {
	b, ok := profiles.MappedTLSClients[base]
	if !ok {
		panic("engine has no profile " + base)
	}
	id := b.GetClientHelloId()
	baseID := id
	id.Version = version
	id.SpecFactory = func() (tls.ClientHelloSpec, error) {
		spec, err := baseID.ToSpec()
		if err != nil {
			spec, err = tls.UTLSIdToSpec(baseID)
		}
		if err != nil {
			return spec, err
		}
		return spec, edit(&spec)
	}
	return profiles.NewClientProfile(id, b.GetSettings(), b.GetSettingsOrder(), b.GetPseudoHeaderOrder(),
		b.GetConnectionFlow(), b.GetPriorities(), b.GetHeaderPriority())
}

// firefox148Hello turns Firefox 135's private-window ClientHello into Firefox 148's.
func firefox148Hello(spec *tls.ClientHelloSpec) error {
	var out []tls.TLSExtension
	for _, ext := range spec.Extensions {
		out = append(out, ext)
		switch ext.(type) {
		case *tls.SupportedPointsExtension:
			out = append(out, &tls.SessionTicketExtension{})
		case *tls.SignatureAlgorithmsExtension:
			out = append(out, &tls.PSKKeyExchangeModesExtension{Modes: []uint8{tls.PskModeDHE}})
		}
	}
	if len(out) != len(spec.Extensions)+2 {
		return errs.New(errs.KindInternal, "firefox-148: the firefox_135 ClientHello changed shape (%d extensions)", len(spec.Extensions))
	}
	spec.Extensions = append(out, &tls.UtlsPreSharedKeyExtension{})
	return nil
}

func chrome151Headers() [][2]string { return chromeHeaders("151") }

// firefox148Headers: Firefox's navigation headers, which it ends with te: trailers.
func firefox148Headers() [][2]string {
	return append(firefoxHeaders("148"), [2]string{"te", "trailers"})
}
