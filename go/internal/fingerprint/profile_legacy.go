package fingerprint

// ResolveProfile, for now, reads the engine profile out of tls-client's data. Issue #13
// replaces this file with presets written as data (and then tls-client leaves go.mod).

import (
	"strings"

	"httpcloakpy/internal/errs"

	tls "github.com/bogdanfinn/utls"
)

// ResolveProfile finds a preset by name and gives its wire shape, with fp (a session's
// ja3/akamai/extra_fp) applied over it. h3 refuses what cannot apply to QUIC.
func ResolveProfile(presetName, httpVersion string, fp Fingerprint) (Preset, Profile, error) {
	p, profile, _, err := Resolve(presetName, httpVersion, fp)
	if err != nil {
		return p, Profile{}, err
	}
	id := profile.GetClientHelloId()
	hello := func() (tls.ClientHelloSpec, error) {
		spec, err := id.ToSpec()
		if err != nil {
			spec, err = tls.UTLSIdToSpec(id)
		}
		return spec, err
	}
	if fp.Extra.PermuteExtensions != nil && *fp.Extra.PermuteExtensions {
		unshuffled := hello
		hello = func() (tls.ClientHelloSpec, error) {
			spec, err := unshuffled()
			if err != nil {
				return spec, err
			}
			spec.Extensions = tls.ShuffleChromeTLSExtensions(spec.Extensions)
			return spec, nil
		}
	}
	spec, err := hello()
	if err != nil {
		return p, Profile{}, errs.New(errs.KindInvalidArgument, "%v", err)
	}
	resumes := false
	for _, ext := range spec.Extensions {
		if _, ok := ext.(*tls.UtlsPreSharedKeyExtension); ok {
			resumes = true
		}
	}
	return p, Profile{
		ID:              id.Str(),
		Hello:           hello,
		ResumesSessions: resumes,
		H2: H2Spec{
			Settings:          profile.GetSettings(),
			SettingsOrder:     profile.GetSettingsOrder(),
			ConnectionFlow:    profile.GetConnectionFlow(),
			Priorities:        profile.GetPriorities(),
			HeaderPriority:    profile.GetHeaderPriority(),
			PseudoHeaderOrder: profile.GetPseudoHeaderOrder(),
			Wire:              familyH2Wire(p.Profile),
		},
	}, nil
}

// familyH2Wire is the wire behaviour of the browser family an engine profile belongs to.
func familyH2Wire(engineProfile string) H2Wire {
	switch {
	case strings.HasPrefix(engineProfile, "chrome_"):
		return chromeH2Wire
	case strings.HasPrefix(engineProfile, "firefox_"):
		return firefoxH2Wire
	case strings.HasPrefix(engineProfile, "safari_"):
		return safariH2Wire
	}
	return H2Wire{}
}
