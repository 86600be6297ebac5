package fingerprint

import (
	"encoding/json"
	"slices"
	"sort"
	"strconv"
	"strings"

	"httpcloakpy/internal/errs"
	"httpcloakpy/internal/wire"

	tls "github.com/bogdanfinn/utls"
)

// ExtraFP holds the extra_fp keys this engine can honour: ClientHello details that JA3
// leaves out. A nil field keeps the spec's own value. The key names are the upstream
// binding's (and curl_cffi's); unknown keys are refused.
type ExtraFP struct {
	SignatureAlgorithms           []string `json:"tls_signature_algorithms,omitempty"`
	DelegatedCredentialAlgorithms []string `json:"tls_delegated_credential_algorithms,omitempty"`
	KeyShareCurves                []string `json:"tls_key_share_curves,omitempty"`
	SupportedVersions             []string `json:"tls_supported_versions,omitempty"`
	CertCompression               []string `json:"tls_cert_compression,omitempty"`
	ALPN                          []string `json:"tls_alpn,omitempty"`
	RecordSizeLimit               *uint16  `json:"tls_record_size_limit,omitempty"`
	PermuteExtensions             *bool    `json:"tls_permute_extensions,omitempty"`
}

var extraFPKeys = []string{
	"tls_alpn", "tls_cert_compression", "tls_delegated_credential_algorithms",
	"tls_key_share_curves", "tls_permute_extensions", "tls_record_size_limit",
	"tls_signature_algorithms", "tls_supported_versions",
}

// Names accepted in extra_fp lists (the engine's names for them).
var (
	signatureSchemes = map[string]tls.SignatureScheme{
		"PKCS1WithSHA256": tls.PKCS1WithSHA256, "PKCS1WithSHA384": tls.PKCS1WithSHA384,
		"PKCS1WithSHA512": tls.PKCS1WithSHA512, "PSSWithSHA256": tls.PSSWithSHA256,
		"PSSWithSHA384": tls.PSSWithSHA384, "PSSWithSHA512": tls.PSSWithSHA512,
		"ECDSAWithP256AndSHA256": tls.ECDSAWithP256AndSHA256, "ECDSAWithP384AndSHA384": tls.ECDSAWithP384AndSHA384,
		"ECDSAWithP521AndSHA512": tls.ECDSAWithP521AndSHA512, "PKCS1WithSHA1": tls.PKCS1WithSHA1,
		"ECDSAWithSHA1": tls.ECDSAWithSHA1, "Ed25519": tls.Ed25519,
		"SHA224_RSA": tls.SHA224_RSA, "SHA224_ECDSA": tls.SHA224_ECDSA,
		"MLDSA44": tls.MLDSA44, "MLDSA65": tls.MLDSA65, "MLDSA87": tls.MLDSA87,
	}
	curveIDs = map[string]tls.CurveID{
		"GREASE": tls.CurveID(tls.GREASE_PLACEHOLDER), "P256": tls.CurveP256, "P384": tls.CurveP384,
		"P521": tls.CurveP521, "X25519": tls.X25519, "X25519MLKEM768": tls.X25519MLKEM768,
		"X25519Kyber768": tls.X25519Kyber768Draft00, "P256Kyber768": tls.P256Kyber768Draft00,
	}
	tlsVersionNames = map[string]uint16{
		"GREASE": tls.GREASE_PLACEHOLDER, "1.3": tls.VersionTLS13, "1.2": tls.VersionTLS12,
		"1.1": tls.VersionTLS11, "1.0": tls.VersionTLS10,
	}
	certCompressions = map[string]tls.CertCompressionAlgo{
		"zlib": tls.CertCompressionZlib, "brotli": tls.CertCompressionBrotli, "zstd": tls.CertCompressionZstd,
	}
	chromeSignatureAlgorithms = []string{
		"ECDSAWithP256AndSHA256", "PSSWithSHA256", "PKCS1WithSHA256", "ECDSAWithP384AndSHA384",
		"PSSWithSHA384", "PKCS1WithSHA384", "PSSWithSHA512", "PKCS1WithSHA512",
	}
	firefoxSignatureAlgorithms = []string{
		"ECDSAWithP256AndSHA256", "ECDSAWithP384AndSHA384", "ECDSAWithP521AndSHA512",
		"PSSWithSHA256", "PSSWithSHA384", "PSSWithSHA512", "PKCS1WithSHA256", "PKCS1WithSHA384",
		"PKCS1WithSHA512", "ECDSAWithSHA1", "PKCS1WithSHA1",
	}
	firefoxDelegatedCredentialAlgorithms = []string{
		"ECDSAWithP256AndSHA256", "ECDSAWithP384AndSHA384", "ECDSAWithP521AndSHA512", "ECDSAWithSHA1",
	}
	// Extensions a JA3 string may list: those the engine can build from JA3 alone.
	ja3Extensions = map[uint16]bool{
		0: true, 5: true, 10: true, 11: true, 13: true, 16: true, 18: true, 21: true, 23: true,
		27: true, 28: true, 34: true, 35: true, 41: true, 42: true, 43: true, 44: true, 45: true,
		51: true, 13172: true, 17513: true, 17613: true, 65037: true, 65281: true,
	}
)

func supportedExtensionList() string {
	ids := make([]int, 0, len(ja3Extensions))
	for id := range ja3Extensions {
		ids = append(ids, int(id))
	}
	sort.Ints(ids)
	parts := make([]string, len(ids))
	for i, id := range ids {
		parts[i] = strconv.Itoa(id)
	}
	return strings.Join(parts, ", ")
}

func sortedNames[T any](m map[string]T) string {
	names := make([]string, 0, len(m))
	for n := range m {
		names = append(names, n)
	}
	sort.Strings(names)
	return strings.Join(names, ", ")
}

// ParseExtraFP decodes the extra_fp object strictly: unknown keys, wrong types and
// unknown names are refused with the reason.
func ParseExtraFP(raw json.RawMessage) (ExtraFP, error) {
	var out ExtraFP
	if len(raw) == 0 || string(raw) == "null" {
		return out, nil
	}
	var keys map[string]json.RawMessage
	if err := json.Unmarshal(raw, &keys); err != nil {
		return out, errs.New(errs.KindInvalidArgument, "extra_fp must be an object: %v", err)
	}
	for key := range keys {
		known := false
		for _, k := range extraFPKeys {
			known = known || k == key
		}
		if !known {
			return out, errs.New(errs.KindInvalidArgument, "extra_fp: unknown key %q (supported: %s)", key, strings.Join(extraFPKeys, ", "))
		}
	}
	if c, ok := keys["tls_cert_compression"]; ok {
		// A single name is accepted as curl_cffi passes it ("brotli").
		var one string
		if json.Unmarshal(c, &one) == nil {
			keys["tls_cert_compression"], _ = json.Marshal([]string{one})
		}
	}
	normalized, _ := json.Marshal(keys)
	if err := wire.DecodeStrict(normalized, &out); err != nil {
		return out, errs.New(errs.KindInvalidArgument, "extra_fp: %v", strings.TrimPrefix(err.Error(), "invalid JSON: "))
	}
	checks := []struct {
		key   string
		names []string
		known func(string) bool
		list  string
	}{
		{"tls_signature_algorithms", out.SignatureAlgorithms, has(signatureSchemes), sortedNames(signatureSchemes)},
		{"tls_delegated_credential_algorithms", out.DelegatedCredentialAlgorithms, has(signatureSchemes), sortedNames(signatureSchemes)},
		{"tls_key_share_curves", out.KeyShareCurves, has(curveIDs), sortedNames(curveIDs)},
		{"tls_supported_versions", out.SupportedVersions, has(tlsVersionNames), sortedNames(tlsVersionNames)},
		{"tls_cert_compression", out.CertCompression, has(certCompressions), sortedNames(certCompressions)},
	}
	for _, c := range checks {
		if c.names != nil && len(c.names) == 0 {
			return out, errs.New(errs.KindInvalidArgument, "extra_fp %s must not be empty", c.key)
		}
		for _, name := range c.names {
			if !c.known(name) {
				return out, errs.New(errs.KindInvalidArgument, "extra_fp %s: unknown name %q (known: %s)", c.key, name, c.list)
			}
		}
	}
	if out.ALPN != nil && len(out.ALPN) == 0 {
		return out, errs.New(errs.KindInvalidArgument, "extra_fp tls_alpn must not be empty")
	}
	for _, p := range out.ALPN {
		if p == "" || len(p) > 255 {
			return out, errs.New(errs.KindInvalidArgument, "extra_fp tls_alpn: protocol names must be 1-255 bytes, got %q", p)
		}
	}
	if out.RecordSizeLimit != nil && (*out.RecordSizeLimit < 64 || *out.RecordSizeLimit > 16385) {
		return out, errs.New(errs.KindInvalidArgument, "extra_fp tls_record_size_limit must be 64-16385, got %d", *out.RecordSizeLimit)
	}
	return out, nil
}

func has[T any](m map[string]T) func(string) bool {
	return func(name string) bool { _, ok := m[name]; return ok }
}

func (e ExtraFP) empty() bool { return e.key() == "{}" }

// changesHello reports keys that rewrite the ClientHello itself (permutation is an
// engine option, not a spec change).
func (e ExtraFP) changesHello() bool {
	e.PermuteExtensions = nil
	return !e.empty()
}

// key is a stable encoding, for describing and for telling specs apart.
func (e ExtraFP) key() string {
	b, _ := json.Marshal(e)
	return string(b)
}

// over merges e over base, key by key.
func (e ExtraFP) over(base ExtraFP) ExtraFP {
	out := base
	if e.SignatureAlgorithms != nil {
		out.SignatureAlgorithms = e.SignatureAlgorithms
	}
	if e.DelegatedCredentialAlgorithms != nil {
		out.DelegatedCredentialAlgorithms = e.DelegatedCredentialAlgorithms
	}
	if e.KeyShareCurves != nil {
		out.KeyShareCurves = e.KeyShareCurves
	}
	if e.SupportedVersions != nil {
		out.SupportedVersions = e.SupportedVersions
	}
	if e.CertCompression != nil {
		out.CertCompression = e.CertCompression
	}
	if e.ALPN != nil {
		out.ALPN = e.ALPN
	}
	if e.RecordSizeLimit != nil {
		out.RecordSizeLimit = e.RecordSizeLimit
	}
	if e.PermuteExtensions != nil {
		out.PermuteExtensions = e.PermuteExtensions
	}
	return out
}

// apply rewrites the extensions of spec that extra_fp names. A key whose extension the
// ClientHello does not carry is an error: it would silently do nothing.
func (e ExtraFP) apply(spec *tls.ClientHelloSpec) error {
	applied := map[string]bool{}
	for _, ext := range spec.Extensions {
		switch x := ext.(type) {
		case *tls.SignatureAlgorithmsExtension:
			if e.SignatureAlgorithms != nil {
				x.SupportedSignatureAlgorithms = schemes(e.SignatureAlgorithms)
				applied["tls_signature_algorithms"] = true
			}
		case *tls.DelegatedCredentialsExtension:
			if e.DelegatedCredentialAlgorithms != nil {
				x.SupportedSignatureAlgorithms = schemes(e.DelegatedCredentialAlgorithms)
				applied["tls_delegated_credential_algorithms"] = true
			}
		case *tls.KeyShareExtension:
			if e.KeyShareCurves != nil {
				x.KeyShares = keyShares(e.KeyShareCurves)
				applied["tls_key_share_curves"] = true
			}
		case *tls.SupportedVersionsExtension:
			if e.SupportedVersions != nil {
				x.Versions = versions(e.SupportedVersions)
				applied["tls_supported_versions"] = true
			}
		case *tls.UtlsCompressCertExtension:
			if e.CertCompression != nil {
				x.Algorithms = compressions(e.CertCompression)
				applied["tls_cert_compression"] = true
			}
		case *tls.ALPNExtension:
			if e.ALPN != nil {
				x.AlpnProtocols = append([]string(nil), e.ALPN...)
				applied["tls_alpn"] = true
			}
		case *tls.FakeRecordSizeLimitExtension:
			if e.RecordSizeLimit != nil {
				x.Limit = *e.RecordSizeLimit
				applied["tls_record_size_limit"] = true
			}
		}
	}
	given := map[string]bool{
		"tls_signature_algorithms":            e.SignatureAlgorithms != nil,
		"tls_delegated_credential_algorithms": e.DelegatedCredentialAlgorithms != nil,
		"tls_key_share_curves":                e.KeyShareCurves != nil,
		"tls_supported_versions":              e.SupportedVersions != nil,
		"tls_cert_compression":                e.CertCompression != nil,
		"tls_alpn":                            e.ALPN != nil,
		"tls_record_size_limit":               e.RecordSizeLimit != nil,
	}
	if e.KeyShareCurves != nil {
		if err := hybridKeySharesHeld(spec, e.KeyShareCurves); err != nil {
			return err
		}
	}
	for _, key := range extraFPKeys {
		if given[key] && !applied[key] {
			return errs.New(errs.KindInvalidArgument, "extra_fp %s has no effect: the ClientHello carries no such extension", key)
		}
	}
	return nil
}

func schemes(names []string) []tls.SignatureScheme {
	out := make([]tls.SignatureScheme, len(names))
	for i, n := range names {
		out[i] = signatureSchemes[n]
	}
	return out
}

func keyShares(names []string) []tls.KeyShare {
	out := make([]tls.KeyShare, len(names))
	for i, n := range names {
		out[i] = tls.KeyShare{Group: curveIDs[n]}
		if n == "GREASE" {
			out[i].Data = []byte{0}
		}
	}
	return out
}

func versions(names []string) []uint16 {
	out := make([]uint16, len(names))
	for i, n := range names {
		out[i] = tlsVersionNames[n]
	}
	return out
}

func compressions(names []string) []tls.CertCompressionAlgo {
	out := make([]tls.CertCompressionAlgo, len(names))
	for i, n := range names {
		out[i] = certCompressions[n]
	}
	return out
}

// hybridKeySharesHeld refuses key shares that leave out a post-quantum hybrid group the
// ClientHello offers: a server that prefers it answers with a HelloRetryRequest for it,
// which the engine cannot complete, so every handshake with such a server would fail.
func hybridKeySharesHeld(spec *tls.ClientHelloSpec, shares []string) error {
	if slices.Contains(shares, "X25519MLKEM768") && !slices.Contains(shares, "X25519") {
		// The engine builds the hybrid share together with a plain X25519 one (Chrome
		// sends both); alone it fails every handshake with "internal error".
		return errs.New(errs.KindInvalidArgument, "extra_fp tls_key_share_curves: X25519MLKEM768 needs X25519 beside it, as Chrome sends them")
	}
	for _, ext := range spec.Extensions {
		groups, ok := ext.(*tls.SupportedCurvesExtension)
		if !ok {
			continue
		}
		for _, name := range []string{"X25519MLKEM768", "X25519Kyber768", "P256Kyber768"} {
			offered := slices.Contains(groups.Curves, curveIDs[name])
			if offered && !slices.Contains(shares, name) {
				return errs.New(errs.KindInvalidArgument, "extra_fp tls_key_share_curves must include %s while the ClientHello offers that group: this engine cannot answer a HelloRetryRequest for it", name)
			}
		}
	}
	return nil
}
