// Package fingerprint holds what makes a session look like a browser: the presets (engine
// profile and headers), the ones registered at run time from JSON, and custom fingerprints
// (ja3, akamai, extra_fp) laid over a preset's.
package fingerprint

import (
	"sort"
	"strings"

	"httpcloakpy/internal/errs"
)

// Preset names a browser: its wire shape (TLS ClientHello and HTTP/2, as data in
// presets_*.go) and the headers it sends on a top-level navigation, in its order.
type Preset struct {
	Profile string // the ClientHello shape's name (describe_preset's engine_profile)
	Headers [][2]string
	// What the name stands for (docs/fingerprints.md lists every preset).
	Browser, Version string
	Platform         Platform
	Source           string // SourceCaptured, SourcePublished or SourceDerived
	// HighEntropyHints are the client hints the browser sends only to an origin that asked
	// for them with Accept-CH (name, value), in its order; nil: it sends none (not Chromium).
	HighEntropyHints [][2]string
	tls              tlsSpec
	h2               func() H2Spec
}

func Lookup(name string) (Preset, error) {
	key := strings.ToLower(strings.TrimSpace(name))
	if key == "" {
		key = "chrome-latest"
	}
	if alias, ok := presetAliases[key]; ok {
		key = alias
	}
	if p, ok := presets[key]; ok {
		return p, nil
	}
	if c, ok := lookupCustomPreset(key); ok {
		return c.Preset, nil
	}
	return Preset{}, errs.New(errs.KindInvalidArgument, "unknown preset %q; available: %s",
		name, strings.Join(presetNames(), ", "))
}

func presetNames() []string {
	names := make([]string, 0, len(presets)+len(presetAliases))
	for n := range presets {
		names = append(names, n)
	}
	for n := range presetAliases {
		names = append(names, n)
	}
	names = append(names, customPresetNames()...)
	sort.Strings(names)
	return names
}

// Description describes a preset for users: what it sends, and what it is an alias of.
type Description struct {
	Name    string
	AliasOf string // "": not an alias
	Engine  string // the engine profile
	Headers [][2]string
	// What the preset stands for (for a custom preset: its base's).
	Browser, Version, Platform, Source string
	Custom                             *CustomDescription // nil: a built-in preset
}

func Describe() []Description {
	out := make([]Description, 0, len(presets)+len(presetAliases))
	for _, name := range presetNames() {
		canonical := name
		if alias, ok := presetAliases[name]; ok {
			canonical = alias
		}
		p, custom, err := resolvePreset(canonical)
		if err != nil {
			continue // unregistered meanwhile
		}
		entry := Description{Name: name, Engine: p.Profile, Headers: p.Headers, Custom: custom.describe(),
			Browser: p.Browser, Version: p.Version, Platform: string(p.Platform), Source: p.Source}
		if canonical != name {
			entry.AliasOf = canonical
		}
		out = append(out, entry)
	}
	return out
}
