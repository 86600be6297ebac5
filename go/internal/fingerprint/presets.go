// Package fingerprint holds what makes a session look like a browser: the presets (engine
// profile and headers), the ones registered at run time from JSON, and custom fingerprints
// (ja3, akamai, extra_fp) laid over a preset's.
package fingerprint

import (
	"fmt"
	"sort"
	"strings"

	"httpcloakpy/internal/errs"
)

// Preset names a browser: the engine profile that shapes its TLS and HTTP/2 fingerprint,
// and the headers that browser sends on a top-level navigation, in its order.
type Preset struct {
	Profile string // engine profile name
	Headers [][2]string
}

// chromeSecCHUA is each Chrome's brand list: the GREASE brand and the order change with the
// major version, so a made-up list would give the version away.
var chromeSecCHUA = map[string]string{
	"124": `"Chromium";v="124", "Google Chrome";v="124", "Not-A.Brand";v="99"`,
	"131": `"Google Chrome";v="131", "Chromium";v="131", "Not_A Brand";v="24"`,
	"133": `"Not(A:Brand";v="99", "Google Chrome";v="133", "Chromium";v="133"`,
	"151": `"Not=A?Brand";v="99", "Google Chrome";v="151", "Chromium";v="151"`,
}

func chromeHeaders(major string) [][2]string {
	return [][2]string{
		{"sec-ch-ua", chromeSecCHUA[major]},
		{"sec-ch-ua-mobile", "?0"},
		{"sec-ch-ua-platform", `"Windows"`},
		{"upgrade-insecure-requests", "1"},
		{"user-agent", fmt.Sprintf("Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/%s.0.0.0 Safari/537.36", major)},
		{"accept", "text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,image/webp,image/apng,*/*;q=0.8,application/signed-exchange;v=b3;q=0.7"},
		{"sec-fetch-site", "none"},
		{"sec-fetch-mode", "navigate"},
		{"sec-fetch-user", "?1"},
		{"sec-fetch-dest", "document"},
		{"accept-encoding", "gzip, deflate, br, zstd"},
		{"accept-language", "en-US,en;q=0.9"},
		{"priority", "u=0, i"},
	}
}

func firefoxHeaders(major string) [][2]string {
	return [][2]string{
		{"user-agent", fmt.Sprintf("Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:%s.0) Gecko/20100101 Firefox/%s.0", major, major)},
		{"accept", "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"},
		{"accept-language", "en-US,en;q=0.5"},
		{"accept-encoding", "gzip, deflate, br, zstd"},
		{"upgrade-insecure-requests", "1"},
		{"sec-fetch-dest", "document"},
		{"sec-fetch-mode", "navigate"},
		{"sec-fetch-site", "none"},
		{"sec-fetch-user", "?1"},
		{"priority", "u=0, i"},
	}
}

func safariHeaders(ua string) [][2]string {
	return [][2]string{
		{"sec-fetch-dest", "document"},
		{"user-agent", ua},
		{"accept", "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"},
		{"sec-fetch-site", "none"},
		{"sec-fetch-mode", "navigate"},
		{"accept-language", "en-US,en;q=0.9"},
		{"priority", "u=0, i"},
		{"accept-encoding", "gzip, deflate, br"},
	}
}

// Chrome presets use the engine's _PSK profiles: the same extensions, plus pre_shared_key
// when a TLS session can be resumed, as Chrome does (absent on a first handshake).
var presets = map[string]Preset{
	"chrome-151":  {"chrome_151_PSK", chrome151Headers()}, // presets_recent.go
	"chrome-133":  {"chrome_133_PSK", chromeHeaders("133")},
	"chrome-131":  {"chrome_131_PSK", chromeHeaders("131")},
	"chrome-124":  {"chrome_124", chromeHeaders("124")},
	"firefox-148": {"firefox_148", firefox148Headers()}, // presets_recent.go
	"firefox-135": {"firefox_135", firefoxHeaders("135")},
	"firefox-133": {"firefox_133", firefoxHeaders("133")},
	"safari-ios-18": {"safari_ios_18_5", safariHeaders(
		"Mozilla/5.0 (iPhone; CPU iPhone OS 18_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.5 Mobile/15E148 Safari/604.1")},
	"safari-16": {"safari_16_0", safariHeaders(
		"Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/16.0 Safari/605.1.15")},
}

var presetAliases = map[string]string{
	"chrome-latest":  "chrome-151",
	"chrome":         "chrome-151",
	"firefox-latest": "firefox-148",
	"firefox":        "firefox-148",
	"safari-latest":  "safari-ios-18",
	"safari":         "safari-ios-18",
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
	Custom  *CustomDescription // nil: a built-in preset
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
		entry := Description{Name: name, Engine: p.Profile, Headers: p.Headers, Custom: custom.describe()}
		if canonical != name {
			entry.AliasOf = canonical
		}
		out = append(out, entry)
	}
	return out
}
