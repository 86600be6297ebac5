package fingerprint

// What each browser sends on a top-level navigation, in its order, per platform. Only the
// User-Agent, the client hints and (for a few versions) accept / accept-language differ
// between versions; those facts are given by the caller.

import (
	"fmt"
	"strconv"
	"strings"
)

// Platform is where a preset's browser runs.
type Platform string

const (
	Windows Platform = "windows"
	MacOS   Platform = "macos"
	Linux   Platform = "linux"
	Android Platform = "android"
	IOS     Platform = "ios"
)

// chromeBrands is the sec-ch-ua Chrome sends for major, with its own brand after Chromium's.
// Chromium derives the GREASE brand, its version and the order from the major version
// (components/embedder_support/user_agent_utils.cc: GenerateBrandVersionList), so a
// made-up list gives the version away. Chromium 156 as captured: "Not:A-Brand";v="8",
// "Chromium";v="156"; Google Chrome's list adds "Google Chrome" the same way.
func chromeBrands(major int) string {
	chars := []string{" ", "(", ":", "-", ".", "/", ")", ";", "=", "?", "_"}
	versions := []string{"8", "99", "24"}
	greased := fmt.Sprintf(`"Not%sA%sBrand";v="%s"`, chars[major%len(chars)], chars[(major+1)%len(chars)], versions[major%len(versions)])
	v := strconv.Itoa(major)
	list := []string{greased, `"Chromium";v="` + v + `"`, `"Google Chrome";v="` + v + `"`}
	orders := [6][3]int{{0, 1, 2}, {0, 2, 1}, {1, 0, 2}, {1, 2, 0}, {2, 0, 1}, {2, 1, 0}}
	order := orders[major%len(orders)]
	out := make([]string, 3)
	for i, at := range order {
		out[at] = list[i]
	}
	return strings.Join(out, ", ")
}

// chromeUserAgent is Chrome's reduced User-Agent: the major version only, a fixed OS token.
func chromeUserAgent(major int, platform Platform) string {
	os := map[Platform]string{
		Windows: "Windows NT 10.0; Win64; x64",
		MacOS:   "Macintosh; Intel Mac OS X 10_15_7",
		Linux:   "X11; Linux x86_64",
		Android: "Linux; Android 10; K",
	}[platform]
	mobile := ""
	if platform == Android {
		mobile = "Mobile "
	}
	return fmt.Sprintf("Mozilla/5.0 (%s) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/%d.0.0.0 %sSafari/537.36", os, major, mobile)
}

// chromeHighEntropyHints are what Chrome major sends on platform to an origin whose
// Accept-CH asked for them, in the order Chromium adds them (client_hints.cc): the full
// version list keeps sec-ch-ua's brands and order with full versions (the GREASE brand's is
// N.0.0.0). Platform values as upstream's defaults: Windows 11 ("15.0.0"), an Apple
// Silicon Mac, Linux with the empty version Chrome sends there, Android 14.
func chromeHighEntropyHints(major int, fullVersion string, platform Platform) [][2]string {
	if fullVersion == "" {
		fullVersion = strconv.Itoa(major) + ".0.0.0"
	}
	brands := strings.Split(chromeBrands(major), ", ")
	for i, brand := range brands {
		name, version, _ := strings.Cut(brand, `;v="`)
		version = strings.TrimSuffix(version, `"`)
		if version == strconv.Itoa(major) {
			version = fullVersion
		} else {
			version += ".0.0.0"
		}
		brands[i] = name + `;v="` + version + `"`
	}
	arch, bitness, model, formFactors := `"x86"`, `"64"`, `""`, `"Desktop"`
	platformVersion := map[Platform]string{Windows: `"15.0.0"`, MacOS: `"14.5.0"`, Linux: `""`, Android: `"14.0.0"`}[platform]
	switch platform {
	case MacOS:
		arch = `"arm"`
	case Android:
		arch, bitness, formFactors = `""`, `""`, `"Mobile"`
	}
	return [][2]string{
		{"sec-ch-ua-arch", arch},
		{"sec-ch-ua-platform-version", platformVersion},
		{"sec-ch-ua-model", model},
		{"sec-ch-ua-full-version", `"` + fullVersion + `"`},
		{"sec-ch-ua-full-version-list", strings.Join(brands, ", ")},
		{"sec-ch-ua-bitness", bitness},
		{"sec-ch-ua-wow64", "?0"},
		{"sec-ch-ua-form-factors", formFactors},
	}
}

var chPlatform = map[Platform]string{Windows: `"Windows"`, MacOS: `"macOS"`, Linux: `"Linux"`, Android: `"Android"`}

const (
	chromeNavigationAccept    = "text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,image/webp,image/apng,*/*;q=0.8,application/signed-exchange;v=b3;q=0.7"
	chromeNavigationAcceptJXL = "text/html,application/xhtml+xml,application/xml;q=0.9,image/jxl,image/avif,image/webp,image/apng,*/*;q=0.8,application/signed-exchange;v=b3;q=0.7"
)

// chromeHeaders: a navigation from Chrome major on platform (not iOS: see criOSHeaders).
func chromeHeaders(major int, platform Platform, accept string) [][2]string {
	mobile := "?0"
	if platform == Android {
		mobile = "?1"
	}
	return [][2]string{
		{"sec-ch-ua", chromeBrands(major)},
		{"sec-ch-ua-mobile", mobile},
		{"sec-ch-ua-platform", chPlatform[platform]},
		{"upgrade-insecure-requests", "1"},
		{"user-agent", chromeUserAgent(major, platform)},
		{"accept", accept},
		{"sec-fetch-site", "none"},
		{"sec-fetch-mode", "navigate"},
		{"sec-fetch-user", "?1"},
		{"sec-fetch-dest", "document"},
		{"accept-encoding", "gzip, deflate, br, zstd"},
		{"accept-language", "en-US,en;q=0.9"},
		{"priority", "u=0, i"},
	}
}

// firefoxHeaders: a navigation from Firefox major on a desktop platform; te: trailers
// ends it from Firefox 148 on (withTE).
func firefoxHeaders(major int, platform Platform, acceptLanguage string, withTE bool) [][2]string {
	os := map[Platform]string{
		Windows: "Windows NT 10.0; Win64; x64",
		MacOS:   "Macintosh; Intel Mac OS X 10.15",
		Linux:   "X11; Linux x86_64",
	}[platform]
	out := [][2]string{
		{"user-agent", fmt.Sprintf("Mozilla/5.0 (%s; rv:%d.0) Gecko/20100101 Firefox/%d.0", os, major, major)},
		{"accept", "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"},
		{"accept-language", acceptLanguage},
		{"accept-encoding", "gzip, deflate, br, zstd"},
		{"upgrade-insecure-requests", "1"},
		{"sec-fetch-dest", "document"},
		{"sec-fetch-mode", "navigate"},
		{"sec-fetch-site", "none"},
		{"sec-fetch-user", "?1"},
		{"priority", "u=0, i"},
	}
	if withTE {
		out = append(out, [2]string{"te", "trailers"})
	}
	return out
}

// safariHeaders: a navigation from WebKit (Safari, and every browser on iOS).
func safariHeaders(ua, acceptEncoding string) [][2]string {
	return [][2]string{
		{"sec-fetch-dest", "document"},
		{"user-agent", ua},
		{"accept", "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"},
		{"sec-fetch-site", "none"},
		{"sec-fetch-mode", "navigate"},
		{"accept-language", "en-US,en;q=0.9"},
		{"priority", "u=0, i"},
		{"accept-encoding", acceptEncoding},
	}
}

// criOSUserAgent is Chrome on iOS: WebKit's User-Agent with CriOS and Chrome's full
// version. build is that version when known from a capture, else major.0.0.0.
func criOSUserAgent(major int, build, iosVersion string) string {
	if build == "" {
		build = strconv.Itoa(major) + ".0.0.0"
	}
	return fmt.Sprintf("Mozilla/5.0 (iPhone; CPU iPhone OS %s like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) CriOS/%s Mobile/15E148 Safari/604.1", iosVersion, build)
}
