package fingerprint

import "httpcloakpy/internal/errs"

// ResolveProfile finds a preset by name and gives its wire shape, with fp (a session's
// ja3/akamai/extra_fp) laid over the preset's own. h3 refuses what cannot apply to QUIC.
func ResolveProfile(presetName, httpVersion string, fp Fingerprint) (Preset, Profile, error) {
	p, custom, err := resolvePreset(presetName)
	if err != nil {
		return p, Profile{}, err
	}
	if custom != nil {
		fp = fp.over(custom.fp)
	}
	if httpVersion == "h3" {
		if custom != nil && custom.disableHTTP3 {
			return p, Profile{}, errs.New(errs.KindInvalidArgument, "preset %q disables HTTP/3 (disable_http3)", presetName)
		}
		if !fp.empty() {
			return p, Profile{}, errs.New(errs.KindInvalidArgument,
				"ja3, akamai and extra_fp shape TLS over TCP and HTTP/2; this engine cannot apply them to HTTP/3 (QUIC)")
		}
	}
	profile, err := fp.profile(p)
	return p, profile, err
}
