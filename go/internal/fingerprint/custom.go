package fingerprint

// Custom fingerprints: a JA3 string shapes the TLS ClientHello, an Akamai string the
// HTTP/2 connection preface, and extra_fp the ClientHello details JA3 leaves out. Each is
// validated when a session (or a JSON preset) is created, so a malformed value fails there
// with its reason, never later inside a handshake.

import (
	"crypto/sha256"
	"encoding/hex"
	"slices"
	"strconv"
	"strings"

	"httpcloakpy/internal/errs"

	tlsclient "github.com/bogdanfinn/tls-client"
	"github.com/bogdanfinn/tls-client/profiles"
	tls "github.com/bogdanfinn/utls"
)

// Fingerprint is what a session or a preset asks for beyond its base profile; empty
// fields leave the base profile's behaviour.
type Fingerprint struct {
	JA3    string
	Akamai string
	Extra  ExtraFP
}

func (f Fingerprint) empty() bool {
	return f.JA3 == "" && f.Akamai == "" && f.Extra.empty()
}

// over lays f over base: f's ja3 and akamai replace base's, extra_fp merges key by key.
func (f Fingerprint) over(base Fingerprint) Fingerprint {
	out := base
	if f.JA3 != "" {
		out.JA3 = f.JA3
	}
	if f.Akamai != "" {
		out.Akamai = f.Akamai
	}
	out.Extra = f.Extra.over(base.Extra)
	return out
}

// validate checks every part without building an engine.
func (f Fingerprint) validate(base profiles.ClientProfile) error {
	_, _, err := f.profile(base)
	return err
}

// profile builds the engine profile: base with f applied, plus the client options f needs.
func (f Fingerprint) profile(base profiles.ClientProfile) (profiles.ClientProfile, []tlsclient.HttpClientOption, error) {
	helloID := base.GetClientHelloId()
	if f.JA3 != "" || f.Extra.changesHello() {
		factory, err := f.helloFactory(helloID)
		if err != nil {
			return base, nil, err
		}
		// Fail now, with the reason, rather than inside the first handshake.
		if _, err := factory(); err != nil {
			return base, nil, errs.New(errs.KindInvalidArgument, "%v", err)
		}
		sum := sha256.Sum256([]byte(f.JA3 + "|" + helloID.Str() + "|" + f.Extra.key()))
		helloID = tls.ClientHelloID{Client: "httpcloak-custom", Version: hex.EncodeToString(sum[:6]), SpecFactory: factory}
	}
	h2 := akamaiSpec{
		settings:      base.GetSettings(),
		settingsOrder: base.GetSettingsOrder(),
		windowUpdate:  base.GetConnectionFlow(),
		priorities:    base.GetPriorities(),
		pseudoOrder:   base.GetPseudoHeaderOrder(),
	}
	if f.Akamai != "" {
		parsed, err := parseAkamai(f.Akamai)
		if err != nil {
			return base, nil, err
		}
		h2 = parsed
	}
	profile := profiles.NewClientProfile(helloID, h2.settings, h2.settingsOrder, h2.pseudoOrder,
		h2.windowUpdate, h2.priorities, base.GetHeaderPriority())
	var opts []tlsclient.HttpClientOption
	if f.Extra.PermuteExtensions != nil && *f.Extra.PermuteExtensions {
		opts = append(opts, tlsclient.WithRandomTLSExtensionOrder())
	}
	return profile, opts, nil
}

// helloFactory makes ClientHello specs: from the JA3 string when there is one, else from
// the base profile, with extra_fp applied to the extensions either way.
func (f Fingerprint) helloFactory(base tls.ClientHelloID) (tls.ClientHelloSpecFactory, error) {
	var build tls.ClientHelloSpecFactory
	if f.JA3 != "" {
		factory, err := ja3Factory(f.JA3, f.Extra)
		if err != nil {
			return nil, err
		}
		build = factory
	} else {
		build = func() (tls.ClientHelloSpec, error) {
			spec, err := base.ToSpec()
			if err != nil {
				spec, err = tls.UTLSIdToSpec(base)
			}
			return spec, err
		}
	}
	extra := f.Extra
	return func() (tls.ClientHelloSpec, error) {
		spec, err := build()
		if err != nil {
			return spec, err
		}
		return spec, extra.apply(&spec)
	}, nil
}

// ja3Factory checks a JA3 string field by field and turns it into ClientHello specs. The
// details JA3 does not carry (signature algorithms, key shares, ALPN...) come from
// extra_fp when given, else from Chrome's choices.
func ja3Factory(ja3 string, extra ExtraFP) (tls.ClientHelloSpecFactory, error) {
	parts := strings.Split(ja3, ",")
	if len(parts) != 5 {
		return nil, errs.New(errs.KindInvalidArgument,
			"ja3 must have 5 comma-separated fields (version,ciphers,extensions,groups,point formats), got %d", len(parts))
	}
	if parts[0] != "771" {
		return nil, errs.New(errs.KindInvalidArgument,
			"ja3 version must be 771 (the TLS 1.2 record version every current browser sends; TLS 1.3 is offered by extension 43), got %q", parts[0])
	}
	ciphers, err := ja3Numbers("cipher", parts[1], 0xffff)
	if err != nil {
		return nil, err
	}
	if len(ciphers) == 0 {
		return nil, errs.New(errs.KindInvalidArgument, "ja3 lists no cipher suite")
	}
	extensions, err := ja3Numbers("extension", parts[2], 0xffff)
	if err != nil {
		return nil, err
	}
	if len(extensions) == 0 {
		return nil, errs.New(errs.KindInvalidArgument, "ja3 lists no extension")
	}
	seen := map[uint64]bool{}
	for _, e := range extensions {
		if seen[e] && !isGREASEValue(uint16(e)) {
			return nil, errs.New(errs.KindInvalidArgument, "ja3 lists extension %d twice", e)
		}
		seen[e] = true
		if !isGREASEValue(uint16(e)) && !ja3Extensions[uint16(e)] {
			return nil, errs.New(errs.KindInvalidArgument, "ja3 extension %d is not supported by this engine (supported: %s)", e, supportedExtensionList())
		}
	}
	groups, err := ja3Numbers("group", parts[3], 0xffff)
	if err != nil {
		return nil, err
	}
	if seen[10] && len(groups) == 0 {
		return nil, errs.New(errs.KindInvalidArgument, "ja3 lists extension 10 (supported_groups) but no group")
	}
	if len(groups) > 0 && !slices.ContainsFunc(groups, knownCurve) {
		// Other groups (ffdhe2048, ...) may be listed, but a key share needs one of these.
		return nil, errs.New(errs.KindInvalidArgument, "ja3 groups %q include none this engine can make a key share for (%s)", parts[3], sortedNames(curveIDs))
	}
	if _, err := ja3Numbers("point format", parts[4], 0xff); err != nil {
		return nil, err
	}
	keyShares := extra.KeyShareCurves
	if keyShares == nil {
		keyShares = defaultKeyShares(groups)
	}
	for _, name := range keyShares {
		if id := curveIDs[name]; !containsNumber(groups, uint64(id)) && name != "GREASE" {
			return nil, errs.New(errs.KindInvalidArgument, "key share %s is not among the ja3 groups %q", name, parts[3])
		}
	}
	sigs := orDefault(extra.SignatureAlgorithms, chromeSignatureAlgorithms)
	delegated := orDefault(extra.DelegatedCredentialAlgorithms, firefoxDelegatedCredentialAlgorithms)
	versions := orDefault(extra.SupportedVersions, []string{"1.3", "1.2"})
	alpn := orDefault(extra.ALPN, []string{"h2", "http/1.1"})
	compression := orDefault(extra.CertCompression, []string{"brotli"})
	recordLimit := uint16(0x4001)
	if extra.RecordSizeLimit != nil {
		recordLimit = *extra.RecordSizeLimit
	}
	return tlsclient.GetSpecFactoryFromJa3String(ja3, sigs, delegated, versions, keyShares, alpn,
		[]string{"h2"}, nil, []uint16{128, 160, 192, 224}, compression, recordLimit)
}

func ja3Numbers(what, field string, max uint64) ([]uint64, error) {
	if field == "" {
		return nil, nil
	}
	items := strings.Split(field, "-")
	out := make([]uint64, len(items))
	for i, item := range items {
		v, err := strconv.ParseUint(item, 10, 64)
		if err != nil || v > max {
			return nil, errs.New(errs.KindInvalidArgument, "ja3 %s %q is not a number from 0 to %d", what, item, max)
		}
		out[i] = v
	}
	return out, nil
}

func containsNumber(values []uint64, v uint64) bool {
	for _, x := range values {
		if x == v {
			return true
		}
	}
	return false
}

// isGREASEValue reports the RFC 8701 values 0x0a0a, 0x1a1a ... 0xfafa.
func isGREASEValue(v uint16) bool {
	return v&0x0f0f == 0x0a0a && v>>8 == v&0xff
}

// defaultKeyShares follows Chrome: a share for the post-quantum hybrid and for X25519
// when offered, else for the first group with a name.
func defaultKeyShares(groups []uint64) []string {
	var out []string
	for _, name := range []string{"X25519MLKEM768", "X25519"} {
		if containsNumber(groups, uint64(curveIDs[name])) {
			out = append(out, name)
		}
	}
	if len(out) > 0 {
		return out
	}
	for _, g := range groups {
		for name, id := range curveIDs {
			if uint64(id) == g && name != "GREASE" {
				return []string{name}
			}
		}
	}
	return nil
}

func orDefault(values, fallback []string) []string {
	if values != nil {
		return values
	}
	return fallback
}

// Resolve resolves the preset named presetName and lays the custom fingerprint (the
// preset's, then fp) over its engine profile, for a session of httpVersion.
func Resolve(presetName, httpVersion string, fp Fingerprint) (Preset, profiles.ClientProfile, []tlsclient.HttpClientOption, error) {
	p, custom, err := resolvePreset(presetName)
	if err != nil {
		return p, profiles.ClientProfile{}, nil, err
	}
	base, ok := engineBaseProfile(p.Profile)
	if !ok {
		return p, base, nil, errs.New(errs.KindInternal, "engine has no profile %q", p.Profile)
	}
	if custom != nil {
		fp = fp.over(custom.fp)
	}
	if httpVersion == "h3" {
		if custom != nil && custom.disableHTTP3 {
			return p, base, nil, errs.New(errs.KindInvalidArgument, "preset %q disables HTTP/3 (disable_http3)", presetName)
		}
		if !fp.empty() {
			return p, base, nil, errs.New(errs.KindInvalidArgument,
				"ja3, akamai and extra_fp shape TLS over TCP and HTTP/2; this engine cannot apply them to HTTP/3 (QUIC)")
		}
	}
	if fp.empty() {
		return p, base, nil, nil
	}
	profile, opts, err := fp.profile(base)
	return p, profile, opts, err
}

// knownCurve tells whether the engine can make a key share for this group (curveIDs,
// extra_fp.go); GREASE is a placeholder, not a group.
func knownCurve(id uint64) bool {
	for name, c := range curveIDs {
		if uint64(c) == id && name != "GREASE" {
			return true
		}
	}
	return false
}
