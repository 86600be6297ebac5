// Package wire holds the small rules of HTTP on the wire every layer checks alike: header
// names, values and merging, URLs and proxy URLs, ports and host names, and strict JSON
// decoding for the documents users give (options, preset files).
package wire

import (
	"strings"

	"httpcloakpy/internal/errs"
)

// MergeHeaders lays extra over base: a name already in base keeps base's position (the
// preset's order is part of the fingerprint) and takes extra's value; new names follow in
// extra's order. Repeated names in extra all survive.
func MergeHeaders(base, extra [][2]string) [][2]string {
	merged := make([][2]string, 0, len(base)+len(extra))
	overridden := make(map[string]bool, len(extra))
	for _, h := range extra {
		overridden[strings.ToLower(h[0])] = true
	}
	placed := make(map[string]bool, len(extra))
	for _, h := range base {
		name := strings.ToLower(h[0])
		if !overridden[name] {
			merged = append(merged, h)
			continue
		}
		if placed[name] {
			continue
		}
		placed[name] = true
		for _, e := range extra {
			if strings.EqualFold(e[0], name) {
				merged = append(merged, e)
			}
		}
	}
	for _, e := range extra {
		if !placed[strings.ToLower(e[0])] {
			merged = append(merged, e)
		}
	}
	return merged
}

func WithoutHeaders(headers [][2]string, names ...string) [][2]string {
	if len(names) == 0 {
		return headers // most requests drop nothing: no copy
	}
	kept := headers[:0:0]
	for _, h := range headers {
		drop := false
		for _, n := range names {
			if strings.EqualFold(h[0], n) {
				drop = true
				break
			}
		}
		if !drop {
			kept = append(kept, h)
		}
	}
	return kept
}

func HeaderValue(headers [][2]string, name string) (string, bool) {
	for _, h := range headers {
		if strings.EqualFold(h[0], name) {
			return h[1], true
		}
	}
	return "", false
}

// ValidateHeaders refuses what would let a value smuggle another header or request.
func ValidateHeaders(headers [][2]string) error {
	for _, h := range headers {
		if !IsToken(h[0]) {
			return errs.New(errs.KindInvalidArgument, "invalid header name %q", h[0])
		}
		if framing := strings.ToLower(h[0]); framing == "content-length" || framing == "transfer-encoding" {
			// The body's framing is the engine's to write: a stray one makes HTTP/1.1
			// wait for a body that never comes, and HTTP/2 call the request malformed.
			return errs.New(errs.KindInvalidArgument, "header %q is set from the body; leave it out", h[0])
		}
		if i := strings.IndexFunc(h[1], isControl); i >= 0 {
			return errs.New(errs.KindInvalidArgument,
				"header %q has the control character %q at index %d of its value; a value may hold no control character but tab", h[0], h[1][i], i)
		}
	}
	return nil
}

// isControl is what RFC 9110 keeps out of a field value: the C0 controls but tab, and DEL.
func isControl(c rune) bool {
	return c < ' ' && c != '\t' || c == 0x7f
}

func IsToken(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c <= ' ' || c >= 0x7f || strings.IndexByte(`"(),/:;<=>?@[\]{}`, c) >= 0 {
			return false
		}
	}
	return true
}
