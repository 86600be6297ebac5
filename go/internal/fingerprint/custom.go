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

// validate checks every part over preset p without building an engine.
func (f Fingerprint) validate(p Preset) error {
	_, err := f.profile(p)
	return err
}

// profile is p's wire shape with f applied: the hello from the JA3 string when there is
// one, extra_fp over it, the HTTP/2 preface from the Akamai string when there is one.
func (f Fingerprint) profile(p Preset) (Profile, error) {
	spec := p.tls
	if f.JA3 != "" || f.Extra.changesHello() {
		base, permute := p.tls.hello, p.tls.Permute
		if f.JA3 != "" {
			factory, err := ja3Factory(f.JA3, f.Extra)
			if err != nil {
				return Profile{}, err
			}
			base, permute = factory, false // a JA3 string gives the order
		}
		extra := f.Extra
		edited := func() (tls.ClientHelloSpec, error) {
			hello := base()
			return hello, extra.apply(&hello)
		}
		// Fail now, with the reason, rather than inside the first handshake.
		if _, err := edited(); err != nil {
			return Profile{}, err
		}
		sum := sha256.Sum256([]byte(f.JA3 + "|" + p.tls.ID + "|" + f.Extra.key()))
		spec = tlsSpec{Name: "httpcloak-custom", ID: "httpcloak-custom-" + hex.EncodeToString(sum[:6]), Permute: permute, hello: func() tls.ClientHelloSpec {
			hello, _ := edited() // checked above; the same inputs give the same outcome
			return hello
		}}
	}
	if f.Extra.PermuteExtensions != nil {
		spec.Permute = *f.Extra.PermuteExtensions
	}
	h2 := p.h2()
	if f.Akamai != "" {
		parsed, err := parseAkamai(f.Akamai)
		if err != nil {
			return Profile{}, err
		}
		h2.Settings, h2.SettingsOrder, h2.ConnectionFlow = parsed.settings, parsed.settingsOrder, parsed.windowUpdate
		h2.Priorities, h2.PseudoHeaderOrder = parsed.priorities, parsed.pseudoOrder
	}
	return Profile{
		ID:              spec.ID,
		Hello:           func() (tls.ClientHelloSpec, error) { return spec.build(), nil },
		ResumesSessions: spec.resumes(),
		H2:              h2,
		H3:              h3WireOf(p, h2),
		QUIC:            spec.QUIC,
	}, nil
}

// ja3Factory checks a JA3 string field by field and turns it into ClientHello specs. The
// details JA3 does not carry (signature algorithms, key shares, ALPN...) come from
// extra_fp when given, else from Chrome's choices.
func ja3Factory(ja3 string, extra ExtraFP) (func() tls.ClientHelloSpec, error) {
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
	versionNames := orDefault(extra.SupportedVersions, []string{"1.3", "1.2"})
	alpn := orDefault(extra.ALPN, []string{"h2", "http/1.1"})
	compression := orDefault(extra.CertCompression, []string{"brotli"})
	recordLimit := uint16(0x4001)
	if extra.RecordSizeLimit != nil {
		recordLimit = *extra.RecordSizeLimit
	}
	h := ja3Hello{
		ciphers: ciphers, extensions: extensions, groups: groups, points: parts[4],
		sigs: schemes(sigs), delegated: schemes(delegated), versions: versions(versionNames),
		shareNames: keyShares, alpn: alpn, compression: compressions(compression), recordLimit: recordLimit,
	}
	return h.build, nil
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
