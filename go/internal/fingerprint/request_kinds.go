package fingerprint

// Headers per request kind. A browser sends other headers for a stylesheet, a script, an
// image or a fetch() than for the page itself: Accept, the Sec-Fetch-* triple, priority,
// and (Chrome) another order. Captured here from Chromium 156 and Firefox ESR 153
// (tests/fixtures/browsers); Safari's are WebKit's navigation order with the same values
// (not captured). Only the values that identify the browser (User-Agent, client hints,
// Accept-Encoding/-Language, te) come from the preset's navigation headers, so every
// version and platform of a family gets its own.

import (
	"strings"

	"httpcloakpy/internal/errs"
	"httpcloakpy/internal/wire"
)

// RequestKind is what a request is for: Sec-Fetch-Mode (the other bindings' fetch_mode:
// "navigate", "cors", "no-cors") and Sec-Fetch-Dest. The zero value is a navigation.
type RequestKind struct{ Mode, Dest string }

// Navigation tells whether k is a top-level navigation (the preset's own headers).
func (k RequestKind) Navigation() bool { return k.Mode == "" || k.Mode == "navigate" }

// The destinations each mode takes; the first is the default.
var kindDests = map[string][]string{
	"navigate": {"document"},
	"cors":     {"empty"},
	"no-cors":  {"empty", "style", "script", "image"},
}

// ParseRequestKind checks fetch_mode and fetch_dest ("" for either: the default).
func ParseRequestKind(mode, dest string) (RequestKind, error) {
	if mode == "" && dest == "" {
		return RequestKind{}, nil
	}
	if mode == "" {
		mode = "no-cors"
		if dest == "document" {
			mode = "navigate"
		} else if dest == "empty" {
			mode = "cors"
		}
	}
	dests, ok := kindDests[mode]
	if !ok {
		return RequestKind{}, errs.New(errs.KindInvalidArgument,
			"fetch_mode must be \"navigate\", \"cors\" or \"no-cors\", got %q (websocket is not supported: this client does not speak WebSocket)", mode)
	}
	if dest == "" {
		dest = dests[0]
	}
	for _, d := range dests {
		if d == dest {
			return RequestKind{Mode: mode, Dest: dest}, nil
		}
	}
	return RequestKind{}, errs.New(errs.KindInvalidArgument, "fetch_dest %q does not go with fetch_mode %q (it takes %s)",
		dest, mode, strings.Join(dests, ", "))
}

// kindValues are a family's Accept and priority for a kind ("": not sent).
type kindValues struct{ accept, priority string }

func (k RequestKind) key() string { return k.Mode + "/" + k.Dest }

var (
	chromeKinds = map[string]kindValues{
		"no-cors/style":  {"text/css,*/*;q=0.1", "u=0"},
		"no-cors/script": {"*/*", "u=1"},
		"no-cors/image":  {"image/avif,image/webp,image/apng,image/svg+xml,image/*,*/*;q=0.8", "u=2, i"},
		"no-cors/empty":  {"*/*", ""},
		"cors/empty":     {"*/*", "u=1, i"},
	}
	firefoxKinds = map[string]kindValues{
		"no-cors/style":  {"text/css,*/*;q=0.1", "u=2"},
		"no-cors/script": {"*/*", "u=2"},
		"no-cors/image":  {"image/avif,image/webp,image/png,image/svg+xml,image/*;q=0.8,*/*;q=0.5", "u=5, i"},
		"no-cors/empty":  {"*/*", ""},
		"cors/empty":     {"*/*", "u=4"},
	}
	safariKinds = map[string]kindValues{
		"no-cors/style":  {"text/css,*/*;q=0.1", ""},
		"no-cors/script": {"*/*", ""},
		"no-cors/image":  {"image/webp,image/avif,image/jxl,image/heic,image/heic-sequence,video/*;q=0.8,image/png,image/svg+xml,image/*;q=0.8,*/*;q=0.5", ""},
		"no-cors/empty":  {"*/*", ""},
		"cors/empty":     {"*/*", ""},
	}
)

// KindHeaders are the headers browser (a Preset's Browser) sends for kind, made from its
// navigation headers nav. A navigation, or no preset headers at all (tls_only), is nav.
func KindHeaders(browser string, nav [][2]string, kind RequestKind) [][2]string {
	if kind.Navigation() || len(nav) == 0 {
		return nav
	}
	from := func(name string) string {
		v, _ := wire.HeaderValue(nav, name)
		return v
	}
	fetch := [][2]string{{"sec-fetch-site", "same-origin"}, {"sec-fetch-mode", kind.Mode}, {"sec-fetch-dest", kind.Dest}}
	var out [][2]string
	var values kindValues
	switch browser {
	case "Chrome":
		values = chromeKinds[kind.key()]
		if kind.Dest == "image" && strings.Contains(from("accept"), "image/jxl") {
			values.accept = "image/jxl," + values.accept // as Chromium 156
		}
		out = [][2]string{
			{"sec-ch-ua-platform", from("sec-ch-ua-platform")}, {"user-agent", from("user-agent")},
			{"sec-ch-ua", from("sec-ch-ua")}, {"sec-ch-ua-mobile", from("sec-ch-ua-mobile")},
			{"accept", values.accept},
		}
		out = append(out, fetch...)
		out = append(out, [][2]string{
			{"accept-encoding", from("accept-encoding")}, {"accept-language", from("accept-language")},
			{"priority", values.priority},
		}...)
	case "Firefox":
		values = firefoxKinds[kind.key()]
		out = [][2]string{
			{"user-agent", from("user-agent")}, {"accept", values.accept},
			{"accept-language", from("accept-language")}, {"accept-encoding", from("accept-encoding")},
			{"sec-fetch-dest", kind.Dest}, {"sec-fetch-mode", kind.Mode}, {"sec-fetch-site", "same-origin"},
			{"priority", values.priority}, {"te", from("te")},
		}
	default: // Safari, and Chrome on iOS (WebKit)
		values = safariKinds[kind.key()]
		out = [][2]string{
			{"sec-fetch-dest", kind.Dest}, {"user-agent", from("user-agent")}, {"accept", values.accept},
			{"sec-fetch-site", "same-origin"}, {"sec-fetch-mode", kind.Mode},
			{"accept-language", from("accept-language")}, {"priority", values.priority},
			{"accept-encoding", from("accept-encoding")},
		}
	}
	kept := out[:0]
	for _, h := range out {
		if h[1] != "" { // not sent by this browser, or not among nav (a custom preset's)
			kept = append(kept, h)
		}
	}
	return kept
}
