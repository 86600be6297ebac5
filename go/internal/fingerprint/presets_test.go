package fingerprint

import (
	"fmt"
	"strings"
	"testing"

	"httpcloakpy/internal/wire"

	tls "github.com/bogdanfinn/utls"
)

// Brand lists Chrome sent, as published (124-151) and captured here (Chromium 156, whose
// list has no "Google Chrome": the algorithm places it the same way).
func TestChromeBrandListFollowsChromiumsAlgorithm(t *testing.T) {
	for major, want := range map[int]string{
		124: `"Chromium";v="124", "Google Chrome";v="124", "Not-A.Brand";v="99"`,
		131: `"Google Chrome";v="131", "Chromium";v="131", "Not_A Brand";v="24"`,
		133: `"Not(A:Brand";v="99", "Google Chrome";v="133", "Chromium";v="133"`,
		148: `"Chromium";v="148", "Google Chrome";v="148", "Not/A)Brand";v="99"`,
		149: `"Google Chrome";v="149", "Chromium";v="149", "Not)A;Brand";v="24"`,
		151: `"Not=A?Brand";v="99", "Google Chrome";v="151", "Chromium";v="151"`,
		156: `"Not:A-Brand";v="8", "Chromium";v="156", "Google Chrome";v="156"`,
	} {
		if got := chromeBrands(major); got != want {
			t.Errorf("Chrome %d: %s, want %s", major, got, want)
		}
	}
}

func TestEveryChromePresetSendsItsOwnVersion(t *testing.T) {
	for name, p := range presets {
		if p.Browser != "Chrome" {
			continue
		}
		brands, _ := wire.HeaderValue(p.Headers, "sec-ch-ua")
		ua, _ := wire.HeaderValue(p.Headers, "user-agent")
		if !strings.Contains(brands, `"Google Chrome";v="`+p.Version+`"`) || !strings.Contains(ua, "Chrome/"+p.Version+".0.0.0") {
			t.Errorf("%s sends sec-ch-ua %q, user-agent %q", name, brands, ua)
		}
	}
}

func TestEveryAliasNamesAPreset(t *testing.T) {
	for alias, target := range presetAliases {
		if _, ok := presets[target]; !ok {
			t.Errorf("%s -> %s: no such preset", alias, target)
		}
	}
}

func extensionIDs(t *testing.T, spec tls.ClientHelloSpec) []string {
	t.Helper()
	out := make([]string, len(spec.Extensions))
	for i, e := range spec.Extensions {
		out[i] = fmt.Sprintf("%T", e)
	}
	return out
}

func TestChrome151OffersMLDSAFirst(t *testing.T) {
	for _, ext := range chrome151TLS.build().Extensions {
		if sigs, ok := ext.(*tls.SignatureAlgorithmsExtension); ok {
			got := fmt.Sprint(sigs.SupportedSignatureAlgorithms)
			want := fmt.Sprint(append(mlDSASchemes(), schemes(chromeSignatureAlgorithms)...))
			if got != want {
				t.Fatalf("signature algorithms %v, want %v", got, want)
			}
			return
		}
	}
	t.Fatal("no signature_algorithms extension")
}

// Chromium 156 shuffles its extensions per connection; GREASE stays first and second to
// last, pre_shared_key last.
func TestChrome156PermutesPerConnection(t *testing.T) {
	seen := map[string]bool{}
	for i := 0; i < 20; i++ {
		ids := extensionIDs(t, chrome156TLS.build())
		if ids[0] != "*tls.UtlsGREASEExtension" || ids[len(ids)-2] != "*tls.UtlsGREASEExtension" || ids[len(ids)-1] != "*tls.UtlsPreSharedKeyExtension" {
			t.Fatalf("fixed places moved: %v", ids)
		}
		seen[strings.Join(ids, ",")] = true
	}
	if len(seen) < 2 {
		t.Fatal("the same order 20 times")
	}
}

func TestFirefoxHellosDoNotPermute(t *testing.T) {
	for _, spec := range []tlsSpec{firefox148TLS, firefox153TLS} {
		if strings.Join(extensionIDs(t, spec.build()), ",") != strings.Join(extensionIDs(t, spec.build()), ",") {
			t.Errorf("%s changed order", spec.Name)
		}
	}
}

// extra_fp's tls_permute_extensions decides, also over an edited hello.
func TestPermutationFollowsExtraFP(t *testing.T) {
	off := false
	sigs := []string{"PSSWithSHA256", "ECDSAWithP256AndSHA256"}
	for _, extra := range []ExtraFP{{PermuteExtensions: &off}, {PermuteExtensions: &off, SignatureAlgorithms: sigs}} {
		profile, err := Fingerprint{Extra: extra}.profile(presets["chrome-156-linux"])
		if err != nil {
			t.Fatal(err)
		}
		orders := map[string]bool{}
		for i := 0; i < 10; i++ {
			hello, _ := profile.Hello()
			orders[strings.Join(extensionIDs(t, hello), ",")] = true
		}
		if len(orders) != 1 {
			t.Errorf("%+v: %d orders", extra, len(orders))
		}
	}
	edited, err := Fingerprint{Extra: ExtraFP{SignatureAlgorithms: sigs}}.profile(presets["chrome-156-linux"])
	if err != nil {
		t.Fatal(err)
	}
	orders := map[string]bool{}
	for i := 0; i < 10; i++ {
		hello, _ := edited.Hello()
		orders[strings.Join(extensionIDs(t, hello), ",")] = true
	}
	if len(orders) < 2 {
		t.Error("an edited Chrome 156 hello stopped permuting")
	}
}
