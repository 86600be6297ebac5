package fingerprint

import (
	"testing"

	tls "github.com/bogdanfinn/utls"
)

func TestEveryPresetHasAnEngineProfile(t *testing.T) {
	for name, p := range presets {
		if _, ok := engineBaseProfile(p.Profile); !ok {
			t.Errorf("preset %s: no engine profile %q", name, p.Profile)
		}
	}
}

func recentSpec(t *testing.T, name string) tls.ClientHelloSpec {
	t.Helper()
	spec, err := recentProfiles[name].GetClientHelloSpec()
	if err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	return spec
}

func TestChrome151OffersMLDSAFirst(t *testing.T) {
	for _, ext := range recentSpec(t, "chrome_151_PSK").Extensions {
		if sigs, ok := ext.(*tls.SignatureAlgorithmsExtension); ok {
			got := sigs.SupportedSignatureAlgorithms
			want := append([]tls.SignatureScheme{tls.MLDSA44, tls.MLDSA65, tls.MLDSA87}, schemes(chromeSignatureAlgorithms)...)
			if len(got) != len(want) {
				t.Fatalf("signature algorithms %v, want %v", got, want)
			}
			for i := range want {
				if got[i] != want[i] {
					t.Fatalf("signature algorithms %v, want %v", got, want)
				}
			}
			return
		}
	}
	t.Fatal("no signature_algorithms extension")
}

// Firefox 148 (normal window): Firefox 135's private-window extensions with
// session_ticket after ec_point_formats, psk_key_exchange_modes after
// signature_algorithms, and pre_shared_key last (sent only when resuming).
func TestFirefox148AddsTicketAndPSKModes(t *testing.T) {
	exts := recentSpec(t, "firefox_148").Extensions
	if len(exts) != 18 {
		t.Fatalf("%d extensions, want 17 + pre_shared_key", len(exts))
	}
	if _, ok := exts[5].(*tls.SessionTicketExtension); !ok {
		t.Errorf("extension 5 is %T, want session_ticket", exts[5])
	}
	if _, ok := exts[12].(*tls.SignatureAlgorithmsExtension); !ok {
		t.Errorf("extension 12 is %T, want signature_algorithms", exts[12])
	}
	if modes, ok := exts[13].(*tls.PSKKeyExchangeModesExtension); !ok || len(modes.Modes) != 1 || modes.Modes[0] != tls.PskModeDHE {
		t.Errorf("extension 13 is %#v, want psk_key_exchange_modes [psk_dhe_ke]", exts[13])
	}
	if _, ok := exts[17].(*tls.UtlsPreSharedKeyExtension); !ok {
		t.Errorf("last extension is %T, want pre_shared_key", exts[17])
	}
}
