package main

import (
	"net/url"
	"testing"
)

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
		escapeQuery(u)
		if u.RawQuery != want {
			t.Errorf("%s: RawQuery %q, want %q", raw, u.RawQuery, want)
		}
	}
}
