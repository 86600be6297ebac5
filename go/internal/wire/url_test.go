package wire

import (
	"net/url"
	"strings"
	"testing"
)

func TestValidateURL(t *testing.T) {
	for raw, fragment := range map[string]string{
		"":                          "empty URL",
		"ftp://host/":               "unsupported URL scheme",
		"host/path":                 "no scheme",
		"http://":                   "no host",
		"http://[::1":               "invalid URL",
		"javascript:alert":          "unsupported URL scheme",
		"http://h:65536/":           "a port is 1 to 65535",
		"http://h:0/":               "a port is 1 to 65535",
		"http://[::1]:99999999999/": "a port is 1 to 65535",
		"http://h:-1/":              "invalid port",
	} {
		_, err := ValidateURL(raw)
		if err == nil || !strings.Contains(err.Error(), fragment) {
			t.Errorf("validateURL(%q) = %v, want %q", raw, err, fragment)
		}
	}
}

func TestEscapeQueryEncodesWhatARequestLineCannotCarry(t *testing.T) {
	for raw, want := range map[string]string{
		"http://h/p?a=b c&d=é":   "a=b%20c&d=%C3%A9",
		"http://h/p?a=%20&b=c~!": "a=%20&b=c~!",
		"http://h/p?q=\"<x>\"":   "q=%22%3Cx%3E%22",
		"http://h/p":             "",
	} {
		u, err := url.Parse(raw)
		if err != nil {
			t.Fatal(err)
		}
		EscapeQuery(u)
		if u.RawQuery != want {
			t.Errorf("%s: RawQuery %q, want %q", raw, u.RawQuery, want)
		}
	}
}
