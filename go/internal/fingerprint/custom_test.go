package fingerprint

import (
	"strings"
	"testing"

	"httpcloakpy/internal/errs"
)

func TestParseAkamaiRoundTrip(t *testing.T) {
	spec, err := parseAkamai("1:4096;3:100;4:2097152|10485760|3:0:0:201,5:1:3:101|m,s,p,a")
	if err != nil {
		t.Fatal(err)
	}
	if len(spec.settingsOrder) != 3 || spec.settings[4] != 2097152 || spec.windowUpdate != 10485760 {
		t.Fatalf("settings = %v %v, window = %d", spec.settingsOrder, spec.settings, spec.windowUpdate)
	}
	p := spec.priorities[1]
	if p.StreamID != 5 || !p.PriorityParam.Exclusive || p.PriorityParam.StreamDep != 3 || p.PriorityParam.Weight != 100 {
		t.Fatalf("priority = %+v", p)
	}
	if strings.Join(spec.pseudoOrder, ",") != ":method,:scheme,:path,:authority" {
		t.Fatalf("pseudo order = %v", spec.pseudoOrder)
	}
}

func TestFingerprintRefusesMalformedValues(t *testing.T) {
	base := presets["chrome-133"]
	for _, fp := range []Fingerprint{
		{JA3: "771,4865,0-51,29"},
		{JA3: "771,4865,0-7,29,0"},
		{JA3: "771,70000,0,29,0"},
		{Akamai: "|1|0|m,a,s,p"},
		{Akamai: "1:1|1|0:0:0:1|m,a,s,p"},
		{Akamai: "1:1|1|0|m,a,s,p,m"},
	} {
		err := fp.validate(base)
		if e, ok := err.(*errs.Error); !ok || e.Kind != errs.KindInvalidArgument {
			t.Errorf("%+v: err = %v, want an invalid_argument error", fp, err)
		}
	}
}

func TestJA3SpecCarriesTheJA3(t *testing.T) {
	ja3 := "771,4865-4866,0-10-11-13-43-45-51,29-23,0"
	profile, err := Fingerprint{JA3: ja3}.profile(presets["chrome-133"])
	if err != nil {
		t.Fatal(err)
	}
	hello, err := profile.Hello()
	if err != nil {
		t.Fatal(err)
	}
	if len(hello.CipherSuites) != 2 || len(hello.Extensions) != 7 {
		t.Fatalf("ciphers %v, %d extensions", hello.CipherSuites, len(hello.Extensions))
	}
}
