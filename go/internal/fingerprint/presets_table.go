package fingerprint

// Every built-in preset name, made from the browser families' data (presets_chrome.go,
// presets_firefox.go, presets_safari.go). The names are the other httpcloak bindings'
// (shared/presets/upstream-names.txt there: 116 names) plus our own older ones. As in
// upstream 1.7.3, a name without a platform is the Linux desktop browser.

import (
	"fmt"
	"strings"
)

// Sources of a preset's wire shape, for docs/fingerprints.md and describe_preset.
const (
	SourceCaptured  = "captured"  // equal to a browser captured here (tests/fixtures/browsers)
	SourcePublished = "published" // gives the JA4 published for that browser version
	SourceDerived   = "derived"   // the nearest captured or published shape, with the version's own headers
)

type chromeRelease struct {
	major  int
	tls    tlsSpec
	source string
	accept string
	// Chrome on iOS spells out its full version; known from captures for a few releases.
	iosBuild, iosVersion string
	// fullVersion is the desktop build (sec-ch-ua-full-version-list) when captured; else
	// major.0.0.0, as upstream derives it.
	fullVersion      string
	noAndroid, noIOS bool // no such name upstream either
}

var chromeReleases = []chromeRelease{
	{major: 124, tls: chrome124TLS},
	{major: 131, tls: chrome131TLS},
	{major: 133, tls: chrome133TLS},
	{major: 141, tls: chrome133TLS},
	{major: 143, tls: chrome133TLS, iosBuild: "143.0.6917.0", iosVersion: "17_7"},
	{major: 144, tls: chrome133TLS},
	{major: 145, tls: chrome133TLS},
	{major: 146, tls: chrome133TLS},
	{major: 147, tls: chrome133TLS},
	{major: 148, tls: chrome133TLS, source: SourcePublished, iosBuild: "148.0.7778.47", iosVersion: "26_4_2"},
	{major: 149, tls: chrome133TLS, noAndroid: true, noIOS: true},
	{major: 150, tls: chrome151TLS, iosBuild: "150.0.7871.51", iosVersion: "26_5_0"},
	{major: 151, tls: chrome151TLS, source: SourcePublished, iosBuild: "151.0.7990.44", iosVersion: "26_5_0"},
	{major: 152, tls: chrome151TLS},
	{major: 153, tls: chrome151TLS, noIOS: true},
	{major: 154, tls: chrome151TLS, noIOS: true},
	{major: 155, tls: chrome151TLS},
	{major: 156, tls: chrome156TLS, source: SourceCaptured, accept: chromeNavigationAcceptJXL, noIOS: true, fullVersion: "156.0.8078.129"},
}

// Chrome with per-platform names from 143; the android-chrome-N and ios-chrome-N spellings
// exist for 143-148, as upstream.
const (
	firstPlatformChrome   = 143
	lastOldMobileSpelling = 148
)

type firefoxRelease struct {
	major          int
	tls            tlsSpec
	source         string
	acceptLanguage string
	te             bool
	platforms      bool // -windows, -macos, -linux names
}

var firefoxReleases = []firefoxRelease{
	{major: 133, tls: firefox133TLS, acceptLanguage: "en-US,en;q=0.5", platforms: true},
	{major: 135, tls: firefox135TLS, acceptLanguage: "en-US,en;q=0.5"},
	{major: 148, tls: firefox148TLS, source: SourcePublished, acceptLanguage: "en-US,en;q=0.5", te: true, platforms: true},
	{major: 153, tls: firefox153TLS, source: SourceCaptured, acceptLanguage: "en-US,en;q=0.9", te: true, platforms: true},
}

// The newest of each family: the *-latest names.
const (
	latestChrome    = 156
	latestFirefox   = 153
	latestChromeIOS = 151 // the newest Chrome on iOS whose full version is known from a capture
)

var (
	presets       = map[string]Preset{}
	presetAliases = map[string]string{}
)

func init() {
	for _, r := range chromeReleases {
		addChrome(r)
	}
	for _, r := range firefoxReleases {
		addFirefox(r)
	}
	addSafari()
	latest := map[string]string{
		"chrome-latest": fmt.Sprintf("chrome-%d-linux", latestChrome), "chrome": fmt.Sprintf("chrome-%d-linux", latestChrome),
		"chrome-latest-ios":     fmt.Sprintf("chrome-%d-ios", latestChromeIOS),
		"ios-chrome-latest":     fmt.Sprintf("chrome-%d-ios", latestChromeIOS),
		"android-chrome-latest": fmt.Sprintf("chrome-%d-android", latestChrome),
		"firefox-latest":        fmt.Sprintf("firefox-%d-linux", latestFirefox), "firefox": fmt.Sprintf("firefox-%d-linux", latestFirefox),
		"safari-latest": "safari-18", "safari": "safari-18",
		"safari-latest-ios": "safari-18-ios", "ios-safari-latest": "safari-18-ios",
	}
	for _, p := range []Platform{Windows, MacOS, Linux, Android} {
		latest["chrome-latest-"+string(p)] = fmt.Sprintf("chrome-%d-%s", latestChrome, p)
	}
	for _, p := range []Platform{Windows, MacOS, Linux} {
		latest["firefox-latest-"+string(p)] = fmt.Sprintf("firefox-%d-%s", latestFirefox, p)
	}
	for alias, target := range latest {
		presetAliases[alias] = target
	}
	for alias, target := range presetAliases {
		if _, ok := presets[target]; !ok {
			panic("preset alias " + alias + " names no preset " + target)
		}
	}
}

func sourceOr(source string) string {
	if source == "" {
		return SourceDerived
	}
	return source
}

func addChrome(r chromeRelease) {
	accept := r.accept
	if accept == "" {
		accept = chromeNavigationAccept
	}
	desktop := func(platform Platform) Preset {
		return Preset{
			Profile: r.tls.Name, Headers: chromeHeaders(r.major, platform, accept),
			Browser: "Chrome", Version: fmt.Sprint(r.major), Platform: platform, Source: sourceOr(r.source),
			HighEntropyHints: chromeHighEntropyHints(r.major, r.fullVersion, platform),
			tls:              r.tls, h2: chromeH2,
		}
	}
	name := fmt.Sprintf("chrome-%d", r.major)
	if r.major < firstPlatformChrome {
		presets[name] = desktop(Linux)
		return
	}
	for _, p := range []Platform{Windows, MacOS, Linux} {
		presets[name+"-"+string(p)] = desktop(p)
	}
	presetAliases[name] = name + "-linux"
	if !r.noAndroid {
		presets[name+"-android"] = desktop(Android)
	}
	if !r.noIOS {
		presets[name+"-ios"] = chromeIOS(r)
	}
	if r.major <= lastOldMobileSpelling {
		presetAliases[fmt.Sprintf("android-chrome-%d", r.major)] = name + "-android"
		presetAliases[fmt.Sprintf("ios-chrome-%d", r.major)] = name + "-ios"
	}
}

// chromeIOS is Chrome on an iPhone: WebKit underneath (Safari's TLS, HTTP/2 and headers),
// with Chrome's CriOS User-Agent.
func chromeIOS(r chromeRelease) Preset {
	iosVersion := r.iosVersion
	if iosVersion == "" {
		iosVersion = "18_0"
	}
	encoding := "gzip, deflate, br"
	if !strings.HasPrefix(iosVersion, "1") { // iOS 26 and later advertise zstd
		encoding += ", zstd"
	}
	source := SourceDerived
	if r.iosBuild != "" {
		source = SourceDerived + " (User-Agent from a capture)"
	}
	return Preset{
		Profile: safariIOS18TLS.Name, Headers: safariHeaders(criOSUserAgent(r.major, r.iosBuild, iosVersion), encoding),
		Browser: "Chrome (iOS)", Version: fmt.Sprint(r.major), Platform: IOS, Source: source,
		tls: safariIOS18TLS, h2: safariIOS18H2,
	}
}

func addFirefox(r firefoxRelease) {
	build := func(platform Platform) Preset {
		return Preset{
			Profile: r.tls.Name, Headers: firefoxHeaders(r.major, platform, r.acceptLanguage, r.te),
			Browser: "Firefox", Version: fmt.Sprint(r.major), Platform: platform, Source: sourceOr(r.source),
			tls: r.tls, h2: firefoxH2,
		}
	}
	name := fmt.Sprintf("firefox-%d", r.major)
	if !r.platforms {
		presets[name] = build(Linux)
		return
	}
	for _, p := range []Platform{Windows, MacOS, Linux} {
		presets[name+"-"+string(p)] = build(p)
	}
	presetAliases[name] = name + "-linux"
}

func addSafari() {
	const macUA = "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/%s Safari/605.1.15"
	const iosUA = "Mozilla/5.0 (iPhone; CPU iPhone OS %s like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/%s Mobile/15E148 Safari/604.1"
	safari := func(version string, platform Platform, ua string, spec tlsSpec, h2 func() H2Spec) Preset {
		return Preset{
			Profile: spec.Name, Headers: safariHeaders(ua, "gzip, deflate, br"),
			Browser: "Safari", Version: version, Platform: platform, Source: SourceDerived, tls: spec, h2: h2,
		}
	}
	presets["safari-16"] = safari("16", MacOS, fmt.Sprintf(macUA, "16.0"), safari16TLS, safari16H2)
	presets["safari-18"] = safari("18", MacOS, fmt.Sprintf(macUA, "18.5"), safariIOS18TLS, safariIOS18H2)
	presets["safari-18-ios"] = safari("18", IOS, fmt.Sprintf(iosUA, "18_5", "18.5"), safariIOS18TLS, safariIOS18H2)
	presets["safari-17-ios"] = safari("17", IOS, fmt.Sprintf(iosUA, "17_7", "17.7"), safariIOS17TLS, safariIOS17H2)
	presetAliases["safari-ios-18"] = "safari-18-ios" // this package's name before upstream's
	presetAliases["ios-safari-18"] = "safari-18-ios"
	presetAliases["ios-safari-17"] = "safari-17-ios"
}
